// Which keys Airflow treats as secret (a word below is a substring of the lower-cased key), as of 3.2.x:
// the server shows "***" for their values. airconn uses the same rule to never print such values itself.
import { REDACTED } from "../api/types.js";
import type { PyValue } from "./pyjson.js";

export const SENSITIVE_WORDS = [
  "access_token", "api_key", "apikey", "authorization", "passphrase", "passwd", "password", "private_key", "secret",
  "token", "keyfile_dict", "service_account", "access_key", "connection_string", "proxy", "proxies",
] as const;

/** True when a JSON value is "***" or holds "***" anywhere inside (the server's mark for a stored secret). */
export function containsRedacted(v: PyValue): boolean {
  return v === REDACTED || (Array.isArray(v) ? v.some(containsRedacted) : v instanceof Map ? [...v.values()].some(containsRedacted) : false);
}

export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase();
  return SENSITIVE_WORDS.some((w) => k.includes(w));
}
