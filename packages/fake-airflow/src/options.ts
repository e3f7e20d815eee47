// What a test or a script gives startFakeAirflow(), and the handle it gets back.
import type { HookMetaMode } from "./model/hook-meta.js";
import type { StoredConnection } from "./model/store.js";
import type { AirflowVersion } from "./model/versions.js";
import type { ConnectionTestRun } from "./model/worker-tests.js";
import type { Faults } from "./transport/faults.js";
import type { RecordedRequest } from "./transport/recording.js";

export interface FakeAirflowOptions {
  /**
   * The Airflow release to imitate (what /api/v2/version says, and 3.3's routes, prefix search and masking).
   * Default: $AIRCONN_TEST_AIRFLOW_VERSION, else "3.2.1".
   */
  airflowVersion?: AirflowVersion;
  /** 3.3: executors a test may name (`executor`); default ["LocalExecutor"] */
  executors?: string[];
  /** 3.3: [scheduler] max_connection_test_concurrency, default 4 */
  maxConnectionTestConcurrency?: number;
  /** 3.3: time an uncontended test on a worker takes from enqueue to its result (three equal phases), default 300 */
  connectionTestMs?: number;
  /** 3.3: connection_test_timeout + grace: an unfinished test this old is failed by the scheduler; default 90000 */
  connectionTestTimeoutMs?: number;
  /**
   * [core] multi_team, default false (Airflow's default). Off, 3.3 refuses a non-null team_name in ConnectionBody's
   * validator: a validation 422 list at the body on POST, PATCH and enqueue-test, and a 422 for a whole bulk request.
   * 3.2.1 stores any team_name either way (api-behaviour.md §8).
   */
  multiTeam?: boolean;
  /**
   * GET /ui/connections/hook_meta (every version): "ok" (default) the catalog of data/hook-meta.json; "forbidden" a
   * 403 {"detail": "Forbidden"} after the token check (no connection read permission); "missing" no such route, a
   * 404 {"detail": "Not Found"} before any token check (an older or locked-down server); "old-shape" the catalog as an
   * older service words it. Also setHookMeta() at run time.
   */
  hookMeta?: HookMetaMode;
  /** default 0 (a free port); host 127.0.0.1 */
  port?: number;
  host?: string;
  /** N generated connections conn_00001.. */
  seed?: number;
  /** artificial delay before every /api/v2, /auth and /ui answer */
  latencyMs?: number;
  /** [api] maximum_page_limit, default 100 */
  maxPageLimit?: number;
  /** [core] test_connection, default Disabled */
  testConnection?: "Disabled" | "Enabled" | "Hidden";
  /** simple auth manager users (username -> password), default { admin: "admin" } */
  users?: Record<string, string>;
  /** [api_auth] jwt_expiration_time, default 86400 */
  tokenTtlSeconds?: number;
  /** [api_auth] jwt_leeway; Airflow's default is 10, the fake's is 0 so that expired tokens fail at once */
  jwtLeewaySeconds?: number;
  faults?: Faults;
  /** record requests in `requests` (default true) */
  record?: boolean;
  /** keep at most this many recorded requests (default 200000) */
  recordLimit?: number;
  /**
   * Rows the metadata database holds at start (and again after reset()), stored as given, without the API's
   * validation (as the Airflow CLI or a database import would leave them); after the generated `seed` rows.
   */
  connections?: SeedConnection[];
  /**
   * 3.3 worker tests: time moves only when advanceClock(ms) is called (for tests with a fake clock), not with the
   * wall clock. Latency and token expiry keep the wall clock. Default false.
   */
  manualClock?: boolean;
  /**
   * Tests only: called for every request (after `latencyMs`, before faults and routing); a reply it returns is sent
   * instead of the server's own. For what the options and faults cannot script (a server that answers inconsistently).
   */
  intercept?: (req: RecordedRequest) => InterceptReply | undefined;
}

/** A stored row: connection_id and conn_type, other fields null unless given. */
export type SeedConnection = Partial<Omit<StoredConnection, "id">> & { connection_id: string; conn_type: string };

/** What `intercept` answers: `json` is sent as application/json, `text` as text/plain. */
export interface InterceptReply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface FakeAirflow {
  url: string;
  port: number;
  adminToken: string;
  /** the version this server imitates */
  airflowVersion: AirflowVersion;
  /** the words whose keys this version masks in `extra` (substring match on the lower-cased key) */
  sensitiveWords: readonly string[];
  requests: RecordedRequest[];
  /** 3.3: every enqueued connection test, oldest first, with the states it went through */
  connectionTests(): ConnectionTestRun[];
  stored(id: string): StoredConnection | undefined;
  all(): StoredConnection[];
  mintToken(opts?: { username?: string; expiresInSeconds?: number }): string;
  setFaults(f: Faults | undefined): void;
  /** what GET /ui/connections/hook_meta answers now (the `hookMeta` option, or the last setHookMeta) */
  readonly hookMeta: HookMetaMode;
  /** changes what GET /ui/connections/hook_meta answers, from the next request on; reset() keeps it, as it keeps faults */
  setHookMeta(mode: HookMetaMode): void;
  reset(opts?: { seed?: number }): void;
  /** manualClock: moves the 3.3 worker tests' time on by `ms` (every state change due on the way happens) */
  advanceClock(ms: number): void;
  close(): Promise<void>;
}
