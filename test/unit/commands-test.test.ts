import { afterEach, describe, expect, it } from "vitest";
import { runTest } from "../../src/commands/test.js";
import { runDefaults } from "../../src/commands/defaults.js";
import { defaultConnections } from "../fake-airflow/defaults.js";
import { closeAirflows, fakeAirflow, setup } from "./commands-support.js";

afterEach(closeAirflows);

// The server shows the password and extra.token as "***".
const stored = { connection_id: "pg", conn_type: "postgres", host: "db", port: 5432, login: "app", password: "real", extra: '{"token": "t0ken", "a": 1}' };

describe("test", () => {
  it("a stored connection: GET it and send it back as the body; ok → exit 0 and one line", async () => {
    const af = await fakeAirflow([stored]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runTest({ id: "pg" }, d))).toBe(0);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v2/connections/pg", "POST /api/v2/connections/test"]);
    expect(af.requests[1]!.json).toEqual({ connection_id: "pg", conn_type: "postgres", host: "db", port: 5432, login: "app", password: "***", extra: '{"token": "***", "a": 1}' });
    expect(s.io.stdout()).toBe("ok: Connection successfully tested\n");
    expect(af.stored("pg")!.password).toBe("real");
  });

  it("status false → exit 1, 'failed: ...' on stdout; -o json prints the response", async () => {
    // a hook's message over two lines, as the server passes it on (scripted: the fake's hook messages are one line)
    const af = await fakeAirflow([stored], {
      intercept: (r) => r.path.endsWith("/test") ? { status: 200, json: { status: false, message: "connection refused\nat db:5432" } } : undefined,
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
    expect(s.io.stderr()).toMatch(/^airconn: Testing connections is disabled.*\nhint: .*AIRFLOW__CORE__TEST_CONNECTION=Enabled/);
    // a 403 of the permission check ({"detail": "Forbidden"})
    const t = setup({ airflow: await fakeAirflow([stored], { faults: { status: 403, pathPattern: "/connections/test$" } }) });
    expect(await t.run((d) => runTest({ id: "pg" }, d))).toBe(4);
  });

  it("an unsaved connection from field flags or --uri: no GET, a scratch id unless one is given", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, stdin: "pw\n" });
    expect(await s.run((d) => runTest({ type: "http", host: "api.example.com", port: 443, passwordStdin: true }, d))).toBe(0);
    expect(af.requests).toHaveLength(1);
    expect(af.requests[0]!.json).toEqual({ connection_id: expect.stringMatching(/^airconn_test_[0-9a-f]{12}$/), conn_type: "http", host: "api.example.com", port: 443, password: "pw" });
    const t = setup({ airflow: af });
    expect(await t.run((d) => runTest({ id: "trial", uri: "mysql://u:p%40ss@h:3306/db" }, d))).toBe(0);
    expect(af.requests[1]!.json).toEqual({ connection_id: "trial", conn_type: "mysql", host: "h", login: "u", password: "p@ss", port: 3306, schema: "db" });
  });

  it("a stored connection with overrides: the stored fields plus the flags", async () => {
    const af = await fakeAirflow([stored]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runTest({ id: "pg", host: "replica" }, d))).toBe(0);
    expect(af.requests[1]!.json).toMatchObject({ connection_id: "pg", host: "replica", password: "***" });
  });

  it("nothing to test, or flags with --uri: exit 2, no request; a missing stored one: exit 3", async () => {
    const af = await fakeAirflow();
    for (const o of [{}, { host: "h" }, { uri: "http://h", host: "x" }, { type: "http", password: "a", passwordStdin: true }]) {
      const s = setup({ airflow: af });
      expect(await s.run((d) => runTest(o, d)), JSON.stringify(o)).toBe(2);
    }
    expect(af.requests).toHaveLength(0);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runTest({ id: "missing" }, d))).toBe(3);
  });
});

// The 62 ids create_default_connections adds on Airflow 3.2 (api-behaviour.md §6), as the local server holds them.
const DEFAULT_IDS = defaultConnections().map((c) => c.connection_id);

describe("defaults", () => {
  it("lists before and after, reports added ids as created and existing defaults as skipped", async () => {
    const af = await fakeAirflow([{ connection_id: "mine", conn_type: "http" }, { connection_id: "postgres_default", conn_type: "postgres" }]);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runDefaults(d))).toBe(0);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v2/connections", "POST /api/v2/connections/defaults", "GET /api/v2/connections"]);
    // created: every default the server added (in its order), not the one that existed; "mine" is not a default
    expect(DEFAULT_IDS).toHaveLength(62); // the server's list is §6's
    const added = DEFAULT_IDS.filter((id) => id !== "postgres_default");
    expect(JSON.parse(s.io.stdout())).toEqual({ created: added, updated: [], deleted: [], skipped: ["postgres_default"], failed: [] });
    expect(s.io.stderr()).toMatch(/created 61, updated 0, deleted 0, skipped 1, failed 0/);
    expect(af.stored("postgres_default")).toMatchObject({ conn_type: "postgres", host: null }); // left as it was
    const t = setup({ airflow: af, globals: { output: "plain" } });
    expect(await t.run((d) => runDefaults(d))).toBe(0);
    expect(t.io.stdout()).toBe(DEFAULT_IDS.map((id) => `${id}\tcreate\tskipped\t\n`).join(""));
    expect(t.io.stderr()).toMatch(/No default connection was added/);
  });
});
