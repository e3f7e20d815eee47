// Airflow's connection object and connection URI as the file formats give them (json, yaml, env and airconn files
// hold objects; every format but Astro's takes a URI string as a connection): the keys of Airflow's
// Connection(**value) (or airconn's), the rules between them (uri or fields, extra or extra_dejson, the id in the value
// equal to its key), each field read by the shared core (read-core.ts).
import type { ConnectionBody } from "../api/types.js";
import { UsageError } from "../errors.js";
import { PyFloat, PyInt } from "../util/pyjson.js";
import { maskUriPassword, normaliseConnType } from "../uri/index.js";
import { uriFields, type UriFields } from "../uri/fields.js";
import type { ParsedConnection, Reader } from "./read-core.js";
import { describe, type MapEntry, type TNode } from "./tree.js";

const AIRFLOW_KEYS = [
  "conn_id",
  "connection_id",
  "conn_type",
  "description",
  "host",
  "login",
  "password",
  "schema",
  "port",
  "extra",
  "uri",
  "team_name",
  "extra_dejson",
] as const;
export const AIRCONN_KEYS = [...AIRFLOW_KEYS, "id"] as const;
export const ID_KEYS = ["conn_id", "connection_id", "id"];
const STRING_FIELDS = ["description", "host", "login", "password", "schema"] as const;
const URI_CONFLICTS = ["conn_type", "host", "login", "password", "schema", "port", "extra", "extra_dejson"];

/** A connection value: a URI string or an object. */
export function readValue(
  r: Reader,
  id: string,
  v: TNode,
  line: number,
  mode: "airflow" | "airconn",
): ParsedConnection {
  if (v.kind === "scalar" && typeof v.value === "string") {
    const uri = r.subst(v.value, id, "uri", v.line);
    return fromUri(r, id, uri, line, v.line, "uri");
  }
  if (v.kind === "map") return readObject(r, id, v.entries, line, mode, true);
  r.fail(v.line, `${id}: the connection must be a URI string or an object, got ${describe(v)}`);
}

export function fromUri(
  r: Reader,
  id: string,
  uri: string,
  line: number,
  valueLine: number,
  field: string,
  description?: string | null,
): ParsedConnection {
  const f = parseUri(r, uri, id, field, valueLine);
  const body: ConnectionBody = { connection_id: id, conn_type: "" };
  const ct = f.conn_type === null ? "" : f.conn_type;
  if (ct === "") r.fail(valueLine, `${id}.${field}: the URI has no connection type (scheme)`);
  body.conn_type = ct;
  body.host = f.host;
  body.login = f.login;
  body.password = f.password;
  body.port = f.port;
  body.schema = f.schema;
  body.extra = f.extra;
  if (description !== undefined) body.description = description;
  return { body, where: r.where(line, id) };
}

function parseUri(r: Reader, uri: string, id: string, field: string, line: number): UriFields {
  try {
    return uriFields(uri, r.opts.uriQueryValues);
  } catch (e) {
    // Never repeat the URI itself: it usually carries a password (the codec may show it with control
    // characters escaped, so hide that spelling too).
    const escaped = uri.replace(
      /[\x00-\x1f\x7f\u2028\u2029]/g,
      (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"),
    );
    const spellings = [uri, escaped, maskUriPassword(uri), maskUriPassword(escaped)].sort(
      (a, b) => b.length - a.length,
    );
    const msg = e instanceof Error ? spellings.reduce((m, s) => m.split(s).join("<uri>"), e.message) : String(e);
    r.fail(line, `${id}.${field}: ${msg}`, e instanceof UsageError ? e.hint : undefined);
  }
}

/** A connection object (Airflow's Connection(**value) keys, or airconn's). `idFromKey`: the id came from a map key. */
export function readObject(
  r: Reader,
  id: string,
  entries: MapEntry[],
  line: number,
  mode: "airflow" | "airconn",
  idFromKey: boolean,
): ParsedConnection {
  const allowed: readonly string[] = mode === "airconn" ? AIRCONN_KEYS : AIRFLOW_KEYS;
  const get = new Map<string, MapEntry>();
  for (const e of entries) {
    if (!allowed.includes(e.key)) {
      r.attempt(e.line, () =>
        r.fail(e.line, `${id}: unknown key "${e.key.slice(0, 60)}"`, `allowed keys: ${allowed.join(", ")}`),
      );
      continue;
    }
    get.set(e.key, e);
  }
  const idKeys = ID_KEYS.filter((k) => get.has(k));
  for (const k of idKeys) {
    const e = get.get(k)!;
    r.attempt(e.line, () => {
      const v = e.value;
      if (v.kind !== "scalar" || typeof v.value !== "string")
        r.fail(e.line, `${id}.${k}: must be a string, got ${describe(v)}`);
      if (idFromKey && v.value !== id) {
        r.fail(
          e.line,
          `${id}.${k}: mismatch conn_id. The dictionary key has the value: ${id}. The item has the value: ${v.value}.`,
        );
      }
      if (!idFromKey && v.value !== id) r.fail(e.line, `${id}: ${idKeys.join(" and ")} differ`);
    });
  }
  if (get.has("extra") && get.has("extra_dejson")) {
    r.attempt(line, () =>
      r.fail(
        get.get("extra_dejson")!.line,
        `${id}: The extra and extra_dejson parameters are mutually exclusive. Please provide only one parameter.`,
      ),
    );
    get.delete("extra_dejson");
  }

  // Each field is checked on its own: a problem is recorded and the next field is read (run() reports them all).
  const field = <T>(e: MapEntry, read: () => T): T | undefined => r.attempt(e.line, read);
  const uriEntry = get.get("uri");
  if (uriEntry) {
    const clash = URI_CONFLICTS.filter((k) => get.has(k) && truthy(get.get(k)!.value));
    if (clash.length > 0) {
      r.fail(
        uriEntry.line,
        `${id}: You must create an object using the URI or individual values (conn_type, host, login, password, schema, port or extra). You can't mix these two ways to create this object.`,
      );
    }
    const u = uriEntry.value;
    const de = get.get("description");
    const description = de ? field(de, () => r.stringField(id, "description", de)) : undefined;
    const te = get.get("team_name");
    const team = te ? field(te, () => r.teamName(id, te)) : undefined;
    if (u.kind !== "scalar" || typeof u.value !== "string")
      r.fail(uriEntry.line, `${id}.uri: must be a string, got ${describe(u)}`);
    const uri = r.subst(u.value, id, "uri", uriEntry.line);
    const pc = fromUri(r, id, uri, line, uriEntry.line, "uri", description);
    if (te) pc.body.team_name = team ?? null;
    return pc;
  }

  const body: ConnectionBody = { connection_id: id, conn_type: "" };
  const ct = get.get("conn_type");
  const ctv = ct ? field(ct, () => r.stringField(id, "conn_type", ct)) : null; // undefined: its problem is recorded
  if (ctv === null || ctv === "") r.attempt(line, () => r.fail(ct?.line ?? line, `${id}: conn_type is required`));
  body.conn_type = ctv ? normaliseConnType(ctv) : "";
  for (const k of STRING_FIELDS) {
    const e = get.get(k);
    if (e)
      field(e, () => {
        body[k] = r.stringField(id, k, e);
      });
  }
  const pe = get.get("port");
  if (pe)
    field(pe, () => {
      body.port = r.port(id, "port", pe.value, pe.line, true);
    });
  const ee = get.get("extra") ?? get.get("extra_dejson");
  if (ee)
    field(ee, () => {
      body.extra = r.extra(id, ee.key, ee.value, ee.line, ee.key === "extra_dejson");
    });
  const te = get.get("team_name");
  if (te)
    field(te, () => {
      body.team_name = r.teamName(id, te);
    });
  return { body, where: r.where(line, id) };
}

function truthy(n: TNode): boolean {
  if (n.kind === "map") return n.entries.length > 0;
  if (n.kind === "seq") return n.items.length > 0;
  if (n.kind === "other") return true;
  const v = n.value;
  if (v === null || v === false || v === "") return false;
  if (v instanceof PyInt) return v.text !== "0";
  if (v instanceof PyFloat) return v.value !== 0;
  return true;
}
