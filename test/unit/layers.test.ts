// The layers of src/ import only downward, and no module or folder imports itself back through others. Walks every
// import in src/ — static, `export ... from` and dynamic import() — so that a new import that breaks a rule fails here.
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

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}
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
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gm))
    add(m[4]!, !!m[2]);
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

/**
 * The folders of src/ and its top-level modules, lowest first. Each imports only from the levels below its own: never
 * from its own level (the folders of a level do not know each other) or above, so no two folders can import each
 * other, however many files the way round takes. A new folder or top-level module gets its place here.
 */
const LAYERS: string[][] = [
  ["errors.ts", "paths.ts", "version.ts"], // leaves: error classes, where files live, the version
  ["util", "help"], // Python JSON, worker pool, atomic writes, bounded reads; the help topics and the reference
  ["config"], // profiles and settings with their sources
  ["api"], // the HTTP client, tokens, generated types
  ["connection"], // the connection model: fields, each field rule once, the validator, the secret rules
  ["uri", "catalog"], // the URI codec and URI <-> fields mapping; the connection-type catalog (hook_meta, bundled)
  ["files", "output"], // connection files (read/write); the renderer and connection views
  ["apply", "bulk", "completion", "prompts"], // the apply planner, bulk bodies and engine, shell completion, prompts
  ["deps.ts"], // what a command's run() gets
  ["commands"], // the command tree
  ["cli.ts"], // main(): the one place that maps errors to exit codes
  ["sea-main.ts"], // the single-executable entry point
];
const levelOf = new Map(LAYERS.flatMap((names, level) => names.map((n) => [n, level] as const)));

/** The imports that go to a folder at the same level or above (folders unknown to LAYERS included). */
function layerViolations(es: readonly Edge[]): string[] {
  return es
    .filter((e) => folder(e.from) !== folder(e.to))
    .filter((e) => !((levelOf.get(folder(e.from)) ?? -1) > (levelOf.get(folder(e.to)) ?? Infinity)))
    .map((e) => `${e.from} -> ${e.to}`);
}

/** Every circle in a graph given as edges, as "a -> b -> a" (a depth-first walk: each circle found once per entry). */
function cycles(es: ReadonlyArray<{ from: string; to: string }>): string[] {
  const graph = new Map<string, string[]>();
  for (const e of es) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === "open") found.push([...stack.slice(stack.indexOf(m)), m].join(" -> "));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

/** The folder graph: an edge per pair of folders some file of one imports a file of the other. */
const folderEdges = (es: readonly Edge[]) =>
  [...new Set(es.filter((e) => folder(e.from) !== folder(e.to)).map((e) => `${folder(e.from)}\0${folder(e.to)}`))].map(
    (k) => ({ from: k.split("\0")[0]!, to: k.split("\0")[1]! }),
  );

describe("src/ imports", () => {
  it("finds the imports it should (static, type-only, dynamic)", () => {
    const got = importsOf(
      join(SRC, "commands/x.ts"),
      [
        'import { a } from "../connection/model.js";',
        'import type { B } from "../deps.js";',
        'export { c } from "./common.js";',
        'const m = await import("../files/index.js");',
        '// import { no } from "../cli.js";',
      ].join("\n"),
    );
    expect(got).toEqual([
      { from: "commands/x.ts", to: "connection/model.ts", typeOnly: false },
      { from: "commands/x.ts", to: "deps.ts", typeOnly: true },
      { from: "commands/x.ts", to: "commands/common.ts", typeOnly: false },
      { from: "commands/x.ts", to: "files/index.ts", typeOnly: false },
    ]);
    expect(allEdges.length).toBeGreaterThan(100);
  });

  it("has no import circle (type-only imports included)", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("has no folder circle: no two folders import each other, whichever files do it", () => {
    expect(cycles(folderEdges(edges))).toEqual([]);
  });

  it("each folder imports only from the levels below it (LAYERS), and every folder has a level", () => {
    expect(layerViolations(edges)).toEqual([]);
    const placed = new Set(edges.flatMap((e) => [folder(e.from), folder(e.to)]));
    expect([...placed].filter((f) => !levelOf.has(f))).toEqual([]);
    expect([...levelOf.keys()].filter((f) => !placed.has(f))).toEqual([]); // no level names a folder that is gone
  });

  it("the checks fail on a folder circle that no file circle shows (a made-up graph)", () => {
    // uri/index.ts imports connection/validate.ts and connection/uri.ts imports uri/index.ts: no file imports
    // itself back, but the folders connection/ and uri/ import each other (what src/ had before uri/fields.ts).
    const made: Edge[] = [
      { from: "uri/index.ts", to: "connection/validate.ts", typeOnly: false },
      { from: "connection/uri.ts", to: "uri/index.ts", typeOnly: false },
      { from: "files/read.ts", to: "connection/uri.ts", typeOnly: false },
    ];
    expect(cycles(made)).toEqual([]);
    expect(cycles(folderEdges(made))).toEqual(["uri -> connection -> uri"]);
    expect(layerViolations(made)).toEqual(["connection/uri.ts -> uri/index.ts"]);
    // A longer circle through three folders, and a folder LAYERS does not know.
    expect(
      cycles([
        { from: "a", to: "b" },
        { from: "b", to: "c" },
        { from: "c", to: "a" },
      ]),
    ).toEqual(["a -> b -> c -> a"]);
    expect(layerViolations([{ from: "newfolder/x.ts", to: "util/pool.ts", typeOnly: false }])).toEqual([
      "newfolder/x.ts -> util/pool.ts",
    ]);
  });

  it("imports only downward: no layer below the commands imports commands/, cli.ts or deps.ts", () => {
    const wiring = new Set(["cli.ts", "deps.ts", "commands", "sea-main.ts"]); // the top: entry points and the command tree
    const upward = edges.filter(
      (e) => !wiring.has(folder(e.from)) && (folder(e.to) === "commands" || e.to === "cli.ts" || e.to === "deps.ts"),
    );
    expect(upward.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("prompts/, completion/, output/ and config/ import neither commands/ nor cli.ts nor deps.ts", () => {
    const guarded = ["prompts", "completion", "output", "config"];
    const bad = edges.filter(
      (e) =>
        guarded.includes(folder(e.from)) && (folder(e.to) === "commands" || e.to === "cli.ts" || e.to === "deps.ts"),
    );
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
    expect(edges.some((e) => guarded.includes(folder(e.from)))).toBe(true);
  });

  it("the connection model and the utilities are leaves: they import nothing above them", () => {
    const leafOk = (from: string, to: string) =>
      folder(from) === "util"
        ? folder(to) === "util" || to === "errors.ts"
        : from === "connection/model.ts" || from === "connection/conn-types.ts"
          ? to === "api/types.ts"
          : true;
    const bad = edges.filter((e) => !leafOk(e.from, e.to));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("lists no known exception that no longer exists", () => {
    for (const k of KNOWN) expect(allEdges.some(k)).toBe(true);
  });
});
