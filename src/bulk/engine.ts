// The write engine shared by bulk, import and apply: chunked bulk requests with bounded concurrency, results
// mapped back to ids (the server answers 200 even when actions fail, naming ids in Python set literals), and the
// "***" rule: a redacted secret means "keep what the server has", never a new value.
import type { AirflowApi } from "../api/client.js";
import { ApiError, AirconnError, NetworkError } from "../errors.js";
import type { BulkActionResponse, BulkResponse, ConnectionBody, ConnectionResponse } from "../api/types.js";
import { REDACTED } from "../connection/model.js";
import type { Report } from "../output/report.js";
import { pyDumps, pyLoads } from "../util/pyjson.js";
import { runPool } from "../util/pool.js";
import { containsRedacted } from "../connection/secrets.js";
import { dropRedacted } from "../connection/keep.js";

export type CreateAction = {
  action: "create";
  entities: ConnectionBody[];
  action_on_existence?: "fail" | "skip" | "overwrite";
};
export type UpdateAction = {
  action: "update";
  entities: ConnectionBody[];
  update_mask?: string[] | null;
  action_on_non_existence?: "fail" | "skip";
};
export type DeleteAction = { action: "delete"; entities: string[]; action_on_non_existence?: "fail" | "skip" };
export type Action = CreateAction | UpdateAction | DeleteAction;

export { chunk, DEFAULT_CHUNK_SIZE } from "./chunk.js";
import { chunk, DEFAULT_CHUNK_SIZE } from "./chunk.js";

/** Ids named in an Airflow bulk error text: "The connections with these connection_ids: {'a', 'b'} already exist." */
export function idsInBulkError(text: string): string[] | undefined {
  const m = /\{((?:\s*'(?:[^'\\]|\\.)*'\s*,?)+)\}/.exec(text);
  if (!m) return undefined;
  return [...m[1]!.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((x) => x[1]!.replace(/\\(.)/g, "$1"));
}

const idOf = (e: ConnectionBody | string): string => (typeof e === "string" ? e : e.connection_id);
const pastTense = { create: "created", update: "updated", delete: "deleted" } as const;

/** Every id the actions would send, with its action (a stopped run lists those it never sent: Report.stopped). */
export function plannedIds(actions: readonly Action[]): Array<{ id: string; action: string }> {
  return actions.flatMap((a) =>
    (a.entities as Array<ConnectionBody | string>).map((e) => ({ id: idOf(e), action: a.action })),
  );
}

/**
 * Runs the actions in order; an action's chunks go out in parallel (bounded). Every id sent lands in the report once.
 * Once `stop` fires (a signal, issue 19) no further request starts; those in flight finish and are recorded, and the
 * ids never sent are left out of the report (the command lists them as not attempted). A failed request is recorded
 * for its ids; one the run's policy calls fatal (isFatal: a token refused, a wrong URL) also starts no further
 * request and rejects with that error once those in flight are done (the command: Report.stoppedBy).
 */
export async function executeActions(
  api: AirflowApi,
  actions: Action[],
  o: {
    report: Report;
    chunkSize?: number;
    concurrency?: number;
    onChunk?: (done: number, total: number) => void;
    /** Ids known to exist before the request (to tell created from overwritten). */
    existing?: Set<string>;
    stop?: AbortSignal;
  },
): Promise<void> {
  const size = Math.max(1, o.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const chunks = actions.flatMap((a) =>
    chunk<ConnectionBody | string>(a.entities, size).map((entities) => ({ ...a, entities }) as Action),
  );
  let done = 0;
  // Chunks of one action run in parallel; the next action starts when the previous one is finished.
  for (let i = 0; i < chunks.length && !o.stop?.aborted; ) {
    const masked = maskedUpdate(chunks[i]!);
    if (masked) {
      // Servers ignore update_mask in bulk: these entities go as single PATCH requests, which honour it.
      await patchMasked(api, masked, o.report, o.concurrency ?? 4, o.stop);
      o.onChunk?.(++done, chunks.length);
      i++;
      continue;
    }
    let j = i;
    while (j < chunks.length && chunks[j]!.action === chunks[i]!.action && sameAction(chunks[j]!, chunks[i]!)) j++;
    await runPool(
      chunks.slice(i, j),
      o.concurrency ?? 4,
      async (c) => {
        await sendChunk(api, c, o.report, o.existing);
        o.onChunk?.(++done, chunks.length);
      },
      {
        signal: o.stop,
        failed: (e, c) => {
          recordFailure(o.report, (c.entities as Array<ConnectionBody | string>).map(idOf), c.action, e);
          o.onChunk?.(++done, chunks.length);
        },
      },
    );
    i = j;
  }
}

// ---- update actions with update_mask ---------------------------------------------------------------------------
// Every released Airflow (3.0 to 3.3.x) accepts update_mask in a bulk update and ignores it: each field present in
// an entity is written, conn_type included (api-behaviour.md §4). A single PATCH /connections/{id}?update_mask=...
// honours the mask, so an update action with a mask is sent that way: the result is what the file says.

/** The update action when it carries a non-empty update_mask (an empty or null mask means "no mask", as in PATCH). */
export function maskedUpdate(a: Action): (UpdateAction & { update_mask: string[] }) | undefined {
  return a.action === "update" && Array.isArray(a.update_mask) && a.update_mask.length > 0
    ? (a as UpdateAction & { update_mask: string[] })
    : undefined;
}

/** The single requests a masked update action becomes: one PATCH per entity, in file order. */
export function maskedRequests(
  a: UpdateAction & { update_mask: string[] },
): Array<{ method: "PATCH"; path: string; body: ConnectionBody }> {
  const query = a.update_mask.map((m) => `update_mask=${encodeURIComponent(m)}`).join("&");
  return a.entities.map((e) => ({
    method: "PATCH" as const,
    path: `/api/v2/connections/${encodeURIComponent(e.connection_id)}?${query}`,
    body: e,
  }));
}

async function patchMasked(
  api: AirflowApi,
  a: UpdateAction & { update_mask: string[] },
  report: Report,
  concurrency: number,
  stop?: AbortSignal,
): Promise<void> {
  const ids = a.entities.map((e) => e.connection_id);
  if ((a.action_on_non_existence ?? "fail") === "fail") {
    // A bulk action with "fail" changes nothing when any id is missing: check first, as the server would.
    const found = await existingIds(api, ids, concurrency);
    if (stop?.aborted) return;
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) {
      for (const id of ids) {
        if (report.has(id)) continue;
        if (missing.includes(id)) report.fail(id, "update", `connection ${id} was not found`, 404);
        else report.fail(id, "update", "not updated: other ids of this update action were not found", null);
      }
      return;
    }
  }
  await runPool(
    a.entities,
    concurrency,
    async (e) => {
      await api.patch(e.connection_id, e, a.update_mask);
      report.ok(e.connection_id, "updated", "update");
    },
    {
      signal: stop,
      failed: (err, e) => {
        const status = err instanceof ApiError ? err.status : null;
        if (status === 404 && a.action_on_non_existence === "skip") report.ok(e.connection_id, "skipped", "update");
        else if (status === 404)
          report.fail(e.connection_id, "update", `connection ${e.connection_id} was not found`, 404);
        else recordFailure(report, [e.connection_id], "update", err);
      },
    },
  );
}

// Chunks that came from the same action object share its options; a new action object starts a new group.
const sameAction = (a: Action, b: Action) =>
  JSON.stringify({ ...a, entities: 0 }) === JSON.stringify({ ...b, entities: 0 });

/** Network errors raised before a connection was made: the request cannot have been applied. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

/** A failed write's message; for a network error, whether the request can have been applied. */
function failureText(e: AirconnError): string {
  if (!(e instanceof NetworkError)) return e.message;
  return `${e.message} (${NOT_CONNECTED.has(e.causeCode ?? "") ? "not applied: the request never reached the server" : "the request may or may not have been applied"})`;
}

/** A request that failed, for each of its ids not yet in the report (a bug or an abort has no per-id outcome). */
function recordFailure(report: Report, ids: string[], action: string, e: unknown): void {
  if (!(e instanceof AirconnError)) return;
  const status = e instanceof ApiError ? e.status : null;
  for (const id of ids) if (!report.has(id)) report.fail(id, action, failureText(e), status);
}

async function sendChunk(api: AirflowApi, action: Action, report: Report, existing?: Set<string>): Promise<void> {
  const ids = (action.entities as Array<ConnectionBody | string>).map(idOf);
  const res: BulkResponse = await api.bulk({ actions: [action] } as never);
  recordResult(action, ids, res[action.action] ?? { success: [], errors: [] }, report, existing);
}

export function recordResult(
  action: Action,
  ids: string[],
  r: BulkActionResponse,
  report: Report,
  existing?: Set<string>,
): void {
  const inChunk = new Set(ids);
  const done = new Set((r.success ?? []).map(String));
  for (const id of ids) {
    if (!done.has(id)) continue;
    const outcome = action.action === "create" && existing?.has(id) ? "updated" : pastTense[action.action];
    report.ok(id, outcome, action.action);
  }
  const errors = (r.errors ?? []) as Array<{ error?: unknown; status_code?: unknown }>;
  let general: { error: string; status: number | null } | undefined;
  for (const err of errors) {
    const text = String(err.error ?? JSON.stringify(err));
    const status = typeof err.status_code === "number" ? err.status_code : null;
    const named = idsInBulkError(text)?.filter((id) => inChunk.has(id));
    if (named?.length) {
      for (const id of named) if (!report.has(id)) report.fail(id, action.action, errorFor(text, id), status);
    } else {
      general ??= { error: text, status };
    }
  }
  const mode =
    action.action === "create" ? (action.action_on_existence ?? "fail") : (action.action_on_non_existence ?? "fail");
  for (const id of ids) {
    if (report.has(id)) continue;
    if (general) report.fail(id, action.action, general.error, general.status);
    else if (errors.length && mode === "fail") {
      report.fail(
        id,
        action.action,
        `not ${pastTense[action.action]}: the server rejected the whole request because of other ids in it`,
        null,
      );
    } else if (mode === "skip") report.ok(id, "skipped", action.action);
    else report.fail(id, action.action, "the server did not report this id", null);
  }
}

function errorFor(text: string, id: string): string {
  if (/already exist/.test(text)) return `connection ${id} already exists`;
  if (/were not found|not found/.test(text)) return `connection ${id} was not found`;
  return text;
}

// ---- "***": keep what the server has ----------------------------------------------------------------------

/** True when the password or any value in extra is the redaction marker. */
export function hasRedacted(body: ConnectionBody): boolean {
  if (body.password === REDACTED) return true;
  if (typeof body.extra === "string" && body.extra.includes(REDACTED)) {
    try {
      return containsRedacted(pyLoads(body.extra));
    } catch {
      return false;
    }
  }
  return false;
}

/** For a connection that does not exist yet: drop the password and extra values that are only "***". */
export function withoutRedacted(body: ConnectionBody): ConnectionBody {
  const out = { ...body };
  if (out.password === REDACTED) out.password = null;
  if (typeof out.extra === "string" && out.extra.includes(REDACTED)) {
    try {
      const v = pyLoads(out.extra);
      out.extra = pyDumps(dropRedacted(v) ?? new Map());
    } catch {
      /* not JSON: left as is */
    }
  }
  return out;
}

/** A full body for "overwrite" through update semantics: every field present, absent ones null. */
export function overwriteBody(body: ConnectionBody): ConnectionBody {
  return {
    connection_id: body.connection_id,
    conn_type: body.conn_type,
    description: body.description ?? null,
    host: body.host ?? null,
    login: body.login ?? null,
    schema: body.schema ?? null,
    port: body.port ?? null,
    password: body.password ?? null,
    extra: body.extra ?? null,
    // team_name only when the file gives one: a server without multi-team mode rejects any team_name (422).
    ...(body.team_name !== undefined && body.team_name !== null ? { team_name: body.team_name } : {}),
  };
}

/**
 * A body without `team_name: null`: for a new connection a null team is the same as none, and a server without
 * multi-team mode rejects the key (422), so it is sent only when the user gives a team.
 */
export function withoutNullTeam(body: ConnectionBody): ConnectionBody {
  if (body.team_name !== null) return body;
  const { team_name: _drop, ...rest } = body;
  return rest as ConnectionBody;
}

/** Which of these ids exist on the server: one GET per id for a few, the full id list for many. */
export async function existingIds(api: AirflowApi, ids: string[], concurrency = 8): Promise<Set<string>> {
  return new Set((await storedConnections(api, ids, concurrency)).keys());
}

/**
 * The connections of these ids the server holds, as it shows them (secrets as "***"): one GET per id for a few, the
 * full list for many. What a "***" may be sent for is decided against them (connection/keep.ts).
 */
export async function storedConnections(
  api: AirflowApi,
  ids: string[],
  concurrency = 8,
): Promise<Map<string, ConnectionResponse>> {
  const found = new Map<string, ConnectionResponse>();
  if (ids.length <= 50) {
    await runPool(ids, concurrency, async (id) => {
      try {
        found.set(id, await api.get(id));
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      }
    });
    return found;
  }
  const want = new Set(ids);
  for await (const page of api.pages({ concurrency }))
    for (const c of page) if (want.has(c.connection_id)) found.set(c.connection_id, c);
  return found;
}
