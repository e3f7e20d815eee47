// Connection tests as the Airflow API runs them: on the API server (POST /connections/test) and, from Airflow 3.3, on
// a worker (POST /connections/enqueue-test, then GET it with the Airflow-Connection-Test-Token header until the state
// is success or failed). The protocol, its errors and the one poll loop, with the clock, the sleep, the signal and
// the reporter of states injected; the commands (`test`, `create --test-first`, `status`) keep flags and rendering.
// The bodies of stored connections (what "***" may go) are connection/keep.ts's.
import type { AirflowApi } from "./client.js";
import { AirconnError, ApiError, CancelledError, ConflictError, EXIT, oneLine, UsageError } from "../errors.js";
import {
  TERMINAL_TEST_STATES,
  type AsyncConnectionTestResponse,
  type ConnectionBody,
  type ConnectionTestRequestBody,
  type ConnectionTestResponse,
  type ConnectionTestState,
} from "./types.js";

export const DEFAULT_WAIT_S = 90; // the scheduler fails a test after 60 s ([scheduler] connection_test_timeout), plus grace
export const FIRST_POLL_MS = 500;
export const MAX_POLL_MS = 2000;
/** The server runs at most 4 tests at once ([scheduler] max_connection_test_concurrency). */
export const WORKER_CONCURRENCY = 4;

export const TEST_DISABLED_HINT =
  "testing is off on the Airflow server: set AIRFLOW__CORE__TEST_CONNECTION=Enabled there (or [core] test_connection = Enabled)";
export const ON_API_SERVER_HINT = "test on the API server instead (without --on-worker)";

/**
 * Airflow's 403 when [core] test_connection is not Enabled, on POST /connections/test and 3.3's enqueue-test
 * (api-behaviour.md §5): "Testing connections is disabled in Airflow configuration. Contact your deployment admin...".
 */
const TESTS_DISABLED = "Testing connections is disabled";
export const isTestsDisabled = (e: unknown): boolean =>
  e instanceof ApiError && e.status === 403 && e.detail.startsWith(TESTS_DISABLED);

/** The server's 403 "testing is disabled" as airconn reports it: exit 1 (the test did not pass), with the setting as hint. */
export class TestsDisabledError extends AirconnError {
  constructor(detail: string) {
    super(detail, EXIT.FAILURE, TEST_DISABLED_HINT);
  }
}

/**
 * Refuses a test on a worker against a server that says it is older than 3.3, before any request to
 * /connections/enqueue-test. An unknown version goes ahead: the server's 405 then says the same (enqueueError).
 * `what` is the flag that asked for it (--on-worker, --poll, --executor...).
 */
export async function requireWorkerTests(
  server: AirflowApi,
  what = "--on-worker",
  hint = `${ON_API_SERVER_HINT}: AIRFLOW__CORE__TEST_CONNECTION=Enabled must be set there`,
): Promise<void> {
  const { version, workerTests } = await server.capabilities();
  if (version && !workerTests) {
    throw new UsageError(
      `${what}: tests on a worker need Airflow 3.3 or later, and ${server.baseUrl} runs Airflow ${version.version}`,
      hint,
    );
  }
}

/** A test on the API server (POST /connections/test); testing disabled on the server is a TestsDisabledError. */
export async function testOnApiServer(api: AirflowApi, body: ConnectionBody): Promise<ConnectionTestResponse> {
  try {
    return await api.test(body);
  } catch (e) {
    throw isTestsDisabled(e) ? new TestsDisabledError((e as ApiError).detail) : e;
  }
}

/** Errors of POST /connections/enqueue-test as clear messages with the contract's exit codes. */
export function enqueueError(e: unknown, id: string, olderServerHint = ON_API_SERVER_HINT): unknown {
  if (!(e instanceof ApiError)) return e;
  if (isTestsDisabled(e)) return new TestsDisabledError(e.detail);
  if (e.status === 405) {
    return new UsageError(
      `the server has no /connections/enqueue-test (405): tests on a worker need Airflow 3.3 or later`,
      olderServerHint,
    );
  }
  if (e.status === 409) {
    return new ConflictError(
      `a test of ${id} is already running on the server: ${e.detail}`,
      "wait for it to finish (the server fails a test after 60 s), then try again",
    );
  }
  if (e.status === 422)
    return new UsageError(
      e.detail,
      /executor/i.test(e.detail) ? "pick one of the configured executors with --executor, or leave it out" : undefined,
    );
  return e;
}

export interface EnqueueOptions {
  executor?: string;
  queue?: string;
  commitOnSuccess?: boolean;
  /** The hint when the server has no enqueue-test (405): how to do without a worker. */
  olderServerHint?: string;
}

/** POST /connections/enqueue-test; errors become the messages of enqueueError. */
export async function enqueue(
  api: AirflowApi,
  body: ConnectionBody,
  o: EnqueueOptions,
): Promise<{ token: string; state: ConnectionTestState }> {
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

/** What waiting for a test needs from its run: the clock, a sleep, and the signal (Ctrl-C). A command's Deps has them. */
export interface TestClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  signal: AbortSignal;
}

/** Hears the states of a test on a worker while it is awaited (a spinner, -v lines); stopped when the waiting ends. */
export interface TestReporter {
  onState(state: ConnectionTestState): void;
  stop(): void;
}

export interface AwaitOptions {
  /** The connection tested, when known (the poll's answers name it too). */
  connectionId?: string;
  /** The state the test had when it was enqueued. */
  state?: ConnectionTestState;
  waitMs: number;
  /** Made when the waiting starts: it hears every state change, the first included. */
  reporter?: () => TestReporter;
  /** What else the server does when the test ends, for the Ctrl-C message (", which creates X if it passes"). */
  goesOn?: string;
}

/** The end of a test on a worker: its result, or (`status` null) none yet when the wait ran out, with the state then. */
export interface WorkerResult {
  connection_id: string;
  token: string;
  state: string;
  status: boolean | null;
  message: string;
}

export const resultMessage = (r: AsyncConnectionTestResponse): string =>
  oneLine(r.result_message ?? (r.state === "success" ? "the test passed" : "the test failed"));

export const resumeHint = (token: string) => `see its result later with: airconn test --poll ${token}`;

/**
 * The one poll loop: GET the test until it ends or `waitMs` runs out, waiting 0.5 s, then 1.5 times longer each time
 * up to 2 s. Ctrl-C rejects with a CancelledError naming the token to resume with.
 */
export async function awaitResult(
  clock: TestClock,
  api: AirflowApi,
  token: string,
  o: AwaitOptions,
): Promise<WorkerResult> {
  const deadline = clock.now() + o.waitMs;
  let delay = FIRST_POLL_MS;
  let last: ConnectionTestState | undefined = o.state;
  let id = o.connectionId ?? "";
  const rep = o.reporter?.();
  if (last) rep?.onState(last);
  try {
    for (;;) {
      const left = deadline - clock.now();
      if (left <= 0) {
        const state = last ?? "pending";
        return {
          connection_id: id,
          token,
          state,
          status: null,
          message: `no result after ${o.waitMs / 1000} s (state: ${state})`,
        };
      }
      await clock.sleep(Math.min(delay, left));
      const r = await api.pollTest(token);
      id = r.connection_id ?? id;
      if (r.state !== last) {
        last = r.state;
        rep?.onState(r.state);
      }
      if (TERMINAL_TEST_STATES.includes(r.state))
        return { connection_id: id, token, state: r.state, status: r.state === "success", message: resultMessage(r) };
      delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
    }
  } catch (e) {
    if (clock.signal.aborted) {
      throw new CancelledError(
        `interrupted; the test${id ? ` of ${id}` : ""} goes on on the server${o.goesOn ?? ""}: see its result with \`airconn test --poll ${token}\``,
      );
    }
    throw e;
  } finally {
    rep?.stop();
  }
}

/**
 * One test on a worker, start to end: enqueue, then await its result (status null when `waitMs` runs out). Used by
 * `test --on-worker` and `create --test-first` (commitOnSuccess).
 */
export async function workerTest(
  clock: TestClock,
  api: AirflowApi,
  body: ConnectionBody,
  o: EnqueueOptions & Omit<AwaitOptions, "connectionId" | "state">,
): Promise<WorkerResult> {
  const q = await enqueue(api, body, o);
  return awaitResult(clock, api, q.token, { ...o, connectionId: body.connection_id, state: q.state });
}
