// Airflow 3.3 features against the local fake Airflow: tests on a worker, test many, create --test-first, --prefix
// on 3.2 and 3.3, status. The clock and sleep are fake: airconn's sleep moves the fake's worker tests on instead of
// waiting (its manualClock), so no test waits for real.
import { afterEach, describe, expect, it } from "vitest";
import { runTest } from "../../src/commands/test.js";
import { runCreate } from "../../src/commands/create.js";
import { runList } from "../../src/commands/list.js";
import { runStatus } from "../../src/commands/status.js";
import { UNREACHABLE_HOST, type FakeAirflow, type FakeAirflowOptions, type SeedConnection } from "../fake-airflow/server.js";
import { closeAirflows, fakeAirflow, setup } from "./commands-support.js";

afterEach(closeAirflows);

const TOKEN_HEADER = "airflow-connection-test-token";
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Airflow 3.3.2 with testing enabled. A test on a worker takes 1.5 s of the fake clock: pending, after 0.5 s queued,
 * after 1 s running, after 1.5 s its result (one state per poll at airconn's 0.5 s, 0.75 s, 1.125 s backoff).
 */
const airflow33 = (seed: SeedConnection[] = [], o: FakeAirflowOptions = {}) =>
  fakeAirflow(seed, { airflowVersion: "3.3.2", manualClock: true, connectionTestMs: 1500, ...o });
const airflow32 = (seed: SeedConnection[] = [], o: FakeAirflowOptions = {}) => fakeAirflow(seed, { airflowVersion: "3.2.1", ...o });

/** A fake clock: sleep advances it, and the server's worker tests with it, instead of waiting. */
function clock(af?: FakeAirflow) {
  let t = 1_000_000;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { slept.push(ms); t += ms; af?.advanceClock(ms); }, slept };
}

/** A setup whose second wait is Ctrl-C: the deps' signal fires, and `run` reports the error as main would. */
function interrupted(af: FakeAirflow): ReturnType<typeof setup> {
  const ctl = new AbortController();
  let calls = 0;
  return setup({
    airflow: af, signal: ctl.signal, now: () => 0,
    sleep: async () => { if (++calls >= 2) { ctl.abort(); throw new Error("aborted"); } },
  });
}

const enqueues = (af: FakeAirflow) => af.requests.filter((q) => q.method === "POST" && q.path.endsWith("/enqueue-test"));

/** Starts a worker test through the API itself (as another user would). */
async function enqueueElsewhere(af: FakeAirflow, body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${af.url}/api/v2/connections/enqueue-test`, {
    method: "POST", headers: { authorization: `Bearer ${af.adminToken}`, "content-type": "application/json" }, body: JSON.stringify(body),
  });
  expect(r.status).toBe(202);
}

// The server shows the password and extra.token as "***".
const good = { connection_id: "pg", conn_type: "postgres", host: "db", port: 5432, login: "app", password: "real", extra: '{"token": "t0k3n", "region": "eu"}' };
// A test of it fails: nothing listens at the fake's unreachable host.
const bad = { connection_id: "broken", conn_type: "postgres", host: UNREACHABLE_HOST };
const REFUSED = `[Errno 111] Connection refused: could not connect to ${UNREACHABLE_HOST}`;

describe("test --on-worker (Airflow 3.3)", () => {
  it("passes: one enqueue, polls until success, no POST /connections/test; exit 0 and the worker's message", async () => {
    const af = await airflow33([good]);
    const c = clock(af);
    const s = setup({ airflow: af, ...c });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(0);
    expect(s.io.stdout()).toBe("ok: Connection successfully tested\n");
    expect(enqueues(af)).toHaveLength(1);
    const [run] = af.connectionTests();
    expect(run).toMatchObject({ connection_id: "pg", state: "success", commit_on_success: false });
    const polls = af.requests.filter((q) => q.method === "GET" && q.path.endsWith("/enqueue-test"));
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.every((q) => q.headers[TOKEN_HEADER] === run!.token && !q.rawQuery.includes(run!.token))).toBe(true);
    expect(af.requests.some((q) => q.path.endsWith("/connections/test"))).toBe(false);
    // backoff: 0.5 s, then 1.5 times longer (at most 2 s: see the --wait test); one poll per state here
    expect(c.slept).toEqual([500, 750, 1125]);
    expect(polls).toHaveLength(3);
  });

  it("never sends ***: a stored connection goes without its redacted secrets, with a warning", async () => {
    const af = await airflow33([good]);
    const s = setup({ airflow: af, ...clock(af) });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true, queue: "etl", executor: "LocalExecutor" }, d))).toBe(0);
    const body = enqueues(af)[0]!.json as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain("***");
    expect(body).toEqual({ connection_id: "pg", conn_type: "postgres", host: "db", port: 5432, login: "app", extra: '{"region": "eu"}', queue: "etl", executor: "LocalExecutor" });
    expect(s.io.stderr()).toMatch(/warning: pg: password, extra\.token are not sent to the worker/);
    expect(af.connectionTests()[0]).toMatchObject({ queue: "etl", executor: "LocalExecutor", state: "success" });
  });

  it("fails: exit 1, stdout 'failed: <worker's message>'; -o json has the token and state", async () => {
    const af = await airflow33([bad]);
    const s = setup({ airflow: af, ...clock(af), globals: { output: "json" } });
    expect(await s.run((d) => runTest({ ids: ["broken"], onWorker: true }, d))).toBe(1);
    const token = af.connectionTests()[0]!.token;
    expect(JSON.parse(s.io.stdout())).toEqual({ connection_id: "broken", token, state: "failed", status: false, message: REFUSED });
    const other = await airflow33([bad]);
    const t = setup({ airflow: other, ...clock(other) });
    expect(await t.run((d) => runTest({ ids: ["broken"], onWorker: true }, d))).toBe(1);
    expect(t.io.stdout()).toBe(`failed: ${REFUSED}\n`);
  });

  it("-v logs each state change", async () => {
    const af = await airflow33([good]);
    const s = setup({ airflow: af, ...clock(af), globals: { verbose: true } });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(0);
    const states = s.io.stderr().split("\n").filter((l) => /^\* pg: /.test(l));
    expect(states).toEqual(["* pg: pending", "* pg: queued", "* pg: running", "* pg: success"]);
  });

  it("--executor the server does not know: the server's message, exit 2; testing disabled: exit 1 with the hint; 409: exit 5", async () => {
    const af = await airflow33([good]);
    const s = setup({ airflow: af, ...clock(af) });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true, executor: "Nope" }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/^airconn: Executor 'Nope' is not configured\. Configured executors: \['LocalExecutor'\]$/m);
    const offServer = await airflow33([good], { testConnection: "Disabled" });
    const off = setup({ airflow: offServer, ...clock(offServer) });
    expect(await off.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(1);
    expect(off.io.stderr()).toMatch(/Testing connections is disabled.*\nhint: .*AIRFLOW__CORE__TEST_CONNECTION=Enabled/);
    // a test of pg started by someone else is still pending
    const busyServer = await airflow33([good]);
    await enqueueElsewhere(busyServer, { connection_id: "pg", conn_type: "postgres" });
    const busy = setup({ airflow: busyServer, ...clock(busyServer) });
    expect(await busy.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(5);
    expect(busy.io.stderr()).toMatch(/a test of pg is already running on the server/);
  });

  it("--wait runs out: exit 1, the token and how to resume; --poll TOKEN resumes", async () => {
    // a test that takes 30 s: still pending after 5 s
    const af = await airflow33([{ connection_id: "slow", conn_type: "http" }], { connectionTestMs: 30_000 });
    const c = clock(af);
    const s = setup({ airflow: af, ...c });
    expect(await s.run((d) => runTest({ ids: ["slow"], onWorker: true, wait: 5 }, d))).toBe(1);
    expect(s.io.stdout()).toBe("");
    const token = af.connectionTests()[0]!.token;
    expect(s.io.stderr()).toMatch(new RegExp(`no result after 5 s \\(state: pending\\).*token is ${esc(token)}\\nhint: see its result later with: airconn test --poll ${esc(token)}\\n`));
    expect(c.slept).toEqual([500, 750, 1125, 1688, 937]); // the last sleep ends at the deadline
    // a hook that never returns: running until --wait runs out; the poll backoff stops growing at 2 s
    const hung = await airflow33([{ connection_id: "slow2", conn_type: "http", host: "hang.invalid" }]);
    const hc = clock(hung);
    const long = setup({ airflow: hung, ...hc });
    expect(await long.run((d) => runTest({ ids: ["slow2"], onWorker: true, wait: 12 }, d))).toBe(1);
    expect(long.io.stderr()).toMatch(/no result after 12 s \(state: running\)/);
    expect(Math.max(...hc.slept)).toBe(2000);
    // --poll picks the slow test up again and waits for its result
    const p = setup({ airflow: af, ...clock(af) });
    expect(await p.run((d) => runTest({ poll: token }, d))).toBe(0);
    expect(p.io.stdout()).toBe("ok: Connection successfully tested\n");
    expect(af.requests.filter((q) => q.method === "POST")).toHaveLength(1);
    // the hung one: the scheduler fails it after its timeout, and --poll says so
    const q = setup({ airflow: hung, ...clock(hung) });
    expect(await q.run((d) => runTest({ poll: hung.connectionTests()[0]!.token }, d))).toBe(1);
    expect(q.io.stdout()).toBe("failed: Connection test timed out: no result after 90 seconds\n");
    const unknown = setup({ airflow: af, ...clock(af) });
    expect(await unknown.run((d) => runTest({ poll: "nope" }, d))).toBe(3);
    expect(unknown.io.stderr()).toMatch(/No connection test found for token: `nope`/);
  });

  it("Ctrl-C while waiting: exit 130 and the token to resume with", async () => {
    const af = await airflow33([{ connection_id: "slow", conn_type: "http", host: "hang.invalid" }]);
    const s = interrupted(af);
    expect(await s.run((d) => runTest({ ids: ["slow"], onWorker: true }, d))).toBe(130);
    const token = af.connectionTests()[0]!.token;
    expect(s.io.stderr()).toMatch(new RegExp(`interrupted; the test of slow goes on on the server: see its result with \`airconn test --poll ${esc(token)}\``));
  });

  it("against Airflow 3.2: refuses, naming the version, and sends nothing to enqueue-test (nor reads the connection)", async () => {
    const af = await airflow32([good]);
    const s = setup({ airflow: af, ...clock() });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(new RegExp(`^airconn: --on-worker: tests on a worker need Airflow 3\\.3 or later, and ${esc(af.url)} runs Airflow 3\\.2\\.1$`, "m"));
    expect(af.requests.map((q) => `${q.method} ${q.path}`)).toEqual(["GET /api/v2/version"]);
    const p = setup({ airflow: af, ...clock() });
    expect(await p.run((d) => runTest({ poll: "x" }, d))).toBe(2);
    expect(af.requests.filter((q) => q.path.includes("enqueue-test"))).toEqual([]);
  });

  it("version unknown (no /version): goes ahead, and the server's 405 says tests on a worker need 3.3", async () => {
    // Airflow 3.2 without an answer on /version (404); POST enqueue-test matches only /connections/{id} there: 405
    const af = await airflow32([good], { faults: { status: 404, pathPattern: "^/api/v2/version$" } });
    const s = setup({ airflow: af, ...clock() });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/no \/connections\/enqueue-test \(405\): tests on a worker need Airflow 3\.3/);
    expect(enqueues(af).map((q) => q.status)).toEqual([405]);
  });

  it("worker-only flags without --on-worker, and --poll with a connection: exit 2, no request", async () => {
    const af = await airflow33([good]);
    const cases: Array<[Parameters<typeof runTest>[0], RegExp]> = [
      [{ ids: ["pg"], executor: "X" }, /^airconn: --executor needs --on-worker$/m],
      [{ ids: ["pg"], queue: "q" }, /^airconn: --queue needs --on-worker$/m],
      [{ ids: ["pg"], wait: 3 }, /^airconn: --wait needs --on-worker$/m],
      [{ poll: "t", ids: ["pg"] }, /^airconn: --poll TOKEN takes no connection, .*: the test is already running$/m],
      [{ ids: ["a", "b"], host: "h" }, /^airconn: --host can only be used when testing one connection$/m],
      [{ ids: ["a"], prefix: "x" }, /^airconn: give connection ids or --pattern\/--prefix, not both$/m],
    ];
    for (const [o, message] of cases) {
      const s = setup({ airflow: af });
      expect(await s.run((d) => runTest(o, d)), JSON.stringify(o)).toBe(2);
      expect(s.io.stderr(), JSON.stringify(o)).toMatch(message);
    }
    expect(af.requests).toHaveLength(0);
  });
});

describe("test many", () => {
  const seed = [good, bad, { connection_id: "pg2", conn_type: "postgres", host: "db2" }, { connection_id: "other", conn_type: "http" }];

  it("--pattern -o json: one result per matching id, in the server's order; exit 1 when any failed", async () => {
    const af = await airflow32(seed);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runTest({ pattern: "%g%" }, d))).toBe(0);
    const out = JSON.parse(s.io.stdout()) as Array<{ connection_id: string; result: string }>;
    expect(out.map((r) => [r.connection_id, r.result])).toEqual([["pg", "success"], ["pg2", "success"]]);
    expect(s.io.stderr()).toBe("tested 2: passed 2, failed 0\n");
    const t = setup({ airflow: af, globals: { output: "json" } });
    expect(await t.run((d) => runTest({ pattern: "%" }, d))).toBe(1);
    const all = JSON.parse(t.io.stdout()) as Array<{ connection_id: string; result: string; message: string }>;
    expect(all.map((r) => [r.connection_id, r.result])).toEqual([["pg", "success"], ["broken", "failed"], ["pg2", "success"], ["other", "success"]]);
    expect(all[1]!.message).toBe(REFUSED);
  });

  it("ids: deduplicated, one GET and one test each; a missing id is an error row, the rest still run; table/plain columns", async () => {
    const af = await airflow32(seed);
    const s = setup({ airflow: af, globals: { output: "plain" } });
    expect(await s.run((d) => runTest({ ids: ["pg", "missing", "pg", "broken"] }, d))).toBe(1);
    expect(s.io.stdout()).toBe(`pg\tsuccess\tConnection successfully tested\nmissing\terror\tThe Connection with connection_id: \`missing\` was not found\nbroken\tfailed\t${REFUSED}\n`);
    expect(af.requests.filter((q) => q.path.endsWith("/connections/test"))).toHaveLength(2);
  });

  it("--prefix --on-worker: at most 4 tests at once, every id once, nothing sent as ***", async () => {
    const many = Array.from({ length: 9 }, (_, i) => ({ connection_id: `w_${i}`, conn_type: "http", host: "h", password: "pw" }));
    const af = await airflow33([...many, { connection_id: "x_1", conn_type: "http" }]);
    const s = setup({ airflow: af, ...clock(af), globals: { output: "json", concurrency: 16 } });
    expect(await s.run((d) => runTest({ prefix: "w_", onWorker: true }, d))).toBe(0);
    const out = JSON.parse(s.io.stdout()) as Array<{ connection_id: string; result: string; token: string }>;
    expect(out.map((r) => r.connection_id)).toEqual(many.map((m) => m.connection_id));
    const runs = af.connectionTests();
    expect(out.every((r) => r.result === "success")).toBe(true);
    expect(out.map((r) => r.token).sort()).toEqual(runs.map((r) => r.token).sort());
    // tests on the server at once: each from its enqueue to its result (steps of the fake's logical clock)
    const spans = runs.map((r) => [r.history[0]!.step, r.history.at(-1)!.step] as const);
    const atOnce = Math.max(...spans.map(([at]) => spans.filter(([from, to]) => from <= at && at < to).length));
    expect(atOnce).toBeLessThanOrEqual(4);
    expect(atOnce).toBeGreaterThan(1);
    expect(enqueues(af)).toHaveLength(9);
    expect(enqueues(af).some((q) => q.body.includes("***"))).toBe(false);
    // 3.3: the prefix went to the server
    expect(af.requests.find((q) => q.method === "GET" && q.path === "/api/v2/connections")!.query.get("connection_id_prefix_pattern")).toBe("w_");
  });

  it("testing disabled stops the whole run with the hint (exit 1), not one error row per id", async () => {
    const s = setup({ airflow: await airflow32(seed, { testConnection: "Disabled" }) });
    expect(await s.run((d) => runTest({ pattern: "%" }, d))).toBe(1);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/^airconn: Testing connections is disabled/);
  });
});

describe("create --test-first", () => {
  it("3.3: enqueue-test with commit_on_success; stored only when it passes (read back after); a failure creates nothing", async () => {
    const af = await airflow33();
    const s = setup({ airflow: af, ...clock(af), stdin: "pw", globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "newpg", type: "postgres", host: "db", passwordStdin: true, testFirst: true }, d))).toBe(0);
    expect(enqueues(af)[0]!.json).toEqual({ connection_id: "newpg", conn_type: "postgres", host: "db", password: "pw", commit_on_success: true });
    expect(af.requests.some((q) => q.method === "POST" && q.path === "/api/v2/connections")).toBe(false);
    expect(JSON.parse(s.io.stdout())).toMatchObject({ connection_id: "newpg", host: "db", password: "***" });
    expect(af.requests.at(-1)).toMatchObject({ method: "GET", path: "/api/v2/connections/newpg" });
    expect(af.stored("newpg")).toMatchObject({ host: "db", password: "pw" });

    const t = setup({ airflow: af, ...clock(af) });
    expect(await t.run((d) => runCreate({ id: "badpg", type: "postgres", host: UNREACHABLE_HOST, testFirst: true }, d))).toBe(1);
    expect(t.io.stderr()).toMatch(new RegExp(`^airconn: the test failed, nothing was created: ${esc(REFUSED)}$`, "m"));
    expect(af.stored("badpg")).toBeUndefined();
  });

  it("3.2: POST /connections/test, then POST /connections; a failure creates nothing; an existing id is refused before any test", async () => {
    const af = await airflow32([good]);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "new", type: "http", host: "api", testFirst: true }, d))).toBe(0);
    expect(af.writes().map((q) => `${q.method} ${q.path}`)).toEqual(["POST /api/v2/connections/test", "POST /api/v2/connections"]);
    expect(af.stored("new")).toMatchObject({ conn_type: "http", host: "api" });
    const before = af.writes().length;
    const t = setup({ airflow: af });
    expect(await t.run((d) => runCreate({ id: "nope", type: "http", host: UNREACHABLE_HOST, testFirst: true }, d))).toBe(1);
    expect(af.stored("nope")).toBeUndefined();
    expect(af.writes().slice(before).map((q) => q.path)).toEqual(["/api/v2/connections/test"]);
    const u = setup({ airflow: af });
    expect(await u.run((d) => runCreate({ id: "pg", type: "http", testFirst: true }, d))).toBe(5);
    expect(af.writes().slice(before + 1)).toEqual([]);
  });
});

describe("create --test-first --executor/--queue/--wait (the flags of test --on-worker)", () => {
  it("3.3: the executor and queue go in the enqueue body with commit_on_success, and the test runs there", async () => {
    const af = await airflow33([], { executors: ["LocalExecutor", "CeleryExecutor"] });
    const s = setup({ airflow: af, ...clock(af), globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "newapi", type: "http", host: "api", testFirst: true, executor: "CeleryExecutor", queue: "etl", wait: 30 }, d))).toBe(0);
    expect(enqueues(af).map((q) => q.json)).toEqual([{ connection_id: "newapi", conn_type: "http", host: "api", commit_on_success: true, executor: "CeleryExecutor", queue: "etl" }]);
    expect(af.connectionTests()).toMatchObject([{ connection_id: "newapi", executor: "CeleryExecutor", queue: "etl", commit_on_success: true, state: "success" }]);
    expect(af.stored("newapi")).toMatchObject({ conn_type: "http", host: "api" });
    expect(JSON.parse(s.io.stdout())).toMatchObject({ connection_id: "newapi", host: "api" });
  });

  it("3.3: an executor the server does not know: the server's message, exit 2, no poll, nothing stored", async () => {
    const af = await airflow33();
    const s = setup({ airflow: af, ...clock(af) });
    expect(await s.run((d) => runCreate({ id: "newapi", type: "http", host: "api", testFirst: true, executor: "Nope" }, d))).toBe(2);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/^airconn: Executor 'Nope' is not configured\. Configured executors: \['LocalExecutor'\]\nhint: pick one of the configured executors with --executor/);
    expect(enqueues(af).map((q) => q.status)).toEqual([422]);
    expect(af.requests.filter((q) => q.method === "GET" && q.path.endsWith("/enqueue-test"))).toEqual([]);
    expect(af.stored("newapi")).toBeUndefined();
  });

  it("3.3: --wait runs out: exit 1, the token, and that the server still creates it if the test passes; --poll then sees it pass and it is stored", async () => {
    // a test that takes 30 s: still pending after 5 s
    const af = await airflow33([], { connectionTestMs: 30_000 });
    const c = clock(af);
    const s = setup({ airflow: af, ...c, globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "slow", type: "http", host: "api", testFirst: true, wait: 5 }, d))).toBe(1);
    expect(s.io.stdout()).toBe("");
    const token = af.connectionTests()[0]!.token;
    expect(s.io.stderr()).toBe(
      `airconn: no result after 5 s (state: pending): slow is not created yet, but its test goes on on the server, which creates slow if the test passes (commit_on_success); its token is ${token}\n` +
      `hint: see its result later with: airconn test --poll ${token}, then \`airconn get slow\`\n`);
    expect(c.slept).toEqual([500, 750, 1125, 1688, 937]); // the same backoff and deadline as test --on-worker --wait 5
    expect(af.stored("slow")).toBeUndefined();
    // the default wait is 90 s (a server whose scheduler gives a test longer than that)
    const d90 = await airflow33([], { connectionTestMs: 300_000, connectionTestTimeoutMs: 600_000 });
    const c90 = clock(d90);
    const t = setup({ airflow: d90, ...c90 });
    expect(await t.run((d) => runCreate({ id: "slower", type: "http", testFirst: true }, d))).toBe(1);
    expect(t.io.stderr()).toMatch(/^airconn: no result after 90 s \(state: (pending|queued)\): slower is not created yet/);
    expect(c90.slept.reduce((a, b) => a + b, 0)).toBe(90_000);
    // the test passes later: --poll says so, and the server stored the connection
    const p = setup({ airflow: af, ...clock(af) });
    expect(await p.run((d) => runTest({ poll: token }, d))).toBe(0);
    expect(p.io.stdout()).toBe("ok: Connection successfully tested\n");
    expect(af.stored("slow")).toMatchObject({ conn_type: "http", host: "api" });
    expect(af.requests.filter((q) => q.method === "POST").map((q) => q.path)).toEqual(["/api/v2/connections/enqueue-test"]);
  });

  it("3.3: Ctrl-C while waiting: exit 130, the token, and that the server creates it if the test passes", async () => {
    const af = await airflow33([], { manualClock: false });
    const s = interrupted(af);
    expect(await s.run((d) => runCreate({ id: "hung", type: "http", host: "hang.invalid", testFirst: true, queue: "etl" }, d))).toBe(130);
    const token = af.connectionTests()[0]!.token;
    expect(s.io.stderr()).toMatch(new RegExp(`interrupted; the test of hung goes on on the server, which still creates hung if it passes: see its result with \`airconn test --poll ${esc(token)}\``));
    expect(af.stored("hung")).toBeUndefined();
  });

  it("3.2: --executor, --queue or --wait are refused naming the version: exit 2, only GET /version sent, stdin not read, nothing created", async () => {
    const af = await airflow32();
    for (const [flags, named] of [[{ executor: "LocalExecutor" }, "--executor"], [{ queue: "etl", wait: 10 }, "--queue, --wait"], [{ wait: 10 }, "--wait"]] as const) {
      const from = af.requests.length;
      const s = setup({ airflow: af, stdin: "pw" });
      expect(await s.run((d) => runCreate({ id: "new", type: "http", host: "api", passwordStdin: true, testFirst: true, ...flags }, d)), named).toBe(2);
      expect(s.io.stderr()).toBe(
        `airconn: ${named}: tests on a worker need Airflow 3.3 or later, and ${af.url} runs Airflow 3.2.1\n` +
        "hint: leave out --executor, --queue and --wait: before Airflow 3.3, --test-first tests on the API server, then creates\n");
      expect(af.requests.slice(from).map((q) => `${q.method} ${q.path}`)).toEqual(["GET /api/v2/version"]);
    }
    expect(af.stored("new")).toBeUndefined();
    // without them --test-first works there as before
    const ok = setup({ airflow: af });
    expect(await ok.run((d) => runCreate({ id: "new", type: "http", host: "api", testFirst: true }, d))).toBe(0);
    expect(af.stored("new")).toMatchObject({ host: "api" });
  });

  it("version unknown with --executor: goes to the worker, and a server without enqueue-test (405) refuses; nothing created", async () => {
    const af = await airflow32([], { faults: { status: 404, pathPattern: "^/api/v2/version$" } });
    const s = setup({ airflow: af, ...clock() });
    expect(await s.run((d) => runCreate({ id: "new", type: "http", host: "api", testFirst: true, executor: "LocalExecutor" }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/^airconn: the server has no \/connections\/enqueue-test \(405\).*\nhint: leave out --executor, --queue and --wait/);
    expect(enqueues(af).map((q) => q.status)).toEqual([405]);
    expect(af.requests.some((q) => q.path.endsWith("/connections/test"))).toBe(false);
    expect(af.stored("new")).toBeUndefined();
  });

  it("without --test-first they are a usage error with a hint to add it: exit 2, no request, stdin not read", async () => {
    const af = await airflow33();
    for (const [flags, msg] of [
      [{ executor: "LocalExecutor" }, "--executor needs --test-first"],
      [{ queue: "etl" }, "--queue needs --test-first"],
      [{ wait: 10 }, "--wait needs --test-first"],
      [{ executor: "E", queue: "q", wait: 1 }, "--executor, --queue, --wait need --test-first"],
    ] as const) {
      const s = setup({ airflow: af, stdin: "pw" });
      expect(await s.run((d) => runCreate({ id: "new", type: "http", passwordStdin: true, ...flags }, d)), msg).toBe(2);
      expect(s.io.stderr()).toMatch(new RegExp(`^airconn: ${esc(msg)}\nhint: add --test-first: `));
    }
    expect(af.requests).toEqual([]);
  });
});

describe("--prefix", () => {
  const ids = ["conn_00010", "CONN_00011", "conn_00012", "conn_0002", "conn_00013", "zz_conn_0001", "conn%0001x", "conn_0001"];
  const seed = ids.map((connection_id) => ({ connection_id, conn_type: "http" }));

  it("3.2 ignores the parameter: airconn does not send it and keeps only matching ids, in the server's order, --limit/--offset after", async () => {
    const af = await airflow32(seed);
    const s = setup({ airflow: af, globals: { output: "plain" } });
    expect(await s.run((d) => runList({ prefix: "conn_0001" }, d))).toBe(0);
    expect(s.io.stdout().split("\n").filter(Boolean).map((l) => l.split("\t")[0])).toEqual(["conn_00010", "conn_00012", "conn_00013", "conn_0001"]);
    expect(af.requests.filter((q) => q.path === "/api/v2/connections").every((q) => !q.query.has("connection_id_prefix_pattern"))).toBe(true);
    const t = setup({ airflow: af, globals: { output: "plain" } });
    expect(await t.run((d) => runList({ prefix: "conn_0001|zz", offset: 1, limit: 2 }, d))).toBe(0);
    expect(t.io.stdout().split("\n").filter(Boolean).map((l) => l.split("\t")[0])).toEqual(["conn_00012", "conn_00013"]);
  });

  it("3.3: sent as connection_id_prefix_pattern, and a non-matching id the server returns anyway never comes back", async () => {
    const expected = ["conn_00010", "conn_00012", "conn_00013", "conn_0001"];
    for (const af of [
      await airflow33(seed),
      // a server that says 3.3 but ignores the parameter (answers like 3.2): airconn's own filter is the safety net
      await airflow32(seed, { intercept: (r) => r.path === "/api/v2/version" ? { status: 200, json: { version: "3.3.2", git_version: null } } : undefined }),
    ]) {
      const s = setup({ airflow: af, globals: { output: "json" } });
      expect(await s.run((d) => runList({ prefix: "conn_0001", pattern: "%1%" }, d))).toBe(0);
      expect((JSON.parse(s.io.stdout()) as Array<{ connection_id: string }>).map((c) => c.connection_id)).toEqual(expected);
      const q = af.requests.find((r) => r.path === "/api/v2/connections")!.query;
      expect([q.get("connection_id_prefix_pattern"), q.get("connection_id_pattern")]).toEqual(["conn_0001", "%1%"]);
    }
  });
});

describe("status", () => {
  /** The expiry the token says (a JWT's exp claim), as status prints it. */
  const expiry = (jwt: string) => new Date((JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1000).toISOString();

  it("-o json: version, auth ok, token expiry, tests enabled (probe: unknown conn_type, nothing created)", async () => {
    const af = await airflow33([good]);
    const token = af.mintToken({ expiresInSeconds: 3600 });
    const s = setup({ airflow: af, globals: { output: "json" }, env: { AIRCONN_TOKEN: token } });
    expect(await s.run((d) => runStatus(d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      api_url: af.url, api_url_source: "AIRCONN_API_URL", reachable: true, server_version: "3.3.2",
      auth: "ok", token_source: "AIRCONN_TOKEN", token_expires: expiry(token), connection_tests: "enabled", worker_tests: true,
    });
    const probe = af.requests.find((q) => q.path === "/api/v2/connections/test")!.json as { conn_type: string; connection_id: string };
    expect(probe.conn_type).toBe("airconn_status_probe");
    expect(af.all().map((c) => c.connection_id)).toEqual(["pg"]);
    expect(s.io.stdout()).not.toContain(token);
  });

  it("tests disabled → disabled; a refused token → exit 4; no token → exit 4; unreachable → exit 1", async () => {
    const off = setup({ airflow: await airflow32([], { testConnection: "Disabled" }), globals: { output: "json" } });
    expect(await off.run((d) => runStatus(d))).toBe(0);
    expect(JSON.parse(off.io.stdout())).toMatchObject({ server_version: "3.2.1", connection_tests: "disabled", worker_tests: false });

    // a token that expired a minute ago: the server answers 401 "Token Expired" (its version route needs no token)
    const expired = await airflow33();
    const e = setup({ airflow: expired, globals: { output: "json" }, env: { AIRCONN_TOKEN: expired.mintToken({ expiresInSeconds: -60 }) } });
    expect(await e.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(e.io.stdout())).toMatchObject({ server_version: "3.3.2", auth: "expired", auth_detail: "Token Expired", connection_tests: "unknown" });
    expect(e.io.stderr()).toMatch(/^airconn: the token does not work: Token Expired\nhint: /);
    expect(expired.requests.filter((q) => q.status === 401).length).toBeGreaterThan(0);

    const n = setup({ airflow: await airflow33(), globals: { output: "json" }, env: { AIRCONN_TOKEN: "" } });
    expect(await n.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(n.io.stdout())).toMatchObject({ auth: "no token", server_version: "3.3.2" });

    // nothing listens there
    const u = setup({ airflow: await airflow33(), globals: { output: "json" }, env: { AIRCONN_API_URL: "http://127.0.0.1:9" } });
    expect(await u.run((d) => runStatus(d))).toBe(1);
    expect(JSON.parse(u.io.stdout())).toMatchObject({ reachable: false, server_version: null });
  });
});
