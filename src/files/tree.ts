// A small document tree with line numbers, built from JSON (./json-tree.ts: the tree and its Python-json.loads-faithful
// reader that keeps positions) or from YAML (here, from the `yaml` package's nodes). The readers work on this tree only.

import { createRequire } from "node:module";
import type { Tags } from "yaml";
import type * as YamlModule from "yaml";
import type { Document, Node as YNode } from "yaml";
import { lineColIndex, MAX_JSON_DEPTH, PyFloat, PyInt } from "../util/pyjson.js";

// `yaml` costs ~100 ms to load: required on first use only, so commands that never read YAML don't pay for it.
let yamlModule: typeof YamlModule | undefined;
const loadYaml = (): typeof YamlModule => (yamlModule ??= createRequire(import.meta.url)("yaml") as typeof YamlModule);

export { parseJsonTree, SyntaxProblem, toPy, type Leaf, type MapEntry, type TNode } from "./json-tree.js";
import { SyntaxProblem, type Leaf, type MapEntry, type TNode } from "./json-tree.js";

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

export interface YamlOptions {
  version: "1.1" | "1.2";
}

const MAX_YAML_NODES = 100_000;
/** Nesting deeper than this is refused in YAML as in JSON: everything that walks a document recurses. */
export const MAX_YAML_DEPTH = MAX_JSON_DEPTH;
/**
 * What aliases may add to a document: this much, or 4 times the size of its text if that is more. Counted as the
 * characters of every string an alias repeats plus 8 per node: a 100 KB string anchored once and used 1,000 times
 * adds 100 MB, which made `import` take 17 s and gigabytes to print (an "alias bomb"); `<<: *defaults` merges in a
 * real file add a few KB.
 */
export const YAML_ALIAS_ALLOWANCE = 16 * 1024 * 1024;

/** A yaml package error message as one line without its position (the caller gives the position its own way). */
export function yamlErrorText(message: string): string {
  const first = message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  // The package's parser recurses on nesting and reports the stack overflow as an error of the document.
  return /Maximum call stack size exceeded/.test(first)
    ? `Nesting too deep (more than ${MAX_YAML_DEPTH} levels)`
    : first;
}

interface Measure {
  size: number;
  depth: number;
}

/**
 * Where the flow collections ([...] and {...}) of a YAML text first nest deeper than `max` (the offset of that bracket),
 * or -1. Run before the yaml package parses the text: its parser keeps a token per open bracket and recurses on them,
 * so 100,000 brackets took 300 MB and, under a heap limit, crashed the process. Quoted strings and comments inside a
 * flow collection are skipped; outside one, a bracket counts only where a node can start (after "key: ", "- ", "? ",
 * an anchor or a tag, or at the start of a line), so a "[" inside a plain value is not taken for nesting.
 */
export function yamlFlowTooDeepAt(text: string, max = MAX_YAML_DEPTH): number {
  const n = text.length;
  let depth = 0;
  const skipQuoted = (i: number): number => {
    const q = text.charCodeAt(i);
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (q === 34 && c === 92 /* \ in "..." */) i++;
      else if (c === q) {
        if (q === 39 && text.charCodeAt(i + 1) === 39)
          i++; // '' in '...'
        else return i;
      }
    }
    return n;
  };
  /** Whether a node can start at `i` in block context: only spaces since a line start, an indicator, an anchor or a tag. */
  const nodeStart = (i: number): boolean => {
    if (i > 0 && !/\s/.test(text[i - 1]!)) return false; // "a[b": a plain value (and no backward scan per bracket)
    let j = i - 1;
    while (j >= 0 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j--;
    if (j < 0 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13) return true;
    const c = text.charCodeAt(j);
    if ((c === 58 /* : */ || c === 45 /* - */ || c === 63) /* ? */ && j < i - 1) return true;
    let k = j;
    while (k >= 0 && !/\s/.test(text[k]!)) k--;
    const t = text.charCodeAt(k + 1);
    return (t === 38 /* & */ || t === 33) /* ! */ && j < i - 1 && nodeStart(k + 1);
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */ && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    const open = c === 91 /* [ */ || c === 123 /* { */;
    if (depth > 0) {
      if (c === 34 || c === 39) i = skipQuoted(i);
      else if (open) {
        if (++depth > max) return i;
      } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
    } else if ((open || c === 34 || c === 39) && nodeStart(i)) {
      if (open) {
        if (++depth > max) return i;
      } else i = skipQuoted(i);
    }
  }
  return -1;
}

/**
 * Measures a parsed YAML document before anything turns it into values: the size its aliases expand it to (refused
 * over YAML_ALIAS_ALLOWANCE or 4 times `textLength`), and its nesting with aliases expanded (refused over
 * MAX_YAML_DEPTH). One walk over the document as written, each anchored node measured once, so an alias costs O(1)
 * however much it expands to. Throws SyntaxProblem (message without the "invalid YAML" lead) with the alias's place.
 * Returns the node each alias stands for (the package's own resolve() searches the whole document for every alias).
 */
export function yamlLimits(
  doc: Document,
  textLength: number,
  linePos: (pos: number) => { line: number; col: number },
): Map<unknown, unknown> {
  const { isAlias, isMap, isPair, isScalar, isSeq } = loadYaml();
  const allowance = Math.max(YAML_ALIAS_ALLOWANCE, 4 * textLength);
  const targets = new Map<unknown, unknown>();
  const anchors = new Map<string, unknown>();
  const measured = new Map<unknown, Measure>();
  const open = new Set<unknown>();
  let added = 0;
  const fail = (msg: string, n: unknown): never => {
    const range = (n as { range?: [number, number, number] | null } | null)?.range;
    const at = range ? linePos(range[0]) : { line: 1, col: undefined };
    throw new SyntaxProblem(msg, at.line, at.col);
  };
  const tooDeep = (n: unknown) =>
    fail(`Nesting too deep (more than ${MAX_YAML_DEPTH} levels${added > 0 ? ", with aliases expanded" : ""})`, n);
  /** The size and depth below `n` (aliases expanded); `depth`: where `n` stands in the document. */
  const measure = (n: unknown, depth: number): Measure => {
    if (n === null || n === undefined) return { size: 8, depth: 0 };
    if (isAlias(n)) {
      const target = anchors.get(n.source);
      if (target === undefined) return { size: 8, depth: 0 }; // unresolved: the reader that resolves it says so
      if (open.has(target)) fail(`the alias *${n.source} is inside its own anchor (a recursive structure)`, n);
      targets.set(n, target);
      const m = measured.get(target)!; // measured: its anchor came first and is not an ancestor
      added += m.size;
      if (added > allowance) {
        fail(
          `aliases expand the document by more than ${Math.round(allowance / 1048576)} MiB (the most allowed: ${Math.round(YAML_ALIAS_ALLOWANCE / 1048576)} MiB, or 4 times the size of the file); the alias *${n.source} here goes past it`,
          n,
        );
      }
      if (depth + m.depth > MAX_YAML_DEPTH) tooDeep(n);
      return m;
    }
    const anchor = (n as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, n);
    if (depth > MAX_YAML_DEPTH) tooDeep(n);
    open.add(n);
    let size = 8,
      below = 0;
    const add = (child: unknown) => {
      const m = measure(child, depth + 1);
      size += m.size;
      if (m.depth + 1 > below) below = m.depth + 1;
    };
    if (isScalar(n)) size += typeof n.value === "string" ? n.value.length : 8;
    else if (isMap(n) || isSeq(n)) {
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          add(item.key);
          add(item.value);
        } else add(item);
      }
    }
    open.delete(n);
    const m = { size, depth: below };
    if (anchor) measured.set(n, m);
    return m;
  };
  measure(doc.contents, 0);
  return targets;
}

/** Parses one YAML document into the tree. Returns null for an empty document (no content or only comments). */
export function parseYamlTree(text: string, opts: YamlOptions): TNode | null {
  const { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = loadYaml();
  const deep = yamlFlowTooDeepAt(text);
  if (deep >= 0) {
    const { line, col } = lineCol(text, deep);
    throw new SyntaxProblem(`invalid YAML: Nesting too deep (more than ${MAX_YAML_DEPTH} levels)`, line, col);
  }
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
    throw new SyntaxProblem(`invalid YAML: ${yamlErrorText((e as Error).message)}`, 1);
  }
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lc.linePos(err.pos[0]);
    throw new SyntaxProblem(`invalid YAML: ${yamlErrorText(err.message)}`, line, col);
  }
  if (doc.contents === null) return null;
  let targets: Map<unknown, unknown>;
  try {
    targets = yamlLimits(doc, text.length, (pos) => lc.linePos(pos));
  } catch (e) {
    if (e instanceof SyntaxProblem) throw new SyntaxProblem(`invalid YAML: ${e.message}`, e.line, e.col);
    throw e;
  }
  // Bounds alias expansion ("billion laughs"): a document without aliases has fewer nodes than characters.
  let budget = MAX_YAML_NODES + text.length;
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined, fallback: number) =>
    n?.range ? lc.linePos(n.range[0]).line : fallback;

  const conv = (n: YNode | null | unknown, fallbackLine: number, stack: unknown[]): TNode => {
    if (--budget < 0)
      throw new SyntaxProblem("invalid YAML: the document is too large (too many nodes or aliases)", fallbackLine);
    if (n === null || n === undefined) return { kind: "scalar", line: fallbackLine, value: null };
    const line = lineOf(n as YNode, fallbackLine);
    if (isAlias(n)) {
      const target = targets.get(n);
      if (!target || stack.includes(target))
        throw new SyntaxProblem("invalid YAML: unresolvable or recursive alias", line);
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
            if (s.kind !== "map")
              throw new SyntaxProblem("invalid YAML: a merge key (<<) needs a mapping or a list of mappings", kline);
            for (const e of s.entries) if (!merged.some((m) => m.key === e.key)) merged.push(e);
          }
          continue;
        }
        const keyNode = conv(pair.key, kline, stack);
        if (keyNode.kind !== "scalar")
          throw new SyntaxProblem("invalid YAML: a mapping key must be a plain value, not " + describe(keyNode), kline);
        const key = keyText(keyNode.value);
        if (key === undefined) throw new SyntaxProblem("invalid YAML: unsupported mapping key", kline);
        if (keys.has(key)) {
          const at = (pair.key as YNode).range
            ? lc.linePos((pair.key as YNode).range![0])
            : { line: kline, col: undefined };
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
  [
    /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
    /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*[eE][-+][0-9]+|\.[0-9][0-9_]*[eE][-+][0-9]+)$/,
  ],
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
