import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { request as httpRequest } from "node:http";
import { gunzipSync } from "node:zlib";
import { startFakeAirflow, type FakeAirflow } from "../src/index.js";
import { client, validated } from "./helpers.js";

let fake: FakeAirflow;
let call: ReturnType<typeof client>;
const C = "/api/v2/connections";
const KEYS = [
  "connection_id",
  "conn_type",
  "description",
  "host",
  "login",
  "schema",
  "port",
  "password",
  "extra",
  "team_name",
];

beforeAll(async () => {
  fake = await startFakeAirflow({ airflowVersion: "3.2.1", testConnection: "Enabled" }); // 3.3 is in v33.test.ts
  call = client(fake);
});
afterAll(async () => {
  await fake.close();
  expect(validated).toBeGreaterThan(40); // responses were checked against the spec
});
beforeEach(() => fake.reset());

const create = (body: Record<string, unknown>) => call("POST", C, { body: { conn_type: "http", ...body } });

describe("authentication", () => {
  it("401 without a token or with another scheme, 403 for garbage, 401 Token Expired", async () => {
    let r = await call("GET", C, { token: null });
    expect([r.status, r.json, r.headers.get("www-authenticate")]).toEqual([
      401,
      { detail: "Not authenticated" },
      "Bearer",
    ]);
    r = await call("GET", C, { token: null, headers: { authorization: "Basic YWRtaW46YWRtaW4=" } });
    expect([r.status, r.json.detail]).toEqual([401, "Not authenticated"]);
    r = await call("GET", C, { token: "nope" });
    expect([r.status, r.json.detail]).toEqual([403, "Invalid JWT token"]);
    const forged = fake.adminToken.slice(0, -2) + (fake.adminToken.endsWith("AA") ? "BB" : "AA");
    expect((await call("GET", C, { token: forged })).status).toBe(403);
    r = await call("GET", C, { token: fake.mintToken({ expiresInSeconds: -1 }) });
    expect([r.status, r.json.detail]).toEqual([401, "Token Expired"]);
    expect((await call("GET", C, { token: fake.mintToken({ username: "someone" }) })).status).toBe(200);
  });

  it("POST /auth/token: JSON and form bodies, error cases, /cli", async () => {
    const post = (body: string, type?: string) =>
      fetch(fake.url + "/auth/token", { method: "POST", body, headers: type ? { "content-type": type } : {} });
    let r = await post('{"username":"admin","password":"admin"}', "application/json");
    expect(r.status).toBe(201);
    const { access_token } = (await r.json()) as { access_token: string };
    expect((await call("GET", C, { token: access_token })).status).toBe(200);
    r = await post("username=admin&password=admin", "application/x-www-form-urlencoded");
    expect(r.status).toBe(201);
    r = await post('{"username":"admin","password":"x"}', "application/json");
    expect([r.status, await r.json()]).toEqual([401, { detail: "Invalid credentials" }]);
    r = await post('{"username":"","password":"admin"}', "application/json");
    expect([r.status, await r.json()]).toEqual([400, { detail: "Username and password must be provided" }]);
    r = await post('{"username":"admin"}', "application/json");
    const body = (await r.json()) as { detail: unknown };
    expect(r.status).toBe(422);
    expect(typeof body.detail).toBe("string");
    r = await post("admin admin", "text/plain");
    expect([r.status, await r.json()]).toEqual([415, { detail: "Unsupported Media Type" }]);
    r = await post("{bad", "application/json");
    expect([r.status, await r.text()]).toEqual([500, "Internal Server Error"]);
    r = await fetch(fake.url + "/auth/token/cli", {
      method: "POST",
      body: '{"username":"admin","password":"admin"}',
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(201);
    const claims = JSON.parse(
      Buffer.from(((await r.json()) as { access_token: string }).access_token.split(".")[1]!, "base64url").toString(),
    );
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.sub).toBe("admin");
  });

  it("/api/v2/version needs no token", async () => {
    const r = await call("GET", "/api/v2/version", { token: null });
    expect([r.status, r.json.version]).toEqual([200, "3.2.1"]);
  });
});

describe("create / get / delete", () => {
  it("201 with the ten keys in order, redacted; the store keeps clear values", async () => {
    const r = await create({
      connection_id: "c1",
      conn_type: "postgres",
      host: "h",
      port: 5432,
      password: "pw",
      extra: '{"region":"eu","api_key":"k"}',
    });
    expect(r.status).toBe(201);
    expect(Object.keys(r.json)).toEqual(KEYS);
    expect(r.json).toMatchObject({
      password: "***",
      extra: '{"region": "eu", "api_key": "***"}',
      description: null,
      team_name: null,
    });
    expect(fake.stored("c1")).toMatchObject({ password: "pw", extra: '{"region":"eu","api_key":"k"}', port: 5432 });
    const g = await call("GET", `${C}/c1`);
    expect(g.json).toEqual(r.json);
  });

  it("409 with the hidden-SQL body", async () => {
    await create({ connection_id: "dup" });
    const r = await create({ connection_id: "dup" });
    expect(r.status).toBe(409);
    expect(Object.keys(r.json.detail)).toEqual(["reason", "statement", "orig_error", "message"]);
    expect(r.json.detail.message).toMatch(/look for ID [A-Za-z0-9]{8}$/);
  });

  it("422 shapes", async () => {
    let r = await create({ connection_id: "bad id!" });
    expect(r.json.detail).toEqual([
      {
        type: "string_pattern_mismatch",
        loc: ["body", "connection_id"],
        msg: "String should match pattern '^[\\w.-]+$'",
        input: "bad id!",
        ctx: { pattern: "^[\\w.-]+$" },
      },
    ]);
    r = await create({ connection_id: "x".repeat(201) });
    expect(r.json.detail[0]).toMatchObject({ type: "string_too_long", ctx: { max_length: 200 } });
    r = await call("POST", C, { body: { conn_id: "a", conn_type: "http" } });
    expect(r.json.detail.map((e: { type: string; loc: unknown }) => [e.type, e.loc])).toEqual([
      ["missing", ["body", "connection_id"]],
      ["extra_forbidden", ["body", "conn_id"]],
    ]);
    expect(r.json.detail[0].input).toEqual({ conn_id: "a", conn_type: "http" });
    r = await create({ connection_id: "a", port: 80.5 });
    expect(r.json.detail[0].type).toBe("int_from_float");
    r = await create({ connection_id: "a", port: "abc" });
    expect(r.json.detail[0].type).toBe("int_parsing");
    r = await create({ connection_id: "a", extra: "[1]" });
    expect(r.json.detail).toEqual([
      {
        type: "value_error",
        loc: ["body", "extra"],
        msg: "Value error, The `extra` field must be a valid JSON object (e.g., {'key': 'value'})",
        input: "[1]",
        ctx: { error: {} },
      },
    ]);
    r = await create({ connection_id: "a", extra: "nope" });
    expect(r.json.detail[0].msg).toMatch(/but encountered non-JSON in `extra` field$/);
    r = await call("POST", C, { raw: "[]", headers: { "content-type": "application/json" } });
    expect(r.json.detail[0].type).toBe("model_attributes_type");
    r = await call("POST", C, {
      raw: '{"connection_id":"a","conn_type":"http"}',
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(r.json.detail.map((e: { type: string }) => e.type)).toEqual(["model_attributes_type"]);
    r = await call("POST", C, { raw: "", headers: { "content-type": "application/json" } });
    expect(r.json.detail).toEqual([{ type: "missing", loc: ["body"], msg: "Field required", input: null }]);
    // malformed JSON is rejected before authentication
    r = await call("POST", C, {
      raw: '{"connection_id":',
      headers: { "content-type": "application/json" },
      token: null,
    });
    expect([r.status, r.json.detail]).toEqual([
      422,
      [
        {
          type: "json_invalid",
          loc: ["body", 17],
          msg: "JSON decode error",
          input: {},
          ctx: { error: "Expecting value" },
        },
      ],
    ]);
    expect(fake.all()).toEqual([]);
  });

  it("coercions and stored forms: password '' -> null, extra '' -> '{}', schema_, port '8080', Unicode ids", async () => {
    let r = await create({ connection_id: "e1", password: "", extra: "" });
    expect([r.json.password, r.json.extra]).toEqual([null, "{}"]);
    expect(fake.stored("e1")).toMatchObject({ password: null, extra: "{}" });
    r = await create({ connection_id: "e2", port: "8080", schema_: "s" });
    expect([r.json.port, r.json.schema]).toEqual([8080, "s"]);
    r = await create({ connection_id: "café_1" });
    expect(r.status).toBe(201);
    expect((await call("GET", `${C}/${encodeURIComponent("café_1")}`)).json.connection_id).toBe("café_1");
  });

  it("404 texts, percent-decoded ids, %2F, /test and /defaults as plain reads, DELETE 204", async () => {
    let r = await call("GET", `${C}/a%20b`);
    expect([r.status, r.json.detail]).toEqual([404, "The Connection with connection_id: `a b` was not found"]);
    r = await call("GET", `${C}/a%2Fb`);
    expect([r.status, r.json]).toEqual([404, { error: "API route not found" }]);
    r = await call("GET", `${C}/test`);
    expect(r.json.detail).toBe("The Connection with connection_id: `test` was not found");
    await create({ connection_id: "d1" });
    r = await call("DELETE", `${C}/d1`);
    expect([r.status, r.text]).toEqual([204, ""]);
    r = await call("DELETE", `${C}/d1`);
    expect(r.status).toBe(404);
  });
});

describe("list", () => {
  beforeEach(() => fake.reset({ seed: 250 }));

  it("paging: default 50, silent cap, limit=0, offset, total_entries, 422s", async () => {
    let r = await call("GET", C);
    expect([r.json.connections.length, r.json.total_entries, r.json.connections[0].connection_id]).toEqual([
      50,
      250,
      "conn_00001",
    ]);
    r = await call("GET", `${C}?limit=500`);
    expect(r.json.connections.length).toBe(100);
    r = await call("GET", `${C}?limit=0`);
    expect([r.json.connections.length, r.json.total_entries]).toEqual([0, 250]);
    r = await call("GET", `${C}?limit=2&offset=248`);
    expect(r.json.connections.map((c: { connection_id: string }) => c.connection_id)).toEqual([
      "conn_00249",
      "conn_00250",
    ]);
    r = await call("GET", `${C}?limit=-1`);
    expect(r.json.detail).toEqual([
      {
        type: "greater_than_equal",
        loc: ["query", "limit"],
        msg: "Input should be greater than or equal to 0",
        input: "-1",
        ctx: { ge: 0 },
      },
    ]);
    r = await call("GET", `${C}?offset=x`);
    expect(r.json.detail[0]).toMatchObject({ type: "int_parsing", loc: ["query", "offset"] });
  });

  it("order_by: alias, -, NULLs last, tie-break on id, repeated keys, 400 texts", async () => {
    const all = fake.all();
    let r = await call("GET", `${C}?order_by=-connection_id&limit=3`);
    expect(r.json.connections.map((c: { connection_id: string }) => c.connection_id)).toEqual([
      "conn_00250",
      "conn_00249",
      "conn_00248",
    ]);
    r = await call("GET", `${C}?order_by=port&limit=100&offset=200`);
    const ports = r.json.connections.map((c: { port: number | null }) => c.port);
    const nulls = all.filter((c) => c.port === null).length;
    expect(ports.slice(-1)[0]).toBeNull();
    expect(ports.filter((p: number | null) => p === null).length).toBe(Math.min(50, nulls));
    r = await call("GET", `${C}?order_by=-port&limit=100`);
    const desc = r.json.connections.map((c: { port: number }) => c.port);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    // ties on conn_type keep id order; descending first key -> ids descending
    r = await call("GET", `${C}?order_by=conn_type&limit=100`);
    const first = r.json.connections
      .filter((c: { conn_type: string }) => c.conn_type === r.json.connections[0].conn_type)
      .map((c: { connection_id: string }) => c.connection_id);
    expect(first).toEqual([...first].sort());
    r = await call("GET", `${C}?order_by=-conn_type&limit=100`);
    const firstDesc = r.json.connections
      .filter((c: { conn_type: string }) => c.conn_type === r.json.connections[0].conn_type)
      .map((c: { connection_id: string }) => c.connection_id);
    expect(firstDesc).toEqual([...firstDesc].sort().reverse());
    r = await call("GET", `${C}?order_by=-login`);
    expect([r.status, r.json.detail]).toEqual([
      400,
      "Ordering with 'login' is disallowed or the attribute does not exist on the model",
    ]);
    r = await call(
      "GET",
      `${C}?${"abcdefghijk"
        .split("")
        .map((c) => `order_by=${c}`)
        .join("&")}`,
    );
    expect(r.json.detail).toBe(
      "Ordering with more than 10 parameters is not allowed. Provided: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']",
    );
  });

  it("connection_id_pattern: ILIKE contains, _ and %, 'a | b', ~", async () => {
    const ids = async (p: string) =>
      (await call("GET", `${C}?limit=100&connection_id_pattern=${encodeURIComponent(p)}`)).json.connections.map(
        (c: { connection_id: string }) => c.connection_id,
      );
    expect(await ids("CONN_0024")).toEqual([
      "conn_00240",
      "conn_00241",
      "conn_00242",
      "conn_00243",
      "conn_00244",
      "conn_00245",
      "conn_00246",
      "conn_00247",
      "conn_00248",
      "conn_00249",
    ]);
    expect(await ids("0_25")).toEqual(["conn_00025", "conn_00125", "conn_00225", "conn_00250"]);
    expect(await ids("n_%250")).toEqual(["conn_00250"]);
    expect(await ids("00001 | 00002")).toEqual(["conn_00001", "conn_00002"]);
    expect(await ids("00001|")).toEqual([]);
    expect((await call("GET", `${C}?connection_id_pattern=~&limit=0`)).json.total_entries).toBe(250);
  });

  it("gzip for bodies of 1 KiB or more", async () => {
    const res = await new Promise<{ enc: string | undefined; body: Buffer }>((resolve, reject) => {
      const u = new URL(fake.url + C);
      httpRequest(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          headers: { authorization: `Bearer ${fake.adminToken}`, "accept-encoding": "gzip" },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => resolve({ enc: r.headers["content-encoding"], body: Buffer.concat(chunks) }));
        },
      )
        .on("error", reject)
        .end();
    });
    expect(res.enc).toBe("gzip");
    expect(JSON.parse(gunzipSync(res.body).toString()).connections.length).toBe(50);
  });
});

describe("PATCH one", () => {
  const U = `${C}/p1`;
  const patch = (body: Record<string, unknown>, q = "") =>
    call("PATCH", U + q, { body: { connection_id: "p1", conn_type: "postgres", ...body } });
  beforeEach(async () => {
    await create({
      connection_id: "p1",
      conn_type: "postgres",
      description: "d",
      host: "h",
      login: "l",
      port: 5432,
      password: "pw",
      extra: '{"region":"eu","api_key":12345,"conf":{"secret":"s","x":1}}',
    });
  });

  it("order of checks: 422, then 400 id mismatch, then 404", async () => {
    expect((await call("PATCH", `${C}/ghost`, { body: { connection_id: "other" } })).status).toBe(422);
    let r = await call("PATCH", `${C}/ghost`, { body: { connection_id: "other", conn_type: "x" } });
    expect([r.status, r.json.detail]).toEqual([
      400,
      "The connection_id in the request body does not match the URL parameter",
    ]);
    r = await call("PATCH", `${C}/ghost`, { body: { connection_id: "ghost", conn_type: "x" } });
    expect(r.status).toBe(404);
  });

  it("writes only fields sent; null clears; update_mask repeated keys; 'host,port' matches nothing", async () => {
    let r = await patch({ host: "h2", description: null });
    expect([r.json.host, r.json.description, r.json.login, r.json.port]).toEqual(["h2", null, "l", 5432]);
    r = await patch({ host: "h3", port: 1 }, "?update_mask=host");
    expect([r.json.host, r.json.port]).toEqual(["h3", 5432]);
    r = await patch({ host: "h4", port: 2 }, "?update_mask=host,port");
    expect([r.json.host, r.json.port]).toEqual(["h3", 5432]);
    r = await patch({ host: "h4", port: 2 }, "?update_mask=host&update_mask=port");
    expect([r.json.host, r.json.port]).toEqual(["h4", 2]);
  });

  it("password: *** keeps, null and '' never clear; extra merge restores sensitive values", async () => {
    for (const password of ["***", null, ""]) {
      await patch({ password });
      expect(fake.stored("p1")!.password).toBe("pw");
    }
    await patch({}, "?update_mask=password");
    expect(fake.stored("p1")!.password).toBe("pw");
    const r = await patch({ extra: '{"api_key":"***","region":"us","conf":{"secret":"***","x":2}}' });
    expect(r.json.extra).toBe('{"api_key": 12345, "region": "us", "conf": {"secret": "***", "x": 2}}');
    expect(fake.stored("p1")!.extra).toBe('{"api_key": 12345, "region": "us", "conf": {"secret": "s", "x": 2}}');
    await patch({}, "?update_mask=extra");
    expect(fake.stored("p1")!.extra).toBeNull();
    expect(fake.all().some((c) => c.password === "***")).toBe(false);
  });
});

describe("bulk PATCH /connections", () => {
  const bulk = (actions: unknown[]) => call("PATCH", C, { body: { actions } });

  it("create fail/skip/overwrite, update (mask ignored), delete; errors per action", async () => {
    let r = await bulk([
      {
        action: "create",
        entities: [
          { connection_id: "b1", conn_type: "http", host: "x", password: "p" },
          { connection_id: "b2", conn_type: "http" },
        ],
      },
    ]);
    expect(r.json).toEqual({ create: { success: ["b1", "b2"], errors: [] }, update: null, delete: null });
    r = await bulk([
      {
        action: "create",
        entities: [
          { connection_id: "b1", conn_type: "http" },
          { connection_id: "b3", conn_type: "http" },
        ],
      },
    ]);
    expect(r.json.create).toEqual({
      success: [],
      errors: [{ error: "The connections with these connection_ids: {'b1'} already exist.", status_code: 409 }],
    });
    r = await bulk([
      {
        action: "create",
        action_on_existence: "overwrite",
        entities: [{ connection_id: "b1", conn_type: "ftp", password: "***" }],
      },
    ]);
    expect(fake.stored("b1")).toMatchObject({ conn_type: "ftp", host: null, password: "***" }); // stored literally
    r = await bulk([
      {
        action: "update",
        update_mask: ["host"],
        action_on_non_existence: "skip",
        entities: [
          { connection_id: "b2", conn_type: "x", host: "h", port: 1 },
          { connection_id: "zz", conn_type: "x" },
        ],
      },
    ]);
    expect(r.json.update).toEqual({ success: ["b2"], errors: [] });
    expect(fake.stored("b2")).toMatchObject({ conn_type: "x", host: "h", port: 1 }); // update_mask is ignored in bulk
    r = await bulk([
      { action: "delete", entities: ["b2", "n1", "n2"] },
      { action: "create", entities: [{ connection_id: "b4", conn_type: "http" }] },
    ]);
    expect(r.json.delete.errors[0]).toEqual({
      error: "The connections with these connection_ids: {'n1', 'n2'} were not found.",
      status_code: 404,
    });
    expect(r.json.create.success).toEqual(["b4"]);
    expect(fake.stored("b2")).toBeDefined();
  });

  it("whole-request failures roll back: same new id twice -> 409, object delete entities -> 500, unknown action -> 500", async () => {
    let r = await bulk([
      { action: "create", entities: [{ connection_id: "ok1", conn_type: "http" }] },
      {
        action: "create",
        entities: [
          { connection_id: "d", conn_type: "http" },
          { connection_id: "d", conn_type: "http" },
        ],
      },
    ]);
    expect([r.status, r.json.detail.reason]).toEqual([409, "Unique constraint violation"]);
    expect(fake.all()).toEqual([]);
    await create({ connection_id: "keep" });
    r = await bulk([
      { action: "delete", entities: ["keep"] },
      { action: "delete", entities: [{ connection_id: "keep", conn_type: "http" }] },
    ]);
    expect([r.status, r.text]).toEqual([500, "Internal Server Error"]);
    expect(fake.stored("keep")).toBeDefined();
    expect((await call("GET", C)).json.connections.map((c: { connection_id: string }) => c.connection_id)).toEqual([
      "keep",
    ]);
    r = await bulk([{ action: "upsert", entities: [] }]);
    expect([r.status, r.headers.get("content-type"), r.text]).toEqual([
      500,
      "text/plain; charset=utf-8",
      "Internal Server Error",
    ]);
  });

  it("422 errors are listed twice", async () => {
    const r = await bulk([
      { action: "create", entities: [{ connection_id: "bad id", conn_type: "http" }], action_on_existence: "replace" },
    ]);
    expect(r.json.detail.map((e: { type: string; loc: unknown[] }) => [e.type, e.loc.join("/")])).toEqual([
      ["string_pattern_mismatch", "body/actions/0/create/entities/0/connection_id"],
      ["enum", "body/actions/0/create/action_on_existence"],
      ["string_pattern_mismatch", "body/actions/0/create/entities/0/connection_id"],
      ["enum", "body/actions/0/create/action_on_existence"],
    ]);
  });
});

describe("redaction", () => {
  const roundtrip = async (extra: string) =>
    (await create({ connection_id: `r${Math.random().toString(36).slice(2, 8)}`, extra })).json.extra;
  it("Python json.dumps formatting and sensitive keys", async () => {
    expect(await roundtrip('{"f":1.0,"e":1e3,"big":12345678901234567890123,"n":"café"}')).toBe(
      '{"f": 1.0, "e": 1000.0, "big": 12345678901234567890123, "n": "caf\\u00e9"}',
    );
    expect(await roundtrip('{"MyApiKey":"k","num_token":42,"token":{"a":"x","l":["s",2]},"proxy":"p","dsn":"d"}')).toBe(
      '{"MyApiKey": "***", "num_token": 42, "token": {"a": "***", "l": ["***", 2]}, "proxy": "***", "dsn": "d"}',
    );
    expect(await roundtrip('{"l1":{"l2":{"l3":{"l4":{"password":"x","l5":{"password":"y"}}}}}}')).toBe(
      '{"l1": {"l2": {"l3": {"l4": {"password": "***", "l5": {"password": "y"}}}}}}',
    );
  });
});

describe("POST /connections/test and /defaults", () => {
  it("enabled: merges the stored secrets, unknown types, unreachable host", async () => {
    await create({ connection_id: "t1", conn_type: "postgres", login: "u", password: "secret" });
    let r = await call("POST", `${C}/test`, { body: { connection_id: "t1", conn_type: "postgres", password: "***" } });
    expect(r.json).toEqual({ status: true, message: "Connection successfully tested" });
    r = await call("POST", `${C}/test`, {
      body: { connection_id: "new", conn_type: "postgres", login: "u", password: "***" },
    });
    expect(r.json.status).toBe(false);
    r = await call("POST", `${C}/test`, { body: { connection_id: "t1", conn_type: "nope" } });
    expect(r.json).toEqual({ status: false, message: 'Unknown hook type "nope"' });
    r = await call("POST", `${C}/test`, {
      body: { connection_id: "t1", conn_type: "postgres", host: "unreachable.invalid" },
    });
    expect(r.json.status).toBe(false);
    expect(r.json.message).toMatch(/Connection refused/);
    r = await call("POST", `${C}/test`, { body: { connection_id: "bad id", conn_type: "postgres" } });
    expect(r.status).toBe(422);
    expect(fake.stored("new")).toBeUndefined();
    expect(fake.stored("t1")!.conn_type).toBe("postgres");
  });

  it("disabled (and Hidden): 422 first, then 403", async () => {
    for (const mode of ["Disabled", "Hidden"] as const) {
      const f = await startFakeAirflow({ testConnection: mode });
      const c = client(f);
      expect((await c("POST", `${C}/test`, { body: { connection_id: "a b", conn_type: "x" } })).status).toBe(422);
      const r = await c("POST", `${C}/test`, { body: { connection_id: "a", conn_type: "x" } });
      expect([r.status, r.json.detail]).toEqual([
        403,
        "Testing connections is disabled in Airflow configuration. Contact your deployment admin to enable it.",
      ]);
      await f.close();
    }
  });

  it("defaults: 204, 62 ids, only missing ones are added", async () => {
    expect((await call("POST", `${C}/defaults`)).status).toBe(204);
    expect(fake.all().length).toBe(62);
    expect(fake.stored("airflow_db")).toMatchObject({ conn_type: "mysql", password: null });
    await call("PATCH", `${C}/postgres_default`, {
      body: { connection_id: "postgres_default", conn_type: "postgres", host: "mine" },
    });
    await call("DELETE", `${C}/http_default`);
    expect((await call("POST", `${C}/defaults`)).status).toBe(204);
    expect(fake.stored("postgres_default")!.host).toBe("mine");
    expect(fake.stored("http_default")).toBeDefined();
    expect(fake.all().length).toBe(62);
  });
});

describe("routing", () => {
  it("trailing slash, 405 with Allow, /api/v1, UI HTML", async () => {
    let r = await call("GET", `${C}/`);
    expect([r.status, r.json]).toEqual([404, { error: "API route not found" }]);
    r = await call("POST", `${C}/`, { body: {} });
    expect([r.status, r.json]).toEqual([405, { detail: "Method Not Allowed" }]);
    r = await call("PUT", `${C}/x`, { body: {} });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toContain("PATCH");
    r = await call("GET", "/api/v1/connections");
    expect(r.json.error).toMatch(/^\/api\/v1 has been removed/);
    r = await call("GET", "/home", { token: null });
    expect([r.status, r.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
  });

  it("records every request with its status", async () => {
    fake.reset();
    await create({ connection_id: "rec" });
    await call("GET", `${C}?limit=1&order_by=id`);
    expect(fake.requests.map((q) => [q.method, q.path, q.status])).toEqual([
      ["POST", C, 201],
      ["GET", C, 200],
    ]);
    expect(fake.requests[0]!.json).toEqual({ conn_type: "http", connection_id: "rec" });
    expect(fake.requests[1]!.query.get("limit")).toBe("1");
    expect(fake.requests[1]!.rawQuery).toBe("limit=1&order_by=id");
  });
});
