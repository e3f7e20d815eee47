// Issue 19, "Waiting is visible and bounded": a Retry-After past the request's --timeout budget (waits included) or
// longer than 60 s ends with a message instead of a silent wait; a wait of a few seconds or more is announced; a 429
// is retried for every method, writes included (it means the server applied nothing). The waits are simulated.
import { describe, expect, it } from "vitest";
import { MockAgent } from "undici";
import { Http, MAX_RETRY_AFTER_MS, NOTICE_WAIT_MS } from "../../src/api/http.js";
import { ApiError } from "../../src/errors.js";

const BASE = "http://airflow.test";
const json = { "content-type": "application/json" };

function setup(o: { retries?: number; timeoutMs?: number } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const slept: number[] = [];
  const notices: string[] = [];
  const http = new Http({
    baseUrl: BASE,
    token: "TOKEN123",
    retries: o.retries ?? 3,
    timeoutMs: o.timeoutMs,
    dispatcher: agent,
    sleep: async (ms) => {
      slept.push(ms);
    },
    notice: (l) => notices.push(l),
  });
  return { agent, pool: agent.get(BASE), http, slept, notices };
}
const busy = (status: number, retryAfter: string) =>
  [status, { detail: "busy" }, { headers: { ...json, "retry-after": retryAfter } }] as const;

describe("a Retry-After airconn will not wait for", () => {
  it("longer than 60 s (3600): no wait at all, one request, an ApiError with the status and what the server asked", async () => {
    const { pool, http, slept, agent } = setup({ timeoutMs: 2000 });
    pool.intercept({ method: "GET", path: "/api/v2/connections" }).reply(...busy(429, "3600"));
    const err = await http.request("GET", "/connections").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(429);
    expect(err.message).toBe(
      "the server asked to retry after 3600 s (429 on GET /api/v2/connections); giving up (airconn waits at most 60 s)",
    );
    expect(err.hint).toBe("try again later");
    expect(err.exitCode).toBe(1);
    expect(slept).toEqual([]);
    agent.assertNoPendingInterceptors();
    expect(MAX_RETRY_AFTER_MS).toBe(60_000);
  });

  it("61 s even with --timeout 3600; an HTTP date two minutes ahead too", async () => {
    const { pool, http, slept } = setup({ timeoutMs: 3_600_000 });
    pool.intercept({ method: "GET", path: "/api/v2/connections/a" }).reply(...busy(503, "61"));
    await expect(http.request("GET", "/connections/a")).rejects.toThrow(
      /^the server asked to retry after 61 s \(503 on GET \/api\/v2\/connections\/a\); giving up \(airconn waits at most 60 s\)$/,
    );
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/b" })
      .reply(...busy(503, new Date(Date.now() + 120_000).toUTCString()));
    await expect(http.request("GET", "/connections/b")).rejects.toThrow(/retry after 1[12]\d s .*at most 60 s/);
    expect(slept).toEqual([]);
  });

  it("past the --timeout budget (45 s asked, 30 s budget): gives up, suggests a --timeout that would do", async () => {
    const { pool, http, slept } = setup({ timeoutMs: 30_000 });
    pool.intercept({ method: "GET", path: "/api/v2/connections" }).reply(...busy(503, "45"));
    const err = await http.request("GET", "/connections").catch((e) => e);
    expect(err.message).toBe(
      "the server asked to retry after 45 s (503 on GET /api/v2/connections); giving up: that is past the --timeout of 30 s (raise --timeout to wait that long)",
    );
    expect(err.hint).toBe("e.g. --timeout 75, or try again later");
    expect(err.status).toBe(503);
    expect(slept).toEqual([]);
  });

  it("within the budget it is waited for exactly (45 s with --timeout 60), no longer capped at 30 s", async () => {
    const { pool, http, slept, agent } = setup({ timeoutMs: 60_000 });
    pool.intercept({ method: "GET", path: "/api/v2/connections" }).reply(...busy(503, "45"));
    pool
      .intercept({ method: "GET", path: "/api/v2/connections" })
      .reply(200, { connections: [], total_entries: 0 }, { headers: json });
    await expect(http.request("GET", "/connections")).resolves.toMatchObject({ status: 200 });
    expect(slept).toEqual([45_000]);
    agent.assertNoPendingInterceptors();
  });

  it("the budget counts the waits already made: 4 s + 4 s fit in 10 s, a third 4 s does not", async () => {
    const { pool, http, slept } = setup({ timeoutMs: 10_000 });
    pool
      .intercept({ method: "GET", path: "/api/v2/connections" })
      .reply(...busy(503, "4"))
      .times(3);
    await expect(http.request("GET", "/connections")).rejects.toThrow(/retry after 4 s .*past the --timeout of 10 s/);
    expect(slept).toEqual([4000, 4000]);
  });

  it("the last attempt's Retry-After is not judged: the server's own error after --retries", async () => {
    const { pool, http, slept } = setup({ retries: 1 });
    pool
      .intercept({ method: "GET", path: "/api/v2/connections" })
      .reply(...busy(503, "1"))
      .times(2);
    const err = await http.request("GET", "/connections").catch((e) => e);
    expect(err.message).toBe("busy");
    expect(slept).toEqual([1000]);
  });
});

describe("waits are announced", () => {
  it(`a wait of ${NOTICE_WAIT_MS / 1000} s or more: one line naming the wait, the request and the status; shorter ones are quiet`, async () => {
    const { pool, http, notices } = setup();
    pool.intercept({ method: "GET", path: "/api/v2/connections/x" }).reply(...busy(503, "1"));
    pool.intercept({ method: "GET", path: "/api/v2/connections/x" }).reply(...busy(503, "5"));
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/x" })
      .reply(200, { connection_id: "x" }, { headers: json });
    await http.request("GET", "/connections/x");
    expect(notices).toEqual(["waiting 5 s before retrying GET /api/v2/connections/x (the server said 503)"]);
  });

  it("parallel requests told to wait alike: announced once", async () => {
    const { pool, http, notices } = setup();
    for (const id of ["a", "b", "c"]) {
      pool.intercept({ method: "GET", path: `/api/v2/connections/${id}` }).reply(...busy(429, "5"));
      pool
        .intercept({ method: "GET", path: `/api/v2/connections/${id}` })
        .reply(200, { connection_id: id }, { headers: json });
    }
    await Promise.all(["a", "b", "c"].map((id) => http.request("GET", `/connections/${id}`)));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^waiting 5 s before retrying GET \/api\/v2\/connections\/[abc] \(the server said 429\)$/,
    );
  });
});

describe("429 on a write is retried like a read", () => {
  it.each(["POST", "PATCH", "DELETE"])("%s: 429, then the answer; the body is sent again as it was", async (method) => {
    const { pool, http, slept, agent } = setup();
    const bodies: unknown[] = [];
    pool.intercept({ method, path: "/api/v2/connections" }).reply(
      429,
      (o) => {
        bodies.push(o.body);
        return { detail: "Too Many Requests" };
      },
      { headers: { ...json, "retry-after": "1" } },
    );
    pool.intercept({ method, path: "/api/v2/connections" }).reply(
      200,
      (o) => {
        bodies.push(o.body);
        return { ok: true };
      },
      { headers: json },
    );
    await expect(http.request(method, "/connections", { body: { connection_id: "a" } })).resolves.toMatchObject({
      status: 200,
    });
    expect(slept).toEqual([1000]);
    expect(bodies).toEqual(['{"connection_id":"a"}', '{"connection_id":"a"}']);
    agent.assertNoPendingInterceptors();
  });

  it("without Retry-After: the backoff; with --retries 0: not retried; 503 on a write: still never retried", async () => {
    const a = setup();
    a.pool
      .intercept({ method: "POST", path: "/api/v2/connections" })
      .reply(429, { detail: "slow down" }, { headers: json });
    a.pool
      .intercept({ method: "POST", path: "/api/v2/connections" })
      .reply(201, { connection_id: "a" }, { headers: json });
    await expect(a.http.request("POST", "/connections", { body: {} })).resolves.toMatchObject({ status: 201 });
    expect(a.slept).toHaveLength(1);
    expect(a.slept[0]).toBeGreaterThanOrEqual(250);

    const b = setup({ retries: 0 });
    b.pool
      .intercept({ method: "PATCH", path: "/api/v2/connections" })
      .reply(429, { detail: "slow down" }, { headers: json });
    await expect(b.http.request("PATCH", "/connections", { body: {} })).rejects.toMatchObject({ status: 429 });
    expect(b.slept).toEqual([]);

    const c = setup();
    c.pool
      .intercept({ method: "POST", path: "/api/v2/connections" })
      .reply(503, { detail: "down" }, { headers: { ...json, "retry-after": "1" } });
    await expect(c.http.request("POST", "/connections", { body: {} })).rejects.toMatchObject({ status: 503 });
    expect(c.slept).toEqual([]);
  });
});
