import { describe, expect, it } from "vitest";
import { MockAgent } from "undici";
import { Http, NotAirflowApiError, apiError, describeDetail, retryAfter, encodeId } from "../../src/api/http.js";
import { AirflowApi } from "../../src/api/client.js";
import { ApiError, NetworkError } from "../../src/errors.js";

const BASE = "http://airflow.test";
function setup(retries = 3) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const slept: number[] = [];
  const pool = agent.get(BASE);
  const http = new Http({
    baseUrl: BASE,
    token: "TOKEN123",
    retries,
    dispatcher: agent,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { agent, pool, http, slept };
}
const json = { "content-type": "application/json" };

describe("Http.request", () => {
  it("sends the bearer token, JSON body and repeated update_mask keys", async () => {
    const { pool, http, agent } = setup();
    const seen: { headers?: unknown; body?: unknown; path?: string } = {};
    pool
      .intercept({
        method: "PATCH",
        path: (p) => {
          seen.path = p;
          return p.startsWith("/api/v2/connections/a%20b%23c");
        },
      })
      .reply(
        200,
        (opts) => {
          seen.headers = opts.headers;
          seen.body = opts.body;
          return { connection_id: "a b#c" };
        },
        { headers: json },
      );
    const r = await http.request("PATCH", `/connections/${encodeId("a b#c")}`, {
      body: { host: "h" },
      query: { update_mask: ["host", "port"] },
    });
    expect(r.body).toEqual({ connection_id: "a b#c" });
    expect(seen.path).toBe("/api/v2/connections/a%20b%23c?update_mask=host&update_mask=port");
    const h = seen.headers as Record<string, string>;
    expect(h.authorization).toBe("Bearer TOKEN123");
    expect(h["content-type"]).toBe("application/json");
    expect(seen.body).toBe('{"host":"h"}');
    agent.assertNoPendingInterceptors();
  });

  it("percent-encodes ids like Python quote (also ! ' ( ) *)", () => {
    expect(encodeId("a!'()*~b")).toBe("a%21%27%28%29%2A~b");
    expect(encodeId("café")).toBe("caf%C3%A9");
  });

  it("retries GET on 503 honouring Retry-After, then succeeds", async () => {
    const { pool, http, slept, agent } = setup();
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/x" })
      .reply(503, "busy", { headers: { "retry-after": "2" } });
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/x" })
      .reply(429, "slow down", { headers: { "retry-after": "1" } });
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/x" })
      .reply(200, { connection_id: "x" }, { headers: json });
    const r = await http.request("GET", "/connections/x");
    expect(r.body).toEqual({ connection_id: "x" });
    expect(slept).toEqual([2000, 1000]);
    agent.assertNoPendingInterceptors();
  });

  it("retries GET on network errors with backoff and gives up after --retries", async () => {
    const { pool, http, slept } = setup(2);
    for (let i = 0; i < 3; i++)
      pool
        .intercept({ method: "GET", path: "/api/v2/connections/x" })
        .replyWithError(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
    await expect(http.request("GET", "/connections/x")).rejects.toBeInstanceOf(NetworkError);
    expect(slept.length).toBe(2);
    expect(slept[1]!).toBeGreaterThanOrEqual(500);
  });

  it("never retries POST or PATCH", async () => {
    const { pool, http, slept } = setup();
    pool
      .intercept({ method: "POST", path: "/api/v2/connections" })
      .reply(503, "Service Unavailable", { headers: { "retry-after": "1" } });
    const err = await http.request("POST", "/connections", { body: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(503);
    expect(slept).toEqual([]);
  });

  it("keeps the server's error body after the last retry", async () => {
    const { pool, http } = setup(1);
    pool.intercept({ method: "GET", path: "/api/v2/connections" }).reply(502, "Bad Gateway").times(2);
    const err = await http.request("GET", "/connections").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe("server error 502: Bad Gateway");
    expect(err.exitCode).toBe(1);
  });

  it("treats a 404 on a retried DELETE as done (the first attempt landed)", async () => {
    const { pool, http } = setup();
    pool
      .intercept({ method: "DELETE", path: "/api/v2/connections/x" })
      .replyWithError(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
    pool
      .intercept({ method: "DELETE", path: "/api/v2/connections/x" })
      .reply(404, { detail: "not found" }, { headers: json });
    await expect(http.request("DELETE", "/connections/x")).resolves.toMatchObject({ status: 204 });
  });

  it("times out a request that never answers", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get(BASE).intercept({ method: "POST", path: "/api/v2/connections" }).reply(200, {}).delay(5_000);
    const http = new Http({ baseUrl: BASE, retries: 0, timeoutMs: 100, dispatcher: agent });
    const err = await http.request("POST", "/connections", { body: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toBe("no answer from http://airflow.test within 0.1 s");
    await agent.close();
  });

  it("reports malformed JSON and HTML pages clearly", async () => {
    const { pool, http } = setup();
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/a" })
      .reply(200, '{"connection_id": "a", "conn', { headers: json });
    await expect(http.request("GET", "/connections/a")).rejects.toThrow(/malformed JSON answer/);
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/b" })
      .reply(200, "<!DOCTYPE html><html>UI</html>", { headers: { "content-type": "text/html" } });
    await expect(http.request("GET", "/connections/b")).rejects.toThrow(
      "http://airflow.test/api/v2/connections/b answered with an HTML page, not the Airflow API",
    );
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/c" })
      .reply(302, "", { headers: { location: "/login?next=x" } });
    const e = await http.request("GET", "/connections/c").catch((x) => x);
    expect(e.message).toMatch(/redirected \(302\) to \/login\?next=x/);
    expect(e.hint).toMatch(/login page/);
  });

  it("logs one line per request without the token", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get(BASE)
      .intercept({ method: "GET", path: "/api/v2/version" })
      .reply(200, { version: "3.2.1" }, { headers: json });
    const lines: string[] = [];
    const http = new Http({ baseUrl: BASE, token: "SECRET-TOKEN", dispatcher: agent, verbose: (l) => lines.push(l) });
    await http.request("GET", "/version");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET http:\/\/airflow\.test\/api\/v2\/version 200 \d+ ms$/);
    expect(lines.join()).not.toContain("SECRET-TOKEN");
  });
});

describe("error rendering", () => {
  const h = (type: string) => new Headers({ "content-type": type });
  it.each([
    [
      404,
      { detail: "The Connection with connection_id: `x` was not found" },
      "The Connection with connection_id: `x` was not found",
      3,
    ],
    [
      409,
      {
        detail: {
          reason: "Unique constraint violation",
          statement: "hidden",
          orig_error: "hidden",
          message: "Serious error ... ID Ab3dE6gH",
        },
      },
      "Unique constraint violation (Serious error ... ID Ab3dE6gH)",
      5,
    ],
    [
      422,
      {
        detail: [
          {
            type: "string_pattern_mismatch",
            loc: ["body", "connection_id"],
            msg: "String should match pattern '^[\\w.-]+$'",
          },
          { type: "missing", loc: ["body", "conn_type"], msg: "Field required" },
        ],
      },
      "connection_id: String should match pattern '^[\\w.-]+$'; conn_type: Field required",
      2,
    ],
    [422, { detail: "1 validation error for LoginBody" }, "1 validation error for LoginBody", 2],
    [
      400,
      { detail: "Ordering with 'bogus' is disallowed or the attribute does not exist on the model" },
      "Ordering with 'bogus' is disallowed or the attribute does not exist on the model",
      2,
    ],
    [401, { detail: "Not authenticated" }, "Not authenticated", 4],
    [403, { detail: "Invalid JWT token" }, "Invalid JWT token", 4],
  ])("status %i renders one line and maps the exit code", (status, body, text, code) => {
    const e = apiError(status, JSON.stringify(body), h("application/json"), "GET", "http://x/api/v2/connections");
    expect(e.message).toBe(text);
    expect(e.exitCode).toBe(code);
    expect(e.message).not.toContain("\n");
  });
  it.each([
    [404, { error: "API route not found" }, '{"error":"API route not found"}'],
    [404, { detail: "Not Found" }, '{"detail":"Not Found"}'],
  ])("a route that does not exist (%i %j) is a wrong base URL: exit 1, not 3", (status, body, quoted) => {
    const e = apiError(
      status,
      JSON.stringify(body),
      h("application/json"),
      "GET",
      "http://x/api/v2/connections",
      "http://x",
    );
    expect(e).toBeInstanceOf(NotAirflowApiError);
    expect(e.message).toBe(
      `GET http://x/api/v2/connections answered ${status} ${quoted}: no such route, so http://x does not serve the Airflow API`,
    );
    expect(e.exitCode).toBe(1);
    expect(e.hint).toMatch(/served under a path such as \/airflow/);
  });
  it("a 405 stays the server's answer (an older Airflow's answer to a newer route), and a missing connection stays 404", () => {
    const e = apiError(
      405,
      '{"detail":"Method Not Allowed"}',
      h("application/json"),
      "POST",
      "http://x/api/v2/connections/enqueue-test",
      "http://x",
    );
    expect([e.constructor.name, e.message, e.exitCode]).toEqual(["ApiError", "Method Not Allowed", 1]);
    const m = apiError(
      404,
      '{"detail":"The Connection with connection_id: `x` was not found"}',
      h("application/json"),
      "GET",
      "http://x/api/v2/connections/x",
      "http://x",
    );
    expect([m.constructor.name, m.exitCode]).toEqual(["ApiError", 3]);
  });
  it("dedupes the bulk endpoint's doubled 422 errors", () => {
    const one = {
      type: "missing",
      loc: ["body", "actions", 0, "create", "entities", 0, "conn_type"],
      msg: "Field required",
    };
    expect(describeDetail({ detail: [one, one] }, 422)).toBe("actions.0.create.entities.0.conn_type: Field required");
  });
  it("renders plain-text 500 and hints on 401", () => {
    const e = apiError(500, "Internal Server Error", h("text/plain"), "GET", "http://x/api/v2/connections");
    expect(e.message).toBe("server error 500: Internal Server Error");
    const t = apiError(401, '{"detail":"Token Expired"}', h("application/json"), "GET", "http://x/");
    expect(t.hint).toMatch(/expired.*airconn login/);
  });
  it("parses Retry-After seconds and dates, capped", () => {
    expect(retryAfter("3", 30_000)).toBe(3000);
    expect(retryAfter("999", 30_000)).toBe(30_000);
    expect(retryAfter(new Date(Date.now() + 5000).toUTCString(), 30_000)).toBeGreaterThan(3000);
    expect(retryAfter("soon", 30_000)).toBeUndefined();
  });
});

describe("AirflowApi.pages", () => {
  it("fetches the remaining pages in parallel and keeps the server's order, adapting to the page cap", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(BASE);
    const total = 230,
      cap = 50;
    const paths: string[] = [];
    pool
      .intercept({ method: "GET", path: (p) => p.startsWith("/api/v2/connections?") })
      .reply(
        200,
        (o) => {
          const u = new URL(BASE + o.path);
          paths.push(u.search);
          const limit = Math.min(Number(u.searchParams.get("limit")), cap),
            offset = Number(u.searchParams.get("offset"));
          const ids = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({
            connection_id: `c${offset + i}`,
          }));
          return { connections: ids, total_entries: total };
        },
        { headers: json },
      )
      .persist();
    const api = new AirflowApi({ baseUrl: BASE, token: "t", dispatcher: agent });
    const all = await api.list({ concurrency: 3, pattern: "c" });
    expect(all.map((c) => c.connection_id)).toEqual(Array.from({ length: total }, (_, i) => `c${i}`));
    expect(paths[0]).toBe("?limit=100&offset=0&connection_id_pattern=c");
    expect(paths.length).toBe(5);
    const limited = await api.list({ limit: 7, offset: 3 });
    expect(limited.map((c) => c.connection_id)).toEqual(["c3", "c4", "c5", "c6", "c7", "c8", "c9"]);
  });
});

describe("the size of an answer", () => {
  const big = (n: number) => JSON.stringify({ connections: [{ connection_id: "x".repeat(n) }], total_entries: 1 });
  const httpWith = (max: number) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(BASE);
    const http = new Http({ baseUrl: BASE, token: "t", dispatcher: agent, retries: 0, maxResponseBytes: max });
    return { pool, http };
  };

  it("an answer past the limit is refused (exit 1, a wrong URL), declared or streamed; one below it is read", async () => {
    const { pool, http } = httpWith(64 * 1024);
    // declared by content-length
    pool.intercept({ method: "GET", path: /^\/api\/v2\/connections/ }).reply(200, big(70_000), { headers: json });
    const e = await http.request("GET", "/connections").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotAirflowApiError);
    expect((e as NotAirflowApiError).exitCode).toBe(1);
    expect((e as Error).message).toBe(
      "GET http://airflow.test/api/v2/connections answered with more than 64 KiB: no answer of the Airflow API is that large",
    );
    // streamed without a length: stops at the limit
    pool
      .intercept({ method: "GET", path: /^\/api\/v2\/connections/ })
      .reply(200, () => Buffer.from(big(70_000)), { headers: { ...json, "transfer-encoding": "chunked" } });
    await expect(http.request("GET", "/connections")).rejects.toThrow(/answered with more than 64 KiB/);
    // below the limit: read whole, a UTF-8 BOM dropped as Response.text() drops it
    pool
      .intercept({ method: "GET", path: /^\/api\/v2\/connections/ })
      .reply(200, `\ufeff${big(60_000)}`, { headers: json });
    const ok = await http.request<{ connections: { connection_id: string }[] }>("GET", "/connections");
    expect(ok.body.connections[0]!.connection_id).toHaveLength(60_000);
  });
});
