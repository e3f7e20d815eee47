// Fetch-level behaviour of the API layer with nock (which intercepts Node's global fetch): the exact requests
// airconn sends and how it reads answers. Retries and dispatchers are tested with undici's MockAgent (http.test.ts),
// because nock bypasses the dispatcher.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import nock from "nock";
import { gzipSync } from "node:zlib";
import { AirflowApi } from "../../src/api/client.js";
import { ApiError } from "../../src/errors.js";

const BASE = "http://airflow.nock.test";
beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

const api = () => new AirflowApi({ baseUrl: BASE, token: "JWT.TOKEN.SIG", retries: 0 });

describe("API layer over fetch (nock)", () => {
  it("GET /connections with the bearer token, JSON accept and repeated order_by keys", async () => {
    const scope = nock(BASE, { reqheaders: { authorization: "Bearer JWT.TOKEN.SIG", accept: "application/json" } })
      .get("/api/v2/connections")
      .query(
        (q) =>
          JSON.stringify(q) ===
          JSON.stringify({
            limit: "100",
            offset: "0",
            order_by: ["-conn_type", "host"],
            connection_id_pattern: "pg_%",
          }),
      )
      .reply(200, { connections: [{ connection_id: "pg_1" }], total_entries: 1 });
    const page = await api().page({ limit: 100, offset: 0, orderBy: ["-conn_type", "host"], pattern: "pg_%" });
    expect(page.connections.map((c) => c.connection_id)).toEqual(["pg_1"]);
    expect(scope.isDone()).toBe(true);
  });

  it("PATCH one connection: percent-encoded id, update_mask as repeated keys, JSON body", async () => {
    let body: unknown;
    const scope = nock(BASE, { reqheaders: { "content-type": "application/json" } })
      .patch("/api/v2/connections/a%20b%23c")
      .query({ update_mask: ["host", "port"] })
      .reply(200, (_uri, b) => {
        body = b;
        return { connection_id: "a b#c", host: "h", port: 1 };
      });
    await api().patch("a b#c", { connection_id: "a b#c", conn_type: "http", host: "h", port: 1 }, ["host", "port"]);
    expect(body).toEqual({ connection_id: "a b#c", conn_type: "http", host: "h", port: 1 });
    expect(scope.isDone()).toBe(true);
  });

  it("reads a gzip-compressed answer", async () => {
    const payload = { connection_id: "big", conn_type: "http", extra: JSON.stringify({ k: "v".repeat(4000) }) };
    nock(BASE)
      .get("/api/v2/connections/big")
      .reply(200, gzipSync(JSON.stringify(payload)), {
        "content-type": "application/json",
        "content-encoding": "gzip",
      });
    expect(await api().get("big")).toEqual(payload);
  });

  it("DELETE answers 204 with no body; POST /auth/token sends no token", async () => {
    nock(BASE).delete("/api/v2/connections/x").reply(204);
    await expect(api().delete("x")).resolves.toBeUndefined();
    const scope = nock(BASE, { badheaders: ["authorization"] })
      .post("/auth/token", { username: "u", password: "p" })
      .reply(201, { access_token: "NEW" });
    expect(await api().token("u", "p")).toBe("NEW");
    expect(scope.isDone()).toBe(true);
  });

  it("turns a plain-text 500 and a 422 list into one-line ApiErrors", async () => {
    nock(BASE).post("/api/v2/connections").reply(500, "Internal Server Error", { "content-type": "text/plain" });
    const e = await api()
      .create({ connection_id: "x", conn_type: "http" })
      .catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.message, e.exitCode]).toEqual([500, "server error 500: Internal Server Error", 1]);
    nock(BASE)
      .post("/api/v2/connections")
      .reply(422, { detail: [{ type: "missing", loc: ["body", "conn_type"], msg: "Field required" }] });
    const v = await api()
      .create({ connection_id: "x" } as never)
      .catch((x) => x);
    expect([v.status, v.message, v.exitCode]).toEqual([422, "conn_type: Field required", 2]);
  });
});
