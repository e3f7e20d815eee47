// Issue 18, "Files report every problem": import, apply/diff and bulk read the whole file and report each problem
// with its line (in the order of the lines, the first 20, then the count), and send nothing. NaN and Infinity are
// numbers everywhere, as in Python's json (Airflow's): accepted by create, bulk and the file readers, and they
// survive export and a new import or apply.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { useFakeAirflow } from "../support/fake.js";
import type { CliResult } from "../support/cli.js";

const fake = useFakeAirflow({ seed: 3 });

/** The `airconn: ` lines of stderr (warnings aside), without the prefix. */
const errorLines = (r: CliResult) =>
  r.stderr
    .split("\n")
    .filter((l) => l.startsWith("airconn: ") && !l.startsWith("airconn: warning: "))
    .map((l) => l.slice(9));

/** Runs the CLI; asserts exit 2, nothing on stdout, no request to the API; returns the error lines. */
async function refused(args: string[]): Promise<string[]> {
  const from = fake.server.requests.length;
  const r = await fake.run(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(fake.since(from).filter((q) => q.path.startsWith("/api/v2/connections"))).toEqual([]);
  expect(r.stderr).not.toMatch(/unexpected error|\bat .*\.js:\d+/);
  return errorLines(r);
}

describe("a connections file with several problems: every one, with its line", () => {
  it("import (Airflow json): each problem once, in line order, then the count; nothing sent", async () => {
    const f = fake.file(
      "many.json",
      [
        "{",
        '  "ok_1": {"conn_type": "http", "host": "a"},',
        '  "bad id!": {"conn_type": "http"},',
        '  "p2": {"conn_type": "http", "port": 70000, "hots": "x", "extra": "[1]"},',
        '  "no_type": {"host": "x"},',
        '  "ok_2": "postgres://db:5432/x",',
        '  "u": "not-a-uri"',
        "}",
      ].join("\n"),
    );
    expect(await refused(["import", f])).toEqual([
      `${f}:3: invalid connection id "bad id!": only letters, digits, "_", "." and "-" are allowed`,
      `${f}:4: p2: unknown key "hots"`,
      `${f}:4: p2.port: must be an integer 0-65535, got 70000`,
      `${f}:4: p2.extra: must be a JSON object, got a JSON array in a string`,
      `${f}:5: no_type: conn_type is required`,
      expect.stringMatching(new RegExp(`^${f.replace(/[.]/g, "\\.")}:7: u\\.uri: `)),
      `${f}: 6 problems, nothing was sent`,
    ]);
  });

  it("import (env): a problem per line, the good lines between them are no problem", async () => {
    const f = fake.file(
      "many.env",
      "ok_conn=postgres://db\nno equals sign\n=http://x\nempty=\nok_2=http://y\nbad!id=http://z\n",
    );
    expect(await refused(["import", f])).toEqual([
      `${f}:2: Invalid line format. The line should contain at least one equal sign ("=").`,
      `${f}:3: Invalid line format. Key is empty.`,
      `${f}:4: empty: Value is empty.`,
      `${f}:6: invalid connection id "bad!id": only letters, digits, "_", "." and "-" are allowed`,
      `${f}: 4 problems, nothing was sent`,
    ]);
  });

  it("diff: a repeated id is one more problem, beside the others", async () => {
    const f = fake.file(
      "dup.yaml",
      "connections:\n  - {connection_id: a_1, conn_type: http, port: x}\n  - {connection_id: b_1, conn_type: http}\n  - {connection_id: b_1, conn_type: ftp}\n",
    );
    expect(await refused(["diff", f])).toEqual([
      `${f}:2: a_1.port: must be an integer 0-65535, got "x"`,
      `${f}: duplicate connection id "b_1" (${f}:3 (b_1) and ${f}:4 (b_1))`,
      `${f}: 2 problems, nothing was sent`,
    ]);
  });

  it("more than 20 problems: the first 20 are listed, the count says how many", async () => {
    const f = fake.file(
      "thirty.json",
      "{\n" +
        Array.from({ length: 30 }, (_, i) => `  "c_${i}": {"conn_type": "http", "port": -${i + 1}}`).join(",\n") +
        "\n}\n",
    );
    const lines = await refused(["import", f]);
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe(`${f}:2: c_0.port: must be an integer 0-65535, got -1`);
    expect(lines[19]).toBe(`${f}:21: c_19.port: must be an integer 0-65535, got -20`);
    expect(lines[20]).toBe(`${f}: 30 problems, nothing was sent (the first 20 are listed)`);
  });

  it("diff and apply (airconn YAML) report them all the same way; a single problem stays one line", async () => {
    const f = fake.file(
      "want.yaml",
      [
        "connections:",
        "  - connection_id: team_a",
        "    conn_type: postgres",
        "    port: 99999",
        "  - connection_id: team_b",
        "    host: db",
        "  - connection_id: team_c",
        "    conn_type: http",
        "    colour: red",
      ].join("\n") + "\n",
    );
    const want = [
      `${f}:4: team_a.port: must be an integer 0-65535, got 99999`,
      `${f}:5: team_b: conn_type is required`,
      `${f}:9: team_c: unknown key "colour"`,
      `${f}: 3 problems, nothing was sent`,
    ];
    expect(await refused(["diff", f])).toEqual(want);
    expect(await refused(["apply", f, "--yes"])).toEqual(want);
    const one = fake.file(
      "one.yaml",
      "connections:\n  - connection_id: team_a\n    conn_type: postgres\n    port: 99999\n",
    );
    expect(await refused(["apply", one])).toEqual([`${one}:4: team_a.port: must be an integer 0-65535, got 99999`]);
  });
});

describe("a bulk file with several problems: every one, with its line", () => {
  it("YAML: each problem with the line of its entity or field", async () => {
    const f = fake.file(
      "many-bulk.yaml",
      [
        "actions:",
        "  - action: create",
        "    entities:",
        "      - {connection_id: a, conn_type: http, port: 99999}",
        '      - {connection_id: "b c", conn_type: http}',
        "      - {connection_id: d, host: x}",
        "  - action: upsert",
        "    entities: []",
      ].join("\n") + "\n",
    );
    expect(await refused(["bulk", f])).toEqual([
      `${f}:4: actions[0].entities[0].port: must be between 0 and 65535, got 99999`,
      `${f}:5: actions[0].entities[1].connection_id: "b c" may contain only letters, digits, '_', '.' and '-'`,
      `${f}:6: actions[0].entities[2].conn_type: is required`,
      `${f}:7: actions[1].action: must be create, update or delete, got "upsert"`,
      `${f}: 4 problems, nothing was sent`,
    ]);
  });

  it("JSON: the same, and one problem alone is one line with its line number", async () => {
    const f = fake.file(
      "many-bulk.json",
      [
        '{"actions": [',
        '  {"action": "create", "entities": [',
        '    {"connection_id": "x", "conn_type": "http", "extra": [1]},',
        '    {"connection_id": "y", "conn_type": "http", "colour": "red"}',
        "  ]},",
        '  {"action": "delete", "entities": [7]}',
        "]}",
      ].join("\n"),
    );
    expect(await refused(["bulk", f])).toEqual([
      expect.stringMatching(/:3: actions\[0\]\.entities\[0\]\.extra: must be a JSON object \(or its text\), got /),
      `${f}:4: actions[0].entities[1].colour: unknown field`,
      `${f}:6: actions[1].entities[0]: must be a connection id string, got 7`,
      `${f}: 3 problems, nothing was sent`,
    ]);
    const one = fake.file("one-bulk.json", '{"actions": [\n  {"action": "delete",\n   "entities": ["ok", 7]}\n]}');
    expect(await refused(["bulk", one])).toEqual([
      `${one}:3: actions[0].entities[1]: must be a connection id string, got 7; nothing was sent`,
    ]);
  });
});

describe("NaN and Infinity: numbers everywhere, as in Airflow's json", () => {
  const extraOf = (id: string) => fake.server.stored(id)?.extra;

  it("create --extra, bulk (JSON and YAML) and import accept them; the server stores them as Python writes them", async () => {
    expect(
      (
        await fake.run([
          "create",
          "nan_create",
          "--type",
          "http",
          "--extra",
          '{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1.5}',
        ])
      ).code,
    ).toBe(0);
    expect(extraOf("nan_create")).toBe('{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1.5}');

    const bj = fake.file(
      "nan-bulk.json",
      '{"actions": [{"action": "create", "entities": [{"connection_id": "nan_bulk", "conn_type": "http", "extra": {"a": NaN, "b": -Infinity}}]}]}',
    );
    const rj = await fake.run(["bulk", bj]);
    expect(rj.code, rj.stderr).toBe(0);
    expect(extraOf("nan_bulk")).toBe('{"a": NaN, "b": -Infinity}');

    const by = fake.file(
      "nan-bulk.yaml",
      "actions:\n  - action: create\n    entities: [{connection_id: nan_bulk_y, conn_type: http, extra: {a: .nan, b: .inf}}]\n",
    );
    const ry = await fake.run(["bulk", by]);
    expect(ry.code, ry.stderr).toBe(0);
    expect(extraOf("nan_bulk_y")).toBe('{"a": NaN, "b": Infinity}');

    const ij = fake.file("nan-import.json", '{"nan_import": {"conn_type": "http", "extra": {"a": NaN}}}');
    const ri = await fake.run(["import", ij]);
    expect(ri.code, ri.stderr).toBe(0);
    expect(extraOf("nan_import")).toBe('{"a": NaN}');
  });

  it("export --format airconn writes .nan/.inf, and diff of that file finds nothing to change (apply sends nothing)", async () => {
    const out = join(fake.workDir, "nan-export.yaml");
    const e = await fake.run(["export", out, "--format", "airconn", "--pattern", "nan_create"]);
    expect(e.code, e.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toContain('extra: {"a": .nan, "b": .inf, "c": -.inf, "d": 1.5}');
    const d = await fake.run(["diff", out, "--pattern", "nan_create", "-o", "json"]);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ create: [], update: [], unchanged: ["nan_create"] });
    const from = fake.server.requests.length;
    expect((await fake.run(["apply", out, "--pattern", "nan_create"])).code).toBe(0);
    expect(fake.writes(from)).toEqual([]);
  });

  it("export --format json, then import --on-existence overwrite: the same extra comes back", async () => {
    const out = join(fake.workDir, "nan-export.json");
    expect((await fake.run(["export", out, "--pattern", "nan_create"])).code).toBe(0);
    const before = extraOf("nan_create");
    const r = await fake.run(["import", out, "--on-existence", "overwrite"]);
    expect(r.code, r.stderr).toBe(0);
    expect(extraOf("nan_create")).toBe(before);
  });
});
