// The parts of Python's urllib.parse (CPython 3.11.4+ / 3.12 behaviour) that Airflow's connection URI code
// depends on, re-implemented by hand. Strings are JavaScript (UTF-16) strings; every delimiter the algorithms look
// at is ASCII, so working on code units gives the same results as Python's code points, except where noted
// (UTF-8 encoding in quote(), which goes by code points).
//
// Errors: functions throw PyValueError where Python raises ValueError, PyUnicodeEncodeError where Python raises
// UnicodeEncodeError (a lone surrogate cannot be UTF-8 encoded). Callers turn them into user-facing errors.

import { isPort, PORT_RANGE } from "../connection/model.js";

export class PyValueError extends Error {
  override name = "PyValueError";
  /** kind/value let callers word their own message (e.g. "port" and the port text). */
  constructor(
    message: string,
    readonly kind?: "port" | "port-range" | "ipv6" | "nfkc",
    readonly value?: string,
  ) {
    super(message);
  }
}
export class PyUnicodeEncodeError extends Error {
  override name = "PyUnicodeEncodeError";
}

// ---------------------------------------------------------------------------------------------------------------
// quote / quote_plus / urlencode

const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string holds a UTF-16 surrogate that is not part of a pair (Python cannot UTF-8 encode it). */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** UTF-8 bytes of a string; a lone surrogate raises like Python's str.encode("utf-8", "strict"). */
export function utf8Bytes(s: string): Uint8Array {
  if (hasLoneSurrogate(s)) {
    throw new PyUnicodeEncodeError("'utf-8' codec can't encode a lone surrogate: surrogates not allowed");
  }
  return new TextEncoder().encode(s);
}

function hex2(b: number): string {
  return "%" + b.toString(16).toUpperCase().padStart(2, "0");
}

/** urllib.parse.quote(s, safe=safe). Only `A-Z a-z 0-9 _ . - ~` and the characters in `safe` stay unescaped. */
export function quote(s: string, safe = "/"): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && (ALWAYS_SAFE.test(c) || safe.includes(c))) out += c;
    else out += hex2(b);
  }
  return out;
}

/** urllib.parse.quote_plus(s, safe=safe): like quote, but a space becomes "+". */
export function quotePlus(s: string, safe = ""): string {
  if (s.includes(" ")) return quote(s, safe + " ").replaceAll(" ", "+");
  return quote(s, safe);
}

/** urllib.parse.urlencode(pairs) for string keys and values (quote_via=quote_plus, doseq=False). */
export function urlencode(pairs: Iterable<readonly [string, string]>): string {
  const parts: string[] = [];
  for (const [k, v] of pairs) parts.push(quotePlus(k) + "=" + quotePlus(v));
  return parts.join("&");
}

// ---------------------------------------------------------------------------------------------------------------
// unquote / unquote_plus / parse_qsl

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const HEX = /^[0-9A-Fa-f]{2}$/;

/** unquote_to_bytes on an all-ASCII run, then UTF-8 decoding with errors="replace". */
function unquoteAsciiRun(run: string): string {
  const pieces = run.split("%");
  const bytes: number[] = [];
  const pushText = (t: string) => {
    for (let k = 0; k < t.length; k++) bytes.push(t.charCodeAt(k));
  };
  pushText(pieces[0]!);
  for (let k = 1; k < pieces.length; k++) {
    const item = pieces[k]!;
    const h = item.slice(0, 2);
    if (HEX.test(h)) {
      bytes.push(parseInt(h, 16));
      pushText(item.slice(2));
    } else {
      bytes.push(0x25);
      pushText(item);
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/**
 * urllib.parse.unquote(s) (encoding utf-8, errors "replace"). As in Python, runs of ASCII characters are
 * decoded separately from the non-ASCII characters between them, which are kept as they are.
 */
export function unquote(s: string): string {
  if (!s.includes("%")) return s;
  let out = "";
  let k = 0;
  while (k < s.length) {
    let j = k;
    if (s.charCodeAt(k) < 0x80) {
      while (j < s.length && s.charCodeAt(j) < 0x80) j++;
      out += unquoteAsciiRun(s.slice(k, j));
    } else {
      while (j < s.length && s.charCodeAt(j) >= 0x80) j++;
      out += s.slice(k, j);
    }
    k = j;
  }
  return out;
}

/** urllib.parse.unquote_plus(s): "+" becomes a space, then unquote. */
export function unquotePlus(s: string): string {
  return unquote(s.replaceAll("+", " "));
}

/** urllib.parse.parse_qsl(qs, keep_blank_values=keepBlank) with the default "&" separator, not strict. */
export function parseQsl(qs: string, keepBlank = false): Array<[string, string]> {
  const r: Array<[string, string]> = [];
  if (!qs) return r;
  for (const nameValue of qs.split("&")) {
    if (!nameValue) continue;
    const eq = nameValue.indexOf("=");
    let name: string;
    let value: string;
    if (eq < 0) {
      if (!keepBlank) continue;
      name = nameValue;
      value = "";
    } else {
      name = nameValue.slice(0, eq);
      value = nameValue.slice(eq + 1);
    }
    if (value.length || keepBlank) r.push([unquotePlus(name), unquotePlus(value)]);
  }
  return r;
}

/** dict(pairs): the last value of a duplicate key wins, in the position where the key first appeared. */
export function toDict(pairs: Iterable<readonly [string, string]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of pairs) m.set(k, v);
  return m;
}

// ---------------------------------------------------------------------------------------------------------------
// urlsplit

// WHATWG "C0 control or space": stripped from the start of the URL.
const C0_CONTROL_OR_SPACE = /^[\x00-\x20]+/;
const SCHEME_CHARS = /^[A-Za-z0-9+\-.]*$/;

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

function partition(s: string, sep: string): [string, boolean, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, false, ""] : [s.slice(0, i), true, s.slice(i + sep.length)];
}

function rpartition(s: string, sep: string): [string, boolean, string] {
  const i = s.lastIndexOf(sep);
  return i < 0 ? ["", false, s] : [s.slice(0, i), true, s.slice(i + sep.length)];
}

/** ipaddress.IPv4Address(...) validity (no leading zeros, as in Python >= 3.9.5). */
function isIPv4(s: string): boolean {
  if (s.includes("/")) return false;
  const octets = s.split(".");
  if (octets.length !== 4) return false;
  return octets.every((o) => /^[0-9]{1,3}$/.test(o) && !(o !== "0" && o[0] === "0") && Number(o) <= 255);
}

/** ipaddress.IPv6Address(...) validity, including a "%scope" suffix and an IPv4 tail. */
function isIPv6(s: string): boolean {
  if (s.includes("/")) return false;
  const [addr, hasScope, scope] = partition(s, "%");
  if (hasScope && (!scope || scope.includes("%"))) return false;
  if (!addr) return false;
  const parts = addr.split(":");
  if (parts.length < 3) return false;
  if (parts[parts.length - 1]!.includes(".")) {
    if (!isIPv4(parts.pop()!)) return false;
    parts.push("0", "0");
  }
  if (parts.length > 9) return false;
  let skip: number | null = null;
  for (let i = 1; i < parts.length - 1; i++) {
    if (!parts[i]) {
      if (skip !== null) return false;
      skip = i;
    }
  }
  let hi: number;
  let lo: number;
  if (skip !== null) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (!parts[0]) {
      hi -= 1;
      if (hi) return false;
    }
    if (!parts[parts.length - 1]) {
      lo -= 1;
      if (lo) return false;
    }
    if (8 - (hi + lo) < 1) return false;
  } else {
    if (parts.length !== 8 || !parts[0] || !parts[parts.length - 1]) return false;
    hi = parts.length;
    lo = 0;
  }
  const hextet = (h: string) => /^[0-9A-Fa-f]{1,4}$/.test(h);
  for (let i = 0; i < hi; i++) if (!hextet(parts[i]!)) return false;
  for (let i = parts.length - lo; i < parts.length; i++) if (!hextet(parts[i]!)) return false;
  return true;
}

function checkBracketedHost(h: string): void {
  if (h.startsWith("v")) {
    if (!/^v[a-fA-F0-9]+\.[^\n]+$/.test(h)) throw new PyValueError("IPvFuture address is invalid", "ipv6");
    return;
  }
  if (isIPv4(h)) throw new PyValueError("An IPv4 address cannot be in brackets", "ipv6");
  if (!isIPv6(h)) throw new PyValueError(`${pyRepr(h)} does not appear to be an IPv4 or IPv6 address`, "ipv6");
}

function checkNetloc(netloc: string): void {
  if (!netloc || isAscii(netloc)) return;
  const n = netloc.replaceAll("@", "").replaceAll(":", "").replaceAll("#", "").replaceAll("?", "");
  const n2 = n.normalize("NFKC");
  if (n === n2) return;
  for (const c of "/?#@:") {
    if (n2.includes(c)) {
      throw new PyValueError(`netloc '${netloc}' contains invalid characters under NFKC normalization`, "nfkc");
    }
  }
}

/** Python's repr() of a str, close enough for error messages (single quotes unless the text contains one). */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += "\\" + q;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}

/** The result of urlsplit(): five strings plus Python's derived properties. */
export class SplitResult {
  constructor(
    readonly scheme: string,
    readonly netloc: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}

  private get userinfo(): [string | null, string | null] {
    const [userinfo, haveInfo] = rpartition(this.netloc, "@");
    if (!haveInfo) return [null, null];
    const [username, havePassword, password] = partition(userinfo, ":");
    return [username, havePassword ? password : null];
  }

  private get hostinfo(): [string, string | null] {
    const [, , hostinfo] = rpartition(this.netloc, "@");
    const [, haveOpenBr, bracketed] = partition(hostinfo, "[");
    let hostname: string;
    let port: string;
    if (haveOpenBr) {
      let rest: string;
      [hostname, , rest] = partition(bracketed, "]");
      [, , port] = partition(rest, ":");
    } else {
      [hostname, , port] = partition(hostinfo, ":");
    }
    return [hostname, port ? port : null];
  }

  get username(): string | null {
    return this.userinfo[0];
  }
  get password(): string | null {
    return this.userinfo[1];
  }

  /** Lower-cased host without "[]"; an IPv6 zone ("%..." suffix) keeps its case, as in Python. */
  get hostname(): string | null {
    const h = this.hostinfo[0];
    if (!h) return null;
    const [before, hasPct, zone] = partition(h, "%");
    return before.toLowerCase() + (hasPct ? "%" + zone : "");
  }

  /** The port as a number, null when absent/empty; PyValueError when it is not ASCII digits or out of range. */
  get port(): number | null {
    const p = this.hostinfo[1];
    if (p === null) return null;
    if (!/^[0-9]+$/.test(p))
      throw new PyValueError(`Port could not be cast to integer value as ${pyRepr(p)}`, "port", p);
    const n = Number(p);
    if (!isPort(n)) throw new PyValueError(`Port out of range ${PORT_RANGE}`, "port-range", p);
    return n;
  }
}

/** urllib.parse.urlsplit(url) with allow_fragments=True. May throw PyValueError (bad brackets, NFKC netloc). */
export function urlsplit(input: string): SplitResult {
  let url = input.replace(C0_CONTROL_OR_SPACE, "").replace(/[\t\r\n]/g, "");
  let scheme = "";
  let netloc = "";
  let query = "";
  let fragment = "";
  const i = url.indexOf(":");
  if (i > 0 && /^[A-Za-z]/.test(url) && SCHEME_CHARS.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase();
    url = url.slice(i + 1);
  }
  if (url.startsWith("//")) {
    let delim = url.length;
    for (const c of "/?#") {
      const w = url.indexOf(c, 2);
      if (w >= 0) delim = Math.min(delim, w);
    }
    netloc = url.slice(2, delim);
    url = url.slice(delim);
    const open = netloc.includes("[");
    const close = netloc.includes("]");
    if (open !== close) throw new PyValueError("Invalid IPv6 URL", "ipv6");
    if (open && close) checkBracketedHost(partition(partition(netloc, "[")[2], "]")[0]);
  }
  const hashAt = url.indexOf("#");
  if (hashAt >= 0) {
    fragment = url.slice(hashAt + 1);
    url = url.slice(0, hashAt);
  }
  const qAt = url.indexOf("?");
  if (qAt >= 0) {
    query = url.slice(qAt + 1);
    url = url.slice(0, qAt);
  }
  checkNetloc(netloc);
  return new SplitResult(scheme, netloc, url, query, fragment);
}
