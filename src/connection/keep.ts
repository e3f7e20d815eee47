// "***" in a file or body means "keep what the server has". Airflow merges it back only where the stored connection
// has a value (api-behaviour.md §9, last items): on PATCH and bulk update a "***" password keeps the stored one (none
// stays none) and a "***" extra value takes the stored value back when the stored extra has that key (nested: at that
// path); anywhere else, and on every create (bulk overwrite included), the literal "***" is stored, and the API
// shows it as "***" from then on, so nobody can tell it from a real secret. So a "***" is matched against what the
// server shows for the connection before it is sent: it goes out only where the server shows a secret there, and is
// left out (reported as missing) everywhere else.
import type { ConnectionBody, ConnectionResponse } from "../api/types.js";
import { pyDumps, pyLoads, type PyValue } from "../util/pyjson.js";
import { REDACTED } from "./model.js";
import { containsRedacted, isSensitiveKey, redactedPaths, SENSITIVE_WORDS, type SensitiveWords } from "./secrets.js";

/** A "***" the server has no value for: `field` is `password`, `extra.token`, `extra.auth.key`, `extra.keys[1]`... */
export interface MissingSecret {
  id: string;
  field: string;
}

export interface Kept {
  /** What to send in place of the wanted value; undefined: leave it out. */
  send: PyValue | undefined;
  /** Paths of "***" the server has no value for: left out. */
  missing: string[];
  /** Paths of "***" where the server shows a value in clear (it does not hide it): that value is sent, unchanged. */
  clear: string[];
}

/** The value without its "***" parts: a "***" leaf goes, as does its key or list element. */
export function dropRedacted(v: PyValue): PyValue | undefined {
  if (v === REDACTED) return undefined;
  if (Array.isArray(v)) return v.map(dropRedacted).filter((x) => x !== undefined) as PyValue[];
  if (v instanceof Map) {
    const m = new Map<string, PyValue>();
    for (const [k, x] of v) {
      const y = dropRedacted(x);
      if (y !== undefined) m.set(k, y);
    }
    return m;
  }
  return v;
}

/**
 * What to send for a wanted value that may hold "***", given what the server shows at the same place (`have`,
 * undefined when the stored extra lacks the key), mirroring Airflow's merge: objects key by key (a key the stored
 * object lacks keeps the new value as it is), lists element by element, "***" takes the stored value back under a
 * key the server hides. A "***" is kept where the server shows a secret (its own "***"), replaced by the stored value
 * where the server shows it in clear, and left out where the server has nothing.
 */
export function keepStored(
  want: PyValue,
  have: PyValue | undefined,
  path: string,
  o: { key?: string; sensitive?: boolean; words?: SensitiveWords } = {},
): Kept {
  if (!containsRedacted(want)) return { send: want, missing: [], clear: [] };
  if (have === undefined) return { send: dropRedacted(want), missing: redactedPaths(want, path), clear: [] };
  const words = o.words ?? SENSITIVE_WORDS;
  const sensitive = o.sensitive === true || (o.key !== undefined && isSensitiveKey(o.key, words));
  if (want === REDACTED) {
    // The server's own "***": it hides a value there (by its word list, which may hold more words than airconn's).
    if (have === REDACTED) return { send: REDACTED, missing: [], clear: [] };
    // A structure with secrets inside: "***" takes it back whole under a hidden key; elsewhere its own copy does.
    if (containsRedacted(have)) return { send: sensitive ? REDACTED : have, missing: [], clear: [] };
    if (have === null) return { send: null, missing: [path], clear: [] };
    return { send: have, missing: [], clear: [path] };
  }
  const missing: string[] = [],
    clear: string[] = [];
  const add = (r: Kept) => {
    missing.push(...r.missing);
    clear.push(...r.clear);
    return r.send;
  };
  if (want instanceof Map && have instanceof Map) {
    const out = new Map<string, PyValue>();
    for (const [k, x] of want) {
      const v = add(
        keepStored(x, have.get(k), `${path}.${k}`, { key: k, sensitive: sensitive || isSensitiveKey(k, words), words }),
      );
      if (v !== undefined) out.set(k, v);
    }
    return { send: out, missing, clear };
  }
  if (Array.isArray(want) && Array.isArray(have)) {
    const out: PyValue[] = [];
    want.forEach((x, i) => {
      const v = add(keepStored(x, i < have.length ? have[i] : undefined, `${path}[${i}]`, { sensitive, words }));
      if (v !== undefined) out.push(v);
    });
    return { send: out, missing, clear };
  }
  // Not the same shape as the stored value: the server stores the new value as it is.
  return { send: dropRedacted(want), missing: redactedPaths(want, path), clear: [] };
}

const parseOrUndefined = (s: string | null | undefined): PyValue | undefined => {
  if (typeof s !== "string" || s === "") return undefined;
  try {
    return pyLoads(s);
  } catch {
    return undefined;
  }
};

/**
 * A wanted extra (JSON text) against the stored one as the server shows it (null/undefined: none, or no such
 * connection). Undefined when there is nothing to do (no "***" in it, or not JSON).
 */
export function keepStoredExtra(
  want: string,
  have: string | null | undefined,
  words: SensitiveWords = SENSITIVE_WORDS,
): { extra: string; missing: string[]; clear: string[] } | undefined {
  if (!want.includes(REDACTED)) return undefined;
  const w = parseOrUndefined(want);
  if (w === undefined || !containsRedacted(w)) return undefined;
  const h = parseOrUndefined(have);
  const r = keepStored(w, h, "extra", { words });
  return { extra: pyDumps(r.send ?? new Map()), missing: r.missing, clear: r.clear };
}

/**
 * A body for a connection the server holds (`stored`, as the server shows it): "***" only where the stored connection
 * has a value. `fields` limits the check to the fields that will be written (a masked PATCH writes only those).
 */
export function keepStoredBody(
  body: ConnectionBody,
  stored: Pick<ConnectionResponse, "password" | "extra">,
  words: SensitiveWords = SENSITIVE_WORDS,
  fields: { password: boolean; extra: boolean } = { password: true, extra: true },
): { body: ConnectionBody; missing: string[]; clear: string[] } {
  const out: ConnectionBody = { ...body };
  const missing: string[] = [],
    clear: string[] = [];
  if (fields.password && out.password === REDACTED && stored.password !== REDACTED) {
    // No stored password: a "***" would keep none; left out so that it is not sent at all.
    delete out.password;
    missing.push("password");
  }
  if (fields.extra && typeof out.extra === "string") {
    const r = keepStoredExtra(out.extra, stored.extra, words);
    if (r) {
      out.extra = r.extra;
      missing.push(...r.missing);
      clear.push(...r.clear);
    }
  }
  return { body: out, missing, clear };
}

/** The "***" of a body for a new connection (a create stores them literally): `password`, `extra.token`, ... */
export function redactedOfNew(body: Pick<ConnectionBody, "password" | "extra">): string[] {
  const out: string[] = [];
  if (body.password === REDACTED) out.push("password");
  if (typeof body.extra === "string" && body.extra.includes(REDACTED)) {
    const v = parseOrUndefined(body.extra);
    if (v !== undefined) out.push(...redactedPaths(v));
  }
  return out;
}

/** `id.field, ...` (at most `max`, then how many in all). */
export function listMissing(xs: MissingSecret[], max = 30): string {
  return `${xs
    .slice(0, max)
    .map((n) => `${n.id}.${n.field}`)
    .join(", ")}${xs.length > max ? `, ... (${xs.length} in all)` : ""}`;
}

/**
 * The one warning for "***" left out because the server has no value to keep: which (`id.field`), and how to set
 * them; `more` adds a way (e.g. the file's ${VAR}).
 */
export function missingSecretsWarning(xs: MissingSecret[], more = ""): string {
  const n = xs.length;
  return (
    `${n} secret${n === 1 ? "" : "s"} given only as "***" (keep what the server has) ${n === 1 ? "was" : "were"} left out: the server has no value to keep, and Airflow would store "***" itself: ${listMissing(xs)}; ` +
    `set ${n === 1 ? "it" : "them"} with airconn patch ID --set-extra KEY=VALUE (an extra key) or airconn patch ID --password-stdin (the password)${more}`
  );
}

// ---- the body of a test of a stored connection ------------------------------------------------------------------

/**
 * A stored connection as the body of a test on the API server: every field as the server shows it; the server
 * merges the "***" values with the stored secrets for the test and never stores them.
 */
export const storedTestBody = (stored: ConnectionResponse): ConnectionBody =>
  shownFields(stored, ["password", "extra"]);

/** The id, the type and these fields as the server shows them, when it shows them (not null). */
function shownFields(stored: ConnectionResponse, more: ReadonlyArray<"password" | "extra"> = []): ConnectionBody {
  const body: ConnectionBody = { connection_id: stored.connection_id, conn_type: stored.conn_type };
  for (const k of ["description", "host", "login", "schema", "port", ...more, "team_name"] as const) {
    if (stored[k] !== undefined && stored[k] !== null) (body as unknown as Record<string, unknown>)[k] = stored[k];
  }
  return body;
}

/**
 * The body of a worker test of a stored connection: its fields as the server shows them, without the secrets.
 * The API shows secrets as "***", and a worker test uses the body as it is (unlike POST /connections/test, which
 * fills "***" in from the stored connection), so "***" would be tested, or with commit_on_success stored, literally.
 * Returns which secrets were left out.
 */
export function storedWorkerBody(stored: ConnectionResponse): { body: ConnectionBody; omitted: string[] } {
  const body = shownFields(stored);
  const omitted: string[] = [];
  if (stored.password === REDACTED) omitted.push("password");
  else if (stored.password) body.password = stored.password;
  if (typeof stored.extra === "string" && stored.extra !== "") {
    if (!stored.extra.includes(REDACTED)) body.extra = stored.extra;
    else {
      try {
        const v = pyLoads(stored.extra);
        omitted.push(...redactedPaths(v));
        body.extra = pyDumps(dropRedacted(v) ?? new Map());
      } catch {
        body.extra = stored.extra; // not JSON: no structure to take "***" out of; the server keeps it as text
      }
    }
  }
  return { body, omitted };
}
