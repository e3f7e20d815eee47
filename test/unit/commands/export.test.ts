// `airconn export`: the formats `airflow connections export` writes (json, yaml, env as URIs or JSON) and airconn
// YAML for apply, to stdout or a file (format from its extension), sorted by id, scoped by --pattern/--prefix; the
// redaction warning; usage errors before any request.
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { runExport } from "../../../src/commands/export.js";
import { closeAirflows, fakeAirflow, setup, tempFolder } from "../commands-support.js";

afterEach(closeAirflows);

const ROWS = [
  { connection_id: "web", conn_type: "http", host: "api.example.com", port: 443, password: "pw1" },
  {
    connection_id: "pg",
    conn_type: "postgres",
    host: "db",
    login: "app",
    extra: '{"sslmode": "require", "api_key": "k1"}',
  },
];
/** Airflow's export of ROWS, as the server shows them (secrets as ***), sorted by id. */
const EXPORTED = {
  pg: {
    conn_type: "postgres",
    description: null,
    login: "app",
    password: null,
    host: "db",
    port: null,
    schema: null,
    extra: '{"sslmode": "require", "api_key": "***"}',
  },
  web: {
    conn_type: "http",
    description: null,
    login: null,
    password: "***",
    host: "api.example.com",
    port: 443,
    schema: null,
    extra: null,
  },
};
const WARNING =
  "airconn: warning: the Airflow API returns passwords and sensitive extra values redacted: the export holds *** in their place (import keeps the stored secrets for them)\n";
const listings = (af: Awaited<ReturnType<typeof fakeAirflow>>) =>
  af.requests.filter((q) => q.path === "/api/v2/connections");

describe("export to stdout", () => {
  it("json by default: Airflow's export shape, sorted by id (order_by=connection_id), the warning and the count on stderr", async () => {
    const af = await fakeAirflow(ROWS);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runExport({}, d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toEqual(EXPORTED);
    expect(Object.keys(JSON.parse(s.io.stdout()))).toEqual(["pg", "web"]);
    expect(s.io.stderr()).toBe(`${WARNING}exported 2 connections\n`);
    expect(listings(af).map((q) => q.query.get("order_by"))).toEqual(["connection_id"]);
    expect(af.writes()).toEqual([]);
  });

  it("yaml, env (URIs) and env --serialization-format json", async () => {
    const af = await fakeAirflow(ROWS);
    const y = setup({ airflow: af });
    expect(await y.run((d) => runExport({ file: "-", format: "yaml" }, d))).toBe(0);
    expect(parseYaml(y.io.stdout())).toEqual(EXPORTED);
    const e = setup({ airflow: af });
    expect(await e.run((d) => runExport({ format: "env" }, d))).toBe(0);
    expect(e.io.stdout()).toBe(
      "pg=postgres://app@db/?sslmode=require&api_key=%2A%2A%2A\nweb=http://:%2A%2A%2A@api.example.com:443\n",
    );
    const j = setup({ airflow: af });
    expect(await j.run((d) => runExport({ format: "env", serializationFormat: "json" }, d))).toBe(0);
    const lines = j.io
      .stdout()
      .trimEnd()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), JSON.parse(l.slice(l.indexOf("=") + 1))]);
    expect(Object.fromEntries(lines)).toEqual(EXPORTED);
  });

  it("--pattern and --prefix: only the ids in scope; the pattern goes to the server", async () => {
    const af = await fakeAirflow([
      ...ROWS,
      { connection_id: "web_2", conn_type: "http" },
      { connection_id: "xweb", conn_type: "http" },
    ]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runExport({ pattern: "web" }, d))).toBe(0);
    expect(Object.keys(JSON.parse(s.io.stdout()))).toEqual(["web", "web_2", "xweb"]);
    expect(listings(af)[0]!.query.get("connection_id_pattern")).toBe("web");
    const t = setup({ airflow: af });
    expect(await t.run((d) => runExport({ prefix: "web" }, d))).toBe(0);
    expect(Object.keys(JSON.parse(t.io.stdout()))).toEqual(["web", "web_2"]);
    expect(t.io.stderr()).toMatch(/exported 2 connections\n$/);
  });

  it("--format airconn: the YAML apply reads, each secret a ${VAR} listed at the top; no redaction warning", async () => {
    const af = await fakeAirflow(ROWS);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runExport({ format: "airconn" }, d))).toBe(0);
    const out = s.io.stdout();
    expect(out).toContain(`# Exported from ${af.url} (2 connections).\n`);
    expect(out).toMatch(/^# {3}AIRCONN_PG_EXTRA_API_KEY +pg +extra\.api_key$/m);
    expect(out).toMatch(/^# {3}AIRCONN_WEB_PASSWORD +web +password$/m);
    const doc = parseYaml(out) as { connections: Array<Record<string, unknown>> };
    expect(doc.connections.map((c) => c.connection_id)).toEqual(["pg", "web"]);
    expect(doc.connections[1]).toMatchObject({
      conn_type: "http",
      host: "api.example.com",
      port: 443,
      password: "${AIRCONN_WEB_PASSWORD}",
    });
    expect(doc.connections[0]!.extra).toEqual({ sslmode: "require", api_key: "${AIRCONN_PG_EXTRA_API_KEY}" });
    expect(out).not.toContain("***");
    expect(s.io.stderr()).toBe(
      "exported 2 connections; set the 2 environment variables listed at its top to the real secrets before apply\n",
    );
  });

  it("an empty selection is a valid document: {} and 'exported 0 connections'", async () => {
    const af = await fakeAirflow(ROWS);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runExport({ pattern: "nomatch" }, d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toEqual({});
    expect(s.io.stderr()).toMatch(/exported 0 connections\n$/);
  });

  it("a page that fails (500): exit 1, nothing on stdout", async () => {
    const af = await fakeAirflow(ROWS, { faults: { plain500: true, methods: ["GET"], pathPattern: "/connections$" } });
    const s = setup({ airflow: af });
    expect(await s.run((d) => runExport({}, d))).toBe(1);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/^airconn: server error 500/);
  });
});

describe("export to a file", () => {
  it("the format from the extension (.json, .yaml, .env), the file 0600, the count names it; stdout empty", async () => {
    const af = await fakeAirflow(ROWS);
    const dir = tempFolder();
    for (const name of ["out.json", "out.yaml", "out.env"]) {
      const file = join(dir, name);
      const s = setup({ airflow: af });
      expect(await s.run((d) => runExport({ file }, d)), name).toBe(0);
      expect(s.io.stdout()).toBe("");
      expect(s.io.stderr()).toBe(`${WARNING}exported 2 connections to ${file}\n`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, "utf8");
      if (name.endsWith(".env")) expect(text).toMatch(/^pg=postgres:\/\/app@db\//);
      else expect(name.endsWith(".json") ? JSON.parse(text) : parseYaml(text)).toEqual(EXPORTED);
    }
  });

  it("usage errors before any request (exit 2): an unknown extension, --serialization-format outside env, a folder as the target", async () => {
    const af = await fakeAirflow(ROWS);
    const dir = tempFolder();
    for (const [o, message] of [
      [
        { file: join(dir, "out.txt") },
        /cannot tell the format of .*out\.txt from its extension\nhint: use \.json, \.yaml or \.env, or pass --format/,
      ],
      [{ format: "json", serializationFormat: "json" }, /--serialization-format applies to env files only/],
      [{ file: dir, format: "json" }, /^airconn: /],
    ] as const) {
      const s = setup({ airflow: af });
      expect(await s.run((d) => runExport(o, d)), JSON.stringify(o)).toBe(2);
      expect(s.io.stderr()).toMatch(message);
      expect(s.io.stdout()).toBe("");
    }
    expect(af.requests).toEqual([]);
  });
});
