import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { startFakeAirflow, type FakeAirflow } from "../src/index.js";
import { client, startMain } from "./helpers.js";

const C = "/api/v2/connections";

describe("faults", () => {
  let fake: FakeAirflow;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    fake = await startFakeAirflow({ seed: 3 });
    call = client(fake);
  });
  afterEach(() => fake.setFaults(undefined));
  afterAll(() => fake.close());

  it("status + retryAfter + failFirst, limited by method and path", async () => {
    fake.setFaults({
      status: 429,
      retryAfter: 2,
      failFirst: 2,
      methods: ["GET"],
      pathPattern: "^/api/v2/connections$",
    });
    expect((await call("GET", `${C}/conn_00001`)).status).toBe(200); // path not matched
    expect((await call("POST", C, { body: { connection_id: "f1", conn_type: "http" } })).status).toBe(201); // method not matched
    const r = await call("GET", C);
    expect([r.status, r.headers.get("retry-after")]).toEqual([429, "2"]);
    expect((await call("GET", C)).status).toBe(429);
    expect((await call("GET", C)).status).toBe(200);
    expect(fake.requests.at(-2)!.status).toBe(429);
  });

  it("rate503, plain500, truncatedJson, html, redirectToLogin", async () => {
    fake.setFaults({ rate503: 1, retryAfter: 1 });
    let r = await call("GET", C);
    expect([r.status, r.headers.get("retry-after")]).toEqual([503, "1"]);
    fake.setFaults({ plain500: true });
    r = await call("GET", C);
    expect([r.status, r.text]).toEqual([500, "Internal Server Error"]);
    fake.setFaults({ truncatedJson: true });
    const t = await fetch(fake.url + C, { headers: { authorization: `Bearer ${fake.adminToken}` } });
    expect([t.status, t.headers.get("content-type")]).toEqual([200, "application/json"]);
    await expect(t.json()).rejects.toThrow();
    fake.setFaults({ html: true });
    r = await call("GET", C, { noSchema: true });
    expect([r.status, r.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    fake.setFaults({ redirectToLogin: true });
    r = await call("GET", C);
    expect(r.status).toBe(302);
    const login = await fetch(new URL(r.headers.get("location")!, fake.url));
    expect([login.status, (await login.text()).includes("password")]).toEqual([200, true]);
    fake.setFaults(undefined);
    expect((await call("GET", C)).status).toBe(200);
  });

  it("hang: accepts and never answers", async () => {
    fake.setFaults({ hang: true });
    await expect(call("GET", C, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    fake.setFaults(undefined);
    expect((await call("GET", C)).status).toBe(200);
  });

  it("dieAfterRequests: serves N, then drops every socket and refuses connections until faults change", async () => {
    fake.setFaults({ dieAfterRequests: 2 });
    expect((await call("GET", C)).status).toBe(200);
    expect((await call("GET", C)).status).toBe(200);
    await expect(call("GET", C)).rejects.toThrow();
    await expect(call("GET", C)).rejects.toThrow();
    fake.setFaults(undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect((await call("GET", C)).status).toBe(200);
  });

  it("latencyMs delays answers", async () => {
    const slow = await startFakeAirflow({ latencyMs: 120 });
    const t = Date.now();
    const r = await fetch(slow.url + "/api/v2/version");
    expect(r.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    await slow.close();
  });
});

describe("test hooks: connections, intercept, manualClock, request times", () => {
  const started: FakeAirflow[] = [];
  const start = async (o: Parameters<typeof startFakeAirflow>[0]) => {
    const f = await startFakeAirflow(o);
    started.push(f);
    return f;
  };
  afterAll(() => Promise.all(started.map((f) => f.close())));

  it("connections: stored as given after the generated seed, served redacted, again after reset()", async () => {
    const fake = await start({
      airflowVersion: "3.2.1",
      seed: 1,
      connections: [
        { connection_id: "odd%id", conn_type: "http", password: "pw", extra: '{"token": "t"}' },
        { connection_id: "e", conn_type: "x", password: "" },
      ],
    });
    expect(fake.all().map((c) => [c.connection_id, c.password])).toEqual([
      ["conn_00001", expect.anything()],
      ["odd%id", "pw"],
      ["e", null],
    ]);
    const r = await client(fake)("GET", `${C}/odd%25id`);
    expect([r.json.password, r.json.extra, r.json.host]).toEqual(["***", '{"token": "***"}', null]);
    fake.reset({ seed: 2 });
    expect(fake.all().map((c) => c.connection_id)).toEqual(["conn_00001", "conn_00002", "odd%id", "e"]);
  });

  it("intercept answers instead of the server (recorded with its status); undefined lets the server answer", async () => {
    const fake = await start({
      airflowVersion: "3.2.1",
      intercept: (q) =>
        q.path === "/api/v2/version"
          ? { status: 200, json: { version: "9.9.9" } }
          : q.path.endsWith("/x")
            ? { status: 502, text: "bad gateway", headers: { "retry-after": "1" } }
            : undefined,
    });
    const call = client(fake);
    expect((await call("GET", "/api/v2/version", { noSchema: true })).json).toEqual({ version: "9.9.9" });
    const x = await call("DELETE", `${C}/x`);
    expect([x.status, x.text, x.headers.get("content-type"), x.headers.get("retry-after")]).toEqual([
      502,
      "bad gateway",
      "text/plain; charset=utf-8",
      "1",
    ]);
    expect((await call("GET", `${C}/y`)).status).toBe(404);
    expect(fake.requests.map((q) => q.status)).toEqual([200, 502, 404]);
  });

  it("manualClock: worker tests move only with advanceClock, state by state", async () => {
    const fake = await start({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      manualClock: true,
      connectionTestMs: 300,
      connectionTestTimeoutMs: 1000,
    });
    const call = client(fake);
    const ok = await call("POST", `${C}/enqueue-test`, { body: { connection_id: "a", conn_type: "http" } });
    const hung = await call("POST", `${C}/enqueue-test`, {
      body: { connection_id: "h", conn_type: "http", host: "hang.invalid" },
    });
    expect([ok.status, hung.status]).toEqual([202, 202]);
    await new Promise((r) => setTimeout(r, 50)); // wall-clock time does not count
    const states = () => fake.connectionTests().map((t) => t.state);
    expect(states()).toEqual(["pending", "pending"]);
    fake.advanceClock(99);
    expect(states()).toEqual(["pending", "pending"]);
    fake.advanceClock(1);
    expect(states()).toEqual(["queued", "queued"]);
    fake.advanceClock(250); // running at 200, the result at 300
    expect(states()).toEqual(["success", "running"]);
    fake.advanceClock(700); // the hung one is failed at 1000
    expect(states()).toEqual(["success", "failed"]);
    expect(fake.connectionTests()[1]!.result_message).toMatch(/timed out/);
    const real = await start({ airflowVersion: "3.3.2" });
    expect(() => real.advanceClock(1)).toThrow(/manualClock/);
  });

  it("each recorded request has when it arrived and when it was answered", async () => {
    const fake = await start({ latencyMs: 30 });
    await Promise.all([fetch(fake.url + "/api/v2/version"), fetch(fake.url + "/api/v2/version")]);
    expect(fake.requests).toHaveLength(2);
    for (const q of fake.requests) expect(q.doneAt).toBeGreaterThan(q.at);
  });
});

describe("performance", () => {
  // Timings are printed, never asserted: this machine is noisy (bench/ measures the server's throughput).
  it("holds 100,000 connections and pages, sorts, filters and bulk-creates over them", async () => {
    let t = Date.now();
    const big = await startFakeAirflow({ seed: 100_000, record: false });
    const startMs = Date.now() - t;
    const call = client(big);
    expect(big.stored("conn_100000")).toBeDefined();
    await call("GET", `${C}?limit=1`); // warm up
    t = performance.now();
    for (let i = 0; i < 20; i++) {
      const r = await call("GET", `${C}?limit=100&offset=${i * 4000}`);
      expect(r.json.total_entries).toBe(100_000);
    }
    const pageMs = (performance.now() - t) / 20;
    t = performance.now();
    await call("GET", `${C}?limit=100&order_by=-port`);
    const sortedFirst = performance.now() - t;
    t = performance.now();
    await call("GET", `${C}?limit=100&offset=100&order_by=-port`);
    const sortedAgain = performance.now() - t;
    t = performance.now();
    const p = await call("GET", `${C}?limit=100&connection_id_pattern=9_9_9`);
    const patternMs = performance.now() - t;
    expect(p.json.total_entries).toBeGreaterThan(0);
    const entities = Array.from({ length: 500 }, (_, i) => ({
      connection_id: `bulk_${i}`,
      conn_type: "postgres",
      host: "h",
      password: "p",
      extra: '{"a": 1}',
    }));
    t = performance.now();
    const b = await call("PATCH", C, { body: { actions: [{ action: "create", entities }] } });
    const bulkMs = performance.now() - t;
    expect(b.json.create.success.length).toBe(500);
    expect(big.requests.length).toBe(0);
    console.log(
      `100k: start ${startMs} ms, page ${pageMs.toFixed(1)} ms, sorted ${sortedFirst.toFixed(0)}/${sortedAgain.toFixed(1)} ms, pattern ${patternMs.toFixed(1)} ms, bulk 500 ${bulkMs.toFixed(1)} ms`,
    );
    await big.close();
  });
});

describe("main.ts", () => {
  it("prints one JSON line with url and token, serves, and stops on SIGTERM", async () => {
    const { child, url, token } = await startMain(["--seed", "5", "--test-connection", "enabled"]);
    const r = await fetch(`${url}${C}`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await r.json()) as { total_entries: number }).total_entries).toBe(5);
    const t = await fetch(`${url}${C}/test`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: '{"connection_id":"x","conn_type":"http"}',
    });
    expect(t.status).toBe(200);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
