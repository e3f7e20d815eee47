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

export { lineColIndex, parseJsonTree, SyntaxProblem, toPy, type Leaf, type MapEntry, type TNode } from "../util/pyjson.js";
import { lineColIndex, SyntaxProblem, type Leaf, type MapEntry, type TNode } from "../util/pyjson.js";

export function lineCol(text: string, pos: number): { line: number; col: number } {
  return lineColIndex(text)(pos);
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

