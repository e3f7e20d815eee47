// `airconn get`: one GET, the connection as the server shows it (secrets as ***) in every format; not found, auth
// and network failures with their exit codes.
import { afterEach, describe, expect, it } from "vitest";
import { runGet } from "../../../src/commands/get.js";
import { readdirSync } from "node:fs";
import { closeAirflows, fakeAirflow, setup, tempFolder } from "../commands-support.js";

afterEach(closeAirflows);

const pg = {
  connection_id: "pg",
  conn_type: "postgres",
  description: "main db",
  host: "db",
  login: "app",
  schema: "sales",
  port: 5432,
  password: "s3cret",
  extra: '{"sslmode": "require", "api_token": "tok-1"}',
};

describe("get", () => {
  it("-o json: one GET, every field in the API's order, the password and sensitive extra values as the server's ***", async () => {
    const af = await fakeAirflow([pg]);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runGet({ id: "pg" }, d))).toBe(0);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v2/connections/pg"]);
    const c = JSON.parse(s.io.stdout()) as Record<string, unknown>;
    expect(c).toEqual({ ...pg, password: "***", extra: '{"sslmode": "require", "api_token": "***"}', team_name: null });
    expect(Object.keys(c)).toEqual([
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
    ]);
    expect(s.io.stdout()).not.toContain("s3cret");
    expect(s.io.stderr()).toBe("");
  });

  it("plain: one field per line, tab-separated, nulls empty; yaml: the same document", async () => {
    const af = await fakeAirflow([{ connection_id: "web", conn_type: "http", host: "api.example.com", port: 443 }]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runGet({ id: "web" }, d))).toBe(0);
    expect(s.io.stdout()).toBe(
      "connection_id\tweb\nconn_type\thttp\ndescription\t\nhost\tapi.example.com\nlogin\t\nschema\t\nport\t443\npassword\t\nextra\t\nteam_name\t\n",
    );
    const y = setup({ airflow: af, globals: { output: "yaml" } });
    expect(await y.run((d) => runGet({ id: "web" }, d))).toBe(0);
    expect(y.io.stdout()).toMatch(/^connection_id: web\nconn_type: http\ndescription: null\nhost: api\.example\.com\n/);
  });

  it("an id made outside the API (with '#') is asked for, encoded; an id with '/' is refused before any request (exit 2)", async () => {
    const af = await fakeAirflow([{ connection_id: "cli#1", conn_type: "http" }]);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runGet({ id: "cli#1" }, d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toMatchObject({ connection_id: "cli#1" });
    const n = af.requests.length;
    const t = setup({ airflow: af });
    expect(await t.run((d) => runGet({ id: "a/b" }, d))).toBe(2);
    expect(t.io.stderr()).toMatch(/^airconn: .*contains "\/"/);
    expect(af.requests.length).toBe(n);
  });

  it("a missing id exits 3 with the server's message", async () => {
    const af = await fakeAirflow([pg]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runGet({ id: "no_such_conn" }, d))).toBe(3);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toBe("airconn: The Connection with connection_id: `no_such_conn` was not found\n");
  });

  it("a bad token exits 4 with a hint to log in", async () => {
    const af = await fakeAirflow([pg]);
    const s = setup({ airflow: af, env: { AIRCONN_TOKEN: "not-a-jwt" } });
    expect(await s.run((d) => runGet({ id: "pg" }, d))).toBe(4);
    expect(s.io.stderr()).toMatch(/^airconn: Invalid JWT token\nhint: .*airconn login/);
  });

  it("an expired token exits 4 with a hint to log in again", async () => {
    const af = await fakeAirflow([pg]);
    const s = setup({ airflow: af, env: { AIRCONN_TOKEN: af.mintToken({ expiresInSeconds: -60 }) } });
    expect(await s.run((d) => runGet({ id: "pg" }, d))).toBe(4);
    expect(s.io.stderr()).toMatch(
      /^airconn: Token Expired\nhint: your token has expired: run `airconn login` again\n$/,
    );
  });

  it("no token at all exits 4 before any request", async () => {
    const af = await fakeAirflow([pg]);
    const s = setup({ airflow: af, env: { AIRCONN_TOKEN: "" } });
    expect(await s.run((d) => runGet({ id: "pg" }, d))).toBe(4);
    expect(s.io.stderr()).toMatch(/^airconn: not logged in/);
    expect(af.requests).toEqual([]);
  });

  it("AIRCONN_USERNAME + AIRCONN_PASSWORD get a token for the run (POST /auth/token) and store nothing", async () => {
    const af = await fakeAirflow([pg]);
    const dir = tempFolder();
    const s = setup({
      airflow: af,
      globals: { output: "json" },
      env: { AIRCONN_CONFIG_DIR: dir, AIRCONN_TOKEN: "", AIRCONN_USERNAME: "admin", AIRCONN_PASSWORD: "admin" },
    });
    expect(await s.run((d) => runGet({ id: "pg" }, d))).toBe(0);
    expect(JSON.parse(s.io.stdout()).connection_id).toBe("pg");
    expect(af.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /auth/token 201",
      "GET /api/v2/connections/pg 200",
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("an unreachable host exits 1 with a one-line message and no stack trace", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, env: { AIRCONN_API_URL: "http://127.0.0.1:59998" } });
    expect(await s.run((d) => runGet({ id: "x" }, d))).toBe(1);
    expect(s.io.stderr()).toBe(
      "airconn: cannot connect to http://127.0.0.1:59998: connection refused\nhint: is the Airflow API server running? Check the URL with `airconn profile show`\n",
    );
  });
});
