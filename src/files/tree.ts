// A small document tree with line numbers, built from JSON (a Python-json.loads-faithful parser that
// keeps positions) or from YAML (the `yaml` package's nodes). The readers work on this tree only.

import { createRequire } from "node:module";
import type { Tags } from "yaml";
import type * as YamlModule from "yaml";
import type { Document, Node as YNode } from "yaml";
import { PyFloat, PyInt, type PyValue } from "../util/pyjson.js";

// `yaml` costs ~100 ms to load: required on first use only, so commands that never read YAML don't pay for it.
let yamlModule: typeof YamlModule | undefined;
const loadYaml = (): typeof YamlModule => (yamlModule ??= createRequire(import.meta.url)("yaml") as typeof YamlModule);

export type Leaf = null | boolean | string | PyInt | PyFloat;

export interface MapEntry { key: string; line: number; value: TNode }
export type TNode =
  | { kind: "map"; line: number; entries: MapEntry[] }
  | { kind: "seq"; line: number; items: TNode[] }
  | { kind: "scalar"; line: number; value: Leaf }
  | { kind: "other"; line: number; what: string };

/** A syntax error in the document, with 1-based line and column. */
export class SyntaxProblem extends Error {
  constructor(message: string, readonly line: number, readonly col?: number) { super(message); }
}

export function lineCol(text: string, pos: number): { line: number; col: number } {
  let line = 1, last = -1;
  for (let k = 0; k < pos && k < text.length; k++) if (text.charCodeAt(k) === 10) { line++; last = k; }
  return { line, col: pos - last };
}

/** lineCol for many positions in one text: the line starts are found once, each lookup is a binary search. */
export function lineColIndex(text: string): (pos: number) => { line: number; col: number } {
  const starts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) starts.push(k + 1);
  return (pos) => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid]! <= pos) lo = mid; else hi = mid - 1; }
    return { line: lo + 1, col: pos - starts[lo]! + 1 };
  };
}

/** The kind of a node as a user would name it. */
export function describe(n: TNode): string {
  if (n.kind === "map") return "an object";
  if (n.kind === "seq") return "a list";
  if (n.kind === "other") return n.what;
  const v = n.value;
  if (v === null) return "null";
  if (typeof v === "boolean") return "a boolean";
  if (typeof v === "string") return "a string";
  return "a number";
}

// ---------------------------------------------------------------------------------------------- JSON

/**
 * json.loads with positions: Python's grammar (NaN, Infinity, big integers exact, strict control
 * characters), except that a repeated key is an error (Python keeps the last one silently).
 * `lineOffset`/`colOffset` place a fragment (an env-file value) inside its file.
 */
const LITERALS: Array<[string, () => Leaf]> = [
  ["true", () => true], ["false", () => false], ["null", () => null], ["NaN", () => new PyFloat(NaN)],
  ["Infinity", () => new PyFloat(Infinity)], ["-Infinity", () => new PyFloat(-Infinity)],
];

export function parseJsonTree(text: string, lineOffset = 0, colOffset = 0): TNode {
  let i = 0;
  // Lines are counted as whitespace is skipped (JSON strings cannot hold a raw newline), so a node's line costs
  // nothing; the full position index is built only for an error message.
  let line0 = 1;
  let at: ((p: number) => { line: number; col: number }) | undefined;
  const pos = (p: number) => {
    const lc = (at ??= lineColIndex(text))(p);
    return { line: lc.line + lineOffset, col: lc.line === 1 ? lc.col + colOffset : lc.col };
  };
  const fail = (msg: string, p = i): never => {
    const lc = pos(p);
    throw new SyntaxProblem(msg, lc.line, lc.col);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13) i++;
      else if (c === 10) { i++; line0++; }
      else return;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
  let depth = 0;
  const value = (): TNode => {
    ws();
    const line = line0 + lineOffset;
    const c = text[i];
    if (c === "{" || c === "[") {
      if (++depth > 500) fail("Nesting too deep");
    }
    if (c === "{") {
      i++;
      const entries: MapEntry[] = [];
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") { i++; depth--; return { kind: "map", line, entries }; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
        const kpos = i;
        const kline = line0 + lineOffset;
        const k = str();
        if (seen.has(k)) fail(`Duplicate key ${JSON.stringify(k)}`, kpos);
        seen.add(k);
        ws();
        if (text[i] !== ":") fail("Expecting ':' delimiter");
        i++;
        entries.push({ key: k, line: kline, value: value() });
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; depth--; return { kind: "map", line, entries }; }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === "[") {
      i++;
      const items: TNode[] = [];
      ws();
      if (text[i] === "]") { i++; depth--; return { kind: "seq", line, items }; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; depth--; return { kind: "seq", line, items }; }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return { kind: "scalar", line, value: str() };
    if (c === "t" || c === "f" || c === "n" || c === "N" || c === "I" || c === "-") {
      for (const [w, v] of LITERALS) if (text.startsWith(w, i)) { i += w.length; return { kind: "scalar", line, value: v() }; }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0].length > 1000) return fail("Expecting value");
    i += m[0].length;
    // An integer literal is already Python's str(int(...)) of itself (the grammar has no leading zeros), but for -0.
    if (m[1] === undefined && m[2] === undefined) return { kind: "scalar", line, value: new PyInt(m[0] === "-0" ? "0" : m[0]) };
    return { kind: "scalar", line, value: new PyFloat(Number(m[0])) };
  };
  const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
  const str = (): string => {
    const begin = i;
    i++;
    let out = "";
    for (;;) {
      // Copy the run up to the next quote, backslash or control character in one slice.
      let j = i;
      for (let c = text.charCodeAt(j); c !== 34 && c !== 92 && c >= 32; c = text.charCodeAt(++j));
      if (j > i) { out += text.slice(i, j); i = j; }
      const c = text[i];
      if (c === undefined) fail("Unterminated string starting", begin);
      if (c === '"') { i++; return out; }
      if (c === "\\") {
        const e = text[i + 1];
        if (e !== undefined && e in simple) { out += simple[e]; i += 2; continue; }
        if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail("Invalid \\escape");
      }
      if (c! < " ") fail("Invalid control character");
      out += c;
      i++;
    }
  };
  const v = value();
  ws();
  if (i !== text.length) fail("Extra data");
  return v;
}

// ---------------------------------------------------------------------------------------------- YAML

export interface YamlOptions { version: "1.1" | "1.2" }

const MAX_YAML_NODES = 100_000;

/** Parses one YAML document into the tree. Returns null for an empty document (no content or only comments). */
export function parseYamlTree(text: string, opts: YamlOptions): TNode | null {
  const { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = loadYaml();
  const lc = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      version: opts.version,
      merge: true,
      intAsBigInt: true,
      uniqueKeys: false, // checked below with a Set: the package's check is quadratic (10,000 ids took seconds)
      prettyErrors: false,
      lineCounter: lc,
      strict: true,
      ...(opts.version === "1.1" ? { customTags: pyyamlTags } : {}),
    });
  } catch (e) {
    throw new SyntaxProblem(`invalid YAML: ${(e as Error).message}`, 1);
  }
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lc.linePos(err.pos[0]);
    const msg = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new SyntaxProblem(`invalid YAML: ${msg}`, line, col);
  }
  if (doc.contents === null) return null;
  // Bounds alias expansion ("billion laughs"): a document without aliases has fewer nodes than characters.
  let budget = MAX_YAML_NODES + text.length;
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined, fallback: number) =>
    n?.range ? lc.linePos(n.range[0]).line : fallback;

  const conv = (n: YNode | null | unknown, fallbackLine: number, stack: unknown[]): TNode => {
    if (--budget < 0) throw new SyntaxProblem("invalid YAML: the document is too large (too many nodes or aliases)", fallbackLine);
    if (n === null || n === undefined) return { kind: "scalar", line: fallbackLine, value: null };
    const line = lineOf(n as YNode, fallbackLine);
    if (isAlias(n)) {
      const target = n.resolve(doc);
      if (!target || stack.includes(target)) throw new SyntaxProblem("invalid YAML: unresolvable or recursive alias", line);
      return conv(target, line, [...stack, target]);
    }
    if (isScalar(n)) return { kind: "scalar", line, value: leafOf(n.value, line) };
    if (isSeq(n)) return { kind: "seq", line, items: n.items.map((x) => conv(x, line, stack)) };
    if (isMap(n)) {
      const explicit: MapEntry[] = [];
      const merged: MapEntry[] = [];
      const keys = new Set<string>();
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const kline = lineOf(pair.key as YNode, line);
        if (isScalar(pair.key) && typeof pair.key.value === "symbol" && pair.key.value.description === "<<") {
          const src = conv(pair.value, kline, stack);
          const sources = src.kind === "seq" ? src.items : [src];
          for (const s of sources) {
            if (s.kind !== "map") throw new SyntaxProblem("invalid YAML: a merge key (<<) needs a mapping or a list of mappings", kline);
            for (const e of s.entries) if (!merged.some((m) => m.key === e.key)) merged.push(e);
          }
          continue;
        }
        const keyNode = conv(pair.key, kline, stack);
        if (keyNode.kind !== "scalar") throw new SyntaxProblem("invalid YAML: a mapping key must be a plain value, not " + describe(keyNode), kline);
        const key = keyText(keyNode.value);
        if (key === undefined) throw new SyntaxProblem("invalid YAML: unsupported mapping key", kline);
        if (keys.has(key)) {
          const at = (pair.key as YNode).range ? lc.linePos((pair.key as YNode).range![0]) : { line: kline, col: undefined };
          throw new SyntaxProblem("invalid YAML: Map keys must be unique", at.line, at.col);
        }
        keys.add(key);
        explicit.push({ key, line: kline, value: conv(pair.value, kline, stack) });
      }
      const entries = [...explicit, ...merged.filter((m) => !explicit.some((e) => e.key === m.key))];
      return { kind: "map", line, entries };
    }
    return { kind: "other", line, what: "an unsupported YAML value" };
  };
  return conv(doc.contents, 1, []);
}

/**
 * The `yaml` package's YAML 1.1 schema, adjusted where PyYAML's resolver (what Airflow reads files with) differs:
 * `y`/`n` are strings, a float needs a digit before its dot and a signed exponent (`1e3` is a string),
 * a decimal int has no leading zero (`089` is a string), a sexagesimal starts with 1-9.
 */
const PY_TESTS: Array<[RegExp, RegExp]> = [
  [/^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/, /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/],
  [/^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/, /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/],
  [/^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/, /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*[eE][-+][0-9]+|\.[0-9][0-9_]*[eE][-+][0-9]+)$/],
  [/^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/, /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/],
  [/^[-+]?[0-9][0-9_]*$/, /^[-+]?(?:0|[1-9][0-9_]*)$/],
  [/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/, /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/],
  [/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/, /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/],
];

function pyyamlTags(tags: Tags): Tags {
  return tags.map((t) => {
    const test = (t as { test?: unknown }).test;
    if (!(test instanceof RegExp)) return t;
    const swap = PY_TESTS.find(([from]) => from.source === test.source);
    return swap ? ({ ...(t as object), test: swap[1] } as Tags[number]) : t;
  });
}

function leafOf(v: unknown, line: number): Leaf {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "bigint") return new PyInt(v.toString());
  if (typeof v === "number") return new PyFloat(v); // integers are bigints (intAsBigInt), so a number is a float
  if (v instanceof Date) throw new SyntaxProblem("a date/time value is not supported here; quote it", line);
  throw new SyntaxProblem("unsupported YAML value (binary, set or other tagged type); quote it", line);
}

/** A scalar mapping key as Python's json.dumps would write it (str keys unchanged). */
function keyText(v: Leaf): string | undefined {
  if (typeof v === "string") return v;
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof PyInt) return v.text;
  return undefined;
}

/** The tree below a node as a json.loads-style value (for `extra` given as an object). */
export function toPy(n: TNode): PyValue {
  if (n.kind === "map") return new Map(n.entries.map((e) => [e.key, toPy(e.value)]));
  if (n.kind === "seq") return n.items.map(toPy);
  if (n.kind === "other") throw new SyntaxProblem(`${n.what} cannot be stored in extra`, n.line);
  return n.value;
}
