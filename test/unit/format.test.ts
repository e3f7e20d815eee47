import { describe, expect, it } from "vitest";
import { testIO } from "../../src/output/io.js";
import { resolveFormat, useColor } from "../../src/output/format.js";
import { renderConnection, renderConnections } from "../../src/output/connections.js";
import type { ConnectionResponse } from "../../src/api/types.js";

const conns: ConnectionResponse[] = [
  {
    connection_id: "pg",
    conn_type: "postgres",
    description: "main\tdb\nprod",
    host: "db.example.com",
    login: "app",
    schema: "app",
    port: 5432,
    password: "***",
    extra: '{"sslmode": "require"}',
    team_name: null,
  },
  {
    connection_id: "http_default",
    conn_type: "http",
    description: null,
    host: null,
    login: null,
    schema: null,
    port: null,
    password: null,
    extra: null,
    team_name: null,
  },
];

describe("format choice", () => {
  it("is table on a terminal and plain when piped, unless -o says otherwise", () => {
    expect(resolveFormat(undefined, testIO({ stdoutTTY: true }))).toBe("table");
    expect(resolveFormat(undefined, testIO())).toBe("plain");
    expect(resolveFormat("json", testIO({ stdoutTTY: true }))).toBe("json");
    expect(() => resolveFormat("xml", testIO())).toThrow(/unknown output format "xml"/);
  });
  it("colours only on a terminal without NO_COLOR or --no-color", () => {
    expect(useColor(testIO({ stdoutTTY: true }), {}, false)).toBe(true);
    expect(useColor(testIO(), {}, false)).toBe(false);
    expect(useColor(testIO({ stdoutTTY: true }), { NO_COLOR: "1" }, false)).toBe(false);
    expect(useColor(testIO({ stdoutTTY: true }), {}, true)).toBe(false);
  });
});

describe("renderConnections", () => {
  it("plain: tab-separated, id first, no header, empty for null, no tabs or newlines inside cells", async () => {
    const io = testIO();
    await renderConnections(io, conns, { format: "plain", color: false });
    expect(io.stdout()).toBe(
      "pg\tpostgres\tdb.example.com\t5432\tapp\tapp\tmain db prod\nhttp_default\thttp\t\t\t\t\t\n",
    );
  });
  it("table: header and aligned columns, no colour codes when colour is off", async () => {
    const io = testIO();
    await renderConnections(io, conns, { format: "table", color: false });
    const lines = io.stdout().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+HOST\s+PORT\s+LOGIN\s+SCHEMA\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^pg\s+postgres\s+db\.example\.com\s+5432\s+app\s+app\s+main db prod$/);
    expect(lines[0]!.indexOf("TYPE")).toBe(lines[1]!.indexOf("postgres"));
    expect(io.stdout()).not.toMatch(/\x1b\[/);
  });
  it("table: bold header with colour on", async () => {
    const io = testIO();
    await renderConnections(io, conns, { format: "table", color: true });
    expect(io.stdout()).toMatch(/\x1b\[1mID/);
  });
  it("json: an array with the API's field names; yaml parses back to the same", async () => {
    const io = testIO();
    await renderConnections(io, conns, { format: "json", color: false });
    expect(JSON.parse(io.stdout())).toEqual(conns);
    const y = testIO();
    await renderConnections(y, conns, { format: "yaml", color: false });
    const { parse } = await import("yaml");
    expect(parse(y.stdout())).toEqual(conns);
  });
  it("json of an empty list is []", async () => {
    const io = testIO();
    await renderConnections(io, [], { format: "json", color: false });
    expect(io.stdout()).toBe("[]\n");
  });
});

describe("renderConnection", () => {
  it("plain: one field per line in the API's order", async () => {
    const io = testIO();
    await renderConnection(io, conns[0]!, { format: "plain", color: false });
    expect(
      io
        .stdout()
        .split("\n")
        .slice(0, 10)
        .map((l) => l.split("\t")[0]),
    ).toEqual([
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
    expect(io.stdout()).toContain("password\t***\n");
  });
  it("json: all ten keys in order, nulls included", async () => {
    const io = testIO();
    await renderConnection(io, { connection_id: "x", conn_type: "http" } as ConnectionResponse, {
      format: "json",
      color: false,
    });
    expect(Object.keys(JSON.parse(io.stdout()))).toEqual([
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
  });
});
