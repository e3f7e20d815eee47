// Airflow 3.2.1's secrets masker, as far as connection responses and PATCH merges depend on it
// (airflow/sdk/execution_time/secrets_masker.py: redact / _redact / _redact_all / merge).
import { pyDumps, pyLoads, type PyObject, type PyValue } from "../../src/util/pyjson.js";

/** [core] sensitive words of 3.2.x (the last four are [unconfirmed] for 3.2.1, see api-behaviour.md §2). */
export const SENSITIVE_WORDS = [
  "access_token", "api_key", "apikey", "authorization", "passphrase", "passwd", "password", "private_key",
  "secret", "token", "keyfile_dict", "service_account",
  "access_key", "connection_string", "proxy", "proxies",
] as const;

export const MAX_RECURSION_DEPTH = 5;
export const REPLACEMENT = "***";

export function isSensitiveKey(name: string): boolean {
  const n = name.trim().toLowerCase();
  return SENSITIVE_WORDS.some((w) => n.includes(w));
}

const isDict = (v: PyValue): v is PyObject => v instanceof Map;

function redactAll(item: PyValue, depth: number): PyValue {
  if (depth > MAX_RECURSION_DEPTH || typeof item === "string") return REPLACEMENT;
  if (isDict(item)) return new Map([...item].map(([k, v]) => [k, redactAll(v, depth + 1)]));
  if (Array.isArray(item)) return item.map((v) => redactAll(v, depth + 1));
  return item;
}

function redactItem(item: PyValue, name: string | null, depth: number): PyValue {
  // 3.2.1: the depth check comes before the key check.
  if (depth > MAX_RECURSION_DEPTH) return item;
  if (name !== null && isSensitiveKey(name)) return redactAll(item, depth);
  if (isDict(item)) return new Map([...item].map(([k, v]) => [k, redactItem(v, k, depth + 1)]));
  if (Array.isArray(item)) return item.map((v) => redactItem(v, null, depth + 1));
  return item;
}

export function redact(value: PyValue, name: string | null = null): PyValue {
  return redactItem(value, name, 0);
}

/** ConnectionResponse.redact_extra: json.loads -> redact -> json.dumps; non-JSON comes back unchanged. */
export function redactExtra(extra: string | null): string | null {
  if (extra === null) return null;
  let v: PyValue;
  try {
    v = pyLoads(extra);
  } catch {
    return extra;
  }
  return pyDumps(redact(v));
}

/** ConnectionResponse password validator: any non-null password is "***". */
export const redactPassword = (p: string | null): string | null => (p === null ? null : REPLACEMENT);

function pyEquals(a: PyValue, b: PyValue): boolean {
  return typeof a === "string" && a === b;
}

function mergeItem(newItem: PyValue, oldItem: PyValue, name: string | null, depth: number, forceSensitive: boolean): PyValue {
  if (depth > MAX_RECURSION_DEPTH) {
    return pyEquals(newItem, REPLACEMENT) ? oldItem : newItem;
  }
  const sensitive = forceSensitive || (name !== null && isSensitiveKey(name));
  if (isDict(newItem) && isDict(oldItem)) {
    const merged: PyObject = new Map();
    for (const [k, v] of newItem) {
      if (oldItem.has(k)) merged.set(k, mergeItem(v, oldItem.get(k)!, k, depth + 1, sensitive || isSensitiveKey(k)));
      else merged.set(k, v);
    }
    return merged;
  }
  if (Array.isArray(newItem) && Array.isArray(oldItem)) {
    return newItem.map((v, i) => (i < oldItem.length ? mergeItem(v, oldItem[i]!, null, depth + 1, sensitive) : v));
  }
  if (sensitive && pyEquals(newItem, REPLACEMENT)) return oldItem;
  return newItem;
}

/** secrets_masker.merge(new, old, name): "***" under sensitive keys takes the old value back. */
export function merge(newValue: PyValue, oldValue: PyValue, name: string | null = null): PyValue {
  return mergeItem(newValue, oldValue, name, 0, false);
}

