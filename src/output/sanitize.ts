// Text from the server (or a file) shown to a person: nothing in it may be executed by the terminal (issue 18).
// Control characters (C0, DEL, C1) and the bidirectional marks, embeddings, overrides and isolates become visible
// escapes: ESC as \x1b, U+202E as \u202e. A backslash is left as it is (a value that holds the four characters "\x1b"
// looks the same as one that held ESC; json and yaml tell them apart). Our own colour codes are added after escaping.
// Also: the display width of a string in terminal cells, and cutting to a width with "…", for tables that fit.

/** Every character escaped in a table cell or a record value: C0 (tab and newline too), DEL, C1, bidi controls. */
const CONTROL_CLASS = "[\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]";
const CONTROLS = new RegExp(CONTROL_CLASS, "g");
const ANY_CONTROL = new RegExp(CONTROL_CLASS);
/** The same but tab and newline, for multi-line text (messages, the text of a command's answer). */
const CONTROLS_BUT_LINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** What the json and yaml writers leave raw that a terminal may act on (JSON.stringify escapes C0 itself). */
const RAW_CLASS = "[\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]";
const RAW_IN_DOCUMENTS = new RegExp(RAW_CLASS, "g");
const ANY_RAW = new RegExp(RAW_CLASS);

const escapeOne = (c: string): string => {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
};

/** Whether a string holds a character that {@link escapeControls} would escape. */
export const hasControls = (s: string): boolean => ANY_CONTROL.test(s);

/** Escapes every control character, tab and newline included: for one-line values (a table cell, a prompt default). */
export const escapeControls = (s: string): string => s.replace(CONTROLS, escapeOne);

/** Escapes every control character but tab and newline: for multi-line text (an error message, a command's answer). */
export const escapeText = (s: string): string => s.replace(CONTROLS_BUT_LINES, escapeOne);

/**
 * For JSON text (from JSON.stringify): DEL, C1 and the bidi controls as \u escapes. Those characters only occur
 * inside strings, where the escape means the same character: the document parses to exactly the same data.
 */
export const escapeJsonText = (json: string): string =>
  json.replace(RAW_IN_DOCUMENTS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** The characters the yaml writer must put in double quotes (where {@link escapeYamlText} then escapes them). */
export const needsYamlQuotes = (s: string): boolean => ANY_RAW.test(s);

/**
 * For YAML text in which every string holding DEL, C1 or a bidi control is double-quoted (see toYaml): those
 * characters as \x and \u escapes, which YAML requires for DEL and C1 (they are not printable in a YAML stream) and
 * which mean the same character in a double-quoted scalar.
 */
export const escapeYamlText = (yaml: string): string => yaml.replace(RAW_IN_DOCUMENTS, escapeOne);

/**
 * A line for stderr: a leading carriage return and erase-line ("\r\x1b[K", how progress lines redraw) is ours and
 * kept; everything after it is escaped like {@link escapeText}.
 */
export function escapeStderr(s: string): string {
  const m = /^\r(\x1b\[K)?/.exec(s);
  return m ? m[0] + escapeText(s.slice(m[0].length)) : escapeText(s);
}

// Display width: East Asian wide and fullwidth characters and most emoji take two cells; combining marks, variation
// selectors and zero-width characters none. An approximation of wcwidth good enough to line up table columns.
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f2ff],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point on its own (combining marks, zero-width and variation selectors), never a sequence
const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f\ufeff]/u;

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  if (ZERO.test(ch) || (cp >= 0xe0100 && cp <= 0xe01ef)) return 0;
  let lo = 0,
    hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return 2;
  }
  return 1;
}

/** How many terminal cells a string (without escape sequences) takes. */
export function displayWidth(s: string): number {
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

export const ELLIPSIS = "…";

/** The string cut to at most `width` cells, ending in "…" when something was cut. */
export function cutToWidth(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return "";
  let out = "",
    w = 0;
  for (const ch of s) {
    const cw = charWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + ELLIPSIS;
}

/**
 * The widths that make a table of columns with these natural widths fit in `max` cells (columns joined by `gap`
 * cells): the widest columns are cut first, down to a common width, never below `min[i]` (e.g. the header); the
 * `keep` column (the id) is cut only when the others at their minimum still do not fit. Cells the common width
 * leaves over make a nearly whole column whole, then widen the widest cut one. A table that cannot fit even then is
 * as narrow as it can be (the terminal wraps it).
 */
export function fitWidths(
  natural: readonly number[],
  min: readonly number[],
  max: number,
  gap: number,
  keep = 0,
): number[] {
  const n = natural.length;
  const gaps = gap * Math.max(0, n - 1);
  const sum = (ws: readonly number[]) => ws.reduce((a, b) => a + b, 0);
  if (sum(natural) + gaps <= max) return [...natural];
  const floor = natural.map((w, i) => Math.min(w, min[i] ?? 0));
  const capped = (cap: number, skip: number) =>
    natural.map((w, i) => (i === skip ? w : Math.min(w, Math.max(cap, floor[i]!))));
  // The largest common cap of the other columns with which the table fits.
  let lo = 0,
    hi = Math.max(0, ...natural);
  if (sum(capped(0, keep)) + gaps <= max) {
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sum(capped(mid, keep)) + gaps <= max) lo = mid;
      else hi = mid - 1;
    }
    return spendLeftover(capped(lo, keep), natural, max - gaps);
  }
  // Even so too wide: the others at their minimum, the id column cut to what is left (not below its own minimum).
  const others = capped(0, keep);
  const room = max - gaps - sum(others.filter((_, i) => i !== keep));
  if (keep < n) others[keep] = Math.max(floor[keep]!, Math.min(natural[keep]!, room));
  return others;
}

function spendLeftover(widths: number[], natural: readonly number[], room: number): number[] {
  let left = room - widths.reduce((a, b) => a + b, 0);
  const cut = () => widths.map((_w, i) => i).filter((i) => widths[i]! < natural[i]!);
  for (const i of cut().sort((a, b) => natural[a]! - widths[a]! - (natural[b]! - widths[b]!))) {
    const need = natural[i]! - widths[i]!;
    if (need > left) break;
    widths[i] = natural[i]!;
    left -= need;
  }
  const widest = cut().sort((a, b) => natural[b]! - natural[a]!)[0];
  if (widest !== undefined && left > 0) widths[widest] = Math.min(natural[widest]!, widths[widest]! + left);
  return widths;
}
