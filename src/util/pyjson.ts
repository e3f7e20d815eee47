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

/** json.loads: parses JSON text (plus Python's NaN/Infinity) into a PyValue tree. */
export function pyLoads(text: string): PyValue {
  let i = 0;
  const ws = () => { while (i < text.length && " \t\n\r".includes(text[i]!)) i++; };
  const fail = (msg: string): never => { throw new PyJsonError(`${msg} at char ${i}`, i); };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++; const obj: PyObject = new Map(); ws();
      if (text[i] === "}") { i++; return obj; }
      for (;;) {
        ws(); if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
        const k = str(); ws();
        if (text[i] !== ":") fail("Expecting ':' delimiter");
        i++; obj.set(k, value()); ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return obj; }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === "[") {
      i++; const arr: PyValue[] = []; ws();
      if (text[i] === "]") { i++; return arr; }
      for (;;) {
        arr.push(value()); ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return arr; }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return str();
    if (text.startsWith("true", i)) { i += 4; return true; }
    if (text.startsWith("false", i)) { i += 5; return false; }
    if (text.startsWith("null", i)) { i += 4; return null; }
    if (text.startsWith("NaN", i)) { i += 3; return new PyFloat(NaN); }
    if (text.startsWith("Infinity", i)) { i += 8; return new PyFloat(Infinity); }
    if (text.startsWith("-Infinity", i)) { i += 9; return new PyFloat(-Infinity); }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail("Expecting value");
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) return new PyInt(BigInt(m[0]).toString());
    return new PyFloat(Number(m[0]));
  };
  const str = (): string => {
    i++; let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("Unterminated string starting");
      if (c === '"') { i++; return out; }
      if (c === "\\") {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && e in simple) { out += simple[e]; i += 2; continue; }
        if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)); i += 6; continue;
        }
        fail("Invalid \\escape");
      }
      if (c < " ") fail("Invalid control character");
      out += c; i++;
    }
  };
  const v = value(); ws();
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
