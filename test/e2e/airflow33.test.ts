// Issue 12, end to end: the built CLI against the local server speaking Airflow 3.3.2 and 3.2.1: status, tests on a
// worker, testing many, create --test-first, --prefix. Every test asserts the exit code, the output and the
// requests the server received.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { plain, runCli, runCliTty, sigintWhen, tempDir } from "../support/cli.js";
import { listIds, seed } from "../support/admin.js";

let s33: FakeAirflow, s32: FakeAirflow, off33: FakeAirflow;
let tmp: ReturnType<typeof tempDir>;
const envFor = (s: FakeAirflow, extra: Record<string, string> = {}) => ({
  AIRCONN_API_URL: s.url,
  AIRCONN_TOKEN: s.adminToken,
  AIRCONN_CONFIG_DIR: join(tmp.dir, "config"),
  // a cache of our own: another test file's server may have had this port (and another version) minutes ago
  XDG_CACHE_HOME: join(tmp.dir, "cache"),
  ...extra,
});

beforeAll(async () => {
  tmp = tempDir();
  [s33, s32, off33] = await Promise.all([
    // hang_a, hang_b and tf_int never finish: each holds a worker slot until the 90 s timeout, after the file is done.
    // Slots to spare, so that the tests after them are not queued behind them (the default is 4).
    startFakeAirflow({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      connectionTestMs: 300,
      seed: 250,
      maxConnectionTestConcurrency: 16,
    }),
    startFakeAirflow({ airflowVersion: "3.2.1", testConnection: "Enabled", seed: 250 }),
    startFakeAirflow({ airflowVersion: "3.3.2", testConnection: "Disabled" }),
  ]);
  for (const s of [s33, s32]) {
    await seed(
      s,
      { connection_id: "wk_good", conn_type: "http", host: "api.example.com", password: "pw-good" },
      { connection_id: "wk_bad", conn_type: "http", host: "unreachable.invalid" },
      { connection_id: "wk_good2", conn_type: "http", host: "api2.example.com" },
    );
  }
});
afterAll(async () => {
  await Promise.all([s33, s32, off33].map((s) => s?.close()));
  tmp?.cleanup();
});

const sent = (s: FakeAirflow, from: number) => s.requests.slice(from);
const enqueuePosts = (s: FakeAirflow, from: number) =>
  sent(s, from).filter((q) => q.method === "POST" && q.path === "/api/v2/connections/enqueue-test");
const polls = (s: FakeAirflow, from: number) =>
  sent(s, from).filter((q) => q.method === "GET" && q.path === "/api/v2/connections/enqueue-test");
const syncTests = (s: FakeAirflow, from: number) =>
  sent(s, from).filter((q) => q.method === "POST" && q.path === "/api/v2/connections/test");

describe("test --on-worker (Airflow 3.3.2, tests enabled)", () => {
  it("a good connection: exit 0 with the worker's message; one enqueue, at least one poll with the token header, no POST /connections/test", async () => {
    const from = s33.requests.length;
    const r = await runCli(["test", "wk_good", "--on-worker"], { env: envFor(s33) });
    expect([r.code, r.stdout]).toEqual([0, "ok: Connection successfully tested\n"]);
    const [post] = enqueuePosts(s33, from);
    expect(enqueuePosts(s33, from)).toHaveLength(1);
    const body = post!.json as Record<string, unknown>;
    expect(body).toMatchObject({ connection_id: "wk_good", conn_type: "http", host: "api.example.com" });
    expect(JSON.stringify(body)).not.toContain("***"); // the stored password is shown as ***: it is left out
    expect(r.stderr).toMatch(/warning: wk_good: password is not sent to the worker/);
    const p = polls(s33, from);
    expect(p.length).toBeGreaterThanOrEqual(1);
    const token = s33.connectionTests().at(-1)!.token;
    expect(p.every((q) => q.headers["airflow-connection-test-token"] === token && !q.rawQuery.includes(token))).toBe(
      true,
    );
    expect(syncTests(s33, from)).toEqual([]);
  });

  it("a failing connection: exit 1 and 'failed: <the worker's message>'", async () => {
    const from = s33.requests.length;
    const r = await runCli(["test", "wk_bad", "--on-worker", "-o", "json"], { env: envFor(s33) });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { connection_id: string; state: string; status: boolean; message: string };
    expect(out).toMatchObject({ connection_id: "wk_bad", state: "failed", status: false });
    expect(out.message).toBe(s33.connectionTests().at(-1)!.result_message);
    expect(out.message).toMatch(/unreachable\.invalid|refused/i);
    expect(enqueuePosts(s33, from)).toHaveLength(1);
    expect(polls(s33, from).length).toBeGreaterThanOrEqual(1);
    expect(syncTests(s33, from)).toEqual([]);
    const t = await runCli(["test", "wk_bad", "--on-worker"], { env: envFor(s33) });
    expect([t.code, t.stdout]).toEqual([1, `failed: ${out.message}\n`]);
  });

  it("--executor Nope: the server's message and exit 2", async () => {
    const from = s33.requests.length;
    const r = await runCli(["test", "wk_good", "--on-worker", "--executor", "Nope"], { env: envFor(s33) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^airconn: Executor 'Nope' is not configured\. Configured executors: \['LocalExecutor'\]$/m,
    );
    expect(polls(s33, from)).toEqual([]);
  });

  it("on a terminal: a spinner with the state, then the result", async () => {
    const r = await runCliTty(["test", "wk_good2", "--on-worker"], { env: envFor(s33) });
    expect(r.code).toBe(0);
    const screen = plain(r.stdout);
    expect(screen).toMatch(/wk_good2: (pending|queued|running)/);
    expect(screen).toMatch(/ok: Connection successfully tested/);
  });

  it("--wait runs out: exit 1 with the token; --poll TOKEN picks the result up", async () => {
    await seed(s33, { connection_id: "hang_a", conn_type: "http", host: "hang.invalid" });
    const r = await runCli(["test", "hang_a", "--on-worker", "--wait", "0.5"], { env: envFor(s33) });
    expect(r.code).toBe(1);
    const token = s33.connectionTests().at(-1)!.token;
    expect(r.stderr).toContain(`token is ${token}`);
    expect(r.stderr).toContain(`hint: see its result later with: airconn test --poll ${token}`);
    const p = await runCli(["test", "--poll", token, "--wait", "0.5"], { env: envFor(s33) });
    expect(p.code).toBe(1); // still running: the hanging host never answers
    expect(p.stderr).toContain(token);
    // a finished test, picked up by its token
    const done = await runCli(["test", "wk_good2", "--on-worker"], { env: envFor(s33) });
    expect(done.code).toBe(0);
    const q = await runCli(["test", "--poll", s33.connectionTests().at(-1)!.token, "-o", "json"], { env: envFor(s33) });
    expect([q.code, JSON.parse(q.stdout).state]).toEqual([0, "success"]);
  });

  it("Ctrl-C while waiting: exit 130 and the token to resume with", async () => {
    await seed(s33, { connection_id: "hang_b", conn_type: "http", host: "hang.invalid" });
    const r = await runCli(["test", "hang_b", "--on-worker"], {
      env: envFor(s33),
      onSpawn: sigintWhen(() => s33.connectionTests().some((x) => x.connection_id === "hang_b"), 300),
    });
    expect(r.code).toBe(130);
    const token = s33.connectionTests().find((x) => x.connection_id === "hang_b")!.token;
    expect(r.stderr).toContain(`airconn test --poll ${token}`);
  });
});

describe("Airflow 3.2.1", () => {
  it("test --on-worker refuses, naming the version, and sends no request to enqueue-test", async () => {
    const from = s32.requests.length;
    const r = await runCli(["test", "wk_good", "--on-worker"], { env: envFor(s32) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^airconn: --on-worker: tests on a worker need Airflow 3\.3 or later, and http:\/\/127\.0\.0\.1:\d+ runs Airflow 3\.2\.1$/m,
    );
    expect(sent(s32, from).filter((q) => q.path.includes("enqueue-test"))).toEqual([]);
  });
});

describe("create --test-first", () => {
  it("3.3: a failing host stores nothing (exit 1); a good host is stored by the worker's commit", async () => {
    const bad = await runCli(["create", "tf_bad", "--type", "http", "--host", "unreachable.invalid", "--test-first"], {
      env: envFor(s33),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^airconn: the test failed, nothing was created: /m);
    expect(s33.stored("tf_bad")).toBeUndefined();
    const from = s33.requests.length;
    const good = await runCli(
      ["create", "tf_good", "--type", "http", "--host", "api.example.com", "--test-first", "-o", "json"],
      { env: envFor(s33) },
    );
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ connection_id: "tf_good", host: "api.example.com" });
    expect(s33.stored("tf_good")).toMatchObject({ host: "api.example.com" });
    expect(enqueuePosts(s33, from)[0]!.json).toMatchObject({ connection_id: "tf_good", commit_on_success: true });
    expect(sent(s33, from).filter((q) => q.method === "POST" && q.path === "/api/v2/connections")).toEqual([]);
  });

  it("3.2: tested on the API server, then created; a failing host stores nothing", async () => {
    const bad = await runCli(["create", "tf_bad", "--type", "http", "--host", "unreachable.invalid", "--test-first"], {
      env: envFor(s32),
    });
    expect(bad.code).toBe(1);
    expect(s32.stored("tf_bad")).toBeUndefined();
    const from = s32.requests.length;
    const good = await runCli(["create", "tf_good", "--type", "http", "--host", "api.example.com", "--test-first"], {
      env: envFor(s32),
    });
    expect(good.code).toBe(0);
    expect(s32.stored("tf_good")).toMatchObject({ host: "api.example.com" });
    expect(
      sent(s32, from)
        .filter((q) => q.method === "POST")
        .map((q) => q.path),
    ).toEqual(["/api/v2/connections/test", "/api/v2/connections"]);
  });
});

describe("create --test-first --executor/--queue/--wait", () => {
  it("3.3: the executor and queue the server received, with commit_on_success; stored when the test passes", async () => {
    const from = s33.requests.length;
    const r = await runCli(
      [
        "create",
        "tf_exec",
        "--type",
        "http",
        "--host",
        "api.example.com",
        "--test-first",
        "--executor",
        "LocalExecutor",
        "--queue",
        "etl",
        "--wait",
        "60",
        "-o",
        "json",
      ],
      { env: envFor(s33) },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ connection_id: "tf_exec", host: "api.example.com" });
    expect(enqueuePosts(s33, from).map((q) => q.json)).toEqual([
      {
        connection_id: "tf_exec",
        conn_type: "http",
        host: "api.example.com",
        commit_on_success: true,
        executor: "LocalExecutor",
        queue: "etl",
      },
    ]);
    expect(s33.connectionTests().find((t) => t.connection_id === "tf_exec")).toMatchObject({
      executor: "LocalExecutor",
      queue: "etl",
      state: "success",
    });
    expect(s33.stored("tf_exec")).toMatchObject({ host: "api.example.com" });
  });

  it("3.3: --executor Nope: the server's message, exit 2, no poll, nothing stored", async () => {
    const from = s33.requests.length;
    const r = await runCli(
      ["create", "tf_nope", "--type", "http", "--host", "api.example.com", "--test-first", "--executor", "Nope"],
      { env: envFor(s33) },
    );
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(
      /^airconn: Executor 'Nope' is not configured\. Configured executors: \['LocalExecutor'\]$/m,
    );
    expect(enqueuePosts(s33, from).map((q) => q.status)).toEqual([422]);
    expect(polls(s33, from)).toEqual([]);
    expect(s33.stored("tf_nope")).toBeUndefined();
  });

  it("3.3: --wait runs out: exit 1, the token, and the server still creates it when the test passes later (--poll)", async () => {
    // its worker tests move on only when the test says so: still pending when --wait runs out
    const slow = await startFakeAirflow({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      manualClock: true,
      connectionTestMs: 300,
    });
    try {
      const r = await runCli(
        ["create", "tf_slow", "--type", "http", "--host", "api.example.com", "--test-first", "--wait", "0.5"],
        { env: envFor(slow) },
      );
      expect([r.code, r.stdout]).toEqual([1, ""]);
      const [t] = slow.connectionTests();
      expect(t).toMatchObject({ connection_id: "tf_slow", commit_on_success: true, state: "pending" });
      expect(r.stderr).toContain(
        `airconn: no result after 0.5 s (state: pending): tf_slow is not created yet, but its test goes on on the server, which creates tf_slow if the test passes (commit_on_success); its token is ${t!.token}\n`,
      );
      expect(r.stderr).toContain(
        `hint: see its result later with: airconn test --poll ${t!.token}, then \`airconn get tf_slow\``,
      );
      expect(slow.stored("tf_slow")).toBeUndefined();
      slow.advanceClock(1000);
      const p = await runCli(["test", "--poll", t!.token], { env: envFor(slow) });
      expect([p.code, p.stdout]).toEqual([0, "ok: Connection successfully tested\n"]);
      expect(slow.stored("tf_slow")).toMatchObject({ conn_type: "http", host: "api.example.com" });
      expect(slow.requests.filter((q) => q.method === "POST").map((q) => q.path)).toEqual([
        "/api/v2/connections/enqueue-test",
      ]);
    } finally {
      await slow.close();
    }
  });

  it("3.3: Ctrl-C while waiting: exit 130, the token, and that the server still creates it if the test passes", async () => {
    const from = s33.requests.length;
    const r = await runCli(
      ["create", "tf_int", "--type", "http", "--host", "hang.invalid", "--test-first", "--queue", "etl"],
      {
        env: envFor(s33),
        onSpawn: sigintWhen(() => s33.connectionTests().some((x) => x.connection_id === "tf_int"), 300),
      },
    );
    expect(r.code).toBe(130);
    const run = s33.connectionTests().find((x) => x.connection_id === "tf_int")!;
    expect(r.stderr).toContain(
      `the test of tf_int goes on on the server, which still creates tf_int if it passes: see its result with \`airconn test --poll ${run.token}\``,
    );
    // the server was asked to create it when the test passes, and the test is still going on there
    expect(enqueuePosts(s33, from).map((q) => q.json)).toEqual([
      expect.objectContaining({ connection_id: "tf_int", host: "hang.invalid", commit_on_success: true, queue: "etl" }),
    ]);
    expect(run).toMatchObject({ commit_on_success: true, queue: "etl" });
    expect(["pending", "queued", "running"]).toContain(run.state);
    expect(sent(s33, from).filter((q) => q.method === "POST" && q.path === "/api/v2/connections")).toEqual([]);
    expect(s33.stored("tf_int")).toBeUndefined();
  });

  it("3.2: --executor is refused naming the version: exit 2, no request to enqueue-test, nothing created", async () => {
    const from = s32.requests.length;
    const r = await runCli(
      [
        "create",
        "tf_exec32",
        "--type",
        "http",
        "--host",
        "api.example.com",
        "--test-first",
        "--executor",
        "LocalExecutor",
      ],
      { env: envFor(s32) },
    );
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(
      /^airconn: --executor: tests on a worker need Airflow 3\.3 or later, and http:\/\/127\.0\.0\.1:\d+ runs Airflow 3\.2\.1\nhint: leave out --executor, --queue and --wait/m,
    );
    expect(sent(s32, from).filter((q) => q.path.includes("enqueue-test") || q.method !== "GET")).toEqual([]);
    expect(s32.stored("tf_exec32")).toBeUndefined();
    const w = await runCli(["create", "tf_exec32", "--type", "http", "--test-first", "--wait", "30"], {
      env: envFor(s32),
    });
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(
      /^airconn: --wait: tests on a worker need Airflow 3\.3 or later, and .* runs Airflow 3\.2\.1$/m,
    );
    expect(sent(s32, from).filter((q) => q.method !== "GET")).toEqual([]);
  });

  it("without --test-first: a usage error with a hint to add it; nothing sent", async () => {
    const from = s33.requests.length;
    const r = await runCli(["create", "tf_plain", "--type", "http", "--queue", "etl", "--wait", "5"], {
      env: envFor(s33),
    });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/^airconn: --queue, --wait need --test-first\nhint: add --test-first: /);
    expect(sent(s33, from)).toEqual([]);
    expect(s33.stored("tf_plain")).toBeUndefined();
  });
});

describe("list --prefix", () => {
  for (const v of ["3.3", "3.2"] as const) {
    it(`${v}: exactly the ids starting with conn_0001, in the server's order; 'a|b' ORs`, async () => {
      const s = v === "3.3" ? s33 : s32;
      const from = s.requests.length;
      const r = await runCli(["list", "--prefix", "conn_0001", "-o", "json"], { env: envFor(s) });
      const lists = sent(s, from).filter((q) => q.path === "/api/v2/connections"); // airconn's, before listIds' own
      expect(r.code).toBe(0);
      const ids = (JSON.parse(r.stdout) as Array<{ connection_id: string }>).map((c) => c.connection_id);
      const all = await listIds(s);
      expect(ids).toEqual(all.filter((id) => id.startsWith("conn_0001")));
      expect(ids).toHaveLength(10);
      expect(lists.length).toBeGreaterThan(0);
      expect(
        lists.every((q) => q.query.get("connection_id_prefix_pattern") === (v === "3.3" ? "conn_0001" : null)),
      ).toBe(true);
      const or = await runCli(["list", "--prefix", "conn_0001|wk_", "-o", "json"], { env: envFor(s) });
      const orIds = (JSON.parse(or.stdout) as Array<{ connection_id: string }>).map((c) => c.connection_id);
      expect(orIds).toEqual(all.filter((id) => id.startsWith("conn_0001") || id.startsWith("wk")));
      expect(orIds.some((id) => id.startsWith("wk_"))).toBe(true);
    });
  }
});

describe("status -o json", () => {
  it("3.3 with tests enabled: version, auth ok, token expiry, tests enabled", async () => {
    const r = await runCli(["status", "-o", "json"], { env: envFor(s33) });
    expect(r.code).toBe(0);
    const st = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(st).toMatchObject({
      server_version: "3.3.2",
      reachable: true,
      auth: "ok",
      token_source: "AIRCONN_TOKEN",
      connection_tests: "enabled",
      worker_tests: true,
    });
    expect(Date.parse(String(st.token_expires))).toBeGreaterThan(Date.now());
  });

  it("tests disabled; an expired token → exit 4; nothing listening → exit 1", async () => {
    const r = await runCli(["status", "-o", "json"], { env: envFor(off33) });
    expect([r.code, JSON.parse(r.stdout).connection_tests]).toEqual([0, "disabled"]);
    const expired = off33.mintToken({ expiresInSeconds: -60 });
    const e = await runCli(["status", "-o", "json"], { env: envFor(off33, { AIRCONN_TOKEN: expired }) });
    expect(e.code).toBe(4);
    expect(JSON.parse(e.stdout)).toMatchObject({ auth: "expired", server_version: "3.3.2" });
    const down = await runCli(["status", "-o", "json", "--retries", "0"], {
      env: envFor(off33, { AIRCONN_API_URL: "http://127.0.0.1:9" }),
    });
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout)).toMatchObject({ reachable: false });
  });
});

describe("test many", () => {
  it("--pattern P -o json: one result per matching id; exit 1 when any failed", async () => {
    for (const [s, worker] of [
      [s32, false],
      [s33, true],
    ] as const) {
      const from = s.requests.length;
      const r = await runCli(["test", "--pattern", "wk_%", "-o", "json", ...(worker ? ["--on-worker"] : [])], {
        env: envFor(s),
      });
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as Array<{ connection_id: string; result: string }>;
      const expected = await listIds(s, "&connection_id_pattern=wk_%25");
      expect(out.map((x) => x.connection_id)).toEqual(expected);
      expect(Object.fromEntries(out.map((x) => [x.connection_id, x.result]))).toMatchObject({
        wk_good: "success",
        wk_bad: "failed",
        wk_good2: "success",
      });
      if (worker) expect(enqueuePosts(s, from)).toHaveLength(expected.length);
      else expect(syncTests(s, from)).toHaveLength(expected.length);
    }
  });
});
