// `airconn list`: every page, in the server's order; --pattern, --prefix, --order-by, --limit, --offset; json, plain
// and table output; the server's 400 for an unknown field; no token.
import { afterEach, describe, expect, it } from "vitest";
import { runList } from "../../../src/commands/list.js";
import { airflow32, airflow33, closeAirflows, fakeAirflow, listIds, setup } from "../commands-support.js";

afterEach(closeAirflows);

const idsOf = (json: string) => (JSON.parse(json) as Array<{ connection_id: string }>).map((c) => c.connection_id);
/** The list requests (GET /api/v2/connections) the server received. */
const listings = (af: Awaited<ReturnType<typeof fakeAirflow>>) =>
  af.requests.filter((q) => q.method === "GET" && q.path === "/api/v2/connections");

describe("list", () => {
  it("-o json: all 250 in the server's order, every field, in pages of 100 (the last one asked for the 50 left)", async () => {
    const af = await fakeAirflow([], { seed: 250 });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runList({}, d))).toBe(0);
    expect(s.io.stderr()).toBe("");
    const pages = listings(af).map((q) => `${q.query.get("offset")}+${q.query.get("limit")}`);
    expect(pages.sort()).toEqual(["0+100", "100+100", "200+50"]);
    const list = JSON.parse(s.io.stdout()) as Array<Record<string, unknown>>;
    expect(list.map((c) => c.connection_id)).toEqual(await listIds(af));
    expect(list).toHaveLength(250);
    expect(Object.keys(list[0]!)).toEqual([
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
    expect(list.filter((c) => c.password !== null).every((c) => c.password === "***")).toBe(true);
  });

  it("--pattern and --order-by give what the server gives, and are sent as the server's parameters", async () => {
    const af = await fakeAirflow([], { seed: 250 });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runList({ pattern: "conn_001%", orderBy: ["-conn_type", "host"] }, d))).toBe(0);
    const ids = idsOf(s.io.stdout());
    expect(ids.length).toBeGreaterThan(0);
    const sent = listings(af).at(-1)!;
    expect(sent.query.getAll("order_by")).toEqual(["-conn_type", "host"]);
    expect(sent.query.get("connection_id_pattern")).toBe("conn_001%");
    expect(ids).toEqual(await listIds(af, "&connection_id_pattern=conn_001%25&order_by=-conn_type&order_by=host"));
  });

  it("--limit 7 returns 7, --offset skips", async () => {
    const af = await fakeAirflow([], { seed: 250 });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runList({ limit: 7, offset: 3 }, d))).toBe(0);
    expect(idsOf(s.io.stdout())).toEqual((await listIds(af)).slice(3, 10));
  });

  it("plain (piped): tab-separated, the id first, no header, 7 columns", async () => {
    const af = await fakeAirflow([
      {
        connection_id: "pg",
        conn_type: "postgres",
        host: "db",
        port: 5432,
        login: "app",
        schema: "sales",
        description: "main db",
        password: "pw",
      },
      { connection_id: "web", conn_type: "http" },
    ]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runList({}, d))).toBe(0);
    expect(s.io.stdout()).toBe("pg\tpostgres\tdb\t5432\tapp\tsales\tmain db\nweb\thttp\t\t\t\t\t\n");
    expect(s.io.stderr()).toBe("");
  });

  it("on a terminal: a table with a header (no colour with NO_COLOR)", async () => {
    const af = await fakeAirflow([
      { connection_id: "pg", conn_type: "postgres", host: "db" },
      { connection_id: "web", conn_type: "http" },
    ]);
    const s = setup({ airflow: af, tty: true, env: { NO_COLOR: "1" } });
    expect(await s.run((d) => runList({}, d))).toBe(0);
    const lines = s.io.stdout().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+HOST\s+PORT\s+LOGIN\s+SCHEMA\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["pg", "web"]);
    expect(s.io.stdout()).not.toContain("\x1b[");
  });

  it("nothing matches: on a terminal stderr says which flags matched nothing, no table; piped, nothing at all", async () => {
    const af = await fakeAirflow([{ connection_id: "pg", conn_type: "postgres" }]);
    const s = setup({ airflow: af, tty: true, env: { NO_COLOR: "1" } });
    expect(await s.run((d) => runList({ pattern: "nomatch" }, d))).toBe(0);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toBe("no connections match --pattern nomatch\n");
    const t = setup({ airflow: af });
    expect(await t.run((d) => runList({ pattern: "nomatch" }, d))).toBe(0);
    expect(t.io.stdout()).toBe("");
    expect(t.io.stderr()).toBe("");
    const j = setup({ airflow: af, globals: { output: "json" } });
    expect(await j.run((d) => runList({ pattern: "nomatch" }, d))).toBe(0);
    expect(JSON.parse(j.io.stdout())).toEqual([]);
  });

  it("an unknown --order-by is the server's 400: exit 2 with its message, nothing on stdout", async () => {
    const af = await fakeAirflow([], { seed: 5 });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runList({ orderBy: ["bogus"] }, d))).toBe(2);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toBe(
      "airconn: Ordering with 'bogus' is disallowed or the attribute does not exist on the model\n",
    );
  });

  it("--order-by without a field name, or more than 10 times: exit 2 before any request", async () => {
    const af = await fakeAirflow([], { seed: 5 });
    for (const orderBy of [["-"], Array.from({ length: 11 }, () => "host")]) {
      const s = setup({ airflow: af });
      expect(await s.run((d) => runList({ orderBy }, d)), orderBy.join(",")).toBe(2);
      expect(s.io.stderr()).toMatch(/^airconn: --order-by /);
    }
    expect(af.requests).toEqual([]);
  });

  it("no token: exit 4 with a hint to log in, no request", async () => {
    const af = await fakeAirflow([], { seed: 5 });
    const s = setup({ airflow: af, env: { AIRCONN_TOKEN: "" } });
    expect(await s.run((d) => runList({}, d))).toBe(4);
    expect(s.io.stderr()).toMatch(
      /^airconn: not logged in: no token for profile "default".*\nhint: run `airconn login`/,
    );
    expect(af.requests).toEqual([]);
  });
});

describe("--prefix", () => {
  const ids = [
    "conn_00010",
    "CONN_00011",
    "conn_00012",
    "conn_0002",
    "conn_00013",
    "zz_conn_0001",
    "conn%0001x",
    "conn_0001",
  ];
  const seed = ids.map((connection_id) => ({ connection_id, conn_type: "http" }));

  it("3.2 ignores the parameter: airconn does not send it and keeps only matching ids, in the server's order, --limit/--offset after", async () => {
    const af = await airflow32(seed);
    const s = setup({ airflow: af, globals: { output: "plain" } });
    expect(await s.run((d) => runList({ prefix: "conn_0001" }, d))).toBe(0);
    expect(
      s.io
        .stdout()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[0]),
    ).toEqual(["conn_00010", "conn_00012", "conn_00013", "conn_0001"]);
    expect(
      af.requests
        .filter((q) => q.path === "/api/v2/connections")
        .every((q) => !q.query.has("connection_id_prefix_pattern")),
    ).toBe(true);
    const t = setup({ airflow: af, globals: { output: "plain" } });
    expect(await t.run((d) => runList({ prefix: "conn_0001|zz", offset: 1, limit: 2 }, d))).toBe(0);
    expect(
      t.io
        .stdout()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[0]),
    ).toEqual(["conn_00012", "conn_00013"]);
  });

  it("3.3: sent as connection_id_prefix_pattern, and a non-matching id the server returns anyway never comes back", async () => {
    const expected = ["conn_00010", "conn_00012", "conn_00013", "conn_0001"];
    for (const af of [
      await airflow33(seed),
      // a server that says 3.3 but ignores the parameter (answers like 3.2): airconn's own filter is the safety net
      await airflow32(seed, {
        intercept: (r) =>
          r.path === "/api/v2/version" ? { status: 200, json: { version: "3.3.2", git_version: null } } : undefined,
      }),
    ]) {
      const s = setup({ airflow: af, globals: { output: "json" } });
      expect(await s.run((d) => runList({ prefix: "conn_0001", pattern: "%1%" }, d))).toBe(0);
      expect((JSON.parse(s.io.stdout()) as Array<{ connection_id: string }>).map((c) => c.connection_id)).toEqual(
        expected,
      );
      const q = af.requests.find((r) => r.path === "/api/v2/connections")!.query;
      expect([q.get("connection_id_prefix_pattern"), q.get("connection_id_pattern")]).toEqual(["conn_0001", "%1%"]);
    }
  });
});
