// Connection semantics: responses, PATCH rules, bulk, test, defaults (api-behaviour.md §1-§6).
import { pyDumps, pyLoads } from "../pyjson.js";
import { hookMetaTypes } from "./hook-meta.js";
import { MASKER_32, merge, redactExtra, redactPassword, REPLACEMENT, type Masker } from "./redact.js";
import type { Journal, NewConnection, Store, StoredConnection } from "./store.js";
import { CONNECTION_FIELDS, InternalServerError, pySetRepr, type BulkAction, type ConnectionBody } from "./validate.js";

export interface ConnectionResponse {
  connection_id: string;
  conn_type: string;
  description: string | null;
  host: string | null;
  login: string | null;
  schema: string | null;
  port: number | null;
  password: string | null;
  extra: string | null;
  team_name: string | null;
}

/** ConnectionResponse: the ten keys in Airflow's order, redacted. */
export function toResponse(c: StoredConnection, m: Masker = MASKER_32): ConnectionResponse {
  return {
    connection_id: c.connection_id,
    conn_type: c.conn_type,
    description: c.description,
    host: c.host,
    login: c.login,
    schema: c.schema,
    port: c.port,
    password: redactPassword(c.password),
    extra: redactExtra(c.extra, m),
    team_name: c.team_name,
  };
}

/** The columns of a connection row (no `id`), in the table's order, as a plain object. */
export function columnsOf(c: NewConnection): NewConnection {
  const out: Record<string, unknown> = { connection_id: c.connection_id };
  for (const k of CONNECTION_FIELDS) out[k] = c[k];
  return out as unknown as NewConnection;
}

/** Connection(**body.model_dump(by_alias=True)): a falsy password is not set. */
export function fromBody(b: ConnectionBody): NewConnection {
  return {
    connection_id: b.connection_id,
    conn_type: b.conn_type,
    description: b.description,
    host: b.host,
    login: b.login,
    schema: b.schema,
    port: b.port,
    password: b.password ? b.password : null,
    extra: b.extra,
    team_name: b.team_name,
  };
}

const PLAIN_FIELDS = ["conn_type", "description", "host", "login", "schema", "port", "team_name"] as const;

/** update_orm_from_pydantic: the fields a PATCH writes (see api-behaviour.md §1). */
export function updateFields(
  old: StoredConnection,
  body: ConnectionBody,
  updateMask: string[] | null,
  m: Masker = MASKER_32,
): Partial<NewConnection> {
  const mask = updateMask && updateMask.length > 0 ? new Set(updateMask) : null;
  const out: Partial<NewConnection> = {};
  for (const f of PLAIN_FIELDS) {
    if (!body.fieldsSet.has(f)) continue;
    if (mask && !mask.has(f)) continue;
    (out as Record<string, unknown>)[f] = body[f];
  }
  const touches = (f: "password" | "extra") => (!mask && body.fieldsSet.has(f)) || mask?.has(f);
  if (touches("password") && body.password !== null) {
    const merged = body.password === REPLACEMENT ? old.password : body.password;
    if (merged) out.password = merged; // set_password ignores falsy values
  }
  if (touches("extra")) {
    if (body.extra === null || old.extra === null) out.extra = body.extra;
    else {
      try {
        out.extra = pyDumps(merge(pyLoads(body.extra), pyLoads(old.extra), null, m));
      } catch {
        out.extra = body.extra;
      }
    }
  }
  return out;
}

/** Raised for a database unique-constraint violation: 409 for the whole request. */
export class UniqueViolation extends Error {}

export interface BulkActionResult {
  success: string[];
  errors: { error: string; status_code: number }[];
}
export interface BulkResult {
  create: BulkActionResult | null;
  update: BulkActionResult | null;
  delete: BulkActionResult | null;
}

/** BulkConnectionService. Throws UniqueViolation / InternalServerError after rolling back. */
export function runBulk(store: Store, actions: BulkAction[], m: Masker = MASKER_32): BulkResult {
  const results: BulkResult = { create: null, update: null, delete: null };
  const journal: Journal = [];
  try {
    for (const a of actions) {
      const r = (results[a.action] ??= { success: [], errors: [] });
      if (a.action === "create") bulkCreate(store, a, r, journal);
      else if (a.action === "update") bulkUpdate(store, a, r, journal, m);
      else bulkDelete(store, a, r, journal);
    }
  } catch (e) {
    for (let i = journal.length - 1; i >= 0; i--) journal[i]!();
    throw e;
  }
  return results;
}

function bulkCreate(store: Store, a: Extract<BulkAction, { action: "create" }>, r: BulkActionResult, j: Journal): void {
  const ids = [...new Set(a.entities.map((e) => e.connection_id))];
  const matched = new Set(ids.filter((id) => store.has(id)));
  if (a.action_on_existence === "fail" && matched.size > 0) {
    r.errors.push({
      error: `The connections with these connection_ids: ${pySetRepr(matched)} already exist.`,
      status_code: 409,
    });
    return;
  }
  for (const e of a.entities) {
    if (a.action_on_existence === "skip" && matched.has(e.connection_id)) continue;
    if (matched.has(e.connection_id)) {
      // overwrite: setattr for every field of model_dump(by_alias=True)
      const old = store.get(e.connection_id)!;
      store.update(
        e.connection_id,
        {
          conn_type: e.conn_type,
          description: e.description,
          host: e.host,
          login: e.login,
          schema: e.schema,
          port: e.port,
          password: e.password ? e.password : old.password,
          extra: e.extra,
          team_name: e.team_name,
        },
        j,
      );
    } else {
      if (store.has(e.connection_id)) throw new UniqueViolation(e.connection_id); // two INSERTs of one id
      checkColumnLimits(fromBody(e));
      store.insert(fromBody(e), j);
    }
    r.success.push(e.connection_id);
  }
}

function bulkUpdate(
  store: Store,
  a: Extract<BulkAction, { action: "update" }>,
  r: BulkActionResult,
  j: Journal,
  m: Masker,
): void {
  const ids = [...new Set(a.entities.map((e) => e.connection_id))];
  const missing = ids.filter((id) => !store.has(id));
  if (a.action_on_non_existence === "fail" && missing.length > 0) {
    r.errors.push({
      error: `The connections with these connection_ids: ${pySetRepr(missing)} were not found.`,
      status_code: 404,
    });
    return;
  }
  for (const e of a.entities) {
    const old = store.get(e.connection_id);
    if (!old) continue;
    // Every released Airflow (3.0 - 3.3.x) accepts the action's update_mask and ignores it: handle_bulk_update calls
    // update_orm_from_pydantic without a mask, so every field present in the entity is written (api-behaviour.md §4).
    const fields = updateFields(old, e, null, m);
    checkColumnLimits({ ...old, ...fields });
    store.update(e.connection_id, fields, j);
    r.success.push(e.connection_id);
  }
}

function bulkDelete(store: Store, a: Extract<BulkAction, { action: "delete" }>, r: BulkActionResult, j: Journal): void {
  // set(action.entities): pydantic models are unhashable
  if (a.entities.some((e) => typeof e !== "string")) throw new InternalServerError("unhashable type: 'ConnectionBody'");
  const ids = [...new Set(a.entities as string[])];
  const missing = ids.filter((id) => !store.has(id));
  if (a.action_on_non_existence === "fail" && missing.length > 0) {
    r.errors.push({
      error: `The connections with these connection_ids: ${pySetRepr(missing)} were not found.`,
      status_code: 404,
    });
    return;
  }
  for (const id of ids) if (store.delete(id, j)) r.success.push(id);
}

/** String(500) columns and the 32-bit Integer port, as a PostgreSQL metadata database enforces them. */
export function checkColumnLimits(c: Partial<NewConnection>): void {
  for (const k of ["conn_type", "host", "schema"] as const) {
    const v = c[k];
    if (typeof v === "string" && [...v].length > 500) throw new InternalServerError(`value too long for ${k}`);
  }
  if (typeof c.port === "number" && (c.port > 2147483647 || c.port < -2147483648))
    throw new InternalServerError("integer out of range");
}

/**
 * Connection types whose hooks the fake "has installed": the conn_types of the providers in the
 * apache/airflow:3.2.1 image (plus sqlite), and those of its hook_meta catalog (hookMetaTypes(): kafka, mongo and the
 * made-up acme_crm). Anything else -> `Unknown hook type "x"`.
 */
export const KNOWN_CONN_TYPES = new Set([
  "aws",
  "emr",
  "redshift",
  "athena",
  "postgres",
  "mysql",
  "sqlite",
  "http",
  "ftp",
  "ftps",
  "sftp",
  "ssh",
  "google_cloud_platform",
  "gcpbigquery",
  "gcpcloudsql",
  "azure",
  "wasb",
  "adls",
  "azure_data_lake",
  "azure_cosmos",
  "azure_data_explorer",
  "azure_batch",
  "docker",
  "elasticsearch",
  "grpc",
  "vault",
  "odbc",
  "redis",
  "slack",
  "slackwebhook",
  "smtp",
  "snowflake",
  "fs",
  "kubernetes",
  "git",
  "imap",
  "mssql",
  "oracle",
  "trino",
  "databricks",
]);

export const UNREACHABLE_HOST = "unreachable.invalid";
/** A host whose simulated hook never returns: a test on a worker stays `running` until the scheduler's timeout. */
export const HANGING_HOST = "hang.invalid";

/** The connection a test runs against: the body merged into the stored connection of that id (PATCH rules, no mask). */
export function connectionUnderTest(store: Store, body: ConnectionBody, m: Masker = MASKER_32): NewConnection {
  const existing = store.get(body.connection_id);
  if (!existing) return fromBody(body);
  return columnsOf({ ...existing, ...updateFields(existing, body, null, m) });
}

/** POST /connections/test when enabled: merge with the stored connection, then a simulated hook test. */
export function testConnection(
  store: Store,
  body: ConnectionBody,
  m: Masker = MASKER_32,
): { status: boolean; message: string } {
  return hookTest(connectionUnderTest(store, body, m));
}

/** The simulated provider hook's test_connection (the same for /test and for a test on a worker). */
export function hookTest(conn: NewConnection): { status: boolean; message: string } {
  if (!KNOWN_CONN_TYPES.has(conn.conn_type) && !hookMetaTypes().has(conn.conn_type))
    return { status: false, message: `Unknown hook type "${conn.conn_type}"` };
  if (conn.host === UNREACHABLE_HOST) {
    const port = conn.port ?? 0;
    return {
      status: false,
      message: `[Errno 111] Connection refused: could not connect to ${UNREACHABLE_HOST}${port ? `:${port}` : ""}`,
    };
  }
  if (conn.host === HANGING_HOST) {
    return { status: false, message: `[Errno 110] Connection timed out: could not connect to ${HANGING_HOST}` };
  }
  if (conn.password === REPLACEMENT) {
    return { status: false, message: `password authentication failed for user "${conn.login ?? ""}"` };
  }
  return { status: true, message: "Connection successfully tested" };
}
