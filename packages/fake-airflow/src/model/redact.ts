// Airflow's secrets masker, as far as connection responses and PATCH merges depend on it
// (airflow/sdk/execution_time/secrets_masker.py: redact / _redact / _redact_all / merge), for 3.2.1 and 3.3.x.
import { pyDumps, pyLoads, type PyObject, type PyValue } from "../pyjson.js";
import { before32, is33, type AirflowVersion } from "./versions.js";

/** [core] sensitive words of 3.2.x (the last four are [unconfirmed] for 3.2.1, see api-behaviour.md §2). */
export const SENSITIVE_WORDS_32 = [
  "access_token",
  "api_key",
  "apikey",
  "authorization",
  "passphrase",
  "passwd",
  "password",
  "private_key",
  "secret",
  "token",
  "keyfile_dict",
  "service_account",
  "access_key",
  "connection_string",
  "proxy",
  "proxies",
] as const;

/** 3.3.0 added these (apache/airflow PR #66673; api-behaviour.md §9). */
export const SENSITIVE_WORDS_ADDED_33 = ["auth_header", "bearer", "dsn", "service_key", "webhook_url"] as const;

export const MAX_RECURSION_DEPTH = 5;
export const REPLACEMENT = "***";

/** How one Airflow version masks: its word list and whether masking stops at depth 5. */
export interface Masker {
  readonly words: readonly string[];
  /** 3.2.1: nothing below nesting depth 5 is looked at; 3.3: no limit (PR #65912). */
  readonly depthLimited: boolean;
}

/** Before 3.2.0 (3.0.x, 3.1.x): the words without access_key, connection_string, proxy, proxies (PRs #61580, #61906). */
export const SENSITIVE_WORDS_31 = SENSITIVE_WORDS_32.slice(0, 12);

export const MASKER_31: Masker = { words: SENSITIVE_WORDS_31, depthLimited: true };
export const MASKER_32: Masker = { words: SENSITIVE_WORDS_32, depthLimited: true };
export const MASKER_33: Masker = { words: [...SENSITIVE_WORDS_32, ...SENSITIVE_WORDS_ADDED_33], depthLimited: false };

/** The one place that says which words a version treats as sensitive, and how deep it masks. */
export function maskerFor(version: AirflowVersion): Masker {
  return is33(version) ? MASKER_33 : before32(version) ? MASKER_31 : MASKER_32;
}

/** The sensitive-word list of a version (substring match on the lower-cased key). */
export function sensitiveWords(version: AirflowVersion): readonly string[] {
  return maskerFor(version).words;
}

export function isSensitiveKey(name: string, m: Masker = MASKER_32): boolean {
  const n = name.trim().toLowerCase();
  return m.words.some((w) => n.includes(w));
}

const isDict = (v: PyValue): v is PyObject => v instanceof Map;
const tooDeep = (depth: number, m: Masker) => m.depthLimited && depth > MAX_RECURSION_DEPTH;

function redactAll(item: PyValue, depth: number, m: Masker): PyValue {
  if (tooDeep(depth, m) || typeof item === "string") return REPLACEMENT;
  if (isDict(item)) return new Map([...item].map(([k, v]) => [k, redactAll(v, depth + 1, m)]));
  if (Array.isArray(item)) return item.map((v) => redactAll(v, depth + 1, m));
  return item;
}

function redactItem(item: PyValue, name: string | null, depth: number, m: Masker): PyValue {
  // 3.2.1: the depth check comes before the key check.
  if (tooDeep(depth, m)) return item;
  if (name !== null && isSensitiveKey(name, m)) return redactAll(item, depth, m);
  if (isDict(item)) return new Map([...item].map(([k, v]) => [k, redactItem(v, k, depth + 1, m)]));
  if (Array.isArray(item)) return item.map((v) => redactItem(v, null, depth + 1, m));
  return item;
}

export function redact(value: PyValue, name: string | null = null, m: Masker = MASKER_32): PyValue {
  return redactItem(value, name, 0, m);
}

/** ConnectionResponse.redact_extra: json.loads -> redact -> json.dumps; non-JSON comes back unchanged. */
export function redactExtra(extra: string | null, m: Masker = MASKER_32): string | null {
  if (extra === null) return null;
  let v: PyValue;
  try {
    v = pyLoads(extra);
  } catch {
    return extra;
  }
  return pyDumps(redact(v, null, m));
}

/** ConnectionResponse password validator: any non-null password is "***". */
export const redactPassword = (p: string | null): string | null => (p === null ? null : REPLACEMENT);

function pyEquals(a: PyValue, b: PyValue): boolean {
  return typeof a === "string" && a === b;
}

function mergeItem(
  newItem: PyValue,
  oldItem: PyValue,
  name: string | null,
  depth: number,
  forceSensitive: boolean,
  m: Masker,
): PyValue {
  if (tooDeep(depth, m)) {
    return pyEquals(newItem, REPLACEMENT) ? oldItem : newItem;
  }
  const sensitive = forceSensitive || (name !== null && isSensitiveKey(name, m));
  if (isDict(newItem) && isDict(oldItem)) {
    const merged: PyObject = new Map();
    for (const [k, v] of newItem) {
      if (oldItem.has(k))
        merged.set(k, mergeItem(v, oldItem.get(k)!, k, depth + 1, sensitive || isSensitiveKey(k, m), m));
      else merged.set(k, v);
    }
    return merged;
  }
  if (Array.isArray(newItem) && Array.isArray(oldItem)) {
    return newItem.map((v, i) => (i < oldItem.length ? mergeItem(v, oldItem[i]!, null, depth + 1, sensitive, m) : v));
  }
  if (sensitive && pyEquals(newItem, REPLACEMENT)) return oldItem;
  return newItem;
}

/** secrets_masker.merge(new, old, name): "***" under sensitive keys takes the old value back. */
export function merge(
  newValue: PyValue,
  oldValue: PyValue,
  name: string | null = null,
  m: Masker = MASKER_32,
): PyValue {
  return mergeItem(newValue, oldValue, name, 0, false, m);
}
