// Airflow 3.3 connection tests on a worker: POST /connections/enqueue-test, then GET it with the
// Airflow-Connection-Test-Token header until the state is success or failed. Shared by `test` and `create --test-first`.
import type { Command } from "commander";
import type { AirflowApi } from "../api/client.js";
import type { Deps } from "../deps.js";
import { AirconnError, ApiError, CancelledError, EXIT, oneLine, UsageError } from "../errors.js";
import {
  TERMINAL_TEST_STATES, type AsyncConnectionTestResponse, type ConnectionBody, type ConnectionResponse,
  type ConnectionTestRequestBody, type ConnectionTestState,
} from "../api/types.js";
import { REDACTED } from "../connection/model.js";
import { isAirflow33 } from "./common.js";
import { pyDumps, pyLoads, type PyValue } from "../util/pyjson.js";

export const DEFAULT_WAIT_S = 90; // the scheduler fails a test after 60 s ([scheduler] connection_test_timeout), plus grace
export const FIRST_POLL_MS = 500;
export const MAX_POLL_MS = 2000;
/** The server runs at most 4 tests at once ([scheduler] max_connection_test_concurrency). */
export const WORKER_CONCURRENCY = 4;

export const TEST_DISABLED_HINT = "testing is off on the Airflow server: set AIRFLOW__CORE__TEST_CONNECTION=Enabled there (or [core] test_connection = Enabled)";
const DISABLED_RE = /test(ing)? connections? is disabled/i;

/** --wait's parser: seconds, more than 0, at most a day. */
export const waitArg = (v: string): number => {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0) || n > 86400) throw new UsageError(`--wait takes seconds (more than 0, at most 86400), got "${v}"`);
  return n;
};

/** The flags of a test on a worker, as a command's run gets them. */
export interface WorkerFlags {
  executor?: string;
  queue?: string;
  /** Seconds to wait for the result. */
  wait?: number;
}

/**
 * Adds --executor, --queue and --wait (seconds, parsed by waitArg): one definition for `test --on-worker` and
 * `create --test-first`. `when` starts each description ("with --on-worker"); `waitWhen` that of --wait.
 */
export function addWorkerOptions(cmd: Command, when: string, waitWhen = when): Command {
  return cmd
    .option("--executor <name>", `${when}: the executor to run the test (default: the server's)`)
    .option("--queue <name>", `${when}: the queue to run the test on`)
    .option("--wait <seconds>", `${waitWhen}: how long to wait for the result (default ${DEFAULT_WAIT_S})`, waitArg);
}

/** Which of --executor, --queue, --wait were given, in that order. */
export const workerFlagsGiven = (o: WorkerFlags): string[] =>
  [o.executor !== undefined && "--executor", o.queue !== undefined && "--queue", o.wait !== undefined && "--wait"].filter((f): f is string => f !== false);

/** A usage error when worker flags are given without the flag that makes the test run on a worker. */
export function refuseWorkerFlagsWithout(given: string[], needs: string, hint?: string): void {
  if (given.length) throw new UsageError(`${given.join(", ")} ${given.length === 1 ? "needs" : "need"} ${needs}`, hint);
}

export const isTestsDisabled = (e: unknown): boolean => e instanceof ApiError && e.status === 403 && DISABLED_RE.test(e.detail);

/** The server's 403 "testing is disabled" as airconn reports it: exit 1 (the test did not pass), with the setting as hint. */
export function testsDisabledError(e: ApiError): AirconnError {
  return new AirconnError(e.detail, EXIT.FAILURE, TEST_DISABLED_HINT);
}

/**
 * Refuses --on-worker (and friends) against a server that says it is older than 3.3, before any request to
 * /connections/enqueue-test. An unknown version goes ahead: the server's 405 then says the same (enqueueError).
 */
export async function requireWorkerTests(d: Deps, what = "--on-worker", hint = `${ON_API_SERVER_HINT}: AIRFLOW__CORE__TEST_CONNECTION=Enabled must be set there`): Promise<void> {
  const v = await d.serverVersion();
  if (v && !isAirflow33(v)) {
    throw new UsageError(`${what}: tests on a worker need Airflow 3.3 or later, and ${d.settings().apiUrl.value} runs Airflow ${v.version}`, hint);
  }
}

const ON_API_SERVER_HINT = "test on the API server instead (without --on-worker)";

/** Errors of POST /connections/enqueue-test as clear messages with the contract's exit codes. */
export function enqueueError(e: unknown, id: string, olderServerHint = ON_API_SERVER_HINT): unknown {
  if (!(e instanceof ApiError)) return e;
  if (isTestsDisabled(e)) return testsDisabledError(e as ApiError);
  if (e.status === 405) {
    return new UsageError(`the server has no /connections/enqueue-test (405): tests on a worker need Airflow 3.3 or later`, olderServerHint);
  }
  if (e.status === 409) {
    return new AirconnError(`a test of ${id} is already running on the server: ${e.detail}`, EXIT.CONFLICT,
      "wait for it to finish (the server fails a test after 60 s), then try again");
  }
  if (e.status === 422) return new AirconnError(e.detail, EXIT.USAGE, /executor/i.test(e.detail) ? "pick one of the configured executors with --executor, or leave it out" : undefined);
  return e;
}

/**
 * The body of a worker test of a stored connection: its fields as the server shows them, without the secrets.
 * The API shows secrets as "***", and a worker test uses the body as it is (unlike POST /connections/test, which
 * fills "***" in from the stored connection), so "***" would be tested, or with commit_on_success stored, literally.
 * Returns which secrets were left out.
 */
/**
 * A stored connection as the body of a test on the API server: every field as the server shows it; the server
 * merges the "***" values with the stored secrets for the test and never stores them.
 */
export function storedTestBody(stored: ConnectionResponse): ConnectionBody {
  const body: ConnectionBody = { connection_id: stored.connection_id, conn_type: stored.conn_type };
  for (const k of ["description", "host", "login", "schema", "port", "password", "extra", "team_name"] as const) {
    if (stored[k] !== undefined && stored[k] !== null) (body as unknown as Record<string, unknown>)[k] = stored[k];
  }
  return body;
}

export function storedWorkerBody(stored: ConnectionResponse): { body: ConnectionBody; omitted: string[] } {
  const body: ConnectionBody = { connection_id: stored.connection_id, conn_type: stored.conn_type };
  const omitted: string[] = [];
  for (const k of ["description", "host", "login", "schema", "port", "team_name"] as const) {
    if (stored[k] !== undefined && stored[k] !== null) (body as unknown as Record<string, unknown>)[k] = stored[k];
  }
  if (stored.password === REDACTED) omitted.push("password");
  else if (stored.password) body.password = stored.password;
  if (typeof stored.extra === "string" && stored.extra !== "") {
    if (!stored.extra.includes(REDACTED)) body.extra = stored.extra;
    else {
      try {
        const paths: string[] = [];
        const kept = dropRedacted(pyLoads(stored.extra), "extra", paths);
        omitted.push(...paths);
        body.extra = pyDumps(kept ?? new Map());
      } catch {
        body.extra = stored.extra; // not JSON: no structure to take "***" out of; the server keeps it as text
      }
    }
  }
  return { body, omitted };
}

function dropRedacted(v: PyValue, path: string, paths: string[]): PyValue | undefined {
  if (v === REDACTED) { paths.push(path); return undefined; }
  if (Array.isArray(v)) return v.map((x, i) => dropRedacted(x, `${path}[${i}]`, paths)).filter((x) => x !== undefined) as PyValue[];
  if (v instanceof Map) {
    const m = new Map<string, PyValue>();
    for (const [k, x] of v) { const y = dropRedacted(x, `${path}.${k}`, paths); if (y !== undefined) m.set(k, y); }
    return m;
  }
  return v;
}

export interface WorkerOptions {
  executor?: string;
  queue?: string;
  commitOnSuccess?: boolean;
  /** The hint when the server has no enqueue-test (405): how to do without a worker. */
  olderServerHint?: string;
}

/** POST /connections/enqueue-test; errors become the messages of enqueueError. */
export async function enqueue(api: AirflowApi, body: ConnectionBody, o: WorkerOptions): Promise<{ token: string; state: ConnectionTestState }> {
  const req: ConnectionTestRequestBody = { ...body };
  if (o.commitOnSuccess) req.commit_on_success = true;
  if (o.executor !== undefined) req.executor = o.executor;
  if (o.queue !== undefined) req.queue = o.queue;
  try {
    const r = await api.enqueueTest(req);
    return { token: r.token, state: r.state };
  } catch (e) {
    throw enqueueError(e, body.connection_id, o.olderServerHint);
  }
}

export type PollOutcome =
  | { done: true; result: AsyncConnectionTestResponse }
  | { done: false; state: ConnectionTestState; token: string; connection_id: string };

/**
 * Polls until the test ends or `waitMs` runs out, waiting 0.5 s, then 1.5 times longer each time up to 2 s.
 * `onState` hears every state change (including the first). Ctrl-C rejects with a CancelledError naming the token
 * (`goesOn` adds what else the server does when the test ends, e.g. ", which creates X if it passes").
 */
export async function poll(d: Deps, api: AirflowApi, token: string, o: { connectionId?: string; state?: ConnectionTestState; waitMs: number; onState?: (s: ConnectionTestState) => void; goesOn?: string }): Promise<PollOutcome> {
  const deadline = d.now() + o.waitMs;
  let delay = FIRST_POLL_MS;
  let last: ConnectionTestState | undefined = o.state;
  let id = o.connectionId ?? "";
  if (last) o.onState?.(last);
  try {
    for (;;) {
      const left = deadline - d.now();
      if (left <= 0) return { done: false, state: last ?? "pending", token, connection_id: id };
      await d.sleep(Math.min(delay, left));
      const r = await api.pollTest(token);
      id = r.connection_id ?? id;
      if (r.state !== last) { last = r.state; o.onState?.(r.state); }
      if (TERMINAL_TEST_STATES.includes(r.state)) return { done: true, result: r };
      delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
    }
  } catch (e) {
    if (d.signal.aborted) {
      throw new CancelledError(`interrupted; the test${id ? ` of ${id}` : ""} goes on on the server${o.goesOn ?? ""}: see its result with \`airconn test --poll ${token}\``);
    }
    throw e;
  }
}

/** A spinner on stderr (a terminal only) showing a label and the state; `-v` prints each state change instead. */
export function stateReporter(d: Deps, label: string): { onState: (s: ConnectionTestState) => void; stop: () => void } {
  if (d.globals.verbose) return { onState: (s) => d.io.err(`* ${label}: ${s}\n`), stop: () => {} };
  if (!d.io.stderrIsTTY) return { onState: () => {}, stop: () => {} };
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let state = "pending", i = 0;
  const started = d.now();
  const draw = () => d.io.err(`\r\x1b[K${frames[i++ % frames.length]} ${label}: ${state} (${Math.round((d.now() - started) / 1000)} s)`);
  draw();
  const timer = setInterval(draw, 120);
  timer.unref?.();
  return {
    onState: (s) => { state = s; draw(); },
    stop: () => { clearInterval(timer); d.io.err("\r\x1b[K"); },
  };
}


export const resultMessage = (r: AsyncConnectionTestResponse): string =>
  oneLine(r.result_message ?? (r.state === "success" ? "the test passed" : "the test failed"));

export const resumeHint = (token: string) => `see its result later with: airconn test --poll ${token}`;

export interface WorkerResult { connection_id: string; token: string; state: string; status: boolean | null; message: string }

/**
 * One worker test, start to end, with a spinner (terminal) or state lines (-v): enqueue, then poll until it ends or
 * `waitMs` runs out (status null then). Used by `test --on-worker` and `create --test-first` (commitOnSuccess).
 */
export async function workerTest(d: Deps, api: AirflowApi, body: ConnectionBody, o: WorkerOptions & { waitMs: number; goesOn?: string }): Promise<WorkerResult> {
  const q = await enqueue(api, body, o);
  const rep = stateReporter(d, body.connection_id);
  try {
    const r = await poll(d, api, q.token, { connectionId: body.connection_id, state: q.state, waitMs: o.waitMs, onState: rep.onState, goesOn: o.goesOn });
    return outcome(r.done ? r.result : undefined, q.token, body.connection_id, r.done ? undefined : r.state, o.waitMs);
  } finally {
    rep.stop();
  }
}

/** A poll's end as a WorkerResult: the worker's result, or (none yet) status null with the state and how long it waited. */
export function outcome(r: AsyncConnectionTestResponse | undefined, token: string, id: string, state: string | undefined, waitMs: number): WorkerResult {
  if (r) return { connection_id: r.connection_id ?? id, token, state: r.state, status: r.state === "success", message: resultMessage(r) };
  return { connection_id: id, token, state: state ?? "pending", status: null, message: `no result after ${waitMs / 1000} s (state: ${state ?? "pending"})` };
}
