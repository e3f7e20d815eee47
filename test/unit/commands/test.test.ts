// `airconn test`: a stored connection, an unsaved one, many at once (ids, --pattern, --prefix), and on a worker
// (Airflow 3.3: enqueue, poll, --wait, --poll). The clock and sleep of the worker tests are fake: airconn's sleep
// moves the server's worker tests on instead of waiting (its manualClock), so no test waits for real.
import { afterEach, describe, expect, it } from "vitest";
import { runTest } from "../../../src/commands/test.js";
import {
  airflow32,
  airflow33,
  asAdmin,
  clock,
  closeAirflows,
  enqueues,
  fakeAirflow,
  interrupted,
  literal,
  REFUSED,
  setup,
  UNREACHABLE_HOST,
  type FakeAirflow,
} from "../commands-support.js";

afterEach(closeAirflows);

// The server shows the password and extra.token as "***".
const stored = {
  connection_id: "pg",
  conn_type: "postgres",
  host: "db",
  port: 5432,
  login: "app",
  password: "real",
  extra: '{"token": "t0ken", "a": 1}',
};

describe("test", () => {
  it("a stored connection: GET it and send it back as the body; ok → exit 0 and one line", async () => {
    const af = await fakeAirflow([stored]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runTest({ id: "pg" }, d))).toBe(0);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v2/connections/pg",
      "POST /api/v2/connections/test",
    ]);
    expect(af.requests[1]!.json).toEqual({
      connection_id: "pg",
      conn_type: "postgres",
      host: "db",
      port: 5432,
      login: "app",
      password: "***",
      extra: '{"token": "***", "a": 1}',
    });
    expect(s.io.stdout()).toBe("ok: Connection successfully tested\n");
    expect(af.stored("pg")!.password).toBe("real");
  });

  it("status false → exit 1, 'failed: ...' on stdout; -o json prints the response", async () => {
    // a hook's message over two lines, as the server passes it on (scripted: the fake's hook messages are one line)
    const af = await fakeAirflow([stored], {
      intercept: (r) =>
        r.path.endsWith("/test")
          ? { status: 200, json: { status: false, message: "connection refused\nat db:5432" } }
          : undefined,
    });
    const s = setup({ airflow: af });
    expect(await s.run((d) => runTest({ id: "pg" }, d))).toBe(1);
    expect(s.io.stdout()).toBe("failed: connection refused at db:5432\n");
    expect(s.io.stderr()).toBe("");
    const t = setup({ airflow: af, globals: { output: "json" } });
    expect(await t.run((d) => runTest({ id: "pg" }, d))).toBe(1);
    expect(JSON.parse(t.io.stdout())).toEqual({ status: false, message: "connection refused\nat db:5432" });
  });

  it("testing disabled (403) → exit 1, not 4, with the server setting as hint; another 403 stays 4", async () => {
    const s = setup({ airflow: await fakeAirflow([stored], { testConnection: "Disabled" }) });
    expect(await s.run((d) => runTest({ id: "pg" }, d))).toBe(1);
    expect(s.io.stderr()).toMatch(
      /^airconn: Testing connections is disabled.*\nhint: .*AIRFLOW__CORE__TEST_CONNECTION=Enabled/,
    );
    // a 403 of the permission check ({"detail": "Forbidden"})
    const t = setup({
      airflow: await fakeAirflow([stored], { faults: { status: 403, pathPattern: "/connections/test$" } }),
    });
    expect(await t.run((d) => runTest({ id: "pg" }, d))).toBe(4);
  });

  it("an unsaved connection from field flags or --uri: no GET, a scratch id unless one is given", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, stdin: "pw\n" });
    expect(
      await s.run((d) => runTest({ type: "http", host: "api.example.com", port: 443, passwordStdin: true }, d)),
    ).toBe(0);
    expect(af.requests).toHaveLength(1);
    expect(af.requests[0]!.json).toEqual({
      connection_id: expect.stringMatching(/^airconn_test_[0-9a-f]{12}$/),
      conn_type: "http",
      host: "api.example.com",
      port: 443,
      password: "pw",
    });
    const t = setup({ airflow: af });
    expect(await t.run((d) => runTest({ id: "trial", uri: "mysql://u:p%40ss@h:3306/db" }, d))).toBe(0);
    expect(af.requests[1]!.json).toEqual({
      connection_id: "trial",
      conn_type: "mysql",
      host: "h",
      login: "u",
      password: "p@ss",
      port: 3306,
      schema: "db",
    });
  });

  it("an extra given to test is checked against the provider's form: a warning; --strict: exit 2, nothing tested", async () => {
    const af = await fakeAirflow();
    const tests = () => af.requests.filter((r) => r.path === "/api/v2/connections/test");
    const s = setup({ airflow: af });
    const extra = '{"account": "xy1", "warehose": "wh"}';
    expect(await s.run((d) => runTest({ type: "snowflake", extra }, d))).toBe(0);
    expect(s.io.stderr()).toContain(
      `airconn: warning: --extra: extra.warehose: unknown key for snowflake; did you mean "warehouse"?`,
    );
    expect(tests()).toHaveLength(1);
    const strict = setup({ airflow: af });
    expect(await strict.run((d) => runTest({ id: "sf_try", type: "snowflake", extra, strict: true }, d))).toBe(2);
    expect(strict.io.stderr()).toContain(
      `sf_try: extra.warehose: unknown key for snowflake; did you mean "warehouse"?`,
    );
    expect(tests()).toHaveLength(1);
    const uri = setup({ airflow: af });
    expect(await uri.run((d) => runTest({ uri: "snowflake://u@/db?warehose=wh", strict: true }, d))).toBe(2);
    expect(tests()).toHaveLength(1);
  });

  it("a stored connection with overrides: the stored fields plus the flags", async () => {
    const af = await fakeAirflow([stored]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runTest({ id: "pg", host: "replica" }, d))).toBe(0);
    expect(af.requests[1]!.json).toMatchObject({ connection_id: "pg", host: "replica", password: "***" });
  });

  it("nothing to test, or flags with --uri: exit 2, no request; a missing stored one: exit 3", async () => {
    const af = await fakeAirflow();
    for (const o of [
      {},
      { host: "h" },
      { uri: "http://h", host: "x" },
      { type: "http", password: "a", passwordStdin: true },
    ]) {
      const s = setup({ airflow: af });
      expect(await s.run((d) => runTest(o, d)), JSON.stringify(o)).toBe(2);
    }
    expect(af.requests).toHaveLength(0);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runTest({ id: "missing" }, d))).toBe(3);
  });
});

const TOKEN_HEADER = "airflow-connection-test-token";

/** Starts a worker test through the API itself (as another user would). */
async function enqueueElsewhere(af: FakeAirflow, body: Record<string, unknown>): Promise<void> {
  expect((await asAdmin(af, "POST", "/api/v2/connections/enqueue-test", body)).status).toBe(202);
}

// The server shows the password and extra.token as "***".
const good = {
  connection_id: "pg",
  conn_type: "postgres",
  host: "db",
  port: 5432,
  login: "app",
  password: "real",
  extra: '{"token": "t0k3n", "region": "eu"}',
};
// A test of it fails: nothing listens at the fake's unreachable host.
const bad = { connection_id: "broken", conn_type: "postgres", host: UNREACHABLE_HOST };

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
    expect(
      await s.run((d) => runTest({ ids: ["pg"], onWorker: true, queue: "etl", executor: "LocalExecutor" }, d)),
    ).toBe(0);
    const body = enqueues(af)[0]!.json as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain("***");
    expect(body).toEqual({
      connection_id: "pg",
      conn_type: "postgres",
      host: "db",
      port: 5432,
      login: "app",
      extra: '{"region": "eu"}',
      queue: "etl",
      executor: "LocalExecutor",
    });
    expect(s.io.stderr()).toMatch(/warning: pg: password, extra\.token are not sent to the worker/);
    expect(af.connectionTests()[0]).toMatchObject({ queue: "etl", executor: "LocalExecutor", state: "success" });
  });

  it("fails: exit 1, stdout 'failed: <worker's message>'; -o json has the token and state", async () => {
    const af = await airflow33([bad]);
    const s = setup({ airflow: af, ...clock(af), globals: { output: "json" } });
    expect(await s.run((d) => runTest({ ids: ["broken"], onWorker: true }, d))).toBe(1);
    const token = af.connectionTests()[0]!.token;
    expect(JSON.parse(s.io.stdout())).toEqual({
      connection_id: "broken",
      token,
      state: "failed",
      status: false,
      message: REFUSED,
    });
    const other = await airflow33([bad]);
    const t = setup({ airflow: other, ...clock(other) });
    expect(await t.run((d) => runTest({ ids: ["broken"], onWorker: true }, d))).toBe(1);
    expect(t.io.stdout()).toBe(`failed: ${REFUSED}\n`);
  });

  it("-v logs each state change", async () => {
    const af = await airflow33([good]);
    const s = setup({ airflow: af, ...clock(af), globals: { verbose: true } });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(0);
    const states = s.io
      .stderr()
      .split("\n")
      .filter((l) => /^\* pg: /.test(l));
    expect(states).toEqual(["* pg: pending", "* pg: queued", "* pg: running", "* pg: success"]);
  });

  it("--executor the server does not know: the server's message, exit 2; testing disabled: exit 1 with the hint; 409: exit 5", async () => {
    const af = await airflow33([good]);
    const s = setup({ airflow: af, ...clock(af) });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true, executor: "Nope" }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(
      /^airconn: Executor 'Nope' is not configured\. Configured executors: \['LocalExecutor'\]$/m,
    );
    const offServer = await airflow33([good], { testConnection: "Disabled" });
    const off = setup({ airflow: offServer, ...clock(offServer) });
    expect(await off.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(1);
    expect(off.io.stderr()).toMatch(
      /Testing connections is disabled.*\nhint: .*AIRFLOW__CORE__TEST_CONNECTION=Enabled/,
    );
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
    expect(s.io.stderr()).toMatch(
      new RegExp(
        `no result after 5 s \\(state: pending\\).*token is ${literal(token)}\\nhint: see its result later with: airconn test --poll ${literal(token)}\\n`,
      ),
    );
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
    expect(s.io.stderr()).toMatch(
      new RegExp(
        `interrupted; the test of slow goes on on the server: see its result with \`airconn test --poll ${literal(token)}\``,
      ),
    );
  });

  it("against Airflow 3.2: refuses, naming the version, and sends nothing to enqueue-test (nor reads the connection)", async () => {
    const af = await airflow32([good]);
    const s = setup({ airflow: af, ...clock() });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(
      new RegExp(
        `^airconn: --on-worker: tests on a worker need Airflow 3\\.3 or later, and ${literal(af.url)} runs Airflow 3\\.2\\.1$`,
        "m",
      ),
    );
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
  const seed = [
    good,
    bad,
    { connection_id: "pg2", conn_type: "postgres", host: "db2" },
    { connection_id: "other", conn_type: "http" },
  ];

  it("--pattern -o json: one result per matching id, in the server's order; exit 1 when any failed", async () => {
    const af = await airflow32(seed);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runTest({ pattern: "%g%" }, d))).toBe(0);
    const out = JSON.parse(s.io.stdout()) as Array<{ connection_id: string; result: string }>;
    expect(out.map((r) => [r.connection_id, r.result])).toEqual([
      ["pg", "success"],
      ["pg2", "success"],
    ]);
    expect(s.io.stderr()).toBe("tested 2: passed 2, failed 0\n");
    const t = setup({ airflow: af, globals: { output: "json" } });
    expect(await t.run((d) => runTest({ pattern: "%" }, d))).toBe(1);
    const all = JSON.parse(t.io.stdout()) as Array<{ connection_id: string; result: string; message: string }>;
    expect(all.map((r) => [r.connection_id, r.result])).toEqual([
      ["pg", "success"],
      ["broken", "failed"],
      ["pg2", "success"],
      ["other", "success"],
    ]);
    expect(all[1]!.message).toBe(REFUSED);
  });

  it("ids: deduplicated, one GET and one test each; a missing id is an error row, the rest still run; table/plain columns", async () => {
    const af = await airflow32(seed);
    const s = setup({ airflow: af, globals: { output: "plain" } });
    expect(await s.run((d) => runTest({ ids: ["pg", "missing", "pg", "broken"] }, d))).toBe(1);
    expect(s.io.stdout()).toBe(
      `pg\tsuccess\tConnection successfully tested\nmissing\terror\tThe Connection with connection_id: \`missing\` was not found\nbroken\tfailed\t${REFUSED}\n`,
    );
    expect(af.requests.filter((q) => q.path.endsWith("/connections/test"))).toHaveLength(2);
  });

  it("--prefix --on-worker: at most 4 tests at once, every id once, nothing sent as ***", async () => {
    const many = Array.from({ length: 9 }, (_, i) => ({
      connection_id: `w_${i}`,
      conn_type: "http",
      host: "h",
      password: "pw",
    }));
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
    expect(
      af.requests
        .find((q) => q.method === "GET" && q.path === "/api/v2/connections")!
        .query.get("connection_id_prefix_pattern"),
    ).toBe("w_");
  });

  it("testing disabled stops the whole run with the hint (exit 1), not one error row per id", async () => {
    const s = setup({ airflow: await airflow32(seed, { testConnection: "Disabled" }) });
    expect(await s.run((d) => runTest({ pattern: "%" }, d))).toBe(1);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/^airconn: Testing connections is disabled/);
  });
});
