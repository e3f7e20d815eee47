import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ConnectionResponse } from "../../src/api/types.js";
import {
  exportFormatFromFileName,
  exportWriter,
  formatExport,
  parseConnectionsFile,
  type ExportFormat,
} from "../../src/files/index.js";
import { comparePy, dumpMappingEntry } from "../../src/files/pyyaml.js";

const FIX = join(import.meta.dirname, "../fixtures/files");
const fixture = (name: string) => readFileSync(join(FIX, name), "utf8");

/** The two connections of peers-and-formats.md §6.1, as the API returns them. */
const SECTION_6_1: ConnectionResponse[] = [
  {
    connection_id: "airflow_db",
    conn_type: "mysql",
    description: "mysql conn description",
    host: "mysql",
    login: "root",
    schema: "airflow",
    port: null,
    password: "plainpassword",
    extra: null,
    team_name: null,
  },
  {
    connection_id: "druid_broker_default",
    conn_type: "druid",
    description: "druid-broker conn description",
    host: "druid-broker",
    login: null,
    schema: null,
    port: 8082,
    password: null,
    extra: '{"endpoint": "druid/v2/sql"}',
    team_name: null,
  },
];

interface WriterVectors {
  connections: ConnectionResponse[];
  json: string;
  yaml: string;
  env_json: string;
  empty_json: string;
  empty_yaml: string;
}
const vectors = JSON.parse(fixture("writer-vectors.json")) as WriterVectors;

describe("export writers are byte-exact with `airflow connections export` (§6.1)", () => {
  it("json", () => {
    expect(formatExport("json", SECTION_6_1)).toBe(fixture("airflow-export.json"));
  });
  it("yaml", () => {
    expect(formatExport("yaml", SECTION_6_1)).toBe(fixture("airflow-export.yaml"));
  });
  it("env, URI serialisation", () => {
    expect(formatExport("env", SECTION_6_1)).toBe(fixture("airflow-export-uri.env"));
    expect(formatExport("env", SECTION_6_1, { serialization: "uri" })).toBe(fixture("airflow-export-uri.env"));
  });
  it("env, JSON serialisation", () => {
    expect(formatExport("env", SECTION_6_1, { serialization: "json" })).toBe(fixture("airflow-export-json.env"));
  });
  it("no connections", () => {
    expect(formatExport("json", [])).toBe(vectors.empty_json);
    expect(formatExport("json", [])).toBe("{}");
    expect(formatExport("yaml", [])).toBe(vectors.empty_yaml);
    expect(formatExport("yaml", [])).toBe("{}\n");
    expect(formatExport("env", [])).toBe("");
  });
  it("Python json.dumps / yaml.dump vectors: unicode, escapes, quoting, line folding", () => {
    expect(formatExport("json", vectors.connections)).toBe(vectors.json);
    expect(formatExport("yaml", vectors.connections)).toBe(vectors.yaml);
    expect(formatExport("env", vectors.connections, { serialization: "json" })).toBe(vectors.env_json);
  });
  it("streams: the chunks concatenate to the whole document", () => {
    for (const f of ["json", "yaml", "env"] as ExportFormat[]) {
      const w = exportWriter(f);
      const chunks = [w.begin(), ...vectors.connections.map((c) => w.item(c)), w.end()];
      expect(chunks.join("")).toBe(formatExport(f, vectors.connections));
      expect(chunks.slice(1, -1).every((c) => c.length > 0)).toBe(true);
    }
  });
  it("missing optional fields are written as null", () => {
    const out = formatExport("json", [{ connection_id: "x", conn_type: "http" }]);
    expect(JSON.parse(out)).toEqual({
      x: {
        conn_type: "http",
        description: null,
        login: null,
        password: null,
        host: null,
        port: null,
        schema: null,
        extra: null,
      },
    });
  });
});

describe("PyYAML emitter port", () => {
  const cases = JSON.parse(fixture("pyyaml-vectors.json")) as Array<{ key: string; value: string; yaml: string }>;
  it(`matches yaml.dump on ${cases.length} generated vectors`, () => {
    const bad = cases.filter(
      (c) => dumpMappingEntry(c.key, { conn_type: "t", description: c.value, port: 1 }) !== c.yaml,
    );
    expect(bad.map((c) => c.key + " / " + JSON.stringify(c.value))).toEqual([]);
  });
  it.each([
    ["plain", "postgres", "postgres"],
    ["JSON object", '{"endpoint": "druid/v2/sql"}', `'{"endpoint": "druid/v2/sql"}'`],
    ["numeric string", "8080", "'8080'"],
    ["null word", "null", "'null'"],
    ["bool word", "true", "'true'"],
    ["yes", "yes", "'yes'"],
    ["empty", "", "''"],
    ["leading space", " x", "' x'"],
    ["trailing space", "x ", "'x '"],
    ["colon space", "a: b", "'a: b'"],
    ["space hash", "a #b", "'a #b'"],
    ["hash inside word", "a#b", "a#b"],
    ["single quote inside", "it's", "it's"],
    ["leading single quote", "'q'", "'''q'''"],
    ["tab", "a\tb", '"a\\tb"'],
    ["non-ASCII", "café", '"caf\\xE9"'],
    ["astral", "😀", '"\\U0001F600"'],
    ["newline", "a\nb", "'a\n\n    b'"],
    ["redacted", "***", "'***'"],
    ["date", "2024-01-01", "'2024-01-01'"],
    ["float-ish", "1.5", "'1.5'"],
    ["not float in PyYAML", "1e3", "1e3"],
  ])("%s", (_name, value, written) => {
    expect(dumpMappingEntry("k", { description: value })).toBe(`k:\n  description: ${written}\n`);
  });
  it("folds long plain and quoted values at width 80 with a 4-space continuation", () => {
    const long = Array(30).fill("word").join(" ");
    const out = dumpMappingEntry("k", { description: long });
    expect(out.split("\n").every((l) => l.length <= 84)).toBe(true);
    expect(out.split("\n")[2]!.startsWith("    word")).toBe(true);
  });
  it("ids of 123+ characters become complex keys, as PyYAML writes them", () => {
    const id = "x".repeat(123);
    expect(dumpMappingEntry(id, { a: 1 })).toBe(`? ${id}\n: a: 1\n`);
    expect(dumpMappingEntry("x".repeat(122), { a: 1 })).toBe(`${"x".repeat(122)}:\n  a: 1\n`);
  });
  it("comparePy sorts by code point like Python", () => {
    expect(["b", "\u{1F600}", "\uFF5E", "B", "a"].sort(comparePy)).toEqual(["B", "a", "b", "\uFF5E", "\u{1F600}"]);
  });
});

describe("exportFormatFromFileName", () => {
  it("json, yaml, env in any case; not .yml", () => {
    expect(exportFormatFromFileName("a.json")).toBe("json");
    expect(exportFormatFromFileName("A.YAML")).toBe("yaml");
    expect(exportFormatFromFileName("dir.x/a.Env")).toBe("env");
    expect(exportFormatFromFileName("a.yml")).toBeUndefined();
    expect(exportFormatFromFileName("a")).toBeUndefined();
    expect(exportFormatFromFileName("a.txt")).toBeUndefined();
  });
});

describe("export → import round trip", () => {
  const DICT_FIELDS = ["conn_type", "description", "login", "password", "host", "port", "schema", "extra"] as const;
  const expected = (c: ConnectionResponse) => {
    const o: Record<string, unknown> = { connection_id: c.connection_id };
    for (const k of DICT_FIELDS) o[k] = c[k] ?? null;
    return o;
  };
  const byId = (a: { connection_id?: unknown }, b: { connection_id?: unknown }) =>
    comparePy(String(a.connection_id), String(b.connection_id));

  for (const [format, fileFormat, serialization] of [
    ["json", "json", undefined],
    ["yaml", "yaml", undefined],
    ["env", "env", "json"],
  ] as const) {
    it(`${format}${serialization ? ` (${serialization})` : ""}: every field survives`, () => {
      const text = formatExport(format, vectors.connections, { serialization });
      const { connections } = parseConnectionsFile(text, { format: fileFormat, fileName: `x.${format}` });
      expect(connections.map((c) => c.body).sort(byId)).toEqual(vectors.connections.map(expected).sort(byId));
    });
  }

  it("env (uri): every field but description survives for the §6.1 connections (documented loss)", () => {
    const { connections } = parseConnectionsFile(formatExport("env", SECTION_6_1), {
      format: "env",
      fileName: "x.env",
    });
    expect(connections[0]!.body).toEqual({ ...expected(SECTION_6_1[0]!), description: undefined });
    // Airflow's URI form writes no schema as "" (druid://druid-broker:8082/?...), which reads back as "".
    expect(connections[1]!.body).toEqual({ ...expected(SECTION_6_1[1]!), description: undefined, schema: "" });
  });
});
