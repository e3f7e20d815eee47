// Python's json module, as far as Airflow's behaviour depends on it.
// Airflow re-serialises `extra` with json.dumps defaults (", " and ": " separators, non-ASCII as \uXXXX,
// floats keep their ".0", big integers stay exact, duplicate keys: last value in the first key's place).
// JavaScript's JSON loses several of those, so values are parsed into a small tree that keeps them.

export class PyInt {
  constructor(readonly text: string) {}
}
export class PyFloat {
  constructor(readonly value: number) {}
}
export type PyValue = null | boolean | string | PyInt | PyFloat | PyValue[] | PyObject;
export type PyObject = Map<string, PyValue>;

export class PyJsonError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

/** json.loads: parses JSON text (plus Python's NaN/Infinity) into a PyValue tree. Duplicate keys: the last value in
 * the first key's place, as Python does. Errors are PyJsonError with Python's wording and the character offset. */
export function pyLoads(text: string): PyValue {
  try {
    return parsePyJson(text);
  } catch (e) {
    if (e instanceof SyntaxProblem) throw new PyJsonError(`${e.message} at char ${e.pos}`, e.pos);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------- the JSON reader
// One reader for every JSON text airconn parses (files, extra, --json, URI vectors): Python's json.loads grammar,
// one nesting limit, and positions for messages. A builder decides what each value becomes: a PyValue here (json.loads),
// the line-numbered document tree of the file readers in src/files/json-tree.ts (which adds a JSON.parse fast path).

/** A JSON value that holds no other: what json.loads gives for a string, a number, true/false/null. */
export type PyLeaf = null | boolean | string | PyInt | PyFloat;
/** A key of an object with the 1-based line it is on. */
export interface JsonEntry<N> {
  key: string;
  line: number;
  value: N;
}
/** What the reader makes of each value it reads, given the 1-based line the value starts on. */
export interface JsonBuilder<N> {
  leaf(value: PyLeaf, line: number): N;
  seq(items: N[], line: number): N;
  map(entries: Array<JsonEntry<N>>, line: number): N;
}

export interface JsonParseOptions {
  /** Place a fragment (an env-file value) inside its file. */
  lineOffset?: number;
  colOffset?: number;
  /** "error" (files: a repeated key is a mistake worth reporting) or "last" (json.loads: the last value wins). */
  duplicateKeys?: "error" | "last";
}

/** A syntax error in a document, with 1-based line and column and, for JSON, the character offset. */
export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col?: number,
    readonly pos = 0,
  ) {
    super(message);
  }
}

const PY_VALUES: JsonBuilder<PyValue> = {
  leaf: (value) => value,
  seq: (items) => items,
  map: (entries) => new Map(entries.map((e) => [e.key, e.value])),
};

/** json.loads, with a syntax error as a SyntaxProblem (line, column and offset) instead of Python's message. */
export function parsePyJson(text: string): PyValue {
  return parseJson(text, PY_VALUES, { duplicateKeys: "last" });
}

/** lineCol for many positions in one text: the line starts are found once, each lookup is a binary search. */
export function lineColIndex(text: string): (pos: number) => { line: number; col: number } {
  const starts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) starts.push(k + 1);
  return (pos) => {
    let lo = 0,
      hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
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

const LITERALS: Array<[string, () => PyLeaf]> = [
  ["true", () => true],
  ["false", () => false],
  ["null", () => null],
  ["NaN", () => new PyFloat(NaN)],
  ["Infinity", () => new PyFloat(Infinity)],
  ["-Infinity", () => new PyFloat(-Infinity)],
];

/**
 * The reader: Python's grammar (NaN, Infinity, big integers exact, strict control characters), each value handed to
 * `build` with its line. Throws SyntaxProblem with Python's message and the position.
 */
export function parseJson<N>(text: string, build: JsonBuilder<N>, opts: JsonParseOptions = {}): N {
  const lineOffset = opts.lineOffset ?? 0,
    colOffset = opts.colOffset ?? 0;
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
      else if (c === 10) {
        i++;
        line0++;
      } else return;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
  let depth = 0;
  const value = (): N => {
    ws();
    const line = line0 + lineOffset;
    const c = text[i];
    if (c === "{" || c === "[") {
      if (++depth > MAX_JSON_DEPTH) fail("Nesting too deep");
    }
    if (c === "{") {
      i++;
      const entries: Array<JsonEntry<N>> = [];
      const seen = new Map<string, number>();
      ws();
      if (text[i] === "}") {
        i++;
        depth--;
        return build.map(entries, line);
      }
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
        if (prev !== undefined)
          entries[prev]!.value = v; // json.loads: the last value, in the first key's place
        else {
          seen.set(k, entries.length);
          entries.push({ key: k, line: kline, value: v });
        }
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          depth--;
          return build.map(entries, line);
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === "[") {
      i++;
      const items: N[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        depth--;
        return build.seq(items, line);
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          depth--;
          return build.seq(items, line);
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return build.leaf(str(), line);
    if (c === "t" || c === "f" || c === "n" || c === "N" || c === "I" || c === "-") {
      for (const [w, v] of LITERALS)
        if (text.startsWith(w, i)) {
          i += w.length;
          return build.leaf(v(), line);
        }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0].length > 1000) return fail("Expecting value");
    i += m[0].length;
    // An integer literal is already Python's str(int(...)) of itself (the grammar has no leading zeros), but for -0.
    if (m[1] === undefined && m[2] === undefined) return build.leaf(new PyInt(m[0] === "-0" ? "0" : m[0]), line);
    return build.leaf(new PyFloat(Number(m[0])), line);
  };
  const simple: Record<string, string> = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
  };
  const str = (): string => {
    const begin = i;
    i++;
    let out = "";
    for (;;) {
      // Copy the run up to the next quote, backslash or control character in one slice.
      let j = i;
      for (let c = text.charCodeAt(j); c !== 34 && c !== 92 && c >= 32; c = text.charCodeAt(++j));
      if (j > i) {
        out += text.slice(i, j);
        i = j;
      }
      const c = text[i];
      if (c === undefined) fail("Unterminated string starting", begin);
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
          continue;
        }
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
  if (typeof v === "number")
    return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? new PyInt(String(v)) : new PyFloat(v);
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
