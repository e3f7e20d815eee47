// The fake as Airflow 3.3.2 (api-behaviour.md §9) and what stays 3.2.1-only. Every test pins its version.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { client, mainRefuses, startMain, type Res } from "./helpers.js";
import { sensitiveWords } from "../src/model/redact.js";
import {
  HANGING_HOST,
  startFakeAirflow,
  UNREACHABLE_HOST,
  type FakeAirflow,
  type FakeAirflowOptions,
} from "../src/index.js";
import { prefixTerms } from "../src/model/patterns.js";
import { resolveVersion, VERSION_ENV } from "../src/model/versions.js";
import { timeoutMessage } from "../src/model/worker-tests.js";

const C = "/api/v2/connections";
const Q = `${C}/enqueue-test`;
const HDR = "Airflow-Connection-Test-Token";
const DISABLED =
  "Testing connections is disabled in Airflow configuration. Contact your deployment admin to enable it.";
const TEAM = "team_name cannot be set when multi_team mode is disabled. Please contact your administrator.";

const started: FakeAirflow[] = [];
async function start(o: FakeAirflowOptions) {
  const f = await startFakeAirflow(o);
  started.push(f);
  return { fake: f, call: client(f) };
}
afterAll(async () => {
  await Promise.all(started.map((f) => f.close()));
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until the test is terminal (bounded by a count, not by a clock assertion). */
async function pollUntilDone(call: ReturnType<typeof client>, token: string): Promise<{ states: string[]; last: Res }> {
  const states: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const r = await call("GET", Q, { headers: { [HDR]: token } });
    expect(r.status).toBe(200);
    if (states[states.length - 1] !== r.json.state) states.push(r.json.state);
    if (r.json.state === "success" || r.json.state === "failed") return { states, last: r };
    await sleep(10);
  }
  throw new Error("the test never finished");
}

describe("version", () => {
  it("/api/v2/version reports the option; the default is 3.2.1, or $AIRCONN_TEST_AIRFLOW_VERSION", async () => {
    for (const v of ["3.0.6", "3.1.8", "3.2.1", "3.3.2", "3.4.0"] as const) {
      const { fake, call } = await start({ airflowVersion: v });
      const r = await call("GET", "/api/v2/version", { token: null });
      expect([r.status, r.json]).toEqual([200, { version: v, git_version: `.release:${v}` }]);
      expect(fake.airflowVersion).toBe(v);
    }
    expect(resolveVersion(undefined, {})).toBe("3.2.1");
    expect(resolveVersion(undefined, { [VERSION_ENV]: "3.3.2" })).toBe("3.3.2");
    expect(resolveVersion("3.2.1", { [VERSION_ENV]: "3.3.2" })).toBe("3.2.1"); // an explicit pin wins
    expect(() => resolveVersion(undefined, { [VERSION_ENV]: "3.5.0" })).toThrow(
      /AIRCONN_TEST_AIRFLOW_VERSION must be one of 3\.0\.6, 3\.1\.8, 3\.2\.1, 3\.3\.2, 3\.4\.0, got "3\.5\.0"/,
    );
    expect(() => resolveVersion("2.10.0" as never, {})).toThrow(/airflowVersion must be/);
  });

  it("the sensitive-word list comes from one place, per version", async () => {
    const { fake: f32 } = await start({ airflowVersion: "3.2.1" });
    const { fake: f33 } = await start({ airflowVersion: "3.3.2" });
    const added = ["auth_header", "bearer", "dsn", "service_key", "webhook_url"];
    expect(f32.sensitiveWords).toEqual(sensitiveWords("3.2.1"));
    expect(f33.sensitiveWords).toEqual(sensitiveWords("3.3.2"));
    expect(f33.sensitiveWords).toEqual([...f32.sensitiveWords, ...added]);
    for (const w of added) expect(f32.sensitiveWords).not.toContain(w);
    // 3.0/3.1: without the four words 3.2.0 added; 3.4.0: the 3.3 list
    const since32 = ["access_key", "connection_string", "proxy", "proxies"];
    expect(sensitiveWords("3.1.8")).toEqual(f32.sensitiveWords.filter((w) => !since32.includes(w)));
    expect(sensitiveWords("3.0.6")).toEqual(sensitiveWords("3.1.8"));
    expect(sensitiveWords("3.4.0")).toEqual(f33.sensitiveWords);
  });
});

describe("3.2.1: the 3.3 paths behave as §9 says", () => {
  let fake: FakeAirflow;
  let call: ReturnType<typeof client>;
  beforeAll(
    async () => ({ fake, call } = await start({ airflowVersion: "3.2.1", testConnection: "Enabled", seed: 3 })),
  );

  it("POST enqueue-test -> 405, GET -> the connection named enqueue-test, prefix pattern ignored", async () => {
    let r = await call("POST", Q, { body: { connection_id: "a", conn_type: "http" } });
    expect([r.status, r.json.detail]).toEqual([405, "Method Not Allowed"]);
    r = await call("GET", Q, { headers: { [HDR]: "x" } });
    expect([r.status, r.json.detail]).toEqual([404, "The Connection with connection_id: `enqueue-test` was not found"]);
    r = await call("GET", `${C}?connection_id_prefix_pattern=zz-nothing`);
    expect(r.json.total_entries).toBe(3);
    expect(fake.connectionTests()).toEqual([]);
  });

  it("a connection named enqueue-test is readable by path on 3.2 (bulk create, then GET)", async () => {
    await call("PATCH", C, {
      body: { actions: [{ action: "create", entities: [{ connection_id: "enqueue-test", conn_type: "http" }] }] },
    });
    const r = await call("GET", Q);
    expect([r.status, r.json.connection_id]).toEqual([200, "enqueue-test"]);
  });
});

describe("3.3.2: POST /connections/enqueue-test", () => {
  let fake: FakeAirflow;
  let call: ReturnType<typeof client>;
  beforeAll(
    async () =>
      ({ fake, call } = await start({ airflowVersion: "3.3.2", testConnection: "Enabled", connectionTestMs: 60 })),
  );
  beforeEach(() => fake.reset());

  it("202 {token, connection_id, state: pending}; polling goes pending -> queued -> running -> success", async () => {
    const r = await call("POST", Q, { body: { connection_id: "good", conn_type: "postgres", host: "db" } });
    expect(r.status).toBe(202);
    expect(Object.keys(r.json)).toEqual(["token", "connection_id", "state"]);
    expect([r.json.connection_id, r.json.state]).toEqual(["good", "pending"]);
    expect(r.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { states, last } = await pollUntilDone(call, r.json.token);
    expect(Object.keys(last.json)).toEqual(["token", "connection_id", "state", "result_message", "created_at"]);
    expect(last.json).toMatchObject({
      token: r.json.token,
      connection_id: "good",
      state: "success",
      result_message: "Connection successfully tested",
    });
    expect(last.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(states[states.length - 1]).toBe("success"); // which states a poll sees depends on timing; the history does not
    expect(fake.connectionTests().map((t) => t.history.map((h) => h.state))).toEqual([
      ["pending", "queued", "running", "success"],
    ]);
    expect(fake.stored("good")).toBeUndefined(); // commit_on_success defaults to false
    // recorded like every request: one enqueue, polls, no synchronous test
    expect(fake.requests.filter((q) => q.method === "POST" && q.path === Q)).toHaveLength(1);
    expect(fake.requests.filter((q) => q.method === "GET" && q.path === Q).length).toBeGreaterThan(0);
    expect(fake.requests.filter((q) => q.path === `${C}/test`)).toHaveLength(0);
  });

  it("the result is the same simulated hook result /connections/test gives, for good and failing connections", async () => {
    const bodies = [
      { connection_id: "ok", conn_type: "mysql", host: "db" },
      { connection_id: "refused", conn_type: "postgres", host: UNREACHABLE_HOST, port: 5432 },
      { connection_id: "nohook", conn_type: "no_such_type" },
    ];
    for (const b of bodies) {
      const sync = await call("POST", `${C}/test`, { body: b });
      const q = await call("POST", Q, { body: b });
      const { last } = await pollUntilDone(call, q.json.token);
      expect([last.json.state, last.json.result_message]).toEqual([
        sync.json.status ? "success" : "failed",
        sync.json.message,
      ]);
    }
    const refused = fake.connectionTests().find((t) => t.connection_id === "refused")!;
    expect(refused.result_message).toBe(
      `[Errno 111] Connection refused: could not connect to ${UNREACHABLE_HOST}:5432`,
    );
  });

  it('"***" uses the stored secret, like /test (merge with the stored connection at enqueue time)', async () => {
    await call("POST", C, { body: { connection_id: "s", conn_type: "postgres", login: "u", password: "real" } });
    let q = await call("POST", Q, { body: { connection_id: "s", conn_type: "postgres", password: "***" } });
    expect((await pollUntilDone(call, q.json.token)).last.json.state).toBe("success");
    q = await call("POST", Q, { body: { connection_id: "new", conn_type: "postgres", login: "u", password: "***" } });
    expect((await pollUntilDone(call, q.json.token)).last.json.result_message).toBe(
      'password authentication failed for user "u"',
    );
  });

  it("422 for the body first (strict, ConnectionTestRequestBody fields), then 403 when tests are not Enabled", async () => {
    let r = await call("POST", Q, { body: { connection_id: "a", conn_type: "http", bogus: 1 } });
    expect(r.json.detail.map((e: { type: string; loc: unknown }) => [e.type, e.loc])).toEqual([
      ["extra_forbidden", ["body", "bogus"]],
    ]);
    r = await call("POST", Q, {
      body: { connection_id: "a b", conn_type: "http", commit_on_success: "maybe", executor: 5, zz: 1 },
    });
    expect(r.json.detail.map((e: { type: string; loc: unknown }) => [e.type, e.loc])).toEqual([
      ["string_pattern_mismatch", ["body", "connection_id"]],
      ["bool_parsing", ["body", "commit_on_success"]],
      ["string_type", ["body", "executor"]],
      ["extra_forbidden", ["body", "zz"]],
    ]);
    r = await call("POST", Q, { raw: "", headers: { "content-type": "application/json" } });
    expect(r.json.detail).toEqual([{ type: "missing", loc: ["body"], msg: "Field required", input: null }]);
    for (const mode of ["Disabled", "Hidden"] as const) {
      const { call: c2 } = await start({ airflowVersion: "3.3.2", testConnection: mode });
      r = await c2("POST", Q, { body: { connection_id: "a", conn_type: "http", extra: "[1]" } });
      expect(r.status).toBe(422);
      r = await c2("POST", Q, { body: { connection_id: "a", conn_type: "http" } });
      expect([r.status, r.json]).toEqual([403, { detail: DISABLED }]);
    }
    r = await call("POST", Q, { body: { connection_id: "a", conn_type: "http" }, token: null });
    expect(r.status).toBe(401);
  });

  it("422 string detail for an executor that is not configured; configured ones and a queue are accepted", async () => {
    let r = await call("POST", Q, { body: { connection_id: "a", conn_type: "http", executor: "Nope" } });
    expect([r.status, r.json]).toEqual([
      422,
      { detail: "Executor 'Nope' is not configured. Configured executors: ['LocalExecutor']" },
    ]);
    r = await call("POST", Q, {
      body: { connection_id: "a", conn_type: "http", executor: "LocalExecutor", queue: "q1" },
    });
    expect(r.status).toBe(202);
    expect(fake.connectionTests()[0]).toMatchObject({ executor: "LocalExecutor", queue: "q1" });
    const { call: c2 } = await start({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      executors: ["CeleryExecutor", "KubernetesExecutor"],
    });
    r = await c2("POST", Q, { body: { connection_id: "a", conn_type: "http", executor: "LocalExecutor" } });
    expect(r.json.detail).toBe(
      "Executor 'LocalExecutor' is not configured. Configured executors: ['CeleryExecutor', 'KubernetesExecutor']",
    );
    r = await c2("POST", Q, { body: { connection_id: "a", conn_type: "http", executor: "KubernetesExecutor" } });
    expect(r.status).toBe(202);
  });

  it("409 while a test of that id is not finished; another id, or the same id afterwards, is accepted", async () => {
    const first = await call("POST", Q, { body: { connection_id: "dup", conn_type: "http" } });
    let r = await call("POST", Q, { body: { connection_id: "dup", conn_type: "http", host: "other" } });
    expect([r.status, r.json]).toEqual([
      409,
      { detail: "An active connection test already exists for connection_id `dup`." },
    ]);
    expect((await call("POST", Q, { body: { connection_id: "dup2", conn_type: "http" } })).status).toBe(202);
    await pollUntilDone(call, first.json.token);
    r = await call("POST", Q, { body: { connection_id: "dup", conn_type: "http" } });
    expect(r.status).toBe(202);
  });

  it("commit_on_success: stores a new connection or updates the stored one on success; stores nothing on failure", async () => {
    let q = await call("POST", Q, {
      body: { connection_id: "keep", conn_type: "postgres", host: "db", password: "pw", commit_on_success: true },
    });
    await pollUntilDone(call, q.json.token);
    expect(fake.stored("keep")).toMatchObject({ conn_type: "postgres", host: "db", password: "pw" });
    q = await call("POST", Q, {
      body: { connection_id: "keep", conn_type: "postgres", host: "db2", password: "***", commit_on_success: true },
    });
    await pollUntilDone(call, q.json.token);
    expect(fake.stored("keep")).toMatchObject({ host: "db2", password: "pw" }); // "***" kept the stored password
    q = await call("POST", Q, {
      body: { connection_id: "keep", conn_type: "postgres", host: UNREACHABLE_HOST, commit_on_success: true },
    });
    expect((await pollUntilDone(call, q.json.token)).last.json.state).toBe("failed");
    expect(fake.stored("keep")!.host).toBe("db2");
    q = await call("POST", Q, {
      body: { connection_id: "bad", conn_type: "postgres", host: UNREACHABLE_HOST, commit_on_success: true },
    });
    expect((await pollUntilDone(call, q.json.token)).last.json.state).toBe("failed");
    expect(fake.stored("bad")).toBeUndefined();
    q = await call("POST", Q, { body: { connection_id: "nocommit", conn_type: "postgres", commit_on_success: false } });
    expect((await pollUntilDone(call, q.json.token)).last.json.state).toBe("success");
    expect(fake.stored("nocommit")).toBeUndefined();
  });
});

describe("3.3.2: GET /connections/enqueue-test", () => {
  let fake: FakeAirflow;
  let call: ReturnType<typeof client>;
  beforeAll(async () => ({ fake, call } = await start({ airflowVersion: "3.3.2", testConnection: "Enabled" })));

  it("422 without the header (after auth), 404 for an unknown token, 401 without a token", async () => {
    let r = await call("GET", Q);
    expect([r.status, r.json]).toEqual([
      422,
      { detail: [{ type: "missing", loc: ["header", HDR], msg: "Field required", input: null }] },
    ]);
    r = await call("GET", Q, { headers: { [HDR]: "no-such-token" } });
    expect([r.status, r.json]).toEqual([404, { detail: "No connection test found for token: `no-such-token`" }]);
    r = await call("GET", Q, { token: null });
    expect(r.status).toBe(401);
    // the header name is case-insensitive
    const q = await call("POST", Q, { body: { connection_id: "a", conn_type: "http" } });
    r = await call("GET", Q, { headers: { "airflow-connection-test-token": q.json.token } });
    expect([r.status, r.json.connection_id]).toEqual([200, "a"]);
  });

  it("on 3.3 a connection named enqueue-test cannot be read by path, but PATCH/DELETE still reach it; PUT -> 405", async () => {
    await call("PATCH", C, {
      body: { actions: [{ action: "create", entities: [{ connection_id: "enqueue-test", conn_type: "http" }] }] },
    });
    let r = await call("GET", Q);
    expect(r.status).toBe(422);
    r = await call("PATCH", Q, { body: { connection_id: "enqueue-test", conn_type: "http", host: "h" } });
    expect([r.status, r.json.host]).toEqual([200, "h"]);
    r = await call("PUT", Q, { body: {} });
    expect([r.status, r.headers.get("allow")]).toEqual([405, "GET, PATCH, DELETE, POST"]);
    r = await call("DELETE", Q);
    expect(r.status).toBe(204);
    expect(fake.stored("enqueue-test")).toBeUndefined();
  });
});

describe("3.3.2: the simulated scheduler", () => {
  it("runs at most maxConnectionTestConcurrency tests at once; the others wait (pending) and all finish", async () => {
    const { fake, call } = await start({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      connectionTestMs: 30,
      maxConnectionTestConcurrency: 2,
    });
    const tokens: string[] = [];
    for (let i = 0; i < 6; i++)
      tokens.push((await call("POST", Q, { body: { connection_id: `c${i}`, conn_type: "http" } })).json.token);
    for (const t of tokens) expect((await pollUntilDone(call, t)).last.json.state).toBe("success");
    // replay the logical clock: how many were queued or running at each step
    const events = fake.connectionTests().flatMap((t) => t.history.map((h) => ({ ...h })));
    let active = 0,
      peak = 0;
    for (const e of events.sort((a, b) => a.step - b.step)) {
      if (e.state === "queued") active++;
      if (e.state === "success" || e.state === "failed") active--;
      peak = Math.max(peak, active);
    }
    expect(peak).toBe(2);
    expect(
      fake.connectionTests().every((t) => t.history.map((h) => h.state).join() === "pending,queued,running,success"),
    ).toBe(true);
  });

  it("a test whose hook never returns is failed by the scheduler after the timeout; a commit does not happen", async () => {
    const { fake, call } = await start({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      connectionTestMs: 30,
      connectionTestTimeoutMs: 200,
    });
    const q = await call("POST", Q, {
      body: { connection_id: "stuck", conn_type: "http", host: HANGING_HOST, commit_on_success: true },
    });
    const { last } = await pollUntilDone(call, q.json.token);
    expect([last.json.state, last.json.result_message]).toEqual(["failed", timeoutMessage(200)]);
    expect(fake.connectionTests()[0]!.history.map((h) => h.state)).toEqual(["pending", "queued", "running", "failed"]);
    expect(fake.stored("stuck")).toBeUndefined();
    const sync = await call("POST", `${C}/test`, {
      body: { connection_id: "stuck", conn_type: "http", host: HANGING_HOST },
    });
    expect(sync.json).toEqual({
      status: false,
      message: `[Errno 110] Connection timed out: could not connect to ${HANGING_HOST}`,
    });
  });

  it("reset() and close() drop the tests and their timers", async () => {
    const { fake, call } = await start({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      connectionTestMs: 10_000,
    });
    const q = await call("POST", Q, { body: { connection_id: "a", conn_type: "http" } });
    fake.reset();
    expect(fake.connectionTests()).toEqual([]);
    expect((await call("GET", Q, { headers: { [HDR]: q.json.token } })).status).toBe(404);
  });
});

describe("connection_id_prefix_pattern", () => {
  const IDS = ["test_a", "testB", "Test_c", "tes", "t_y", "tzy", "prod.db", "prod-x", "s3_raw", "s3", "zeta"];
  let call: ReturnType<typeof client>;
  let call32: ReturnType<typeof client>;
  beforeAll(async () => {
    ({ call } = await start({ airflowVersion: "3.3.2" }));
    ({ call: call32 } = await start({ airflowVersion: "3.2.1" }));
    for (const c of [call, call32]) {
      const r = await c("PATCH", C, {
        body: {
          actions: [{ action: "create", entities: IDS.map((connection_id) => ({ connection_id, conn_type: "http" })) }],
        },
      });
      expect(r.json.create.errors).toEqual([]);
    }
  });
  const ids = async (q: string, c = call) => {
    const r = await c("GET", `${C}?${q}`);
    expect(r.json.total_entries).toBe(r.json.connections.length);
    return r.json.connections.map((x: { connection_id: string }) => x.connection_id);
  };
  const P = (p: string) => `connection_id_prefix_pattern=${encodeURIComponent(p)}`;

  it("is a case-sensitive prefix match, in the server's order", async () => {
    expect(await ids(P("test"))).toEqual(["test_a", "testB"]);
    expect(await ids(P("Test"))).toEqual(["Test_c"]);
    expect(await ids(P("prod"))).toEqual(["prod.db", "prod-x"]);
    expect(await ids(`${P("prod")}&order_by=-connection_id`)).toEqual(["prod.db", "prod-x"].sort().reverse());
    expect(await ids(P("nothing"))).toEqual([]);
  });

  it("'|' ORs terms (trimmed; empty terms dropped)", async () => {
    expect(await ids(P("zeta|Test"))).toEqual(["Test_c", "zeta"]);
    expect(await ids(P(" zeta | s3 "))).toEqual(["s3_raw", "s3", "zeta"]);
    expect(await ids(P("zeta||"))).toEqual(["zeta"]);
  });

  it("'~' alone matches all", async () => {
    expect(await ids(P("~"))).toHaveLength(11);
  });

  it("'%' and '_' are literal, not wildcards", async () => {
    expect(await ids(P("t_y"))).toEqual(["t_y"]); // not tzy
    expect(await ids(P("t%y"))).toEqual([]); // not t_y, tzy
    expect(await ids(P("te%"))).toEqual(["test_a", "testB", "tes"]); // trailing '%' is stripped, not a wildcard
  });

  it("trailing non-alphanumeric characters of each term are stripped", async () => {
    // "test_" -> "test", "s3://" -> "s3", "prod." -> "prod", "t%" -> "t"
    expect(await ids(P("test_"))).toEqual(["test_a", "testB"]);
    expect(await ids(P("s3://"))).toEqual(["s3_raw", "s3"]);
    expect(await ids(P("prod.|zeta-"))).toEqual(["prod.db", "prod-x", "zeta"]);
    expect(prefixTerms("t%")).toEqual(["t"]);
    expect(prefixTerms("t_y_")).toEqual(["t_y"]);
    expect(prefixTerms("~")).toBeNull();
    expect(prefixTerms("__|..")).toBeNull(); // nothing left: no filter
    expect(prefixTerms("café_")).toEqual(["café"]); // alphanumeric is Unicode-aware
  });

  it("ANDs with connection_id_pattern (case-insensitive contains)", async () => {
    expect(await ids(`${P("test|Test")}&connection_id_pattern=_c`)).toEqual(["Test_c"]);
    expect(await ids(`${P("prod")}&connection_id_pattern=DB`)).toEqual(["prod.db"]);
  });

  it("counts total_entries after the filter and pages within it", async () => {
    const r = await call("GET", `${C}?${P("t")}&limit=2&offset=1`);
    expect([r.json.total_entries, r.json.connections.map((x: { connection_id: string }) => x.connection_id)]).toEqual([
      5,
      ["testB", "tes"],
    ]);
  });

  it("connection_id_pattern: 3.3 drops an empty '|' term ('zeta|' is 'zeta'); 3.2.1 matches 'zeta|' literally", async () => {
    const CP = (p: string) => `connection_id_pattern=${encodeURIComponent(p)}`;
    expect(await ids(CP("zeta|"))).toEqual(["zeta"]);
    expect(await ids(CP("|zeta| "))).toEqual(["zeta"]);
    expect(await ids(CP("zeta|"), call32)).toEqual([]);
  });

  it("3.2.1 ignores it and returns everything", async () => {
    expect(await ids(P("test"), call32)).toHaveLength(11);
    expect(await ids(`${P("test")}&connection_id_pattern=prod`, call32)).toEqual(["prod.db", "prod-x"]);
  });
});

describe("redaction by version", () => {
  let call33: ReturnType<typeof client>;
  let call32: ReturnType<typeof client>;
  let fake33: FakeAirflow;
  beforeAll(async () => {
    ({ call: call33, fake: fake33 } = await start({ airflowVersion: "3.3.2" }));
    ({ call: call32 } = await start({ airflowVersion: "3.2.1" }));
  });
  const extraOf = async (c: ReturnType<typeof client>, id: string, extra: string) =>
    (await c("POST", C, { body: { connection_id: id, conn_type: "http", extra } })).json.extra;

  it("3.3 adds auth_header, bearer, dsn, service_key, webhook_url (substring, any case); 3.2.1 does not", async () => {
    const x =
      '{"sentry_dsn":"d","Slack_Webhook_URL":"w","bearer":"b","auth_header":"a","gcp_service_key":"s","keep":"k"}';
    expect(await extraOf(call33, "w", x)).toBe(
      '{"sentry_dsn": "***", "Slack_Webhook_URL": "***", "bearer": "***", "auth_header": "***", "gcp_service_key": "***", "keep": "k"}',
    );
    expect(await extraOf(call32, "w", x)).toBe(
      '{"sentry_dsn": "d", "Slack_Webhook_URL": "w", "bearer": "b", "auth_header": "a", "gcp_service_key": "s", "keep": "k"}',
    );
  });

  it("3.3 masks below depth 5 and inside lists of dicts; 3.2.1 stops at depth 5", async () => {
    const deep = '{"l1":{"l2":{"l3":{"l4":{"password":"x","l5":{"password":"y","l6":{"token":"z"}}}}}}}';
    expect(await extraOf(call33, "d", deep)).toBe(
      '{"l1": {"l2": {"l3": {"l4": {"password": "***", "l5": {"password": "***", "l6": {"token": "***"}}}}}}}',
    );
    expect(await extraOf(call32, "d", deep)).toBe(
      '{"l1": {"l2": {"l3": {"l4": {"password": "***", "l5": {"password": "y", "l6": {"token": "z"}}}}}}}',
    );
    const lists = '{"hosts":[{"name":"a","api_key":"k"},[{"secret":"s"}]],"bearer":["t",{"x":"y"}]}';
    expect(await extraOf(call33, "l", lists)).toBe(
      '{"hosts": [{"name": "a", "api_key": "***"}, [{"secret": "***"}]], "bearer": ["***", {"x": "***"}]}',
    );
  });

  it('3.3: PATCH merges "***" back at any depth and for the new words', async () => {
    const deep = '{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"password":"deep"}}}}}},"dsn":"secret-dsn"}';
    await call33("POST", C, { body: { connection_id: "m", conn_type: "http", extra: deep } });
    const got = (await call33("GET", `${C}/m`)).json.extra;
    const r = await call33("PATCH", `${C}/m`, { body: { connection_id: "m", conn_type: "http", extra: got } });
    expect(r.status).toBe(200);
    expect(got).toContain('"dsn": "***"');
    expect(JSON.parse(fake33.stored("m")!.extra!)).toEqual(JSON.parse(deep));
  });
});

describe("multi_team off (the default, as in Airflow)", () => {
  let fake: FakeAirflow;
  let call: ReturnType<typeof client>;
  beforeAll(async () => ({ fake, call } = await start({ airflowVersion: "3.3.2", testConnection: "Enabled" })));
  const teamError = (loc: (string | number)[]) => ({ type: "value_error", loc, msg: `Value error, ${TEAM}` });

  it("a team_name is a validation 422 at the body on POST, PATCH and enqueue-test; null or absent is fine", async () => {
    let r = await call("POST", C, { body: { connection_id: "t1", conn_type: "http", team_name: "team_a" } });
    expect(r.status).toBe(422);
    expect(r.json.detail).toHaveLength(1);
    expect(r.json.detail[0]).toMatchObject(teamError(["body"]));
    expect(fake.stored("t1")).toBeUndefined();
    r = await call("POST", C, { body: { connection_id: "t1", conn_type: "http", team_name: null } });
    expect(r.status).toBe(201);
    // whatever the update_mask, and before the id-mismatch 400
    r = await call("PATCH", `${C}/t1?update_mask=host`, {
      body: { connection_id: "t1", conn_type: "http", team_name: "team_a" },
    });
    expect([r.status, r.json.detail[0]]).toMatchObject([422, teamError(["body"])]);
    r = await call("PATCH", `${C}/other`, { body: { connection_id: "t1", conn_type: "http", team_name: "team_a" } });
    expect(r.status).toBe(422);
    r = await call("POST", Q, { body: { connection_id: "t4", conn_type: "http", team_name: "x" } });
    expect([r.status, r.json.detail[0]]).toMatchObject([422, teamError(["body"])]);
    // team_name longer than 50 is a field error, reported instead of the model's
    r = await call("POST", C, { body: { connection_id: "t5", conn_type: "http", team_name: "t".repeat(51) } });
    expect(r.json.detail.map((d: { type: string }) => d.type)).toEqual(["string_too_long"]);
  });

  it("a bulk entity with a team refuses the whole request: nothing of any action is applied", async () => {
    const r = await call("PATCH", C, {
      body: {
        actions: [
          { action: "update", entities: [{ connection_id: "t1", conn_type: "http", host: "h" }] },
          {
            action: "create",
            entities: [
              { connection_id: "t3", conn_type: "http" },
              { connection_id: "t2", conn_type: "http", team_name: "x" },
            ],
          },
        ],
      },
    });
    expect(r.status).toBe(422);
    expect(r.json.detail[0]).toMatchObject(teamError(["body", "actions", 1, "create", "entities", 1]));
    expect(fake.stored("t3")).toBeUndefined();
    expect(fake.stored("t1")?.host ?? null).toBeNull();
  });

  it("multiTeam: true stores any team_name; 3.2.1 stores it whatever the mode", async () => {
    for (const opts of [{ airflowVersion: "3.3.2", multiTeam: true }, { airflowVersion: "3.2.1" }] as const) {
      const { call: c2 } = await start(opts);
      const r = await c2("POST", C, { body: { connection_id: "t", conn_type: "http", team_name: "team_a" } });
      expect([r.status, r.json.team_name]).toEqual([201, "team_a"]);
    }
  });
});

describe("bulk update ignores update_mask on every version", () => {
  for (const v of ["3.2.1", "3.3.2"] as const) {
    it(v, async () => {
      const { fake, call } = await start({ airflowVersion: v });
      await call("POST", C, { body: { connection_id: "b", conn_type: "postgres", host: "h0", login: "l0" } });
      const r = await call("PATCH", C, {
        body: {
          actions: [
            {
              action: "update",
              update_mask: ["host"],
              entities: [{ connection_id: "b", conn_type: "mysql", host: "h1", login: "l1" }],
            },
          ],
        },
      });
      expect(r.json.update).toEqual({ success: ["b"], errors: [] });
      expect(fake.stored("b")).toMatchObject({ conn_type: "mysql", host: "h1", login: "l1" });
      // a single PATCH honours the mask
      await call("PATCH", `${C}/b?update_mask=host`, {
        body: { connection_id: "b", conn_type: "http", host: "h2", login: "l2" },
      });
      expect(fake.stored("b")).toMatchObject({ conn_type: "mysql", host: "h2", login: "l1" });
    });
  }
});

describe("main.ts --airflow-version", () => {
  let child: Awaited<ReturnType<typeof startMain>>["child"] | undefined;
  afterEach(() => {
    child?.kill("SIGTERM");
    child = undefined;
  });

  it("serves 3.3.2 with the worker-test options; rejects an unknown version with exit 2", async () => {
    const main = await startMain([
      "--airflow-version",
      "3.3.2",
      "--test-connection",
      "Enabled",
      "--connection-test-ms",
      "30",
      "--executor",
      "CeleryExecutor",
    ]);
    child = main.child;
    const { url, token } = main;
    const v = (await (await fetch(`${url}/api/v2/version`)).json()) as { version: string };
    expect(v.version).toBe("3.3.2");
    const r = await fetch(`${url}${Q}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: '{"connection_id":"x","conn_type":"http","executor":"LocalExecutor"}',
    });
    expect(await r.json()).toEqual({
      detail: "Executor 'LocalExecutor' is not configured. Configured executors: ['CeleryExecutor']",
    });
    const bad = await mainRefuses(["--airflow-version", "3.1.0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--airflow-version must be one of 3.0.6, 3.1.8, 3.2.1, 3.3.2, 3.4.0, got 3.1.0");
  });
});
