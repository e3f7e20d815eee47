// `airconn import`: the files other tools write (Airflow's json, yaml and env exports, airflowctl's json, Astro's
// airflow_settings.yaml), an existence check, then bulk requests; --on-existence fail/skip/overwrite, "***" kept
// only where the server has the secret, --dry-run, --chunk-size, stdin.
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runImport } from "../../../src/commands/import.js";
import {
  bulkSizes,
  closeAirflows,
  fakeAirflow,
  setup,
  storedFields as fields,
  tempFile,
  type Airflow,
} from "../commands-support.js";
import { report } from "../../support/report.js";

afterEach(closeAirflows);

const FIX = resolve(import.meta.dirname, "../../fixtures/files");

type Stored = ReturnType<Airflow["all"]>[number];
const conn = (id: string, f: Partial<Stored> & { conn_type: string }) => ({
  connection_id: id,
  conn_type: f.conn_type,
  description: f.description ?? null,
  host: f.host ?? null,
  login: f.login ?? null,
  schema: f.schema ?? null,
  port: f.port ?? null,
  password: f.password ?? null,
  extra: f.extra ?? null,
  team_name: f.team_name ?? null,
});

// ---- fixtures written exactly as Airflow (and airflowctl, Astro) write them ------------------------------------------

const AIRFLOW_DB = conn("airflow_db", {
  conn_type: "mysql",
  description: "mysql conn description",
  host: "mysql",
  login: "root",
  password: "plainpassword",
  schema: "airflow",
});
const DRUID = conn("druid_broker_default", {
  conn_type: "druid",
  description: "druid-broker conn description",
  host: "druid-broker",
  port: 8082,
  extra: '{"endpoint": "druid/v2/sql"}',
});

describe("import: the files other tools write", () => {
  const cases: Array<{ fixture: string; format?: "astro"; expected: ReturnType<typeof conn>[]; warning?: RegExp }> = [
    { fixture: "airflow-export.json", expected: [AIRFLOW_DB, DRUID] },
    { fixture: "airflow-export.yaml", expected: [AIRFLOW_DB, DRUID] },
    { fixture: "airflow-export-json.env", expected: [AIRFLOW_DB, DRUID] },
    // the URI form has no description, and an absent path is schema "" (as Airflow parses it)
    {
      fixture: "airflow-export-uri.env",
      expected: [
        { ...AIRFLOW_DB, description: null },
        { ...DRUID, description: null, schema: "" },
      ],
    },
    {
      fixture: "airflowctl.json",
      expected: [
        conn("pg_main", {
          conn_type: "postgres",
          host: "db.internal",
          login: "app",
          password: "s3cret",
          port: 5432,
          schema: "app",
          extra: '{"sslmode": "require"}',
        }),
        conn("http_api", { conn_type: "http", host: "https://api.example.com" }),
      ],
    },
    {
      fixture: "airflow_settings.yaml",
      expected: [
        conn("local_postgres", {
          conn_type: "postgres",
          host: "postres.host",
          schema: "postges.schema",
          login: "postgres.login",
          password: "postgres.pass",
          port: 5432,
          extra: '{"database": "test", "account": "test"}',
        }),
      ],
    },
    {
      fixture: "astro-more.yaml",
      format: "astro",
      expected: [
        conn("by_uri", {
          conn_type: "postgres",
          login: "user",
          password: "pa/ss",
          host: "db.example.com",
          port: 5433,
          schema: "app",
          extra: '{"sslmode": "require"}',
        }),
        conn("extra_string", { conn_type: "http", host: "api.example.com", extra: '{"timeout": 30}' }),
      ],
      warning:
        /^airconn: warning: .*astro-more\.yaml:\d+ \(nothing_useful\): Skipping nothing_useful: conn_type or conn_uri must be specified\.$/m,
    },
  ];

  for (const c of cases) {
    it(`${c.fixture} → every field stored as the file says`, async () => {
      const af = await fakeAirflow();
      const s = setup({ airflow: af, globals: { output: "json" } });
      expect(await s.run((d) => runImport({ file: join(FIX, c.fixture), format: c.format }, d)), s.io.stderr()).toBe(0);
      expect(report(s.io.stdout())).toEqual({
        created: c.expected.map((e) => e.connection_id),
        updated: [],
        deleted: [],
        skipped: [],
        failed: [],
      });
      expect(s.io.stderr()).toContain(`created ${c.expected.length}, updated 0, deleted 0, skipped 0, failed 0\n`);
      if (c.warning) expect(s.io.stderr()).toMatch(c.warning);
      else expect(s.io.stderr()).not.toMatch(/warning/);
      expect(af.all().map(fields)).toEqual(c.expected);
      // one existence check (GETs), then one bulk create with every connection
      expect(af.writes().map((q) => `${q.method} ${q.path}`)).toEqual(["PATCH /api/v2/connections"]);
      expect(bulkSizes(af)).toEqual([c.expected.length]);
    });
  }

  it("stdin needs --format; with it the file is read from stdin", async () => {
    const af = await fakeAirflow();
    const text = readFileSync(join(FIX, "airflow-export.yaml"), "utf8");
    const bad = setup({ airflow: af, stdin: text });
    expect(await bad.run((d) => runImport({ file: "-" }, d))).toBe(2);
    expect(bad.io.stdout()).toBe("");
    expect(af.requests).toHaveLength(0);
    const s = setup({ airflow: af, stdin: text });
    expect(await s.run((d) => runImport({ file: "-", format: "yaml" }, d)), s.io.stderr()).toBe(0);
    // piped: plain per-id rows (id, action, result, error), then the summary on stderr
    expect(s.io.stdout()).toBe("airflow_db\tcreate\tcreated\t\ndruid_broker_default\tcreate\tcreated\t\n");
    expect(s.io.stderr()).toBe(
      `extra not checked for conn_type druid: not in the server's catalog (${af.url}, Airflow ${af.airflowVersion}); \`airconn types\` lists the types it knows\n` +
        "created 2, updated 0, deleted 0, skipped 0, failed 0\n",
    );
    expect(af.all().map(fields)).toEqual([AIRFLOW_DB, DRUID]);
  });

  it("--dry-run prints the plan and writes nothing", async () => {
    const af = await fakeAirflow();
    expect(await setup({ airflow: af }).run((d) => runImport({ file: join(FIX, "airflow-export.json") }, d))).toBe(0);
    const before = af.writes().length;
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runImport({ file: join(FIX, "airflowctl.json"), dryRun: true }, d)), s.io.stderr()).toBe(
      0,
    );
    expect(JSON.parse(s.io.stdout())).toEqual([
      { connection_id: "pg_main", action: "create", note: "" },
      { connection_id: "http_api", action: "create", note: "" },
    ]);
    expect(s.io.stderr()).toBe("dry run: would create 2, update 0, skip 0; nothing was sent\n");
    expect(af.writes().length).toBe(before);
    expect(af.all().map((c) => c.connection_id)).toEqual(["airflow_db", "druid_broker_default"]);
  });
});

// ---- ids that exist -------------------------------------------------------------------------------------------------

/** An Airflow export (json) of these connections, written to a temporary folder; returns its path. */
const exportFile = (conns: Record<string, Record<string, unknown>>): string =>
  tempFile("connections.json", JSON.stringify(conns));

describe("import: --on-existence", () => {
  const onServer = [{ connection_id: "old", conn_type: "http", host: "old.example.com", password: "stored-pw" }];
  const FILE = {
    old: { conn_type: "http", host: "new.example.com", password: "***" },
    fresh: { conn_type: "http", host: "fresh.example.com" },
  };

  it("fail (the default): exit 5 naming the existing ids, with a hint; nothing written", async () => {
    const af = await fakeAirflow(onServer);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runImport({ file: exportFile(FILE) }, d))).toBe(5);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(
      /^airconn: 1 connection already exist, nothing was imported: old\nhint: re-run with --on-existence skip .* or --on-existence overwrite/,
    );
    expect(af.writes()).toEqual([]);
    expect(af.stored("fresh")).toBeUndefined();
  });

  it("skip: the existing id is reported skipped and left as it was; the new one created", async () => {
    const af = await fakeAirflow(onServer);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runImport({ file: exportFile(FILE), onExistence: "skip" }, d))).toBe(0);
    expect(report(s.io.stdout())).toEqual({
      created: ["fresh"],
      updated: [],
      deleted: [],
      skipped: ["old"],
      failed: [],
    });
    expect(af.stored("old")).toMatchObject({ host: "old.example.com", password: "stored-pw" });
    expect(af.stored("fresh")).toMatchObject({ host: "fresh.example.com" });
  });

  it('overwrite: the existing id is updated; its "***" keeps the stored password (sent as ***, never stored as ***)', async () => {
    const af = await fakeAirflow(onServer);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runImport({ file: exportFile(FILE), onExistence: "overwrite" }, d))).toBe(0);
    expect(report(s.io.stdout())).toEqual({
      created: ["fresh"],
      updated: ["old"],
      deleted: [],
      skipped: [],
      failed: [],
    });
    expect(af.stored("old")).toMatchObject({ host: "new.example.com", password: "stored-pw" });
    const actions = af.writes().flatMap(
      (q) =>
        (
          q.json as {
            actions: Array<{ action: string; entities: Array<{ connection_id: string; password?: string | null }> }>;
          }
        ).actions,
    );
    expect(actions.map((a) => [a.action, a.entities.map((e) => e.connection_id)])).toEqual([
      ["update", ["old"]],
      ["create", ["fresh"]],
    ]);
    expect(actions[0]!.entities[0]!.password).toBe("***");
  });

  it("--dry-run with overwrite and skip: a row per id with its action and note", async () => {
    const af = await fakeAirflow(onServer);
    const file = exportFile({ ...FILE, newpw: { conn_type: "http", password: "***" } });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runImport({ file, onExistence: "overwrite", dryRun: true }, d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toEqual([
      { connection_id: "fresh", action: "create", note: "" },
      { connection_id: "newpw", action: "create", note: "secret missing on the server, left out: password" },
      { connection_id: "old", action: "update", note: "keeps the stored secrets" },
    ]);
    expect(s.io.stderr()).toBe("dry run: would create 2, update 1, skip 0; nothing was sent\n");
    const t = setup({ airflow: af, globals: { output: "json" } });
    expect(await t.run((d) => runImport({ file, onExistence: "skip", dryRun: true }, d))).toBe(0);
    expect(JSON.parse(t.io.stdout())).toContainEqual({ connection_id: "old", action: "skip", note: "exists" });
    expect(af.writes()).toEqual([]);
  });
});

describe("import: secrets, chunks, empty files", () => {
  it('a new id with "***": created without it, one warning naming the id and field', async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    expect(
      await s.run((d) =>
        runImport(
          { file: exportFile({ a: { conn_type: "http", password: "***", extra: '{"token": "***", "k": 1}' } }) },
          d,
        ),
      ),
    ).toBe(0);
    expect(af.stored("a")).toMatchObject({ password: null, extra: '{"k": 1}' });
    expect(s.io.stderr().match(/warning/g)).toHaveLength(1);
    expect(s.io.stderr()).toMatch(/^airconn: warning: .*a\.password.*a\.extra\.token/m);
  });

  it("--chunk-size: no bulk request carries more entities than that; every id reported", async () => {
    const af = await fakeAirflow();
    const conns = Object.fromEntries(
      Array.from({ length: 25 }, (_, i) => [`c_${String(i).padStart(2, "0")}`, { conn_type: "http" }]),
    );
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runImport({ file: exportFile(conns), chunkSize: 10 }, d))).toBe(0);
    expect(bulkSizes(af).sort()).toEqual([10, 10, 5]);
    expect(report(s.io.stdout()).created).toHaveLength(25);
  });

  it("a file without connections: exit 2, nothing sent", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runImport({ file: exportFile({}) }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/^airconn: .*connections\.json: no connections in the file\n/);
    expect(af.requests).toEqual([]);
  });
});
