// The "***" rules. Which keys Airflow treats as secret (a word below is a substring of the lower-cased key): the
// server shows "***" for their values, and restores the stored value when "***" comes back under such a key.
// airconn uses the same rule to never print such values itself and never to send "***" as a new secret. The list
// grew in Airflow 3.2.0 and 3.3.0: where it matters, airconn uses the list of the server it talks to, because a word
// that server does not know means the value is stored and shown in clear (sending "***" for it would store "***").
import { UsageError } from "../errors.js";
import { pyDumps, pyLoads, type PyValue } from "../util/pyjson.js";
import { isAirflow32, isAirflow33 } from "../api/versions.js";
import { REDACTED, type Fields } from "./model.js";

/** Airflow 3.0 and 3.1 (DEFAULT_SENSITIVE_FIELDS of their secrets masker). */
export const SENSITIVE_WORDS_3_0 = [
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
] as const;

/** Added in Airflow 3.2.0: apache/airflow #61580 (access_key, connection_string) and #61906 (proxy, proxies). */
export const SENSITIVE_WORDS_3_2 = ["access_key", "connection_string", "proxy", "proxies"] as const;

/** Airflow 3.2's list: the one used when the server's version does not matter or is not known. */
export const SENSITIVE_WORDS = [...SENSITIVE_WORDS_3_0, ...SENSITIVE_WORDS_3_2] as const;

/** Added in Airflow 3.3.0 (apache/airflow #66673). */
export const SENSITIVE_WORDS_3_3 = ["auth_header", "bearer", "dsn", "service_key", "webhook_url"] as const;

export type SensitiveWords = readonly string[];

/** The word list of an Airflow version (major, minor): 3.0/3.1, 3.2, or 3.3 and newer; the 3.2 list when unknown. */
export function sensitiveWordsFor(v: { major: number; minor: number } | undefined): SensitiveWords {
  if (isAirflow33(v)) return [...SENSITIVE_WORDS, ...SENSITIVE_WORDS_3_3];
  if (v !== undefined && !isAirflow32(v)) return SENSITIVE_WORDS_3_0; // before 3.2
  return SENSITIVE_WORDS;
}

export function isSensitiveKey(key: string, words: SensitiveWords = SENSITIVE_WORDS): boolean {
  const k = key.toLowerCase();
  return words.some((w) => k.includes(w));
}

/**
 * True when Airflow versions disagree about this key: secret on 3.3 only (dsn), or on 3.2 and later but not on 3.0/3.1
 * (proxy). Only then does the server's version matter.
 */
export function versionDependentKey(key: string): boolean {
  return !isSensitiveKey(key, SENSITIVE_WORDS_3_0) && isSensitiveKey(key, [...SENSITIVE_WORDS, ...SENSITIVE_WORDS_3_3]);
}

/**
 * The extra keys a provider's form marks secret, by connection type (issue 21: ExtraField.secret, from the catalog).
 * They are shown and diffed as secrets on top of the server's sensitive words, where the catalog is loaded. They are
 * never a reason to send "***": the server gives a stored value back for "***" only under its own words, so the keep
 * rules (keep.ts) go by what the server shows: a secret field it shows as "***" is kept like any other.
 */
export type ProviderSecrets = (connType: string, key: string) => boolean;

/**
 * An extra (JSON text) with the values of the provider's secret keys (top level, not null) shown as "***", as the
 * server shows the keys of its own words; the text as it was when there is nothing to hide or it is not a JSON object.
 */
export function redactProviderSecrets(
  extra: string | null | undefined,
  connType: string,
  secret: ProviderSecrets | undefined,
): string | null | undefined {
  if (!secret || typeof extra !== "string" || extra === "") return extra;
  let v: PyValue;
  try {
    v = pyLoads(extra);
  } catch {
    return extra;
  }
  if (!(v instanceof Map)) return extra;
  let hidden = false;
  for (const [k, x] of v)
    if (x !== null && x !== REDACTED && secret(connType, k)) {
      v.set(k, REDACTED);
      hidden = true;
    }
  return hidden ? pyDumps(v) : extra;
}

/** Every key of a JSON object tree (an extra); none when it is not JSON. */
export function extraKeys(extra: string | null | undefined, parse: (s: string) => PyValue = pyLoads): string[] {
  if (typeof extra !== "string" || extra === "") return [];
  let v: PyValue;
  try {
    v = parse(extra);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (x: PyValue) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x instanceof Map)
      for (const [k, y] of x) {
        out.push(k);
        walk(y);
      }
  };
  walk(v);
  return out;
}

/** True when a JSON value is "***" or holds "***" anywhere inside (the server's mark for a stored secret). */
export function containsRedacted(v: PyValue): boolean {
  return (
    v === REDACTED ||
    (Array.isArray(v) ? v.some(containsRedacted) : v instanceof Map ? [...v.values()].some(containsRedacted) : false)
  );
}

/** Paths (like `extra.token` or `extra.auth[0]`) of "***" values in a JSON object tree. */
export function redactedPaths(v: PyValue, path = "extra"): string[] {
  if (v === REDACTED) return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => redactedPaths(x, `${path}[${i}]`));
  if (v instanceof Map) return [...v].flatMap(([k, x]) => redactedPaths(x, `${path}.${k}`));
  return [];
}

/**
 * "***" values the server would NOT give back its stored value for: it restores "***" only under a key it treats
 * as sensitive (or in a list under such a key). Anywhere else "***" would be stored literally.
 */
export function unsafeRedacted(
  v: PyValue,
  key: string | undefined = undefined,
  path = "extra",
  words: SensitiveWords = SENSITIVE_WORDS,
): string[] {
  if (v === REDACTED) return key !== undefined && isSensitiveKey(key, words) ? [] : [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => unsafeRedacted(x, key, `${path}[${i}]`, words));
  if (v instanceof Map) return [...v].flatMap(([k, x]) => unsafeRedacted(x, k, `${path}.${k}`, words));
  return [];
}

/** Refuses a new connection whose password or extra holds "***": it would be stored literally as the secret. */
export function refuseRedactedForNew(f: Partial<Fields>, source: string): void {
  if (f.password === REDACTED) {
    throw new UsageError(
      `${source}: the password is "${REDACTED}", which is how Airflow hides a stored password, not a real one`,
      "put the real password in (or leave it out and pass it with --password-stdin)",
    );
  }
  if (typeof f.extra === "string" && f.extra.includes(REDACTED)) {
    let paths: string[] = [];
    try {
      paths = redactedPaths(pyLoads(f.extra));
    } catch {
      /* checked elsewhere */
    }
    if (paths.length) {
      throw new UsageError(
        `${source}: ${paths.join(", ")} ${paths.length === 1 ? "is" : "are"} "${REDACTED}", how Airflow hides a stored secret: airconn will not store it as a value`,
        "put the real values in, or leave those keys out",
      );
    }
  }
}

/** The password rule of every write: "***" is how the server hides one, never a value to send. */
export function refuseRedactedPassword(password: string | null | undefined): void {
  if (password === REDACTED) {
    throw new UsageError(
      `the password "${REDACTED}" is how Airflow hides a stored password, not a value airconn will send`,
      "give the real password (with --password-stdin in scripts)",
    );
  }
}
