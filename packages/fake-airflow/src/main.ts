// CLI: npx tsx packages/fake-airflow/src/main.ts --port 8080 --seed 250 --latency 20 --test-connection Enabled ...
// Prints one JSON line {"url","token"} on stdout, a human line on stderr, and runs until SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { startFakeAirflow, type Faults, type FakeAirflowOptions } from "./index.js";
import { HOOK_META_MODES, isHookMetaMode } from "./model/hook-meta.js";
import { AIRFLOW_VERSIONS, isAirflowVersion } from "./model/versions.js";

const HELP = `Usage: tsx packages/fake-airflow/src/main.ts [options]
  --port N                 listen port (default 0 = a free port)
  --host ADDR              listen address (default 127.0.0.1)
  --seed N                 generate N connections conn_00001..
  --latency MS             delay before every /api/v2 and /auth answer
  --max-page-limit N       [api] maximum_page_limit (default 100)
  --test-connection MODE   Disabled (default), Enabled or Hidden
  --airflow-version V      3.0.6, 3.1.8, 3.2.1, 3.3.2 or 3.4.0 (default $AIRCONN_TEST_AIRFLOW_VERSION, else 3.2.1)
  --connection-test-ms MS  3.3: time a test on a worker takes, pending -> result (default 300)
  --connection-test-timeout-ms MS
                           3.3: an unfinished test this old is failed (default 90000)
  --max-connection-test-concurrency N
                           3.3: tests queued or running at once (default 4)
  --executor NAME          3.3: a configured executor (repeatable; default LocalExecutor)
  --multi-team             multi_team mode on (default off, as in Airflow: 3.3 refuses a team_name with a 422)
  --hook-meta MODE         GET /ui/connections/hook_meta: ok (default, the catalog), forbidden (403),
                           missing (404, no such route) or old-shape (an older service's entries)
  --user NAME:PASSWORD     a user (repeatable; default admin:admin)
  --token-ttl SECONDS      lifetime of issued tokens (default 86400)
  --faults JSON            initial faults, e.g. '{"rate503":0.2,"retryAfter":1}'
  --no-record              do not keep the request log
`;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} needs a number, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      latency: { type: "string" },
      "max-page-limit": { type: "string" },
      "test-connection": { type: "string" },
      user: { type: "string", multiple: true },
      "token-ttl": { type: "string" },
      faults: { type: "string" },
      "airflow-version": { type: "string" },
      "connection-test-ms": { type: "string" },
      "connection-test-timeout-ms": { type: "string" },
      "max-connection-test-concurrency": { type: "string" },
      executor: { type: "string", multiple: true },
      "multi-team": { type: "boolean" },
      "hook-meta": { type: "string" },
      "no-record": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const mode = values["test-connection"];
  let testConnection: FakeAirflowOptions["testConnection"];
  if (mode !== undefined) {
    const m = mode.toLowerCase();
    if (m !== "disabled" && m !== "enabled" && m !== "hidden")
      throw new Error("--test-connection must be Disabled, Enabled or Hidden");
    testConnection = (m[0]!.toUpperCase() + m.slice(1)) as FakeAirflowOptions["testConnection"];
  }
  const version = values["airflow-version"];
  if (version !== undefined && !isAirflowVersion(version))
    throw new Error(`--airflow-version must be one of ${AIRFLOW_VERSIONS.join(", ")}, got ${version}`);
  const hookMeta = values["hook-meta"];
  if (hookMeta !== undefined && !isHookMetaMode(hookMeta))
    throw new Error(`--hook-meta must be one of ${HOOK_META_MODES.join(", ")}, got ${hookMeta}`);
  let users: Record<string, string> | undefined;
  if (values.user?.length) {
    users = {};
    for (const u of values.user) {
      const i = u.indexOf(":");
      if (i < 1) throw new Error(`--user needs NAME:PASSWORD, got ${u}`);
      users[u.slice(0, i)] = u.slice(i + 1);
    }
  }
  const fake = await startFakeAirflow({
    airflowVersion: version,
    connectionTestMs: num("connection-test-ms", values["connection-test-ms"]),
    connectionTestTimeoutMs: num("connection-test-timeout-ms", values["connection-test-timeout-ms"]),
    maxConnectionTestConcurrency: num("max-connection-test-concurrency", values["max-connection-test-concurrency"]),
    executors: values.executor?.length ? values.executor : undefined,
    multiTeam: values["multi-team"] === true,
    hookMeta,
    port: num("port", values.port),
    host: values.host,
    seed: num("seed", values.seed),
    latencyMs: num("latency", values.latency),
    maxPageLimit: num("max-page-limit", values["max-page-limit"]),
    testConnection,
    users,
    tokenTtlSeconds: num("token-ttl", values["token-ttl"]),
    faults: values.faults ? (JSON.parse(values.faults) as Faults) : undefined,
    record: !values["no-record"],
  });
  process.stdout.write(JSON.stringify({ url: fake.url, token: fake.adminToken }) + "\n");
  process.stderr.write(
    `fake Airflow ${fake.airflowVersion} API on ${fake.url} (${fake.all().length} connections, test_connection=${testConnection ?? "Disabled"}); Ctrl-C to stop\n`,
  );
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-airflow: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
