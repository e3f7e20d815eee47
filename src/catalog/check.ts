// The extras check (issue 21): a connection's `extra` against the extra fields its provider's form defines. A form
// does not list every key its hook reads (AWS reads region_name, role_arn... and shows no extra fields), so an unknown
// key alone is fine. Flagged: an unknown key that is a near miss of a defined field (a typo, a case or -/_ variant),
// and a value of the wrong kind for a defined field. Legacy `extra__TYPE__name` keys count as `name`. A "***" (keep
// what the server has) is never a wrong kind. Pure: the commands load the catalog, word the lines and decide whether
// a finding warns or (--strict) refuses.
import { isSensitiveKey } from "../connection/secrets.js";
import { REDACTED } from "../connection/model.js";
import { PyFloat, PyInt, pyLoads } from "../util/pyjson.js";
import type { Catalog, ConnectionTypeInfo, ExtraField } from "./model.js";

export interface ExtraFinding {
  /** Where in the connection: `extra.warehose`, `extra.extra__snowflake__proxy_port`. */
  path: string;
  /** What is wrong, after the path: `unknown key for snowflake; did you mean "warehouse"?`. Never a secret's value. */
  message: string;
  kind: "near-miss" | "wrong-kind";
  /** near-miss: the key meant, as it would be written (bare, or with the legacy prefix the key had). */
  suggestion?: string;
}

/** An extra as the commands have it: JSON text (as Airflow stores it), a parsed JSON object (Map) or a plain object. */
export function extraEntries(extra: unknown): Array<[string, unknown]> {
  let v: unknown = extra;
  if (typeof v === "string") {
    if (v.trim() === "") return [];
    try {
      v = pyLoads(v);
    } catch {
      return []; // not JSON: refused (or warned about) where the extra is read
    }
  }
  if (v instanceof Map) return [...(v as Map<string, unknown>)];
  if (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof PyInt) && !(v instanceof PyFloat))
    return Object.entries(v);
  return [];
}

/** True when an extra holds at least one key (so there is something to check). */
export const hasExtraKeys = (extra: unknown): boolean => extraEntries(extra).length > 0;

const LEGACY = /^extra__(.+?)__(.+)$/;

/**
 * The findings for one connection's extra. `info` undefined (a type the catalog does not know: a custom hook): no
 * findings; the caller notes the type once.
 */
export function checkExtras(info: ConnectionTypeInfo | undefined, connType: string, extra: unknown): ExtraFinding[] {
  if (!info?.extras.length) return [];
  const byName = new Map(info.extras.map((f) => [f.name, f]));
  const names = info.extras.map((f) => f.name);
  const entries = extraEntries(extra);
  const given = new Set(entries.map(([k]) => k));
  const out: ExtraFinding[] = [];
  /** `name` (the key, or the part after a legacy prefix) resembling a field: a finding at `extra.KEY`. */
  const nearMissOf = (key: string, name: string, suggest: (name: string) => string): void => {
    const near = nearMiss(name, names);
    // a key beside the field it resembles (both warehouse and Warehouse) is still flagged: one of them is not read
    if (near !== undefined) {
      const suggestion = suggest(near);
      out.push({
        path: `extra.${key}`,
        kind: "near-miss",
        suggestion,
        message: `unknown key for ${connType}; did you mean "${suggestion}"?${given.has(suggestion) ? ` (${suggestion} is given too)` : ""}`,
      });
    }
  };
  for (const [key, value] of entries) {
    const field = byName.get(key);
    if (field) {
      const w = wrongKind(field, value, connType);
      if (w) out.push({ path: `extra.${key}`, kind: "wrong-kind", message: w });
      continue;
    }
    const legacy = LEGACY.exec(key);
    if (legacy) {
      const [, type, name] = legacy as unknown as [string, string, string];
      const prefix = (t: string) => (n: string) => `extra__${t}__${n}`;
      if (type === connType) {
        const f = byName.get(name);
        if (f) {
          const w = wrongKind(f, value, connType);
          if (w) out.push({ path: `extra.${key}`, kind: "wrong-kind", message: w });
        } else nearMissOf(key, name, prefix(connType));
        continue;
      }
      // another type in the prefix: flagged only when it is a near miss of this type (extra__snowflak__warehouse)
      if (nearMiss(type, [connType]) !== undefined) {
        const n = byName.has(name) ? name : nearMiss(name, names);
        if (n !== undefined) {
          const suggestion = prefix(connType)(n);
          out.push({
            path: `extra.${key}`,
            kind: "near-miss",
            suggestion,
            message: `unknown key for ${connType}; did you mean "${suggestion}"?`,
          });
        }
      }
      continue;
    }
    nearMissOf(key, key, (n) => n);
  }
  return out;
}

/**
 * Extra keys a provider's form marks secret, by type (legacy `extra__TYPE__name` keys included): for output and diffs,
 * on top of the server's sensitive words.
 */
export function providerSecrets(c: Catalog): (connType: string, key: string) => boolean {
  const byType = new Map<string, Set<string>>();
  for (const t of c.types) {
    const s = t.extras.filter((f) => f.secret).map((f) => f.name);
    if (s.length) byType.set(t.type, new Set(s));
  }
  return (connType, key) => {
    const s = byType.get(connType);
    if (!s) return false;
    if (s.has(key)) return true;
    const m = LEGACY.exec(key);
    return m !== null && m[1] === connType && s.has(m[2]!);
  };
}

// ---- near misses --------------------------------------------------------------------------------------------------

/** A key with case and separators left out: `Proxy-Port`, `proxyPort` and `proxy_port` are one. */
const squash = (s: string): string => s.toLowerCase().replace(/[-_\s.]/g, "");

/** How many edits a name of this length may be away from a key: none for 3 letters, 1 up to 5, 2 from 6. */
const allowedEdits = (name: string): number => (name.length <= 3 ? 0 : name.length <= 5 ? 1 : 2);

/**
 * The defined name that `key` most likely misspells: the same name but for case and `-`/`_`, else the closest name
 * within its allowed edits (optimal string alignment distance: an adjacent swap is one edit). Undefined: no near miss.
 */
export function nearMiss(key: string, names: readonly string[]): string | undefined {
  if (names.includes(key)) return undefined;
  const k = squash(key);
  const variant = names.find((n) => squash(n) === k);
  if (variant !== undefined) return variant;
  const low = key.toLowerCase().replace(/-/g, "_");
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const limit = allowedEdits(n);
    if (limit === 0 || Math.abs(n.length - low.length) > limit) continue;
    const d = editDistance(low, n.toLowerCase(), limit);
    if (d <= limit && d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring), capped at max+1. */
export function editDistance(a: string, b: string, max = Infinity): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let low = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      row.push(v);
      low = Math.min(low, v);
    }
    rows.push(row);
    if (low > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}

// ---- kinds --------------------------------------------------------------------------------------------------------

type Seen = "null" | "string" | "integer" | "number" | "boolean" | "object" | "array";

const numberOf = (v: unknown): number | undefined =>
  v instanceof PyInt ? Number(v.text) : v instanceof PyFloat ? v.value : typeof v === "number" ? v : undefined;

function seenKind(v: unknown): Seen {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (v instanceof PyInt) return "integer";
  const n = numberOf(v);
  if (n !== undefined) return Number.isInteger(n) ? "integer" : "number";
  if (Array.isArray(v)) return "array";
  return "object";
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a JSON object",
  array: "a list",
};

/** How a value is shown in a finding: kind and value, or for a secret field the kind alone. */
function described(v: unknown, s: Seen, secret: boolean): string {
  if (s === "array") return "a list";
  if (s === "object") return "an object";
  if (secret) return s === "integer" ? "an integer" : `a ${s}`;
  if (s === "string") return `the string ${clip(JSON.stringify(v))}`;
  if (s === "boolean") return String(v);
  return v instanceof PyInt ? v.text : String(numberOf(v));
}

const clip = (s: string, max = 40): string => (s.length > max ? `${s.slice(0, max - 2)}…"` : s);

const BOOLEAN_WORDS = /^(true|false|yes|no|on|off|y|n|1|0|t|f)$/i;

function rangeText(f: ExtraField): string {
  if (f.minimum !== undefined && f.maximum !== undefined) return ` between ${f.minimum} and ${f.maximum}`;
  if (f.minimum !== undefined) return ` of at least ${f.minimum}`;
  if (f.maximum !== undefined) return ` of at most ${f.maximum}`;
  return "";
}

const same = (a: unknown, b: unknown): boolean => {
  const n = numberOf(a),
    m = numberOf(b);
  if (n !== undefined && m !== undefined) return n === m;
  return a === b;
};

/** What is wrong with a value for a field, worded after the path; undefined when it fits. */
export function wrongKind(f: ExtraField, v: unknown, connType: string): string | undefined {
  if (v === null || v === undefined || v === REDACTED) return undefined;
  const secret = f.secret || isSensitiveKey(f.name);
  const s = seenKind(v);
  const whose = `${connType}'s ${f.label && f.label !== f.name ? `"${f.label}"` : f.name}`;
  const expected = (what: string, hint = "") => `expected ${what} for ${whose}, got ${described(v, s, secret)}${hint}`;
  const fits = f.kind === "unknown" || s === f.kind || (f.kind === "number" && s === "integer");
  if (!fits) {
    let hint = "";
    if (s === "string" && (f.kind === "integer" || f.kind === "number") && /^\s*-?\d+(\.\d+)?\s*$/.test(v as string)) {
      const okInt = f.kind === "number" || /^\s*-?\d+\s*$/.test(v as string);
      if (okInt) hint = secret ? "; write it without quotes" : `; write ${(v as string).trim()} without quotes`;
    } else if (s === "string" && f.kind === "boolean" && BOOLEAN_WORDS.test((v as string).trim())) {
      hint = "; write true or false without quotes";
    }
    const range = f.kind === "integer" || f.kind === "number" ? rangeText(f) : "";
    return expected(`${EXPECTED[f.kind] ?? f.kind}${range}`, hint);
  }
  if (f.choices?.length && !f.choices.some((c) => same(c, v))) {
    const list = f.choices.slice(0, 10).map((c) => (typeof c === "string" ? JSON.stringify(c) : String(c)));
    return expected(`one of ${list.join(", ")}${f.choices.length > 10 ? ", ..." : ""}`);
  }
  const n = numberOf(v);
  if (n !== undefined && (s === "integer" || s === "number")) {
    if ((f.minimum !== undefined && n < f.minimum) || (f.maximum !== undefined && n > f.maximum))
      return expected(`${EXPECTED[f.kind] ?? "a number"}${rangeText(f)}`);
  }
  return undefined;
}
