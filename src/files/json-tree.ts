// The line-numbered document tree the file readers work on (YAML documents are read into it by ./tree.ts), and its
// JSON reader: src/util/pyjson.ts's parser building nodes with their lines, plus a JSON.parse fast path for large files.
import {
  MAX_JSON_DEPTH,
  parseJson,
  PyInt,
  SyntaxProblem,
  type JsonBuilder,
  type JsonEntry,
  type JsonParseOptions,
  type PyLeaf,
  type PyValue,
} from "../util/pyjson.js";

export { SyntaxProblem };
export type Leaf = PyLeaf;
export type MapEntry = JsonEntry<TNode>;
/** A document tree with 1-based line numbers (YAML documents are read into the same tree: "other" is theirs). */
export type TNode =
  | { kind: "map"; line: number; entries: MapEntry[] }
  | { kind: "seq"; line: number; items: TNode[] }
  | { kind: "scalar"; line: number; value: Leaf }
  | { kind: "other"; line: number; what: string };

/** The tree below a node as a json.loads-style value. */
export function toPy(n: TNode): PyValue {
  if (n.kind === "map") return new Map(n.entries.map((e) => [e.key, toPy(e.value)]));
  if (n.kind === "seq") return n.items.map(toPy);
  if (n.kind === "other") throw new SyntaxProblem(`${n.what} cannot be stored in extra`, n.line);
  return n.value;
}

export interface JsonTreeOptions extends JsonParseOptions {
  /** Tests: false forces the position-keeping parser (the fast path must give the same tree). */
  fastPath?: boolean;
}

const NODES: JsonBuilder<TNode> = {
  leaf: (value, line) => ({ kind: "scalar", line, value }),
  seq: (items, line) => ({ kind: "seq", line, items }),
  map: (entries, line) => ({ kind: "map", line, entries }),
};

/**
 * json.loads with positions: Python's grammar (NaN, Infinity, big integers exact, strict control characters).
 * Fast path: when the text holds nothing that JavaScript's JSON.parse reads differently from Python (floats, exponents,
 * integers past 2^53, integer-like keys, repeated keys, NaN/Infinity), JSON.parse does the parsing and one scan of the
 * text supplies the line numbers. Anything else, and every error, goes through the position-keeping parser (pyjson's).
 */
export function parseJsonTree(text: string, opts: JsonTreeOptions = {}): TNode {
  return (
    (opts.fastPath === false ? undefined : fastJsonTree(text, opts.lineOffset ?? 0)) ?? parseJson(text, NODES, opts)
  );
}

/** The fast path alone: a tree, or undefined when the text needs the position-keeping parser. */
export function fastJsonTree(text: string, lineOffset = 0): TNode | undefined {
  const scan = scanJson(text, lineOffset);
  if (scan === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  // JSON.parse moves integer-like keys (however they were spelled) to the front, where Python keeps them in place,
  // and keeps one of repeated keys, leaving fewer keys than the text has: both need the slow path.
  let values = 0,
    keys = 0;
  const check = (v: unknown): boolean => {
    values++;
    if (v === null || typeof v !== "object") return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (!check(v[i])) return false;
      return true;
    }
    for (const key in v) {
      const k0 = key.charCodeAt(0);
      if (k0 >= 48 && k0 <= 57 && /^[0-9]+$/.test(key)) return false;
      keys++;
      if (!check((v as Record<string, unknown>)[key])) return false;
    }
    return true;
  };
  if (!check(doc) || keys !== scan.keyLines.length || values !== scan.valueLines.length) return undefined;
  return new FastTree(scan.valueLines, scan.keyLines, scan.ends).node(doc, 0, 0, 0);
}

interface Scan {
  valueLines: number[];
  keyLines: number[];
  ends: number[];
}

/**
 * One pass over the structure: the line of every value start and of every key, in document order, and where each
 * container ends. String contents are skipped (JSON.parse checks them); a string is a key when a ":" follows it.
 * Undefined for a number JSON.parse would read differently from Python, or anything else the slow path must see.
 * (A function of its own: V8 optimises a small function's loop sooner.)
 */
function scanJson(text: string, lineOffset: number): Scan | undefined {
  const valueLines: number[] = [];
  const keyLines: number[] = [];
  const ends: number[] = []; // per container, in document order: value, key and container counts at its close
  const open: number[] = [];
  let line = 1 + lineOffset;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let e = i + 1;
      for (let q = text.charCodeAt(e); q !== 34; q = text.charCodeAt(++e)) {
        if (Number.isNaN(q)) return undefined; // unterminated: the slow path says where
        if (q === 92 /* \ */) e++;
      }
      let j = e + 1,
        d = text.charCodeAt(j);
      while (d === 32 || d === 10 || d === 13 || d === 9) d = text.charCodeAt(++j);
      if (d === 58 /* : */) keyLines.push(line);
      else valueLines.push(line);
      i = e + 1; // a raw newline inside the string makes JSON.parse fail, so no line is skipped here
      continue;
    }
    if (c === 10) {
      line++;
      while (text.charCodeAt(++i) === 32);
      continue;
    } // and the next line's indentation
    if (c === 32 || c === 9 || c === 13 || c === 58 /* : */ || c === 44 /* , */) {
      i++;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      valueLines.push(line);
      open.push(ends.length);
      ends.push(0, 0, 0);
      if (open.length > MAX_JSON_DEPTH) return undefined;
      i++;
      continue;
    }
    if (c === 125 /* } */ || c === 93 /* ] */) {
      const at = open.pop();
      if (at === undefined) return undefined;
      ends[at] = valueLines.length;
      ends[at + 1] = keyLines.length;
      ends[at + 2] = ends.length;
      i++;
      continue;
    }
    valueLines.push(line);
    if (c === 116 || c === 102 || c === 110) {
      while (i < n && text.charCodeAt(i) >= 97 && text.charCodeAt(i) <= 122) i++;
      continue;
    } // true false null
    if (c === 45 || (c >= 48 && c <= 57)) {
      const begin = i;
      for (let d = c; (d >= 48 && d <= 57) || d === 45; d = text.charCodeAt(++i));
      const d = text.charCodeAt(i);
      if (d === 46 || d === 101 || d === 69 || i - begin > 15) return undefined; // a float or a big integer: Python's forms
      continue;
    }
    return undefined; // NaN, Infinity or a syntax error
  }
  return { valueLines, keyLines, ends };
}

/**
 * The fast path's tree: a container's children are made each time they are read, from the parsed value and the
 * scan's lines, so a reader that takes one connection at a time leaves short-lived garbage instead of a second copy
 * of the document (which made the collector the biggest cost of reading a large file).
 */
class FastTree {
  constructor(
    private readonly valueLines: number[],
    private readonly keyLines: number[],
    private readonly ends: number[],
  ) {}

  /** The node for value `v`, the `vi`-th value of the text; `ki` keys and `ci` containers come before it. */
  node(v: unknown, vi: number, ki: number, ci: number): TNode {
    const line = this.valueLines[vi]!;
    if (v === null || typeof v !== "object") {
      return { kind: "scalar", line, value: typeof v === "number" ? new PyInt(String(v)) : (v as Leaf) };
    }
    return Array.isArray(v)
      ? new FastSeq(this, line, v, vi, ki, ci)
      : new FastMap(this, line, v as Record<string, unknown>, vi, ki, ci);
  }

  /** The children of the container at (vi, ki, ci), with the line of each key. */
  children(
    values: unknown[],
    keys: string[] | undefined,
    vi: number,
    ki: number,
    ci: number,
  ): Array<{ key: string; line: number; value: TNode }> {
    const out: Array<{ key: string; line: number; value: TNode }> = [];
    let v = vi + 1,
      k = ki,
      c = ci + 3;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      const keyLine = keys === undefined ? 0 : this.keyLines[k++]!;
      out.push({ key: keys === undefined ? "" : keys[i]!, line: keyLine, value: this.node(x, v, k, c) });
      if (x !== null && typeof x === "object") {
        v = this.ends[c]!;
        k = this.ends[c + 1]!;
        c = this.ends[c + 2]!;
      } else v++;
    }
    return out;
  }
}

class FastMap {
  readonly kind = "map";
  readonly #tree: FastTree;
  readonly #v: Record<string, unknown>;
  readonly #at: [number, number, number];
  constructor(
    tree: FastTree,
    readonly line: number,
    v: Record<string, unknown>,
    vi: number,
    ki: number,
    ci: number,
  ) {
    this.#tree = tree;
    this.#v = v;
    this.#at = [vi, ki, ci];
  }
  get entries(): MapEntry[] {
    const keys = Object.keys(this.#v);
    return this.#tree.children(
      keys.map((k) => this.#v[k]),
      keys,
      ...this.#at,
    );
  }
}

class FastSeq {
  readonly kind = "seq";
  readonly #tree: FastTree;
  readonly #v: unknown[];
  readonly #at: [number, number, number];
  constructor(
    tree: FastTree,
    readonly line: number,
    v: unknown[],
    vi: number,
    ki: number,
    ci: number,
  ) {
    this.#tree = tree;
    this.#v = v;
    this.#at = [vi, ki, ci];
  }
  get items(): TNode[] {
    return this.#tree.children(this.#v, undefined, ...this.#at).map((e) => e.value);
  }
}
