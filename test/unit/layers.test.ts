// The layers of src/ import only downward, and no module imports itself back through others. Walks every import
// in src/ — static, `export ... from` and dynamic import() — so that a new import that breaks either rule fails here.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : files(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

interface Edge { from: string; to: string; typeOnly: boolean }
const folder = (p: string) => (p.includes("/") ? p.slice(0, p.indexOf("/")) : p);

/** Every import of a module (paths relative to src/, e.g. "commands/list.ts"). */
function importsOf(file: string, text: string): Edge[] {
  const from = relative(SRC, file);
  const out: Edge[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const add = (spec: string, typeOnly: boolean) => {
    if (!spec.startsWith(".")) return;
    const to = relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, ".ts");
    out.push({ from, to, typeOnly });
  };
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gm)) add(m[4]!, !!m[2]);
  for (const m of code.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) add(m[1]!, false);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) add(m[1]!, false);
  return out;
}

/**
 * Known exceptions to the rules below, each with its reason; the last test fails for one that no longer exists.
 * None left: the command modules take their commander helpers from the leaf module commands/kit.ts, not cli.ts.
 */
const KNOWN: Array<(e: Edge) => boolean> = [];
const known = (e: Edge) => KNOWN.some((k) => k(e));

const allEdges = files(SRC).flatMap((f) => importsOf(f, readFileSync(f, "utf8")));
const edges = allEdges.filter((e) => !known(e));

describe("src/ imports", () => {
  it("finds the imports it should (static, type-only, dynamic)", () => {
    const got = importsOf(join(SRC, "commands/x.ts"), [
      'import { a } from "../connection/model.js";',
      'import type { B } from "../deps.js";',
      'export { c } from "./common.js";',
      'const m = await import("../files/index.js");',
      '// import { no } from "../cli.js";',
    ].join("\n"));
    expect(got).toEqual([
      { from: "commands/x.ts", to: "connection/model.ts", typeOnly: false },
      { from: "commands/x.ts", to: "deps.ts", typeOnly: true },
      { from: "commands/x.ts", to: "commands/common.ts", typeOnly: false },
      { from: "commands/x.ts", to: "files/index.ts", typeOnly: false },
    ]);
    expect(allEdges.length).toBeGreaterThan(100);
  });

  it("has no import circle (type-only imports included)", () => {
    const graph = new Map<string, string[]>();
    for (const e of edges) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (n: string) => {
      state.set(n, "open");
      stack.push(n);
      for (const m of graph.get(n) ?? []) {
        if (state.get(m) === "open") cycles.push([...stack.slice(stack.indexOf(m)), m].join(" -> "));
        else if (!state.has(m)) visit(m);
      }
      stack.pop();
      state.set(n, "done");
    };
    for (const n of graph.keys()) if (!state.has(n)) visit(n);
    expect(cycles).toEqual([]);
  });

  it("imports only downward: no layer below the commands imports commands/, cli.ts or deps.ts", () => {
    const wiring = new Set(["cli.ts", "deps.ts", "commands", "sea-main.ts"]); // the top: entry points and the command tree
    const upward = edges.filter((e) => !wiring.has(folder(e.from)) && (folder(e.to) === "commands" || e.to === "cli.ts" || e.to === "deps.ts"));
    expect(upward.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("prompts/, completion/, output/ and config/ import neither commands/ nor cli.ts nor deps.ts", () => {
    const guarded = ["prompts", "completion", "output", "config"];
    const bad = edges.filter((e) => guarded.includes(folder(e.from)) && (folder(e.to) === "commands" || e.to === "cli.ts" || e.to === "deps.ts"));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
    expect(edges.some((e) => guarded.includes(folder(e.from)))).toBe(true);
  });

  it("the connection model and the utilities are leaves: they import nothing above them", () => {
    const leafOk = (from: string, to: string) =>
      folder(from) === "util" ? folder(to) === "util" || to === "errors.ts"
        : from === "connection/model.ts" || from === "connection/conn-types.ts" ? to === "api/types.ts"
        : true;
    const bad = edges.filter((e) => !leafOk(e.from, e.to));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("lists no known exception that no longer exists", () => {
    for (const k of KNOWN) expect(allEdges.some(k)).toBe(true);
  });
});
