// Python's json module as the server needs it: json.loads (the request bodies FastAPI reads when JavaScript's JSON
// does not, and every `extra` the server validates, redacts or merges) and json.dumps with its defaults (how Airflow
// writes `extra` back: ", " and ": " separators, ensure_ascii, floats keep their ".0", integers stay exact).
// The server's own copy, written for it: the CLI has its own reader (src/), and neither imports the other, so a
// mistake in one shows up as a difference in the tests that run the CLI against this server.

/** A JSON integer, kept as its text (Python's int has no size limit). */
export class PyInt {
  constructor(readonly text: string) {}
}
/** A JSON number with a fraction or an exponent, or NaN / Infinity. */
export class PyFloat {
  constructor(readonly value: number) {}
}
export type PyValue = null | boolean | string | PyInt | PyFloat | PyValue[] | PyObject;
/** A dict: keys in first-seen order, a repeated key's last value in the first one's place. */
export type PyObject = Map<string, PyValue>;

/** json.JSONDecodeError: `message` ends in " at char N", `pos` is N. */
export class PyJsonError extends Error {
  constructor(
    readonly msg: string,
    readonly pos: number,
  ) {
    super(`${msg} at char ${pos}`);
  }
}

/** Deeper nesting is refused with "Nesting too deep" at the bracket that goes one level too far. */
const MAX_DEPTH = 500;
/** A number literal longer than this is not read ("Expecting value"). */
const MAX_NUMBER_LENGTH = 1000;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const WORDS: ReadonlyArray<readonly [string, () => PyValue]> = [
  ["true", () => true],
  ["false", () => false],
  ["null", () => null],
  ["NaN", () => new PyFloat(NaN)],
  ["Infinity", () => new PyFloat(Infinity)],
  ["-Infinity", () => new PyFloat(-Infinity)],
];

/** json.loads(text). Throws PyJsonError. */
export function pyLoads(text: string): PyValue {
  return new Reader(text).document();
}

class Reader {
  private at = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  document(): PyValue {
    const v = this.value();
    this.space();
    if (this.at !== this.text.length) this.fail("Extra data");
    return v;
  }

  private fail(msg: string, pos = this.at): never {
    throw new PyJsonError(msg, pos);
  }

  private space(): void {
    const t = this.text;
    while (t[this.at] === " " || t[this.at] === "\t" || t[this.at] === "\n" || t[this.at] === "\r") this.at++;
  }

  private value(): PyValue {
    this.space();
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    for (const [word, make] of WORDS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return make();
      }
    }
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.text);
    if (m === null || m[0].length > MAX_NUMBER_LENGTH) return this.fail("Expecting value");
    this.at += m[0].length;
    if (m[1] === undefined && m[2] === undefined) return new PyInt(m[0] === "-0" ? "0" : m[0]);
    return new PyFloat(Number(m[0]));
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail("Nesting too deep");
    this.at++;
    this.space();
  }

  private object(): PyObject {
    this.enter();
    const out: PyObject = new Map();
    if (this.text[this.at] === "}") return this.leave(out);
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail("Expecting property name enclosed in double quotes");
      const key = this.string();
      this.space();
      if (this.text[this.at] !== ":") this.fail("Expecting ':' delimiter");
      this.at++;
      out.set(key, this.value()); // a Map keeps the first key's place and takes the last value, as a dict does
      this.space();
      const c = this.text[this.at];
      if (c === "}") return this.leave(out);
      if (c !== ",") this.fail("Expecting ',' delimiter");
      this.at++;
    }
  }

  private array(): PyValue[] {
    this.enter();
    const out: PyValue[] = [];
    if (this.text[this.at] === "]") return this.leave(out);
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.text[this.at];
      if (c === "]") return this.leave(out);
      if (c !== ",") this.fail("Expecting ',' delimiter");
      this.at++;
    }
  }

  private leave<T>(v: T): T {
    this.at++;
    this.depth--;
    return v;
  }

  private string(): string {
    const t = this.text;
    const start = this.at++;
    const parts: string[] = [];
    for (;;) {
      let end = this.at;
      for (let code = t.charCodeAt(end); code !== 34 && code !== 92 && code >= 32; code = t.charCodeAt(++end));
      parts.push(t.slice(this.at, end));
      this.at = end;
      const c = t[end];
      if (c === undefined) this.fail("Unterminated string starting", start);
      if (c === '"') {
        this.at++;
        return parts.join("");
      }
      if (c !== "\\") this.fail("Invalid control character");
      const e = t[end + 1];
      if (e !== undefined && e in ESCAPES) {
        parts.push(ESCAPES[e]!);
        this.at += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(t.slice(end + 2, end + 6))) {
        parts.push(String.fromCharCode(parseInt(t.slice(end + 2, end + 6), 16)));
        this.at += 6;
      } else this.fail("Invalid \\escape");
    }
  }
}

/** json.dumps(value) with Python's defaults. */
export function pyDumps(v: PyValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return quote(v);
  if (v instanceof PyInt) return v.text;
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(", ")}]`;
  const items: string[] = [];
  for (const [k, x] of v) items.push(`${quote(k)}: ${pyDumps(x)}`);
  return `{${items.join(", ")}}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** json.encoder.py_encode_basestring_ascii: everything outside printable ASCII as \uXXXX (per UTF-16 unit). */
function quote(s: string): string {
  return `"${s.replace(/[\\"]|[^ -~]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

/**
 * float.__repr__ (float_repr_style "short"): the shortest digits that read back the same number, which JavaScript's
 * String() also finds, laid out as Python does: exponent form below 1e-4 and from 1e16 on, else a point and a digit.
 */
function floatRepr(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return 1 / x < 0 ? "-0.0" : "0.0";
  const [, sign = "", whole = "", frac = "", exp = "0"] =
    /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x)) ?? [];
  const all = whole + frac;
  const lead = all.length - all.replace(/^0+/, "").length;
  const digits = all.slice(lead).replace(/0+$/, "");
  const point = whole.length + Number(exp) - lead; // the decimal point comes after this many digits
  const e = point - 1;
  if (e < -4 || e >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A PyValue as plain JavaScript, as FastAPI hands a parsed body on (integers past 2^53 lose precision). */
export function toJs(v: PyValue): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof PyInt) return Number(v.text);
  if (v instanceof PyFloat) return v.value;
  return v instanceof Map ? Object.fromEntries(Array.from(v, ([k, x]) => [k, toJs(x)])) : v.map(toJs);
}
