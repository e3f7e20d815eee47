// Airflow 3.3 features over an in-memory server (MockAgent): tests on a worker, test many, create --test-first,
// --prefix on 3.2 and 3.3, the version cache, status. The clock and sleep are fake: no test waits for real.
import { describe, expect, it } from "vitest";
import { runTest } from "../../src/commands/test.js";
import { runCreate } from "../../src/commands/create.js";
import { runList } from "../../src/commands/list.js";
import { runStatus } from "../../src/commands/status.js";
import { memoryAirflow, setup, type Reply, type Req } from "./commands-support.js";

const TOKEN_HEADER = "airflow-connection-test-token";

interface Run { token: string; id: string; polls: number; body: Record<string, unknown>; commit: boolean }

/**
 * A 3.3 (or 3.2) server: /version, and enqueue-test whose state moves one step per poll (pending → queued →
 * running → success|failed); a test fails when its host is "bad.invalid" (message "Connection refused"), or never
 * ends when the host is "hang.invalid". commit_on_success stores the tested body.
 */
function airflow(version: string, seed: Parameters<typeof memoryAirflow>[0] = [], o: { testsOff?: boolean; executors?: string[] } = {}) {
  const runs = new Map<string, Run>();
  let n = 0;
  let active = 0, maxActive = 0;
  const states = ["pending", "queued", "running"] as const;
  const af = memoryAirflow(seed, (r: Req): Reply | undefined => {
    if (r.path === "/api/v2/version") return { status: 200, body: { version, git_version: null } };
    if (r.path !== "/api/v2/connections/enqueue-test") {
      if (r.path === "/api/v2/connections/test" && o.testsOff) return { status: 403, body: { detail: "Testing connections is disabled in Airflow configuration. Contact your deployment admin to enable it." } };
      if (r.path === "/api/v2/connections/test") {
        const b = r.body as { host?: string; conn_type: string };
        if (b.conn_type === "airconn_status_probe") return { status: 200, body: { status: false, message: `Unknown hook type "${b.conn_type}"` } };
        return b.host === "bad.invalid" ? { status: 200, body: { status: false, message: "[Errno 111] Connection refused" } } : undefined;
      }
      return undefined;
    }
    if (!version.startsWith("3.3")) return r.method === "POST" ? { status: 405, body: { detail: "Method Not Allowed" } } : undefined;
    if (r.method === "POST") {
      if (o.testsOff) return { status: 403, body: { detail: "Testing connections is disabled in Airflow configuration. Contact your deployment admin to enable it." } };
      const b = r.body as Record<string, unknown>;
      const ex = o.executors ?? ["LocalExecutor"];
      if (b.executor !== undefined && b.executor !== null && !ex.includes(String(b.executor))) {
        return { status: 422, body: { detail: `Executor '${String(b.executor)}' is not configured. Configured executors: ['LocalExecutor']` } };
      }
      const id = String(b.connection_id);
      if ([...runs.values()].some((x) => x.id === id && x.polls < 3)) return { status: 409, body: { detail: `An active connection test already exists for connection_id \`${id}\`.` } };
      const token = `tok${++n}`;
      runs.set(token, { token, id, polls: 0, body: b, commit: b.commit_on_success === true });
      active++; maxActive = Math.max(maxActive, active);
      return { status: 202, body: { token, connection_id: id, state: "pending" } };
    }
    const run = runs.get(r.headers?.[TOKEN_HEADER] ?? "");
    if (!run) return { status: 404, body: { detail: `No connection test found for token: \`${r.headers?.[TOKEN_HEADER]}\`` } };
    const hang = run.body.host === "hang.invalid";
    if (!hang) run.polls++;
    if (run.polls < 3) return { status: 200, body: { token: run.token, connection_id: run.id, state: states[run.polls], result_message: null, created_at: "2026-12-04T00:00:00.000000Z" } };
    const ok = run.body.host !== "bad.invalid";
    if (run.polls === 3) {
      active--;
      if (ok && run.commit) af.store.set(run.id, { conn_type: "generic", description: null, host: null, login: null, schema: null, port: null, password: null, extra: null, team_name: null, ...(run.body as object), connection_id: run.id } as never);
      run.polls++;
    }
    return { status: 200, body: { token: run.token, connection_id: run.id, state: ok ? "success" : "failed", result_message: ok ? "Connection successfully tested" : "[Errno 111] Connection refused", created_at: "2026-12-04T00:00:00.000000Z" } };
  });
  return Object.assign(af, { runs, maxActive: () => maxActive, enqueues: () => af.requests.filter((q) => q.method === "POST" && q.path.endsWith("/enqueue-test")) });
}

/** A fake clock: sleep advances it instead of waiting. */
function clock() {
  let t = 1_000_000;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { slept.push(ms); t += ms; }, slept };
}

// As the server shows it: the token redacted ("***"), the password too (memoryAirflow redacts it).
const good = { connection_id: "pg", conn_type: "postgres", host: "db", port: 5432, login: "app", password: "real", extra: '{"token": "***", "region": "eu"}' };
const bad = { connection_id: "broken", conn_type: "postgres", host: "bad.invalid" };

describe("test --on-worker (Airflow 3.3)", () => {
  it("passes: one enqueue, polls until success, no POST /connections/test; exit 0 and the worker's message", async () => {
    const af = airflow("3.3.2", [good]);
    const c = clock();
    const s = setup({ airflow: af, ...c });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(0);
    expect(s.io.stdout()).toBe("ok: Connection successfully tested\n");
    expect(af.enqueues()).toHaveLength(1);
    const polls = af.requests.filter((q) => q.method === "GET" && q.path.endsWith("/enqueue-test"));
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.every((q) => q.headers?.[TOKEN_HEADER] === "tok1" && !q.query.toString().includes("tok1"))).toBe(true);
    expect(af.requests.some((q) => q.path.endsWith("/connections/test"))).toBe(false);
    // backoff: 0.5 s, then 1.5 times longer (at most 2 s: see the --wait test); one poll per state here
    expect(c.slept).toEqual([500, 750, 1125]);
    expect(polls).toHaveLength(3);
  });

  it("never sends ***: a stored connection goes without its redacted secrets, with a warning", async () => {
    const af = airflow("3.3.2", [good]);
    const s = setup({ airflow: af, ...clock() });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true, queue: "etl", executor: "LocalExecutor" }, d))).toBe(0);
    const body = af.enqueues()[0]!.body as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain("***");
    expect(body).toEqual({ connection_id: "pg", conn_type: "postgres", host: "db", port: 5432, login: "app", extra: '{"region": "eu"}', queue: "etl", executor: "LocalExecutor" });
    expect(s.io.stderr()).toMatch(/warning: pg: password, extra\.token are not sent to the worker/);
  });

  it("fails: exit 1, stdout 'failed: <worker's message>'; -o json has the token and state", async () => {
    const af = airflow("3.3.2", [bad]);
    const s = setup({ airflow: af, ...clock(), globals: { output: "json" } });
    expect(await s.run((d) => runTest({ ids: ["broken"], onWorker: true }, d))).toBe(1);
    expect(JSON.parse(s.io.stdout())).toEqual({ connection_id: "broken", token: "tok1", state: "failed", status: false, message: "[Errno 111] Connection refused" });
    const t = setup({ airflow: airflow("3.3.2", [bad]), ...clock() });
    expect(await t.run((d) => runTest({ ids: ["broken"], onWorker: true }, d))).toBe(1);
    expect(t.io.stdout()).toBe("failed: [Errno 111] Connection refused\n");
  });

  it("-v logs each state change", async () => {
    const s = setup({ airflow: airflow("3.3.2", [good]), ...clock(), globals: { verbose: true } });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(0);
    const states = s.io.stderr().split("\n").filter((l) => /^\* pg: /.test(l));
    expect(states).toEqual(["* pg: pending", "* pg: queued", "* pg: running", "* pg: success"]);
  });

  it("--executor the server does not know: the server's message, exit 2; testing disabled: exit 1 with the hint; 409: exit 5", async () => {
    const s = setup({ airflow: airflow("3.3.2", [good]), ...clock() });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true, executor: "Nope" }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/^airconn: Executor 'Nope' is not configured\. Configured executors: \['LocalExecutor'\]$/m);
    const off = setup({ airflow: airflow("3.3.2", [good], { testsOff: true }), ...clock() });
    expect(await off.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(1);
    expect(off.io.stderr()).toMatch(/Testing connections is disabled.*\nhint: .*AIRFLOW__CORE__TEST_CONNECTION=Enabled/);
    const af = airflow("3.3.2", [good]);
    af.runs.set("other", { token: "other", id: "pg", polls: 0, body: {}, commit: false });
    const busy = setup({ airflow: af, ...clock() });
    expect(await busy.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(5);
    expect(busy.io.stderr()).toMatch(/a test of pg is already running on the server/);
  });

  it("--wait runs out: exit 1, the token and how to resume; --poll TOKEN resumes", async () => {
    const af = airflow("3.3.2", [{ connection_id: "slow", conn_type: "http", host: "hang.invalid" }]);
    const c = clock();
    const s = setup({ airflow: af, ...c });
    expect(await s.run((d) => runTest({ ids: ["slow"], onWorker: true, wait: 5 }, d))).toBe(1);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/no result after 5 s \(state: pending\).*token is tok1\nhint: see its result later with: airconn test --poll tok1\n/);
    expect(c.slept).toEqual([500, 750, 1125, 1688, 937]); // the last sleep ends at the deadline
    const long = setup({ airflow: airflow("3.3.2", [{ connection_id: "slow2", conn_type: "http", host: "hang.invalid" }]), ...c });
    c.slept.length = 0;
    expect(await long.run((d) => runTest({ ids: ["slow2"], onWorker: true, wait: 12 }, d))).toBe(1);
    expect(Math.max(...c.slept)).toBe(2000);
    af.runs.get("tok1")!.body = { host: "ok" };
    const p = setup({ airflow: af, ...clock() });
    expect(await p.run((d) => runTest({ poll: "tok1" }, d))).toBe(0);
    expect(p.io.stdout()).toBe("ok: Connection successfully tested\n");
    const unknown = setup({ airflow: af, ...clock() });
    expect(await unknown.run((d) => runTest({ poll: "nope" }, d))).toBe(3);
    expect(unknown.io.stderr()).toMatch(/No connection test found for token: `nope`/);
  });

  it("Ctrl-C while waiting: exit 130 and the token to resume with", async () => {
    const af = airflow("3.3.2", [{ connection_id: "slow", conn_type: "http", host: "hang.invalid" }]);
    const ctl = new AbortController();
    let calls = 0;
    const s = setup({ airflow: af, now: () => 0, sleep: async () => { if (++calls === 2) { ctl.abort(); throw new Error("aborted"); } } });
    // the signal is the deps' own: run through main's report with it
    const { createDeps } = await import("../../src/deps.js");
    const { report } = await import("../../src/cli.js");
    const d = createDeps({ io: s.io, env: { AIRCONN_API_URL: "http://localhost:28080", AIRCONN_TOKEN: "t", XDG_CACHE_HOME: "/dev/null/x" }, globals: { retries: 0 }, dispatcher: af.agent, signal: ctl.signal, sleep: async () => { if (++calls >= 2) { ctl.abort(); throw new Error("aborted"); } }, now: () => 0 });
    let code = 0;
    try { await runTest({ ids: ["slow"], onWorker: true }, d); } catch (e) { code = report(e, s.io, ctl.signal); }
    expect(code).toBe(130);
    expect(s.io.stderr()).toMatch(/interrupted; the test of slow goes on on the server: see its result with `airconn test --poll tok1`/);
  });

  it("against Airflow 3.2: refuses, naming the version, and sends nothing to enqueue-test (nor reads the connection)", async () => {
    const af = airflow("3.2.1", [good]);
    const s = setup({ airflow: af, ...clock() });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/^airconn: --on-worker: tests on a worker need Airflow 3\.3 or later, and http:\/\/localhost:28080 runs Airflow 3\.2\.1$/m);
    expect(af.requests.map((q) => `${q.method} ${q.path}`)).toEqual(["GET /api/v2/version"]);
    const p = setup({ airflow: af, ...clock() });
    expect(await p.run((d) => runTest({ poll: "x" }, d))).toBe(2);
    expect(af.requests.filter((q) => q.path.includes("enqueue-test"))).toEqual([]);
  });

  it("version unknown (no /version): goes ahead, and the server's 405 says tests on a worker need 3.3", async () => {
    // no /version answer (404); POST enqueue-test matches only /connections/{id} there: 405, as on Airflow 3.2
    const af = memoryAirflow([good], (r) => r.path.endsWith("/enqueue-test") ? { status: 405, body: { detail: "Method Not Allowed" } } : undefined);
    const s = setup({ airflow: af, ...clock() });
    expect(await s.run((d) => runTest({ ids: ["pg"], onWorker: true }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/no \/connections\/enqueue-test \(405\): tests on a worker need Airflow 3\.3/);
  });

  it("worker-only flags without --on-worker, and --poll with a connection: exit 2, no request", async () => {
    const af = airflow("3.3.2", [good]);
    for (const o of [{ ids: ["pg"], executor: "X" }, { ids: ["pg"], queue: "q" }, { ids: ["pg"], wait: 3 }, { poll: "t", ids: ["pg"] }, { ids: ["a", "b"], host: "h" }, { ids: ["a"], prefix: "x" }]) {
      const s = setup({ airflow: af });
      expect(await s.run((d) => runTest(o, d)), JSON.stringify(o)).toBe(2);
    }
    expect(af.requests).toHaveLength(0);
  });
});

describe("test many", () => {
  const seed = [good, bad, { connection_id: "pg2", conn_type: "postgres", host: "db2" }, { connection_id: "other", conn_type: "http" }];

  it("--pattern -o json: one result per matching id, in the server's order; exit 1 when any failed", async () => {
    const af = airflow("3.2.1", seed);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runTest({ pattern: "%g%" }, d))).toBe(0);
    const out = JSON.parse(s.io.stdout()) as Array<{ connection_id: string; result: string }>;
    expect(out.map((r) => [r.connection_id, r.result])).toEqual([["pg", "success"], ["pg2", "success"]]);
    expect(s.io.stderr()).toBe("tested 2: passed 2, failed 0\n");
    const t = setup({ airflow: af, globals: { output: "json" } });
    expect(await t.run((d) => runTest({ pattern: "%" }, d))).toBe(1);
    const all = JSON.parse(t.io.stdout()) as Array<{ connection_id: string; result: string; message: string }>;
    expect(all.map((r) => [r.connection_id, r.result])).toEqual([["pg", "success"], ["broken", "failed"], ["pg2", "success"], ["other", "success"]]);
    expect(all[1]!.message).toBe("[Errno 111] Connection refused");
  });

  it("ids: deduplicated, one GET and one test each; a missing id is an error row, the rest still run; table/plain columns", async () => {
    const af = airflow("3.2.1", seed);
    const s = setup({ airflow: af, globals: { output: "plain" } });
    expect(await s.run((d) => runTest({ ids: ["pg", "missing", "pg", "broken"] }, d))).toBe(1);
    expect(s.io.stdout()).toBe("pg\tsuccess\tConnection successfully tested\nmissing\terror\tThe Connection with connection_id: `missing` was not found\nbroken\tfailed\t[Errno 111] Connection refused\n");
    expect(af.requests.filter((q) => q.path.endsWith("/connections/test"))).toHaveLength(2);
  });

  it("--prefix --on-worker: at most 4 tests at once, every id once, nothing sent as ***", async () => {
    const many = Array.from({ length: 9 }, (_, i) => ({ connection_id: `w_${i}`, conn_type: "http", host: "h", password: "pw" }));
    const af = airflow("3.3.2", [...many, { connection_id: "x_1", conn_type: "http" }]);
    const s = setup({ airflow: af, ...clock(), globals: { output: "json", concurrency: 16 } });
    expect(await s.run((d) => runTest({ prefix: "w_", onWorker: true }, d))).toBe(0);
    const out = JSON.parse(s.io.stdout()) as Array<{ connection_id: string; result: string; token: string }>;
    expect(out.map((r) => r.connection_id)).toEqual(many.map((m) => m.connection_id));
    expect(out.every((r) => r.result === "success" && r.token.startsWith("tok"))).toBe(true);
    expect(af.maxActive()).toBeLessThanOrEqual(4);
    expect(af.maxActive()).toBeGreaterThan(1);
    expect(af.enqueues()).toHaveLength(9);
    expect(af.enqueues().some((q) => JSON.stringify(q.body).includes("***"))).toBe(false);
    // 3.3: the prefix went to the server
    expect(af.requests.find((q) => q.method === "GET" && q.path === "/api/v2/connections")!.query.get("connection_id_prefix_pattern")).toBe("w_");
  });

  it("testing disabled stops the whole run with the hint (exit 1), not one error row per id", async () => {
    const s = setup({ airflow: airflow("3.2.1", seed, { testsOff: true }) });
    expect(await s.run((d) => runTest({ pattern: "%" }, d))).toBe(1);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/^airconn: Testing connections is disabled/);
  });
});

describe("create --test-first", () => {
  it("3.3: enqueue-test with commit_on_success; stored only when it passes (read back after); a failure creates nothing", async () => {
    const af = airflow("3.3.2");
    const s = setup({ airflow: af, ...clock(), stdin: "pw", globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "newpg", type: "postgres", host: "db", passwordStdin: true, testFirst: true }, d))).toBe(0);
    expect(af.enqueues()[0]!.body).toEqual({ connection_id: "newpg", conn_type: "postgres", host: "db", password: "pw", commit_on_success: true });
    expect(af.requests.some((q) => q.method === "POST" && q.path === "/api/v2/connections")).toBe(false);
    expect(JSON.parse(s.io.stdout())).toMatchObject({ connection_id: "newpg", host: "db", password: "***" });
    expect(af.requests.at(-1)).toMatchObject({ method: "GET", path: "/api/v2/connections/newpg" });

    const t = setup({ airflow: af, ...clock() });
    expect(await t.run((d) => runCreate({ id: "badpg", type: "postgres", host: "bad.invalid", testFirst: true }, d))).toBe(1);
    expect(t.io.stderr()).toMatch(/^airconn: the test failed, nothing was created: \[Errno 111\] Connection refused$/m);
    expect(af.store.has("badpg")).toBe(false);
  });

  it("3.2: POST /connections/test, then POST /connections; a failure creates nothing; an existing id is refused before any test", async () => {
    const af = airflow("3.2.1", [good]);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "new", type: "http", host: "api", testFirst: true }, d))).toBe(0);
    expect(af.writes().map((q) => `${q.method} ${q.path}`)).toEqual(["POST /api/v2/connections/test", "POST /api/v2/connections"]);
    const before = af.writes().length;
    const t = setup({ airflow: af });
    expect(await t.run((d) => runCreate({ id: "nope", type: "http", host: "bad.invalid", testFirst: true }, d))).toBe(1);
    expect(af.store.has("nope")).toBe(false);
    expect(af.writes().slice(before).map((q) => q.path)).toEqual(["/api/v2/connections/test"]);
    const u = setup({ airflow: af });
    expect(await u.run((d) => runCreate({ id: "pg", type: "http", testFirst: true }, d))).toBe(5);
    expect(af.writes().slice(before + 1)).toEqual([]);
  });
});

describe("--prefix", () => {
  const ids = ["conn_00010", "CONN_00011", "conn_00012", "conn_0002", "conn_00013", "zz_conn_0001", "conn%0001x", "conn_0001"];
  const seed = ids.map((connection_id) => ({ connection_id, conn_type: "http" }));

  it("3.2 ignores the parameter: airconn does not send it and keeps only matching ids, in the server's order, --limit/--offset after", async () => {
    const af = airflow("3.2.1", seed);
    const s = setup({ airflow: af, globals: { output: "plain" } });
    expect(await s.run((d) => runList({ prefix: "conn_0001" }, d))).toBe(0);
    expect(s.io.stdout().split("\n").filter(Boolean).map((l) => l.split("\t")[0])).toEqual(["conn_00010", "conn_00012", "conn_00013", "conn_0001"]);
    expect(af.requests.filter((q) => q.path === "/api/v2/connections").every((q) => !q.query.has("connection_id_prefix_pattern"))).toBe(true);
    const t = setup({ airflow: af, globals: { output: "plain" } });
    expect(await t.run((d) => runList({ prefix: "conn_0001|zz", offset: 1, limit: 2 }, d))).toBe(0);
    expect(t.io.stdout().split("\n").filter(Boolean).map((l) => l.split("\t")[0])).toEqual(["conn_00012", "conn_00013"]);
  });

  it("3.3: sent as connection_id_prefix_pattern, and a non-matching id the server returns anyway never comes back", async () => {
    // this server ignores the parameter although it says 3.3: airconn's own filter is the safety net
    const af = airflow("3.3.2", seed);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runList({ prefix: "conn_0001", pattern: "%1%" }, d))).toBe(0);
    expect((JSON.parse(s.io.stdout()) as Array<{ connection_id: string }>).map((c) => c.connection_id)).toEqual(["conn_00010", "conn_00012", "conn_00013", "conn_0001"]);
    const q = af.requests.find((r) => r.path === "/api/v2/connections")!.query;
    expect([q.get("connection_id_prefix_pattern"), q.get("connection_id_pattern")]).toEqual(["conn_0001", "%1%"]);
  });
});

describe("status", () => {
  const jwt = (exp: number) => `x.${Buffer.from(JSON.stringify({ exp })).toString("base64url")}.y`;

  it("-o json: version, auth ok, token expiry, tests enabled (probe: unknown conn_type, nothing created)", async () => {
    const af = airflow("3.3.2", [good]);
    const s = setup({ airflow: af, globals: { output: "json" }, env: { AIRCONN_TOKEN: jwt(1_900_000_000) }, now: () => 1_800_000_000_000 });
    expect(await s.run((d) => runStatus(d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      api_url: "http://localhost:28080", api_url_source: "AIRCONN_API_URL", reachable: true, server_version: "3.3.2",
      auth: "ok", token_source: "AIRCONN_TOKEN", token_expires: "2030-03-17T17:46:40.000Z", connection_tests: "enabled", worker_tests: true,
    });
    const probe = af.requests.find((q) => q.path === "/api/v2/connections/test")!.body as { conn_type: string; connection_id: string };
    expect(probe.conn_type).toBe("airconn_status_probe");
    expect([...af.store.keys()]).toEqual(["pg"]);
    expect(s.io.stdout()).not.toContain(jwt(1_900_000_000));
  });

  it("tests disabled → disabled; a refused token → exit 4; no token → exit 4; unreachable → exit 1", async () => {
    const off = setup({ airflow: airflow("3.2.1", [], { testsOff: true }), globals: { output: "json" } });
    expect(await off.run((d) => runStatus(d))).toBe(0);
    expect(JSON.parse(off.io.stdout())).toMatchObject({ server_version: "3.2.1", connection_tests: "disabled", worker_tests: false });

    const expired = memoryAirflow([], (r) => r.path === "/api/v2/version" ? { status: 200, body: { version: "3.3.2" } } : { status: 401, body: { detail: "Token Expired" } });
    const e = setup({ airflow: expired, globals: { output: "json" } });
    expect(await e.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(e.io.stdout())).toMatchObject({ auth: "expired", auth_detail: "Token Expired", connection_tests: "unknown" });
    expect(e.io.stderr()).toMatch(/^airconn: the token does not work: Token Expired\nhint: /);

    const n = setup({ airflow: airflow("3.3.2"), globals: { output: "json" }, env: { AIRCONN_TOKEN: "" } });
    expect(await n.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(n.io.stdout())).toMatchObject({ auth: "no token", server_version: "3.3.2" });

    const down = memoryAirflow();
    down.agent.enableNetConnect(); // nothing listens there
    const u = setup({ airflow: down, globals: { output: "json" }, env: { AIRCONN_API_URL: "http://127.0.0.1:9" } });
    expect(await u.run((d) => runStatus(d))).toBe(1);
    expect(JSON.parse(u.io.stdout())).toMatchObject({ reachable: false, server_version: null });
  });
});
