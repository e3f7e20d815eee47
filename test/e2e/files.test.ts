// Issue 4, end to end: bulk, import and export with the built CLI against the local Airflow-compatible server.
// Every test asserts stdout, stderr and the exit code, and what the server received (server.requests) and holds
// (server.stored / server.all, which give the clear, unredacted values).
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredConnection } from "@airconn/fake-airflow";
import { ROOT, runCliTty, plain } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { report, SUMMARY } from "../support/report.js";

const FIX = join(ROOT, "test/fixtures/files");

const fake = useFakeAirflow({ seed: 0 }, { prefix: "airconn-files-" });
const { file, writes, bulkRequests } = fake;
// The largest bulk request of the whole file (tests reset the server log, so it is collected after each test).
let largestBulk = 0;
let bulkCount = 0;
afterEach(() => { const n = entitiesPerRequest(); bulkCount += n.length; largestBulk = Math.max(largestBulk, ...n); });

const run = (args: string[], input?: string) => fake.run(args, { input, timeoutMs: 60_000 });
const entitiesPerRequest = (from = 0) =>
  bulkRequests(from).map((r) => (r.json as { actions: Array<{ entities: unknown[] }> }).actions.reduce((n, a) => n + a.entities.length, 0));
/** A stored connection without the primary key, for comparing field values. */
const fields = (c: StoredConnection | undefined) => { if (!c) return c; const { id: _pk, ...rest } = c; return rest; };
const conn = (id: string, f: Partial<StoredConnection> & { conn_type: string }) => ({
  connection_id: id, conn_type: f.conn_type, description: f.description ?? null, host: f.host ?? null, login: f.login ?? null,
  schema: f.schema ?? null, port: f.port ?? null, password: f.password ?? null, extra: f.extra ?? null, team_name: f.team_name ?? null,
});

// ---- fixtures written exactly as Airflow (and airflowctl, Astro) write them ------------------------------------------

const AIRFLOW_DB = conn("airflow_db", { conn_type: "mysql", description: "mysql conn description", host: "mysql", login: "root", password: "plainpassword", schema: "airflow" });
const DRUID = conn("druid_broker_default", { conn_type: "druid", description: "druid-broker conn description", host: "druid-broker", port: 8082, extra: '{"endpoint": "druid/v2/sql"}' });

describe("import: the files other tools write", () => {
  const cases: Array<{ fixture: string; args?: string[]; expected: ReturnType<typeof conn>[]; warning?: RegExp }> = [
    { fixture: "airflow-export.json", expected: [AIRFLOW_DB, DRUID] },
    { fixture: "airflow-export.yaml", expected: [AIRFLOW_DB, DRUID] },
    { fixture: "airflow-export-json.env", expected: [AIRFLOW_DB, DRUID] },
    // the URI form has no description, and an absent path is schema "" (as Airflow parses it)
    { fixture: "airflow-export-uri.env", expected: [{ ...AIRFLOW_DB, description: null }, { ...DRUID, description: null, schema: "" }] },
    {
      fixture: "airflowctl.json",
      expected: [
        conn("pg_main", { conn_type: "postgres", host: "db.internal", login: "app", password: "s3cret", port: 5432, schema: "app", extra: '{"sslmode": "require"}' }),
        conn("http_api", { conn_type: "http", host: "https://api.example.com" }),
      ],
    },
    {
      fixture: "airflow_settings.yaml",
      expected: [conn("local_postgres", {
        conn_type: "postgres", host: "postres.host", schema: "postges.schema", login: "postgres.login", password: "postgres.pass", port: 5432,
        extra: '{"database": "test", "account": "test"}',
      })],
    },
    {
      fixture: "astro-more.yaml", args: ["--format", "astro"],
      expected: [
        conn("by_uri", { conn_type: "postgres", login: "user", password: "pa/ss", host: "db.example.com", port: 5433, schema: "app", extra: '{"sslmode": "require"}' }),
        conn("extra_string", { conn_type: "http", host: "api.example.com", extra: '{"timeout": 30}' }),
      ],
      warning: /^airconn: warning: .*astro-more\.yaml:\d+ \(nothing_useful\): Skipping nothing_useful: conn_type or conn_uri must be specified\.$/m,
    },
  ];

  for (const c of cases) {
    it(`${c.fixture} → every field stored as the file says`, async () => {
      fake.server.reset();
      const r = await run(["import", join(FIX, c.fixture), ...(c.args ?? []), "-o", "json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(report(r.stdout)).toEqual({ created: c.expected.map((e) => e.connection_id), updated: [], deleted: [], skipped: [], failed: [] });
      expect(r.stderr).toContain(`created ${c.expected.length}, updated 0, deleted 0, skipped 0, failed 0\n`);
      if (c.warning) expect(r.stderr).toMatch(c.warning);
      else expect(r.stderr).not.toMatch(/warning/);
      expect(fake.server.all().map(fields)).toEqual(c.expected);
      // one existence check (GETs), then one bulk create with every connection
      expect(writes().map((q) => `${q.method} ${q.path}`)).toEqual(["PATCH /api/v2/connections"]);
      expect(entitiesPerRequest()).toEqual([c.expected.length]);
    });
  }

  it("stdin needs --format; with it the file is read from stdin", async () => {
    fake.server.reset();
    const text = readFileSync(join(FIX, "airflow-export.yaml"), "utf8");
    const bad = await run(["import", "-"], text);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(fake.server.requests).toHaveLength(0);
    const r = await run(["import", "-", "--format", "yaml"], text);
    expect(r.code, r.stderr).toBe(0);
    // piped: plain per-id rows (id, action, result, error), then the summary on stderr
    expect(r.stdout).toBe("airflow_db\tcreate\tcreated\t\ndruid_broker_default\tcreate\tcreated\t\n");
    expect(r.stderr).toBe("created 2, updated 0, deleted 0, skipped 0, failed 0\n");
    expect(fake.server.all().map(fields)).toEqual([AIRFLOW_DB, DRUID]);
  });

  it("--dry-run prints the plan and writes nothing", async () => {
    fake.server.reset({ seed: 0 });
    await run(["import", join(FIX, "airflow-export.json")]);
    const before = fake.server.requests.length;
    const r = await run(["import", join(FIX, "airflowctl.json"), "--dry-run", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { connection_id: "pg_main", action: "create", note: "" },
      { connection_id: "http_api", action: "create", note: "" },
    ]);
    expect(r.stderr).toBe("dry run: would create 2, update 0, skip 0; nothing was sent\n");
    expect(writes(before)).toEqual([]);
    expect(fake.server.all().map((c) => c.connection_id)).toEqual(["airflow_db", "druid_broker_default"]);
  });
});

// ---- bulk ---------------------------------------------------------------------------------------------------------

describe("bulk", () => {
  const MIXED = {
    actions: [
      { action: "create", entities: [
        { connection_id: "new_a", conn_type: "postgres", host: "a.db", port: 5432, extra: { sslmode: "require" } },
        { connection_id: "new_b", conn_type: "http", host: "b.example.com" },
      ] },
      { action: "update", update_mask: ["host"], entities: [{ connection_id: "conn_00001", conn_type: "mysql", host: "moved.example.com", login: "not-sent" }] },
      { action: "delete", entities: ["conn_00002"] },
      { action: "update", entities: [{ connection_id: "ghost", conn_type: "http", host: "x" }] },
      { action: "create", entities: [{ connection_id: "conn_00003", conn_type: "http" }] },
    ],
  };

  it("a mixed file: per-id JSON report, exit 1, and the server holds exactly the successful changes", async () => {
    fake.server.reset({ seed: 5 });
    const before = new Map(fake.server.all().map((c) => [c.connection_id, c]));
    const r = await run(["bulk", file("mixed.json", JSON.stringify(MIXED, null, 2)), "-o", "json"]);
    expect(r.code).toBe(1);
    const rep = report(r.stdout);
    expect(Object.keys(rep)).toEqual(["created", "updated", "deleted", "skipped", "failed"]);
    expect(rep.created).toEqual(["new_a", "new_b"]);
    expect(rep.updated).toEqual(["conn_00001"]);
    expect(rep.deleted).toEqual(["conn_00002"]);
    expect(rep.skipped).toEqual([]);
    expect(rep.failed).toEqual([
      { connection_id: "ghost", action: "update", error: "connection ghost was not found", status_code: 404 },
      { connection_id: "conn_00003", action: "create", error: "connection conn_00003 already exists", status_code: 409 },
    ]);
    expect(r.stderr).toMatch(/^created 2, updated 1, deleted 1, skipped 0, failed 2\nairconn: 2 of 6 failed: ghost, conn_00003\n$/);

    // the server: the update changed only the masked field, the failed actions changed nothing
    expect(fields(fake.server.stored("conn_00001"))).toEqual({ ...fields(before.get("conn_00001")), host: "moved.example.com" });
    expect(fake.server.stored("conn_00002")).toBeUndefined();
    expect(fake.server.stored("conn_00003")).toEqual(before.get("conn_00003"));
    expect(fake.server.stored("ghost")).toBeUndefined();
    expect(fields(fake.server.stored("new_a"))).toEqual(conn("new_a", { conn_type: "postgres", host: "a.db", port: 5432, extra: '{"sslmode": "require"}' }));
    // one bulk request per action, the actions in file order, delete entities as id strings; the update with a mask
    // is not a bulk request (servers ignore update_mask there) but one PATCH per entity that carries the mask
    const sent = bulkRequests().map((q) => (q.json as { actions: Array<Record<string, unknown>> }).actions);
    expect(sent.map((a) => a.map((x) => x.action))).toEqual([["create"], ["delete"], ["update"], ["create"]]);
    expect(sent[1]![0]!.entities).toEqual(["conn_00002"]);
    const single = writes().filter((q) => q.path !== "/api/v2/connections");
    expect(single.map((q) => [q.method, q.path, q.rawQuery])).toEqual([["PATCH", "/api/v2/connections/conn_00001", "update_mask=host"]]);
    expect(single[0]!.json).toEqual({ connection_id: "conn_00001", conn_type: "mysql", host: "moved.example.com", login: "not-sent" });
  });

  it("an update with update_mask changes only the masked fields, though the entity carries others (servers ignore the mask in bulk)", async () => {
    fake.server.reset({ seed: 3 });
    const before = fake.server.stored("conn_00002")!;
    expect(before.conn_type).not.toBe("ftp");
    const body = { actions: [{ action: "update", update_mask: ["host"], entities: [{ connection_id: "conn_00002", conn_type: "ftp", host: "only-this.example.com", login: "someone-else", port: 1 }] }] };
    const r = await run(["bulk", file("masked.json", JSON.stringify(body)), "-o", "json", "-v"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).updated).toEqual(["conn_00002"]);
    expect(r.stderr).toContain("* actions[0]: Airflow ignores update_mask in bulk updates, so its 1 entity goes as single PATCH requests with update_mask=host\n");
    expect(fields(fake.server.stored("conn_00002"))).toEqual({ ...fields(before), host: "only-this.example.com" });
    expect(bulkRequests()).toHaveLength(0);
    // the same file against a missing id (default fail): nothing is sent, as the server's bulk action would do
    const start = fake.server.requests.length;
    const missing = { actions: [{ action: "update", update_mask: ["host"], entities: [{ connection_id: "conn_00001", conn_type: "http", host: "x" }, { connection_id: "nope", conn_type: "http", host: "x" }] }] };
    const r2 = await run(["bulk", file("masked-missing.json", JSON.stringify(missing)), "-o", "json"]);
    expect(r2.code).toBe(1);
    expect(report(r2.stdout).failed.map((f) => [f.connection_id, f.status_code])).toEqual([["conn_00001", null], ["nope", 404]]);
    expect(writes(start)).toHaveLength(0);
    expect(fake.server.stored("conn_00001")!.host).not.toBe("x");
  });

  it("piped without -o: one line per id (id, action, result, error)", async () => {
    fake.server.reset({ seed: 5 });
    const r = await run(["bulk", file("mixed.yaml", JSON.stringify(MIXED))]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t"))).toEqual([
      ["new_a", "create", "created", ""],
      ["new_b", "create", "created", ""],
      ["conn_00001", "update", "updated", ""],
      ["conn_00002", "delete", "deleted", ""],
      ["ghost", "update", "failed", "connection ghost was not found"],
      ["conn_00003", "create", "failed", "connection conn_00003 already exists"],
    ]);
  });

  it("on a terminal: a per-id table", async () => {
    fake.server.reset({ seed: 5 });
    const r = await runCliTty(["bulk", file("mixed2.json", JSON.stringify(MIXED))], { env: { ...fake.env, NO_COLOR: "1" } });
    expect(r.code).toBe(1);
    const out = plain(r.stdout);
    expect(out).toMatch(/ID\s+ACTION\s+RESULT\s+ERROR/);
    expect(out).toMatch(/ghost\s+update\s+failed\s+connection ghost was not found/);
    expect(out).toMatch(/new_a\s+create\s+created/);
    expect(out).toMatch(SUMMARY);
  });

  it("--dry-run prints the requests and sends nothing", async () => {
    fake.server.reset({ seed: 5 });
    const r = await run(["bulk", file("mixed3.json", JSON.stringify(MIXED)), "--dry-run", "--chunk-size", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { requests: Array<{ method: string; path: string; body: { actions: Array<{ entities: unknown[] }> } }> };
    expect(out.requests).toHaveLength(6);
    expect(out.requests.map((q) => [q.method, q.path])).toEqual([
      ["PATCH", "/api/v2/connections"], ["PATCH", "/api/v2/connections"],
      ["PATCH", "/api/v2/connections/conn_00001?update_mask=host"], // update_mask: a single PATCH, not bulk
      ["PATCH", "/api/v2/connections"], ["PATCH", "/api/v2/connections"], ["PATCH", "/api/v2/connections"],
    ]);
    for (const q of out.requests) if (q.path === "/api/v2/connections") expect(q.body.actions[0]!.entities).toHaveLength(1);
    expect(r.stderr).toBe("actions[1]: Airflow ignores update_mask in bulk updates, so its 1 entity goes as single PATCH requests with update_mask=host\n"
      + "dry run: 6 ids in 6 requests; nothing was sent\n");
    expect(fake.server.requests).toHaveLength(0);
  });

  it("local validation errors point into the file and nothing is sent", async () => {
    fake.server.reset({ seed: 5 });
    const bad = {
      actions: [
        { action: "create", entities: [{ connection_id: "ok_1", conn_type: "http", port: "abc" }] },
        { action: "update", entities: [{ connection_id: "a", conn_type: "http" }, { connection_id: "b", conn_type: "http" }, { connection_id: "bad id!", conn_type: "http" }] },
        { action: "delete", entities: [{ conn_id: "x" }] },
        { action: "upsert", entities: [] },
      ],
    };
    const p = file("bad.json", JSON.stringify(bad));
    const r = await run(["bulk", p, "-o", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    // every problem, with its line (the JSON is one line here)
    expect(r.stderr).toContain(`airconn: ${p}:1: actions[0].entities[0].port: must be an integer, got "abc"\n`);
    expect(r.stderr).toContain(`airconn: ${p}:1: actions[1].entities[2].connection_id: "bad id!" may contain only letters, digits, '_', '.' and '-'\n`);
    expect(r.stderr).toContain(`airconn: ${p}:1: actions[2].entities[0].connection_id: must be a connection id string`);
    expect(r.stderr).toContain(`airconn: ${p}:1: actions[3].action: must be create, update or delete, got "upsert"\n`);
    expect(r.stderr).toMatch(/nothing was sent\n$/);
    expect(fake.server.requests).toHaveLength(0);

    const y = await run(["bulk", file("bad.yaml", "actions:\n  - action: create\n    entities:\n      - connection_id: x\n        conn_id: x\n        conn_type: http\n")]);
    expect(y.code).toBe(2);
    expect(y.stderr).toContain("actions[0].entities[0].conn_id: unknown field: the API calls it connection_id");
    expect(fake.server.requests).toHaveLength(0);
  });

  it("large actions are split: no request carries more entities than the chunk size", async () => {
    fake.server.reset();
    const entities = Array.from({ length: 1234 }, (_, i) => ({ connection_id: `bulk_${i}`, conn_type: "http", host: `h${i}.example.com` }));
    const r = await run(["bulk", file("big.json", JSON.stringify({ actions: [{ action: "create", entities }] })), "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).created).toHaveLength(1234);
    expect(entitiesPerRequest().sort((a, b) => b - a)).toEqual([500, 500, 234]);
    expect(fake.server.all()).toHaveLength(1234);

    const from = fake.server.requests.length;
    const del = await run(["bulk", file("del.json", JSON.stringify({ actions: [{ action: "delete", entities: entities.map((e) => e.connection_id) }] })), "--chunk-size", "100", "-o", "json"]);
    expect(del.code, del.stderr).toBe(0);
    expect(report(del.stdout).deleted).toHaveLength(1234);
    expect(entitiesPerRequest(from)).toHaveLength(13);
    expect(Math.max(...entitiesPerRequest(from))).toBe(100);
    expect(fake.server.all()).toHaveLength(0);
  });
});

// ---- export → import ----------------------------------------------------------------------------------------------

/** Drops "***" values (and keys holding only "***") from a parsed extra, as import does for a new connection. */
function dropRedacted(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== "***").map(dropRedacted);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== "***").map(([k, x]) => [k, dropRedacted(x)]));
  return v;
}

describe("export → import", () => {
  let original: StoredConnection[];

  beforeAll(() => {
    fake.server.reset({ seed: 250 });
    original = fake.server.all();
    // the seed has passwords and sensitive extra keys (api_key, and token nested under auth)
    expect(original.filter((c) => c.password).length).toBeGreaterThan(100);
    expect(original.filter((c) => c.extra?.includes('"token"')).length).toBeGreaterThan(20);
  });

  for (const format of ["json", "yaml"] as const) {
    it(`${format}: into the same server with --on-existence overwrite changes nothing and stores no literal ***`, async () => {
      fake.server.reset({ seed: 250 });
      const out = join(fake.workDir, `export.${format}`);
      const e = await run(["export", out]);
      expect(e.code, e.stderr).toBe(0);
      expect(e.stdout).toBe("");
      expect(e.stderr).toMatch(/^airconn: warning: the Airflow API returns passwords and sensitive extra values redacted/m);
      expect(e.stderr).toContain(`exported 250 connections to ${out}`);
      const text = readFileSync(out, "utf8");
      expect(text).toContain("***");
      if (format === "json") expect(Object.keys(JSON.parse(text) as object)).toEqual(original.map((c) => c.connection_id));

      const from = fake.server.requests.length;
      const r = await run(["import", out, "--on-existence", "overwrite", "-o", "json"]);
      expect(r.code, r.stderr).toBe(0);
      const rep = report(r.stdout);
      expect(rep.updated).toHaveLength(250);
      expect(rep.created.length + rep.skipped.length + rep.failed.length + rep.deleted.length).toBe(0);
      expect(r.stderr).toBe("created 0, updated 250, deleted 0, skipped 0, failed 0\n");
      // sent as bulk updates (PATCH rules keep "***" secrets), never as create+overwrite
      const actions = bulkRequests(from).flatMap((q) => (q.json as { actions: Array<{ action: string }> }).actions.map((a) => a.action));
      expect(new Set(actions)).toEqual(new Set(["update"]));
      expect(fake.server.all()).toEqual(original);
      expect(JSON.stringify(fake.server.all())).not.toContain("***");
    });
  }

  it("json: into an empty server recreates every non-secret field and warns about the ids without secrets", async () => {
    fake.server.reset({ seed: 250 });
    const out = join(fake.workDir, "migrate.json");
    expect((await run(["export", out])).code).toBe(0);
    const exported = JSON.parse(readFileSync(out, "utf8")) as Record<string, { extra: string | null; password: string | null }>;
    // every "***" of the export, as id.field (extra paths as the warning writes them)
    const paths = (v: unknown, path: string): string[] => v === "***" ? [path]
      : Array.isArray(v) ? v.flatMap((x, i) => paths(x, `${path}[${i}]`))
      : v && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => paths(x, `${path}.${k}`)) : [];
    const withSecrets = Object.entries(exported).flatMap(([id, c]) => [
      ...(c.password === "***" ? [`${id}.password`] : []), ...paths(c.extra ? JSON.parse(c.extra) : null, `${id}.extra`)]);

    fake.server.reset();
    const r = await run(["import", out, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).created).toEqual(original.map((c) => c.connection_id));
    const warning = /^airconn: warning: (\d+) secrets given only as "\*\*\*" .* were left out: .*? itself: (.*) \(\d+ in all\); set them with airconn patch ID/m.exec(r.stderr);
    expect(warning, r.stderr).not.toBeNull();
    expect(Number(warning![1])).toBe(withSecrets.length);
    expect(warning![2]!.split(", ")).toEqual([...withSecrets.slice(0, 30), "..."]);

    const now = new Map(fake.server.all().map((c) => [c.connection_id, c]));
    expect(now.size).toBe(250);
    for (const o of original) {
      const c = now.get(o.connection_id)!;
      const { password: _p, extra: _e, id: _i, ...rest } = o;
      const { password, extra, id: _j, ...got } = c;
      expect(got).toEqual(rest);
      expect(password).toBeNull();
      const redacted = exported[o.connection_id]!.extra;
      expect(extra === null ? null : JSON.parse(extra)).toEqual(redacted === null ? null : dropRedacted(JSON.parse(redacted)));
    }
    expect(JSON.stringify(fake.server.all())).not.toContain("***");
  });

  it("env export: one id=URI line per connection, re-importable", async () => {
    fake.server.reset({ seed: 12 });
    const r = await run(["export", "-", "--format", "env"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(12);
    expect(lines[0]).toMatch(/^conn_00001=mysql:\/\/etl:%2A%2A%2A@warehouse\.example\.com:3306\/app\?/);
    expect(r.stderr).toMatch(/redacted/);
  });
});

// ---- 10,000 connections -----------------------------------------------------------------------------------------

describe("10,000 connections", { timeout: 60_000 }, () => {
  const N = 10_000;
  const EXISTING = 4_000;
  const ids = Array.from({ length: N }, (_, i) => `conn_${String(i + 1).padStart(5, "0")}`);
  const wanted = (id: string, i: number) => ({
    conn_type: i % 2 ? "postgres" : "http", description: `imported #${i}`, login: `user_${i}`, password: `pw-${i}`,
    host: `host-${i}.example.com`, port: 1000 + (i % 5000), schema: i % 3 ? "s" : null, extra: i % 4 ? `{"n": ${i}}` : null,
  });
  let path: string;

  beforeAll(() => {
    const doc: Record<string, unknown> = {};
    ids.forEach((id, i) => { doc[id] = wanted(id, i); });
    path = file("ten-thousand.json", JSON.stringify(doc, null, 2));
  });

  const expectStoredAsFile = (id: string) => {
    const i = ids.indexOf(id);
    return { connection_id: id, ...wanted(id, i), team_name: null };
  };

  it("into an empty server: 10,000 ids reported, 20 bulk requests of at most 500", async () => {
    fake.server.reset();
    const t0 = Date.now();
    const r = await run(["import", path, "-o", "json"]);
    const ms = Date.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r.stdout);
    expect(rep.created).toHaveLength(N);
    expect(new Set(rep.created)).toEqual(new Set(ids));
    expect(r.stderr).toBe(`created ${N}, updated 0, deleted 0, skipped 0, failed 0\n`);
    expect(entitiesPerRequest()).toHaveLength(20);
    expect(Math.max(...entitiesPerRequest())).toBe(500);
    const all = fake.server.all();
    expect(all).toHaveLength(N);
    expect(fields(all[9_999])).toEqual(expectStoredAsFile(all[9_999]!.connection_id));
    console.log(`import of ${N} into an empty server: ${ms} ms, ${fake.server.requests.length} requests`);
  });

  it("with 4,000 of them on the server and fail: exit 5, nothing written", async () => {
    fake.server.reset({ seed: EXISTING });
    const before = fake.server.all();
    const r = await run(["import", path, "-o", "json"]);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^airconn: 4000 connections already exist, nothing was imported: conn_00001, conn_00002, .*, \.\.\.\n/);
    expect(r.stderr).toMatch(/--on-existence skip/);
    expect(writes()).toEqual([]);
    expect(fake.server.all()).toEqual(before);
  });

  it("skip: 4,000 skipped + 6,000 created = 10,000, and the skipped ones are untouched", async () => {
    fake.server.reset({ seed: EXISTING });
    const before = new Map(fake.server.all().map((c) => [c.connection_id, c]));
    const r = await run(["import", path, "--on-existence", "skip", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r.stdout);
    expect(rep.skipped).toHaveLength(EXISTING);
    expect(rep.created).toHaveLength(N - EXISTING);
    expect(rep.updated.length + rep.failed.length + rep.deleted.length).toBe(0);
    expect(new Set([...rep.skipped, ...rep.created])).toEqual(new Set(ids));
    expect(r.stderr).toBe(`created ${N - EXISTING}, updated 0, deleted 0, skipped ${EXISTING}, failed 0\n`);
    const all = fake.server.all();
    expect(all).toHaveLength(N);
    for (const c of all) {
      if (rep.skipped.includes(c.connection_id)) expect(c).toEqual(before.get(c.connection_id));
      else expect(fields(c)).toEqual(expectStoredAsFile(c.connection_id));
    }
    expect(Math.max(...entitiesPerRequest())).toBeLessThanOrEqual(500);
  });

  it("overwrite: 4,000 updated + 6,000 created = 10,000, and the server holds the file", async () => {
    fake.server.reset({ seed: EXISTING });
    const r = await run(["import", path, "--on-existence", "overwrite", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r.stdout);
    expect(rep.updated).toHaveLength(EXISTING);
    expect(rep.created).toHaveLength(N - EXISTING);
    expect(rep.skipped.length + rep.failed.length + rep.deleted.length).toBe(0);
    expect(r.stderr).toBe(`created ${N - EXISTING}, updated ${EXISTING}, deleted 0, skipped 0, failed 0\n`);
    const all = fake.server.all();
    expect(all).toHaveLength(N);
    for (const c of all) expect(fields(c)).toEqual(expectStoredAsFile(c.connection_id));
    expect(entitiesPerRequest()).toHaveLength(20);
    expect(Math.max(...entitiesPerRequest())).toBe(500);
  });
});

describe("every request of this file", () => {
  it("no bulk request body carried more than the default chunk size (500 entities)", () => {
    expect(bulkCount).toBeGreaterThan(60);
    expect(largestBulk).toBe(500);
    console.log(`${bulkCount} bulk requests in this file, the largest with ${largestBulk} entities`);
  });
});
