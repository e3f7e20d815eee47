// Issue 18, "Old servers told the truth": the built CLI against the local server speaking Airflow 3.1.8 and 3.0.6 (no
// "|" in connection_id_pattern, the twelve older sensitive words, no team_name), 3.2.1 with an unreadable version,
// and 3.4.0 (handled as 3.3). Each test asserts the exit code, the output and the requests the server received.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow, type SeedConnection } from "@airconn/fake-airflow";
import { runCli, tempDir } from "../support/cli.js";
import { asAdmin } from "../support/admin.js";

const ROWS: SeedConnection[] = [
  { connection_id: "pg_main", conn_type: "postgres", host: "db1" },
  { connection_id: "mysql_main", conn_type: "mysql", host: "db2", port: 3306 },
  { connection_id: "pg_replica", conn_type: "postgres", host: "db0", port: 5433 },
  { connection_id: "mysql_pg_bridge", conn_type: "generic", host: null },
  { connection_id: "other", conn_type: "http", host: "web" },
  { connection_id: "alpha_1", conn_type: "http", host: "old-a" },
  { connection_id: "beta_1", conn_type: "http", host: "b" },
  { connection_id: "beta_2", conn_type: "http", host: "b2" },
  {
    connection_id: "px",
    conn_type: "http",
    host: "h",
    extra: '{"proxy": "http://old-proxy:3128", "token": "tok-secret-1"}',
  },
  { connection_id: "sentry", conn_type: "http", extra: '{"dsn": "https://key@sentry/1"}' },
];

let s31: FakeAirflow, s30: FakeAirflow, s32: FakeAirflow, s32blind: FakeAirflow, s34: FakeAirflow;
let tmp: ReturnType<typeof tempDir>;
const envFor = (s: FakeAirflow) => ({
  AIRCONN_API_URL: s.url,
  AIRCONN_TOKEN: s.adminToken,
  AIRCONN_CONFIG_DIR: join(tmp.dir, "config"),
  // a cache of our own: another test file's server may have had this port (and another version) minutes ago
  XDG_CACHE_HOME: join(tmp.dir, "cache"),
});
const cli = (s: FakeAirflow, args: string[]) => runCli(args, { env: envFor(s) });
const file = (name: string, text: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};
const listings = (s: FakeAirflow, from: number) =>
  s.requests.slice(from).filter((q) => q.method === "GET" && q.path === "/api/v2/connections");
const patternsSent = (s: FakeAirflow, from: number) =>
  listings(s, from).map((q) => q.query.get("connection_id_pattern"));
const ids = (stdout: string) => (JSON.parse(stdout) as Array<{ connection_id: string }>).map((c) => c.connection_id);

beforeAll(async () => {
  tmp = tempDir();
  [s31, s30, s32, s32blind, s34] = await Promise.all([
    startFakeAirflow({ airflowVersion: "3.1.8", connections: ROWS }),
    startFakeAirflow({ airflowVersion: "3.0.6", connections: ROWS }),
    startFakeAirflow({ airflowVersion: "3.2.1", connections: ROWS }),
    // a server whose version cannot be read (a proxy that hides /version): airconn cannot know whether "|" works
    startFakeAirflow({
      airflowVersion: "3.2.1",
      connections: ROWS,
      faults: { status: 404, pathPattern: "^/api/v2/version$" },
    }),
    startFakeAirflow({ airflowVersion: "3.4.0", connections: ROWS, testConnection: "Enabled", connectionTestMs: 60 }),
  ]);
});
afterAll(async () => {
  await Promise.all([s31, s30, s32, s32blind, s34].map((s) => s?.close()));
  tmp?.cleanup();
});

describe("the local server as 3.1.8 and 3.0.6", () => {
  it("has no '|' OR: the pattern is one literal term; responses have no team_name; order_by team_name is a 400", async () => {
    for (const s of [s31, s30]) {
      const r = await asAdmin(
        s,
        "GET",
        `/api/v2/connections?connection_id_pattern=${encodeURIComponent("pg_|mysql_")}`,
      );
      expect(await r.json()).toEqual({ connections: [], total_entries: 0 });
      const one = (await (await asAdmin(s, "GET", "/api/v2/connections/pg_main")).json()) as Record<string, unknown>;
      expect(Object.keys(one)).toEqual([
        "connection_id",
        "conn_type",
        "description",
        "host",
        "login",
        "schema",
        "port",
        "password",
        "extra",
      ]);
      expect((await asAdmin(s, "GET", "/api/v2/connections?order_by=team_name")).status).toBe(400);
      const v = (await (await fetch(`${s.url}/api/v2/version`)).json()) as { version: string };
      expect(v.version).toBe(s.airflowVersion);
    }
    // ... where 3.2.1 ORs the terms
    const r = await asAdmin(
      s32,
      "GET",
      `/api/v2/connections?connection_id_pattern=${encodeURIComponent("pg_|mysql_")}`,
    );
    expect(((await r.json()) as { total_entries: number }).total_entries).toBe(4);
  });

  it("takes a team_name as an unknown field (422 extra_forbidden) and shows proxy values in clear", async () => {
    const r = await asAdmin(s31, "POST", "/api/v2/connections", {
      connection_id: "t_1",
      conn_type: "http",
      team_name: "a",
    });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { detail: Array<{ type: string; loc: unknown[] }> }).detail).toEqual([
      expect.objectContaining({ type: "extra_forbidden", loc: ["body", "team_name"] }),
    ]);
    expect(s31.sensitiveWords).not.toContain("proxy");
    const px = (await (await asAdmin(s31, "GET", "/api/v2/connections/px")).json()) as { extra: string };
    expect(px.extra).toBe('{"proxy": "http://old-proxy:3128", "token": "***"}');
  });
});

describe("--pattern 'a|b' on Airflow 3.1 and 3.0: one listing per term, merged", () => {
  it("list: every connection matching either term, each once, in the order of the terms; a request per term", async () => {
    for (const s of [s31, s30]) {
      const from = s.requests.length;
      const r = await cli(s, ["list", "--pattern", "pg_|mysql_", "-o", "json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
      // pg_ first (server order: pg_main, pg_replica, mysql_pg_bridge), then mysql_ without the bridge a second time
      expect(ids(r.stdout)).toEqual(["pg_main", "pg_replica", "mysql_pg_bridge", "mysql_main"]);
      expect(patternsSent(s, from)).toEqual(["pg_", "mysql_"]);
    }
  });

  it("plain rows, --order-by (sorted over both terms), --offset and --limit apply to the merged list", async () => {
    const r = await cli(s31, [
      "list",
      "--pattern",
      "pg_ | mysql_",
      "--order-by",
      "-port",
      "--order-by",
      "connection_id",
      "--offset",
      "1",
      "--limit",
      "2",
    ]);
    expect(r.code, r.stderr).toBe(0);
    // ports: pg_replica 5433, mysql_main 3306, then the nulls (mysql_pg_bridge, pg_main) by id: skip 1, take 2
    expect(
      r.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[0]),
    ).toEqual(["mysql_main", "mysql_pg_bridge"]);
  });

  it("export keeps the pattern's connections (sorted by id)", async () => {
    const out = join(tmp.dir, "pg.json");
    const r = await cli(s31, ["export", out, "--pattern", "pg_replica|pg_main"]);
    expect(r.code, r.stderr).toBe(0);
    const { readFileSync } = await import("node:fs");
    expect(Object.keys(JSON.parse(readFileSync(out, "utf8")) as object)).toEqual(["pg_main", "pg_replica"]);
  });

  it("diff and apply --pattern 'alpha|beta': the ids on the server are in scope (updated, pruned), none is created again", async () => {
    const f = file(
      "ab.yaml",
      "connections:\n  - {connection_id: alpha_1, conn_type: http, host: new-a}\n  - {connection_id: beta_1, conn_type: http, host: b}\n",
    );
    const d = await cli(s31, ["diff", f, "--pattern", "alpha|beta", "--prune", "-o", "json"]);
    expect(d.code, d.stderr).toBe(0);
    const doc = JSON.parse(d.stdout) as {
      create: unknown[];
      update: Array<{ connection_id: string }>;
      unchanged: string[];
      delete: string[];
    };
    expect(doc.create).toEqual([]);
    expect(doc.update.map((u) => u.connection_id)).toEqual(["alpha_1"]);
    expect(doc.unchanged).toEqual(["beta_1"]);
    expect(doc.delete).toEqual(["beta_2"]);

    const from = s31.requests.length;
    const r = await cli(s31, ["apply", f, "--pattern", "alpha|beta", "--yes", "--prune"]);
    expect(r.code, r.stderr).toBe(0);
    const writes = s31.requests.slice(from).filter((q) => q.method !== "GET");
    expect(writes.some((q) => q.method === "POST")).toBe(false);
    expect(JSON.stringify(writes.map((q) => q.json))).not.toMatch(/"create"/);
    expect(s31.stored("alpha_1")!.host).toBe("new-a");
    expect(s31.stored("beta_2")).toBeUndefined();
    expect(s31.stored("beta_1")!.host).toBe("b");
  });
});

describe("a server whose version cannot be read", () => {
  it("list --pattern 'a|b' lists term by term (right whatever the version): never an empty answer", async () => {
    const from = s32blind.requests.length;
    const r = await cli(s32blind, ["list", "--pattern", "pg_|mysql_", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout).sort()).toEqual(["mysql_main", "mysql_pg_bridge", "pg_main", "pg_replica"]);
    expect(patternsSent(s32blind, from)).toEqual(["pg_", "mysql_"]);
  });

  it("Airflow 3.2 with a readable version gets the pattern whole, in one request", async () => {
    const from = s32.requests.length;
    const r = await cli(s32, ["list", "--pattern", "pg_|mysql_", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual(["pg_main", "mysql_main", "pg_replica", "mysql_pg_bridge"]);
    expect(patternsSent(s32, from)).toEqual(["pg_|mysql_"]);
  });
});

describe("secret words follow the server's version", () => {
  const pxFile = () =>
    file(
      "px.yaml",
      'connections:\n  - {connection_id: px, conn_type: http, host: h, extra: {proxy: "http://new-proxy:3128", token: "***"}}\n',
    );

  it("3.1 shows extra.proxy in clear: diff compares it and apply sends the new value (the token stays the stored one)", async () => {
    const d = await cli(s31, ["diff", pxFile(), "-o", "json"]);
    expect(d.code, d.stderr).toBe(0);
    const doc = JSON.parse(d.stdout) as {
      update: Array<{ connection_id: string; changes: unknown[] }>;
      not_compared: unknown[];
    };
    expect(doc.update).toEqual([
      {
        connection_id: "px",
        changes: [{ field: "extra.proxy", from: "http://old-proxy:3128", to: "http://new-proxy:3128" }],
      },
    ]);
    expect(doc.not_compared).toEqual([]); // the token's "***" keeps the stored one

    const r = await cli(s31, ["apply", pxFile()]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(s31.stored("px")!.extra!)).toEqual({ proxy: "http://new-proxy:3128", token: "tok-secret-1" });
  });

  it("3.2 masks extra.proxy: there it is a secret, not compared and not sent", async () => {
    const d = await cli(s32, ["diff", pxFile(), "-o", "json"]);
    expect(d.code, d.stderr).toBe(0);
    const doc = JSON.parse(d.stdout) as {
      update: unknown[];
      unchanged: string[];
      not_compared: Array<{ field: string }>;
    };
    expect(doc.update).toEqual([]);
    expect(doc.unchanged).toEqual(["px"]);
    expect(doc.not_compared).toEqual([{ connection_id: "px", field: "extra.proxy" }]);
  });

  it("get on 3.1 (answers without team_name) works, as json and as a record", async () => {
    const g = await cli(s31, ["get", "sentry", "-o", "json"]);
    expect(g.code, g.stderr).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({ connection_id: "sentry", extra: '{"dsn": "https://key@sentry/1"}' });
    const p = await cli(s31, ["get", "pg_main"]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^connection_id\tpg_main$/m);
  });
});

describe("apply --prune without --yes (no terminal): the diff it suggests keeps the scope it was given", () => {
  it("the file, --pattern, --prefix and --api-url come back in the hint, quoted for the shell; nothing is deleted", async () => {
    const f = file("scope file.yaml", "connections:\n  - {connection_id: beta_1, conn_type: http, host: b}\n");
    const from = s32.requests.length;
    const r = await runCli(
      ["--api-url", s32.url, "apply", f, "--pattern", "beta|alpha", "--prefix", "beta_", "--prune"],
      { env: envFor(s32) },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "airconn: --prune would delete 1 connection: pass --yes to confirm without a terminal\n",
    );
    expect(r.stderr).toContain(
      `hint: see them first with: airconn --api-url ${s32.url} diff '${f}' --pattern 'beta|alpha' --prefix beta_ --prune\n`,
    );
    expect(s32.requests.slice(from).filter((q) => q.method !== "GET")).toEqual([]);
    // the suggested diff, run as suggested, lists that one deletion only (not every other connection of the server)
    const d = await runCli(
      ["--api-url", s32.url, "diff", f, "--pattern", "beta|alpha", "--prefix", "beta_", "--prune", "-o", "json"],
      { env: envFor(s32) },
    );
    expect(JSON.parse(d.stdout)).toMatchObject({ delete: ["beta_2"] });
  });
});

describe("Airflow 3.4.0 is handled as 3.3", () => {
  it("--prefix goes to the server (connection_id_prefix_pattern), '|' patterns go whole", async () => {
    const from = s34.requests.length;
    const r = await cli(s34, ["list", "--prefix", "pg_", "--pattern", "main|replica", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual(["pg_main", "pg_replica"]);
    const [q] = listings(s34, from);
    expect(q!.query.get("connection_id_prefix_pattern")).toBe("pg_");
    expect(q!.query.get("connection_id_pattern")).toBe("main|replica");
  });

  it("the 3.3 secret words: extra.dsn is masked and not compared; tests run on a worker", async () => {
    const f = file(
      "dsn.yaml",
      'connections:\n  - {connection_id: sentry, conn_type: http, extra: {dsn: "https://other@sentry/2"}}\n',
    );
    const d = await cli(s34, ["diff", f, "-o", "json"]);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({
      update: [],
      unchanged: ["sentry"],
      not_compared: [{ connection_id: "sentry", field: "extra.dsn" }],
    });
    const from = s34.requests.length;
    const t = await cli(s34, ["test", "other", "--on-worker"]);
    expect([t.code, t.stdout], t.stderr).toEqual([0, "ok: Connection successfully tested\n"]);
    expect(
      s34.requests.slice(from).some((q) => q.method === "POST" && q.path === "/api/v2/connections/enqueue-test"),
    ).toBe(true);
    const st = await cli(s34, ["status", "-o", "json"]);
    expect(JSON.parse(st.stdout)).toMatchObject({ server_version: "3.4.0", worker_tests: true });
  });
});
