// What `apply` would change: the desired connections of a file against the server's, field by field.
// Secrets cannot be compared (the server shows "***"): a secret in the file is "set on create", or, for an
// existing connection, "not compared" unless --update-secrets says to send it ("will be set"). "***" in the file
// means "keep what the server has": it is sent only where the server has a value (connection/keep.ts); anywhere
// else it is left out and listed as a secret missing on the server, never a change to "***".
import type { ConnectionBody, ConnectionResponse } from "../api/types.js";
import { REDACTED } from "../connection/model.js";
import {
  containsRedacted,
  isSensitiveKey,
  redactedPaths,
  redactProviderSecrets,
  SENSITIVE_WORDS,
  type ProviderSecrets,
  type SensitiveWords,
} from "../connection/secrets.js";
import { dropRedacted, keepStored, redactedOfNew } from "../connection/keep.js";
import { pyDumps, pyLoads, toJs, type PyValue } from "../util/pyjson.js";

export interface Desired {
  body: ConnectionBody;
  present: Set<string>;
  where?: string;
}

export const COMPARED_FIELDS = [
  "conn_type",
  "description",
  "host",
  "login",
  "schema",
  "port",
  "extra",
  "team_name",
] as const;

export type FieldChange =
  | { field: string; kind: "value"; from: unknown; to: unknown } // a plain value that differs
  | { field: string; kind: "secret"; note: "will be set" | "set on create" | "not compared" };

export interface PlannedCreate {
  id: string;
  body: ConnectionBody;
  secrets: string[];
}
export interface PlannedUpdate {
  id: string;
  changes: FieldChange[];
  body: ConnectionBody;
  mask: string[];
}
export interface Plan {
  create: PlannedCreate[];
  update: PlannedUpdate[];
  unchanged: string[];
  /** In scope, on the server, not in the file. */
  onlyOnServer: string[];
  /** Secrets present in the file for existing connections that were not compared (without --update-secrets); from
   * another server (--from-profile): secrets on both sides, which cannot be compared. */
  notCompared: Array<{ id: string; field: string }>;
  /**
   * Secrets the server lacks, never a difference: from a file, "***" (keep what the server has) where the server has
   * no value (left out: Airflow would store "***" itself); from another server, secrets the source holds and the
   * target lacks, which cannot be copied.
   */
  missing: Array<{ id: string; field: string }>;
}

const parseExtra = (s: string | null | undefined): Map<string, PyValue> | undefined => {
  if (s === null || s === undefined || s === "") return undefined;
  try {
    const v = pyLoads(s);
    return v instanceof Map ? v : undefined;
  } catch {
    return undefined;
  }
};

const canon = (v: PyValue): string => JSON.stringify(sortKeys(toJs(v)));
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, x]) => [k, sortKeys(x)]),
        )
      : v;

/** Compares one desired connection with the server's; returns the changes and the PATCH to make. */
export interface PlanOptions {
  updateSecrets?: boolean;
  /** The server's sensitive words (they differ between Airflow 3.2 and 3.3). */
  words?: SensitiveWords;
}

export function compare(
  want: Desired,
  have: ConnectionResponse,
  o: PlanOptions = {},
): { changes: FieldChange[]; body: ConnectionBody; mask: string[]; notCompared: string[]; missing: string[] } {
  const changes: FieldChange[] = [];
  const notCompared: string[] = [];
  const missing: string[] = [];
  const body: ConnectionBody = {
    connection_id: have.connection_id,
    conn_type: want.present.has("conn_type") ? want.body.conn_type : have.conn_type,
  };
  const mask: string[] = [];
  const b = want.body as unknown as Record<string, unknown>;
  const h = have as unknown as Record<string, unknown>;
  for (const f of COMPARED_FIELDS) {
    if (!want.present.has(f)) continue;
    if (f === "extra") {
      const r = compareExtra(
        want.body.extra ?? null,
        have.extra ?? null,
        o.updateSecrets === true,
        o.words ?? SENSITIVE_WORDS,
      );
      changes.push(...r.changes);
      notCompared.push(...r.notCompared);
      missing.push(...r.missing);
      if (r.send !== undefined) {
        (body as unknown as Record<string, unknown>).extra = r.send;
        mask.push("extra");
      }
      continue;
    }
    const from = h[f] ?? null,
      to = b[f] ?? null;
    if (from !== to) {
      changes.push({ field: f, kind: "value", from, to });
      (body as unknown as Record<string, unknown>)[f] = to;
      mask.push(f);
    }
  }
  if (want.present.has("password")) {
    const pw = want.body.password;
    if (pw === REDACTED || pw === null || pw === undefined || pw === "") {
      // "***" means keep; null/"" cannot clear a password through the API: nothing to send either way.
      if (pw === REDACTED && have.password !== REDACTED) missing.push("password");
    } else if (o.updateSecrets) {
      changes.push({ field: "password", kind: "secret", note: "will be set" });
      body.password = pw;
      mask.push("password");
    } else {
      notCompared.push("password");
    }
  }
  return { changes, body, mask, notCompared, missing };
}

/** An extra key whose wanted value holds no secret: sent as it is; true (and a change) when the stored value differs. */
function comparePlain(
  k: string,
  v: PyValue,
  old: PyValue | undefined,
  send: Map<string, PyValue>,
  changes: FieldChange[],
  show: (old: PyValue) => unknown,
): boolean {
  send.set(k, v);
  if (old !== undefined && canon(old) === canon(v)) return false;
  changes.push({ field: `extra.${k}`, kind: "value", from: old === undefined ? undefined : show(old), to: toJs(v) });
  return true;
}

/** Extra keys stored but not wanted: each is a change (the key goes); true when there is any. */
function compareRemoved(
  w: Map<string, PyValue>,
  h: Map<string, PyValue>,
  changes: FieldChange[],
  show: (old: PyValue) => unknown,
): boolean {
  let any = false;
  for (const [k, old] of h)
    if (!w.has(k)) {
      any = true;
      changes.push({ field: `extra.${k}`, kind: "value", from: show(old), to: undefined });
    }
  return any;
}

function compareExtra(
  want: string | null,
  have: string | null,
  updateSecrets: boolean,
  words: SensitiveWords,
): { changes: FieldChange[]; notCompared: string[]; missing: string[]; send?: string | null } {
  const w = parseExtra(want);
  let h = parseExtra(have);
  if (w && !h && containsRedacted(w)) {
    // "***" where the server has no JSON extra: nothing to keep. No extra at all: compared key by key below.
    if (have === null || have === "") h = new Map();
    else {
      const without = (dropRedacted(w) ?? new Map()) as Map<string, PyValue>;
      return {
        changes: [{ field: "extra", kind: "value", from: have, to: redactForDisplay(without, words) }],
        notCompared: [],
        missing: redactedPaths(w),
        send: pyDumps(without),
      };
    }
  }
  if (!w || !h) {
    // Not both JSON objects: compare the texts (null vs {} counts as a change).
    const same = want === have || (w && h === undefined && have === null && w.size === 0 && want === "{}");
    return same
      ? { changes: [], notCompared: [], missing: [] }
      : {
          changes: [{ field: "extra", kind: "value", from: have, to: want && w ? redactForDisplay(w, words) : want }],
          notCompared: [],
          missing: [],
          send: want,
        };
  }
  const changes: FieldChange[] = [];
  const notCompared: string[] = [];
  const missing: string[] = [];
  let differs = false;
  const send = new Map<string, PyValue>();
  for (const [k, v] of w) {
    const old = h.get(k);
    const secretOnServer = old === REDACTED || (old !== undefined && containsRedacted(old));
    if (containsRedacted(v)) {
      // "***" in the file: keep what the server has, where it has something (else it is left out: missing).
      const r = keepStored(v, old, `extra.${k}`, { key: k, words });
      missing.push(...r.missing);
      if (r.send === undefined) continue;
      send.set(k, r.send);
      if (old === undefined) {
        differs = true;
        changes.push(
          isSensitiveKey(k, words)
            ? { field: `extra.${k}`, kind: "secret", note: "will be set" }
            : { field: `extra.${k}`, kind: "value", from: undefined, to: toJs(r.send) },
        );
      } else if (!secretOnServer && !isSensitiveKey(k, words) && canon(r.send) !== canon(old)) {
        differs = true;
        changes.push({ field: `extra.${k}`, kind: "value", from: toJs(old), to: toJs(r.send) });
      }
      continue;
    }
    if (secretOnServer || isSensitiveKey(k, words)) {
      if (old === undefined) {
        differs = true;
        send.set(k, v);
        changes.push({ field: `extra.${k}`, kind: "secret", note: "will be set" });
      } else if (updateSecrets) {
        differs = true;
        send.set(k, v);
        changes.push({ field: `extra.${k}`, kind: "secret", note: "will be set" });
      } else {
        // The server keeps its stored value: "***" under a sensitive key, or its own (redacted) structure when the
        // secret is nested under a key that is not sensitive itself.
        send.set(k, isSensitiveKey(k, words) ? REDACTED : old!);
        notCompared.push(`extra.${k}`);
      }
      continue;
    }
    if (comparePlain(k, v, old, send, changes, toJs)) differs = true;
  }
  if (compareRemoved(w, h, changes, (old) => (containsRedacted(old) ? REDACTED : toJs(old)))) differs = true;
  return { changes, notCompared, missing, send: differs ? pyDumps(send) : undefined };
}

/** Extra for display: values under sensitive keys become "***". */
function redactForDisplay(m: Map<string, PyValue>, words: SensitiveWords): string {
  const out = new Map<string, PyValue>();
  for (const [k, v] of m) out.set(k, isSensitiveKey(k, words) ? REDACTED : v);
  return pyDumps(out);
}

export function plan(desired: Desired[], server: ConnectionResponse[], o: PlanOptions = {}): Plan {
  const byId = new Map(server.map((c) => [c.connection_id, c]));
  const wanted = new Set(desired.map((d) => d.body.connection_id));
  const p: Plan = { create: [], update: [], unchanged: [], onlyOnServer: [], notCompared: [], missing: [] };
  for (const d of desired) {
    const id = d.body.connection_id;
    const have = byId.get(id);
    if (!have) {
      // A create stores "***" literally: it goes without them (apply strips them), so they are missing.
      for (const f of redactedOfNew(d.body)) p.missing.push({ id, field: f });
      const secrets: string[] = [];
      if (d.body.password && d.body.password !== REDACTED) secrets.push("password");
      const ex = parseExtra(d.body.extra);
      if (ex) for (const [k, v] of ex) if (isSensitiveKey(k, o.words) && v !== REDACTED) secrets.push(`extra.${k}`);
      p.create.push({ id, body: d.body, secrets });
      continue;
    }
    const c = compare(d, have, o);
    for (const f of c.notCompared) p.notCompared.push({ id, field: f });
    for (const f of c.missing) p.missing.push({ id, field: f });
    if (c.mask.length) p.update.push({ id, changes: c.changes, body: c.body, mask: c.mask });
    else p.unchanged.push(id);
  }
  for (const c of server) if (!wanted.has(c.connection_id)) p.onlyOnServer.push(c.connection_id);
  return p;
}

/**
 * The plan as it is shown: the values of the provider's secret extra keys (issue 21) hidden in its update changes, as
 * those of the server's sensitive words are: a value set is "will be set", a value removed was "***", a whole extra
 * shown as text has them as "***". What is sent (the bodies) is unchanged. Creates are shown by their bodies.
 */
export function hideProviderSecrets(p: Plan, secret: ProviderSecrets | undefined): Plan {
  if (!secret) return p;
  const update = p.update.map((u) => {
    // a type that changes: the keys secret for either type
    const types = [u.body.conn_type];
    for (const c of u.changes) if (c.field === "conn_type" && c.kind === "value") types.push(String(c.from));
    const isSecret = (k: string) => types.some((t) => secret(t, k));
    const hideText = (v: unknown) =>
      typeof v === "string"
        ? types.reduce<string | null | undefined>((x, t) => redactProviderSecrets(x, t, secret), v)
        : v;
    const changes = u.changes.map((c): FieldChange => {
      if (c.kind !== "value") return c;
      if (c.field === "extra") return { ...c, from: hideText(c.from), to: hideText(c.to) };
      if (!c.field.startsWith("extra.") || !isSecret(c.field.slice("extra.".length))) return c;
      if (c.to === undefined) return { ...c, from: c.from === undefined || c.from === null ? c.from : REDACTED };
      return { field: c.field, kind: "secret", note: "will be set" };
    });
    return { ...u, changes };
  });
  return { ...p, update };
}

// ---------------------------------------------------------------------------------------------- server to server
// `--from-profile`: the wanted state is another Airflow's connections. Both servers redact every secret, so a secret
// is never a difference: on both sides it is "not comparable"; on the source only it is "missing" (it cannot be
// copied). Nothing read back as "***" is ever sent as a value: PATCH bodies keep "***" only where the target holds a
// secret under it (the server merges its own value back), and creates go without them.

/** The connection fields of a source connection as a desired body (every compared field present). */
export function desiredFromServer(c: ConnectionResponse): Desired {
  const body: ConnectionBody = { connection_id: c.connection_id, conn_type: c.conn_type };
  const b = body as unknown as Record<string, unknown>;
  const h = c as unknown as Record<string, unknown>;
  for (const f of COMPARED_FIELDS) b[f] = h[f] ?? null;
  body.password = c.password ?? null;
  return { body, present: new Set<string>(["connection_id", ...COMPARED_FIELDS]) };
}

/** The secret fields of a source connection: "password", "extra.KEY" for each top-level key holding "***". */
export function redactedFields(c: { password?: string | null; extra?: string | null }): string[] {
  const out: string[] = [];
  if (c.password === REDACTED) out.push("password");
  const ex = parseExtra(c.extra);
  if (ex) for (const [k, v] of ex) if (containsRedacted(v)) out.push(`extra.${k}`);
  return out;
}

export function planFromServer(source: ConnectionResponse[], target: ConnectionResponse[]): Plan {
  const byId = new Map(target.map((c) => [c.connection_id, c]));
  const wanted = new Set(source.map((c) => c.connection_id));
  const p: Plan = { create: [], update: [], unchanged: [], onlyOnServer: [], notCompared: [], missing: [] };
  for (const src of source) {
    const id = src.connection_id;
    const want = desiredFromServer(src);
    const have = byId.get(id);
    if (!have) {
      for (const f of redactedFields(src)) p.missing.push({ id, field: f });
      p.create.push({ id, body: want.body, secrets: [] });
      continue;
    }
    const c = compare({ ...want, present: new Set([...want.present].filter((f) => f !== "extra")) }, have);
    const changes = c.changes;
    const body = c.body;
    const mask = c.mask;
    // password: never compared, never sent.
    if (src.password === REDACTED)
      (have.password === REDACTED ? p.notCompared : p.missing).push({ id, field: "password" });
    else if (have.password === REDACTED) p.notCompared.push({ id, field: "password" });
    const ex = compareExtraServers(src.extra ?? null, have.extra ?? null);
    changes.push(...ex.changes);
    for (const f of ex.notComparable) p.notCompared.push({ id, field: f });
    for (const f of ex.missing) p.missing.push({ id, field: f });
    if (ex.send !== undefined) {
      body.extra = ex.send;
      mask.push("extra");
    }
    if (mask.length) p.update.push({ id, changes, body, mask });
    else p.unchanged.push(id);
  }
  for (const c of target) if (!wanted.has(c.connection_id)) p.onlyOnServer.push(c.connection_id);
  return p;
}

const shown = (v: PyValue): unknown =>
  containsRedacted(v) && !(v instanceof Map) && !Array.isArray(v) ? REDACTED : toJs(v);

/** extra of two servers, key by key; values holding "***" are compared only in their parts that are not secret. */
function compareExtraServers(
  want: string | null,
  have: string | null,
): { changes: FieldChange[]; notComparable: string[]; missing: string[]; send?: string | null } {
  const w = parseExtra(want);
  let h = parseExtra(have);
  if (w && h === undefined && (have === null || have === "")) h = new Map();
  if (!w || !h) {
    if (want === have || ((want === null || want === "") && (have === null || have === "")))
      return { changes: [], notComparable: [], missing: [] };
    const secret = (t: string | null) => t?.includes(REDACTED);
    if (secret(want))
      return { changes: [], notComparable: secret(have) ? ["extra"] : [], missing: secret(have) ? [] : ["extra"] };
    return {
      changes: [{ field: "extra", kind: "value", from: have, to: want }],
      notComparable: [],
      missing: [],
      send: want,
    };
  }
  const changes: FieldChange[] = [];
  const notComparable: string[] = [];
  const missing: string[] = [];
  const send = new Map<string, PyValue>();
  let differs = false;
  for (const [k, v] of w) {
    const old = h.get(k);
    if (containsRedacted(v)) {
      if (old !== undefined && containsRedacted(old)) {
        // Both hold a secret here: the rest of the value (a nested structure) can still differ. A nested secret the
        // target lacks is left out (missing): "***" is sent only where the target has a value to keep.
        const r = keepStored(v, old, `extra.${k}`, { key: k });
        missing.push(...r.missing);
        const s = r.send ?? old;
        send.set(k, s);
        if (canon(s) === canon(old)) notComparable.push(`extra.${k}`);
        else {
          differs = true;
          changes.push({ field: `extra.${k}`, kind: "value", from: shown(old), to: shown(s) });
          notComparable.push(`extra.${k}`);
        }
      } else {
        // The source has a secret the target lacks: it cannot be copied; the target keeps what it has.
        missing.push(`extra.${k}`);
        if (old !== undefined) send.set(k, old);
      }
      continue;
    }
    if (comparePlain(k, v, old, send, changes, shown)) differs = true;
  }
  if (compareRemoved(w, h, changes, shown)) differs = true;
  return { changes, notComparable, missing, send: differs ? pyDumps(send) : undefined };
}
