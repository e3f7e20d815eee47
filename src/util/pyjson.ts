// Python's json module, as far as Airflow's behaviour depends on it.
// Airflow re-serialises `extra` with json.dumps defaults (", " and ": " separators, non-ASCII as \uXXXX,
// floats keep their ".0", big integers stay exact, duplicate keys: last value in the first key's place).
// JavaScript's JSON loses several of those, so values are parsed into a small tree that keeps them.

export class PyInt { constructor(readonly text: string) {} }
export class PyFloat { constructor(readonly value: number) {} }
export type PyValue = null | boolean | string | PyInt | PyFloat | PyValue[] | PyObject;
export type PyObject = Map<string, PyValue>;

export class PyJsonError extends Error {
  constructor(message: string, readonly pos: number) { super(message); }
}

/** json.loads: parses JSON text (plus Python's NaN/Infinity) into a PyValue tree. Duplicate keys: the last value in
 * the first key's place, as Python does. Errors are PyJsonError with Python's wording and the character offset. */
export function pyLoads(text: string): PyValue {
  try {
    return toPy(parseJsonTree(text, { duplicateKeys: "last" }));
  } catch (e) {
    if (e instanceof SyntaxProblem) throw new PyJsonError(`${e.message} at char ${e.pos}`, e.pos);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------- the JSON reader
// One reader for every JSON text airconn parses (files, extra, --json, URI vectors): Python's json.loads grammar with
// positions kept for messages, and one nesting limit.

export type Leaf = null | boolean | string | PyInt | PyFloat;
export interface MapEntry { key: string; line: number; value: TNode }
/** A document tree with 1-based line numbers (YAML documents are read into the same tree: "other" is theirs). */
export type TNode =
  | { kind: "map"; line: number; entries: MapEntry[] }
  | { kind: "seq"; line: number; items: TNode[] }
  | { kind: "scalar"; line: number; value: Leaf }
  | { kind: "other"; line: number; what: string };

/** A syntax error in a document, with 1-based line and column and, for JSON, the character offset. */
export class SyntaxProblem extends Error {
  constructor(message: string, readonly line: number, readonly col?: number, readonly pos = 0) { super(message); }
}

/** The tree below a node as a json.loads-style value. */
export function toPy(n: TNode): PyValue {
  if (n.kind === "map") return new Map(n.entries.map((e) => [e.key, toPy(e.value)]));
  if (n.kind === "seq") return n.items.map(toPy);
  if (n.kind === "other") throw new SyntaxProblem(`${n.what} cannot be stored in extra`, n.line);
  return n.value;
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

/** Deeper nesting is refused ("Nesting too deep"), by both paths of the reader. */
export const MAX_JSON_DEPTH = 500;

/**
 * Where the nesting of a JSON text first goes deeper than `max` levels (the offset of that "[" or "{"), or -1.
 * For readers that use JSON.parse (which reads any depth) and then walk the result recursively.
 */
export function jsonTooDeepAt(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < n; i++) {
        const q = text.charCodeAt(i);
        if (q === 92 /* \ */) i++;
        else if (q === 34) break;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return -1;
}

export interface JsonTreeOptions {
  /** Place a fragment (an env-file value) inside its file. */
  lineOffset?: number; colOffset?: number;
  /** "error" (files: a repeated key is a mistake worth reporting) or "last" (json.loads: the last value wins). */
  duplicateKeys?: "error" | "last";
  /** Tests: false forces the position-keeping parser (the fast path must give the same tree). */
  fastPath?: boolean;
}

/**
 * json.loads with positions: Python's grammar (NaN, Infinity, big integers exact, strict control characters).
 * Fast path: when the text holds nothing that JavaScript's JSON.parse reads differently from Python (floats, exponents,
 * integers past 2^53, integer-like keys, repeated keys, NaN/Infinity), JSON.parse does the parsing and one scan of the
 * text supplies the line numbers. Anything else, and every error, goes through the position-keeping parser below.
 */
export function parseJsonTree(text: string, opts: JsonTreeOptions = {}): TNode {
  return (opts.fastPath === false ? undefined : fastJsonTree(text, opts.lineOffset ?? 0)) ?? slowJsonTree(text, opts);
}

const LITERALS: Array<[string, () => Leaf]> = [
  ["true", () => true], ["false", () => false], ["null", () => null], ["NaN", () => new PyFloat(NaN)],
  ["Infinity", () => new PyFloat(Infinity)], ["-Infinity", () => new PyFloat(-Infinity)],
];

/** The fast path alone: a tree, or undefined when the text needs the position-keeping parser. */
export function fastJsonTree(text: string, lineOffset = 0): TNode | undefined {
  const scan = scanJson(text, lineOffset);
  if (scan === undefined) return undefined;
  let doc: unknown;
  try { doc = JSON.parse(text); } catch { return undefined; }
  // JSON.parse moves integer-like keys (however they were spelled) to the front, where Python keeps them in place,
  // and keeps one of repeated keys, leaving fewer keys than the text has: both need the slow path.
  let values = 0, keys = 0;
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

interface Scan { valueLines: number[]; keyLines: number[]; ends: number[] }

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
  for (let i = 0; i < n;) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let e = i + 1;
      for (let q = text.charCodeAt(e); q !== 34; q = text.charCodeAt(++e)) {
        if (q !== q) return undefined; // unterminated: the slow path says where
        if (q === 92 /* \ */) e++;
      }
      let j = e + 1, d = text.charCodeAt(j);
      while (d === 32 || d === 10 || d === 13 || d === 9) d = text.charCodeAt(++j);
      if (d === 58 /* : */) keyLines.push(line); else valueLines.push(line);
      i = e + 1; // a raw newline inside the string makes JSON.parse fail, so no line is skipped here
      continue;
    }
    if (c === 10) { line++; while (text.charCodeAt(++i) === 32); continue; } // and the next line's indentation
    if (c === 32 || c === 9 || c === 13 || c === 58 /* : */ || c === 44 /* , */) { i++; continue; }
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
      ends[at] = valueLines.length; ends[at + 1] = keyLines.length; ends[at + 2] = ends.length;
      i++;
      continue;
    }
    valueLines.push(line);
    if (c === 116 || c === 102 || c === 110) { while (i < n && text.charCodeAt(i) >= 97 && text.charCodeAt(i) <= 122) i++; continue; } // true false null
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
  constructor(private readonly valueLines: number[], private readonly keyLines: number[], private readonly ends: number[]) {}

  /** The node for value `v`, the `vi`-th value of the text; `ki` keys and `ci` containers come before it. */
  node(v: unknown, vi: number, ki: number, ci: number): TNode {
    const line = this.valueLines[vi]!;
    if (v === null || typeof v !== "object") {
      return { kind: "scalar", line, value: typeof v === "number" ? new PyInt(String(v)) : v as Leaf };
    }
    return Array.isArray(v) ? new FastSeq(this, line, v, vi, ki, ci) : new FastMap(this, line, v as Record<string, unknown>, vi, ki, ci);
  }

  /** The children of the container at (vi, ki, ci), with the line of each key. */
  children(values: unknown[], keys: string[] | undefined, vi: number, ki: number, ci: number): Array<{ key: string; line: number; value: TNode }> {
    const out: Array<{ key: string; line: number; value: TNode }> = [];
    let v = vi + 1, k = ki, c = ci + 3;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      const keyLine = keys === undefined ? 0 : this.keyLines[k++]!;
      out.push({ key: keys === undefined ? "" : keys[i]!, line: keyLine, value: this.node(x, v, k, c) });
      if (x !== null && typeof x === "object") { v = this.ends[c]!; k = this.ends[c + 1]!; c = this.ends[c + 2]!; } else v++;
    }
    return out;
  }
}

class FastMap {
  readonly kind = "map";
  readonly #tree: FastTree; readonly #v: Record<string, unknown>; readonly #at: [number, number, number];
  constructor(tree: FastTree, readonly line: number, v: Record<string, unknown>, vi: number, ki: number, ci: number) {
    this.#tree = tree; this.#v = v; this.#at = [vi, ki, ci];
  }
  get entries(): MapEntry[] {
    const keys = Object.keys(this.#v);
    return this.#tree.children(keys.map((k) => this.#v[k]), keys, ...this.#at);
  }
}

class FastSeq {
  readonly kind = "seq";
  readonly #tree: FastTree; readonly #v: unknown[]; readonly #at: [number, number, number];
  constructor(tree: FastTree, readonly line: number, v: unknown[], vi: number, ki: number, ci: number) {
    this.#tree = tree; this.#v = v; this.#at = [vi, ki, ci];
  }
  get items(): TNode[] {
    return this.#tree.children(this.#v, undefined, ...this.#at).map((e) => e.value);
  }
}

function slowJsonTree(text: string, opts: JsonTreeOptions): TNode {
  const lineOffset = opts.lineOffset ?? 0, colOffset = opts.colOffset ?? 0;
  const keepLast = opts.duplicateKeys === "last";
  let i = 0;
  // Lines are counted as whitespace is skipped (JSON strings cannot hold a raw newline), so a node's line costs
  // nothing; the full position index is built only for an error message.
  let line0 = 1;
  let at: ((p: number) => { line: number; col: number }) | undefined;
  const fail = (msg: string, p = i): never => {
    const lc = (at ??= lineColIndex(text))(p);
    throw new SyntaxProblem(msg, lc.line + lineOffset, lc.line === 1 ? lc.col + colOffset : lc.col, p);
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
      if (++depth > MAX_JSON_DEPTH) fail("Nesting too deep");
    }
    if (c === "{") {
      i++;
      const entries: MapEntry[] = [];
      const seen = new Map<string, number>();
      ws();
      if (text[i] === "}") { i++; depth--; return { kind: "map", line, entries }; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
        const kpos = i;
        const kline = line0 + lineOffset;
        const k = str();
        const prev = seen.get(k);
        if (prev !== undefined && !keepLast) fail(`Duplicate key ${JSON.stringify(k)}`, kpos);
        ws();
        if (text[i] !== ":") fail("Expecting ':' delimiter");
        i++;
        const v = value();
        if (prev !== undefined) entries[prev]!.value = v; // json.loads: the last value, in the first key's place
        else { seen.set(k, entries.length); entries.push({ key: k, line: kline, value: v }); }
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

/** Python's repr() of a float (the "r" format: shortest round-trip digits, exponent outside 1e-4..1e16). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mant, expPart] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const decpt = Number(expPart) + 1; // value = 0.DIGITS * 10^decpt
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const e = decpt - 1;
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** json.dumps with ensure_ascii=True. */
export function pyQuote(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    const code = c.charCodeAt(0);
    if (c === '"') out += '\\"';
    else if (c === "\\") out += "\\\\";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "\b") out += "\\b";
    else if (c === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += c;
  }
  return out + '"';
}

/** json.dumps(value) with Python's defaults. */
export function pyDumps(v: PyValue): string {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return pyQuote(v);
  if (v instanceof PyInt) return v.text;
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (Array.isArray(v)) return "[" + v.map(pyDumps).join(", ") + "]";
  return "{" + [...v].map(([k, x]) => pyQuote(k) + ": " + pyDumps(x)).join(", ") + "}";
}

/** A plain JavaScript value as Python would see it after json.loads(JSON.stringify(value)). */
export function fromJs(v: unknown): PyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? new PyInt(String(v)) : new PyFloat(v);
  if (typeof v === "bigint") return new PyInt(v.toString());
  if (Array.isArray(v)) return v.map(fromJs);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [String(k), fromJs(x)]));
  return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJs(x)]));
}

/** A PyValue tree as plain JavaScript (numbers may lose precision, key order of integer-like keys may change). */
export function toJs(v: PyValue): unknown {
  if (v instanceof PyInt) return Number(v.text);
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(toJs);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toJs(x)]));
  return v;
}

/** json.dumps(json.loads(text)) — how Airflow re-serialises a stored JSON string. Throws PyJsonError. */
export function pyReserialise(text: string): string {
  return pyDumps(pyLoads(text));
}
