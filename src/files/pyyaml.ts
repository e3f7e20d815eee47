// A port of the parts of PyYAML's emitter (yaml/emitter.py, yaml/resolver.py, PyYAML 6.0) that
// `yaml.dump({conn_id: {key: str | int | None}})` goes through, with PyYAML's defaults:
// block style, indent 2, width 80, allow_unicode False, sort_keys True, "\n" line breaks.
// Python strings are sequences of code points, so everything here works on code points
// (Array.from), and lone surrogates count as one character, like in Python.

/** The implicit resolvers of PyYAML's default Resolver: a plain scalar matching one of them is not a str. */
const IMPLICIT: RegExp[] = [
  // bool
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  // float
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  // int
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  // merge
  /^(?:<<)$/,
  // null
  /^(?:~|null|Null|NULL|)$/,
  // timestamp
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  // value
  /^(?:=)$/,
];

/** True when PyYAML would read `value`, written as a plain scalar, back as a str (implicit[0] for a str node). */
export function resolvesToStr(value: string): boolean {
  // Python's `$` also matches just before a final "\n".
  const candidates = value.endsWith("\n") ? [value, value.slice(0, -1)] : [value];
  return !IMPLICIT.some((re) => candidates.some((v) => re.test(v)));
}

const BREAKS = "\n\x85\u2028\u2029";
const WS_OR_BREAK = "\0 \t\r\n\x85\u2028\u2029";

interface Analysis {
  chars: string[];
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

/** Emitter.analyze_scalar (only the flags block context needs). */
export function analyzeScalar(scalar: string): Analysis {
  const chars = Array.from(scalar);
  if (chars.length === 0) {
    return { chars, empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false,
    leadingBreak = false,
    trailingSpace = false,
    trailingBreak = false;
  let breakSpace = false,
    spaceBreak = false;
  if (scalar.startsWith("---") || scalar.startsWith("...")) blockIndicators = true;
  let precededByWs = true;
  let followedByWs = chars.length === 1 || WS_OR_BREAK.includes(chars[1]!);
  let previousSpace = false,
    previousBreak = false;
  for (let index = 0; index < chars.length; ) {
    const ch = chars[index]!;
    if (index === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) blockIndicators = true;
      if ("?:".includes(ch) && followedByWs) blockIndicators = true;
      if (ch === "-" && followedByWs) blockIndicators = true;
    } else {
      if (ch === ":" && followedByWs) blockIndicators = true;
      if (ch === "#" && precededByWs) blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0)!;
    // allow_unicode is False: everything outside printable ASCII (and "\n") is "special".
    if (!(ch === "\n" || (cp >= 0x20 && cp <= 0x7e))) special = true;
    if (ch === " ") {
      if (index === 0) leadingSpace = true;
      if (index === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    index++;
    precededByWs = WS_OR_BREAK.includes(ch);
    followedByWs = index + 1 >= chars.length || WS_OR_BREAK.includes(chars[index + 1]!);
  }
  let allowBlockPlain = true,
    allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { chars, empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

const ESCAPES: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\x08": "b",
  "\x09": "t",
  "\x0A": "n",
  "\x0B": "v",
  "\x0C": "f",
  "\x0D": "r",
  "\x1B": "e",
  '"': '"',
  "\\": "\\",
  "\x85": "N",
  "\xA0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

const BEST_WIDTH = 80;

/** The writer half of PyYAML's Emitter: column bookkeeping, indicators, indents and the three scalar styles. */
class Writer {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;
  indent = 0;

  private raw(data: string, len = Array.from(data).length): void {
    this.out += data;
    this.column += len;
  }

  indicator(ind: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? ind : " " + ind;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.raw(data, data.length);
  }

  writeIndent(): void {
    const indent = this.indent;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.out += " ".repeat(indent - this.column);
      this.column = indent;
    }
  }

  lineBreak(data = "\n"): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.out += data;
  }

  /** choose_scalar_style + process_scalar for a str scalar (implicit str tag, no requested style). */
  scalar(text: string, simpleKey: boolean, a = analyzeScalar(text)): void {
    const split = !simpleKey;
    if (resolvesToStr(text) && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) {
      this.plain(a.chars, split);
    } else if (a.allowSingleQuoted && !(simpleKey && a.multiline)) {
      this.singleQuoted(a.chars, split);
    } else {
      this.doubleQuoted(a.chars, split);
    }
  }

  plain(text: string[], split: boolean): void {
    if (text.length === 0) return;
    if (!this.whitespace) this.raw(" ", 1);
    this.whitespace = false;
    this.indention = false;
    let spaces = false,
      breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.raw(text.slice(start, end).join(""), end - start);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          if (text[start] === "\n") this.lineBreak();
          for (const br of text.slice(start, end)) this.lineBreak(br);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === null || (" " + BREAKS).includes(ch)) {
        this.raw(text.slice(start, end).join(""), end - start);
        start = end;
      }
      if (ch !== null) {
        spaces = ch === " ";
        breaks = BREAKS.includes(ch);
      }
    }
  }

  singleQuoted(text: string[], split: boolean): void {
    this.indicator("'", true);
    let spaces = false,
      breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch === null || ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== text.length) {
            this.writeIndent();
          } else {
            this.raw(text.slice(start, end).join(""), end - start);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          if (text[start] === "\n") this.lineBreak();
          for (const br of text.slice(start, end)) this.lineBreak(br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === null || (" " + BREAKS).includes(ch) || ch === "'") {
        if (start < end) {
          this.raw(text.slice(start, end).join(""), end - start);
          start = end;
        }
      }
      if (ch === "'") {
        this.raw("''", 2);
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === " ";
        breaks = BREAKS.includes(ch);
      }
    }
    this.indicator("'", false);
  }

  doubleQuoted(text: string[], split: boolean): void {
    this.indicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      const cp = ch === null ? 0 : ch.codePointAt(0)!;
      if (ch === null || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !(cp >= 0x20 && cp <= 0x7e)) {
        if (start < end) {
          this.raw(text.slice(start, end).join(""), end - start);
          start = end;
        }
        if (ch !== null) {
          let data: string;
          if (ch in ESCAPES) data = "\\" + ESCAPES[ch];
          else if (cp <= 0xff) data = "\\x" + cp.toString(16).toUpperCase().padStart(2, "0");
          else if (cp <= 0xffff) data = "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
          else data = "\\U" + cp.toString(16).toUpperCase().padStart(8, "0");
          this.raw(data, data.length);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < text.length - 1 &&
        (ch === " " || start >= end) &&
        this.column + (end - start) > BEST_WIDTH &&
        split
      ) {
        const data = text.slice(start, end).join("") + "\\";
        const len = end - start + 1;
        if (start < end) start = end;
        this.raw(data, len);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === " ") this.raw("\\", 1);
      }
    }
    this.indicator('"', false);
  }
}

export type YamlLeaf = string | number | null;

/**
 * One top-level entry of `yaml.dump({key: {k: v, ...}})` (the inner keys are sorted here), starting at
 * column 0 and ending with its line break — so entries can be concatenated. An empty document is "{}\n".
 */
export function dumpMappingEntry(key: string, inner: Record<string, YamlLeaf>): string {
  const w = new Writer();
  const a = analyzeScalar(key);
  // check_simple_key: length < 128 counts the prepared tag ("!!str", 5) plus the scalar's code points.
  if (a.chars.length + 5 < 128 && !a.empty && !a.multiline) {
    w.indent = 2;
    w.scalar(key, true, a);
    w.indent = 0;
    w.indicator(":", false);
  } else {
    w.indicator("?", true, false, true);
    w.indent = 2;
    w.scalar(key, false, a);
    w.indent = 0;
    w.writeIndent();
    w.indicator(":", true, false, true);
  }
  const keys = Object.keys(inner).sort(comparePy);
  if (keys.length === 0) {
    w.indicator("{", true, true);
    w.indicator("}", false);
  } else {
    w.indent = 2;
    for (const k of keys) {
      w.writeIndent();
      w.indent = 4;
      w.scalar(k, true);
      w.indent = 2;
      w.indicator(":", false);
      w.indent = 4;
      const v = inner[k];
      if (v === null || v === undefined) w.plain(["n", "u", "l", "l"], true);
      else if (typeof v === "number") w.plain(Array.from(String(v)), true);
      else w.scalar(v, false);
      w.indent = 2;
    }
  }
  w.indent = 0;
  w.writeIndent();
  return w.out;
}

/** Python's default str ordering: by code point (JavaScript's `<` compares UTF-16 units). */
export function comparePy(a: string, b: string): number {
  const x = Array.from(a),
    y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
