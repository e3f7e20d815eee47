// The local fake Airflow for an e2e file: started before its tests, closed after, with a config folder, a work
// folder for input files, the environment that points the CLI at it, and filters over the requests it recorded.
import { afterAll, beforeAll } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  startFakeAirflow,
  type FakeAirflow,
  type FakeAirflowOptions,
  type RecordedRequest,
} from "@airconn/fake-airflow";
import { runCli, tempDir, type CliResult, type RunOptions } from "./cli.js";

export interface FakeContext {
  readonly server: FakeAirflow;
  /** AIRCONN_API_URL, AIRCONN_TOKEN (admin) and AIRCONN_CONFIG_DIR for this server, plus the file's own variables. */
  readonly env: Record<string, string>;
  /** The config folder (AIRCONN_CONFIG_DIR) and a work folder for files. */
  readonly cfgDir: string;
  readonly workDir: string;
  /** Writes a file into the work folder; returns its path. */
  file(name: string, text: string): string;
  /** Runs the CLI (piped) with this environment (plus `o.env`). */
  run(args: string[], o?: Omit<RunOptions, "env"> & { env?: Record<string, string | undefined> }): Promise<CliResult>;
  /** Requests since index `from`. */
  since(from?: number): RecordedRequest[];
  /** Writes to the API (anything but GET under /api/v2) since `from`. */
  writes(from?: number): RecordedRequest[];
  /** Bulk requests (PATCH /api/v2/connections) since `from`. */
  bulkRequests(from?: number): RecordedRequest[];
}

/**
 * Starts a fake Airflow for the calling test file (beforeAll) and stops it with its folders (afterAll).
 * `env`: extra variables for every run (computed once the server is up, so they may use it).
 */
export function useFakeAirflow(
  opts: FakeAirflowOptions = {},
  o: {
    prefix?: string;
    env?: (server: FakeAirflow, dirs: { cfgDir: string; workDir: string }) => Record<string, string>;
  } = {},
): FakeContext {
  let server: FakeAirflow | undefined;
  let cfg: ReturnType<typeof tempDir> | undefined;
  let work: ReturnType<typeof tempDir> | undefined;
  let cache: ReturnType<typeof tempDir> | undefined;
  let env: Record<string, string> = {};
  beforeAll(async () => {
    server = await startFakeAirflow(opts);
    cfg = tempDir(o.prefix ? `${o.prefix}cfg-` : undefined);
    work = tempDir(o.prefix ?? "airconn-work-");
    // A cache folder of its own: the version and catalog caches are keyed by API URL, and a later server on the same
    // port (another test file, another Airflow version) must not read this one's.
    cache = tempDir("airconn-cache-");
    env = {
      AIRCONN_API_URL: server.url,
      AIRCONN_TOKEN: server.adminToken,
      AIRCONN_CONFIG_DIR: cfg.dir,
      XDG_CACHE_HOME: cache.dir,
      ...o.env?.(server, { cfgDir: cfg.dir, workDir: work.dir }),
    };
  });
  afterAll(async () => {
    await server?.close();
    cfg?.cleanup();
    work?.cleanup();
    cache?.cleanup();
  });
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("the fake Airflow is not started yet (use it inside a test or hook)");
    return v;
  };
  const ctx: FakeContext = {
    get server() {
      return need(server);
    },
    get env() {
      return env;
    },
    get cfgDir() {
      return need(cfg).dir;
    },
    get workDir() {
      return need(work).dir;
    },
    file: (name, text) => {
      const p = join(need(work).dir, name);
      writeFileSync(p, text);
      return p;
    },
    run: (args, ro = {}) => runCli(args, { ...ro, env: { ...env, ...ro.env } }),
    since: (from = 0) => need(server).requests.slice(from),
    writes: (from = 0) => ctx.since(from).filter((r) => r.method !== "GET" && r.path.startsWith("/api/v2")),
    bulkRequests: (from = 0) => ctx.since(from).filter((r) => r.method === "PATCH" && r.path === "/api/v2/connections"),
  };
  return ctx;
}
