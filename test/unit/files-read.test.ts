import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  detectFormat,
  parseConnectionsFile,
  presentFields,
  type FileFormat,
  type ParsedConnection,
  type ParseOptions,
} from "../../src/files/index.js";

const FIX = join(import.meta.dirname, "../fixtures/files");
const fixture = (name: string) => readFileSync(join(FIX, name), "utf8");

function parse(
  text: string,
  format: FileFormat,
  fileName = `connections.${format === "airconn" || format === "astro" ? "yaml" : format}`,
  extra: Partial<ParseOptions> = {},
) {
  return parseConnectionsFile(text, { format, fileName, ...extra });
}

function errorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("expected a UsageError");
}

const fields = (p: ParsedConnection) => [...presentFields(p)].sort();

describe("Airflow export files (§6.1) read back", () => {
  it("json export", () => {
    const { connections, warnings } = parse(fixture("airflow-export.json"), "json", "airflow-export.json");
    expect(warnings).toEqual([]);
    expect(connections).toHaveLength(2);
    const [db, druid] = connections;
    expect(db!.body).toEqual({
      connection_id: "airflow_db",
      conn_type: "mysql",
      description: "mysql conn description",
      login: "root",
      password: "plainpassword",
      host: "mysql",
      port: null,
      schema: "airflow",
      extra: null,
    });
    expect(db!.where).toBe("airflow-export.json:2 (airflow_db)");
    expect(fields(db!)).toEqual([
      "conn_type",
      "connection_id",
      "description",
      "extra",
      "host",
      "login",
      "password",
      "port",
      "schema",
    ]);
    expect(druid!.body.connection_id).toBe("druid_broker_default");
    expect(druid!.body.conn_type).toBe("druid");
    expect(druid!.body.description).toBe("druid-broker conn description");
    expect(druid!.body.login).toBeNull();
    expect(druid!.body.password).toBeNull();
    expect(druid!.body.host).toBe("druid-broker");
    expect(druid!.body.port).toBe(8082);
    expect(druid!.body.schema).toBeNull();
    expect(druid!.body.extra).toBe('{"endpoint": "druid/v2/sql"}');
    expect(druid!.where).toBe("airflow-export.json:12 (druid_broker_default)");
  });

  it("yaml export", () => {
    const { connections } = parse(fixture("airflow-export.yaml"), "yaml", "airflow-export.yaml");
    expect(connections.map((c) => c.body)).toEqual(
      parse(fixture("airflow-export.json"), "json").connections.map((c) => c.body),
    );
    expect(connections[0]!.where).toBe("airflow-export.yaml:1 (airflow_db)");
    expect(connections[1]!.where).toBe("airflow-export.yaml:10 (druid_broker_default)");
    expect(connections[1]!.body.extra).toBe('{"endpoint": "druid/v2/sql"}');
  });

  it("env export, URI serialisation", () => {
    const { connections } = parse(fixture("airflow-export-uri.env"), "env", "connections.env");
    const [db, druid] = connections;
    expect(db!.body).toEqual({
      connection_id: "airflow_db",
      conn_type: "mysql",
      host: "mysql",
      login: "root",
      password: "plainpassword",
      port: null,
      schema: "airflow",
      extra: null,
    });
    expect(presentFields(db!).has("description")).toBe(false);
    expect(db!.where).toBe("connections.env:1 (airflow_db)");
    expect(druid!.body).toEqual({
      connection_id: "druid_broker_default",
      conn_type: "druid",
      host: "druid-broker",
      login: null,
      password: null,
      port: 8082,
      schema: "",
      extra: '{"endpoint": "druid/v2/sql"}',
    });
    expect(druid!.where).toBe("connections.env:2 (druid_broker_default)");
  });

  it("env export, JSON serialisation (which Airflow itself cannot re-import, #73083)", () => {
    const { connections } = parse(fixture("airflow-export-json.env"), "env");
    expect(connections.map((c) => c.body)).toEqual(
      parse(fixture("airflow-export.json"), "json").connections.map((c) => c.body),
    );
  });
});

describe("other tools' files", () => {
  it("airflowctl json (connection_id inside, missing fields)", () => {
    const { connections } = parse(fixture("airflowctl.json"), "json", "airflowctl.json");
    expect(connections[0]!.body).toEqual({
      connection_id: "pg_main",
      conn_type: "postgres",
      description: null,
      host: "db.internal",
      login: "app",
      password: "s3cret",
      port: 5432,
      schema: "app",
      extra: '{"sslmode": "require"}',
    });
    expect(connections[1]!.body).toEqual({
      connection_id: "http_api",
      conn_type: "http",
      host: "https://api.example.com",
      extra: null,
    });
    expect(fields(connections[1]!)).toEqual(["conn_type", "connection_id", "extra", "host"]);
  });

  it("Astro airflow_settings.yaml (§6.4)", () => {
    const text = fixture("airflow_settings.yaml");
    expect(detectFormat("airflow_settings.yaml")).toBe("astro");
    expect(detectFormat("settings.yml", undefined, text)).toBe("astro");
    const { connections, warnings } = parse(text, "astro", "airflow_settings.yaml");
    expect(warnings).toEqual([]);
    expect(connections).toHaveLength(1);
    expect(connections[0]!.body).toEqual({
      connection_id: "local_postgres",
      conn_type: "postgres",
      host: "postres.host",
      schema: "postges.schema",
      login: "postgres.login",
      password: "postgres.pass",
      port: 5432,
      extra: '{"database": "test", "account": "test"}',
    });
    expect(connections[0]!.where).toBe("airflow_settings.yaml:3 (local_postgres)");
  });

  it("Astro: conn_uri, conn_port 0, conn_extra string, skipped entries", () => {
    const { connections, warnings } = parse(fixture("astro-more.yaml"), "astro", "airflow_settings.yaml");
    expect(connections.map((c) => c.body.connection_id)).toEqual(["by_uri", "extra_string"]);
    expect(connections[0]!.body).toMatchObject({
      conn_type: "postgres",
      host: "db.example.com",
      login: "user",
      password: "pa/ss",
      port: 5433,
      schema: "app",
      extra: '{"sslmode": "require"}',
    });
    expect(connections[1]!.body).toEqual({
      connection_id: "extra_string",
      conn_type: "http",
      host: "api.example.com",
      port: null,
      extra: '{"timeout": 30}',
    });
    expect(warnings).toEqual([
      "airflow_settings.yaml:10 (nothing_useful): Skipping nothing_useful: conn_type or conn_uri must be specified.",
    ]);
  });

  it("the Astro file as plain yaml gets a hint", () => {
    const e = errorOf(() => parse(fixture("airflow_settings.yaml"), "yaml"));
    expect(e.message).toContain("Astro");
    expect(e.hint).toContain("--format astro");
  });

  it("airconn YAML with ${VAR} substitution", () => {
    const env = { DB_PASS: "hunter2" };
    const { connections } = parse(fixture("airconn.yaml"), "airconn", "airconn.yaml", { env });
    expect(connections.map((c) => c.body.connection_id)).toEqual(["pg_main", "slack", "s3_logs", "cost_price"]);
    const [pg, slack, s3, cost] = connections;
    expect(pg!.body).toEqual({
      connection_id: "pg_main",
      conn_type: "postgres",
      description: "Main warehouse",
      host: "db.internal",
      port: 5432,
      login: "app",
      password: "hunter2",
      schema: "analytics",
      extra: '{"sslmode": "require", "options": {"connect_timeout": 10, "keepalives": true, "ratio": 1.0}}',
    });
    expect(pg!.where).toBe("airconn.yaml:3 (pg_main)");
    expect(slack!.body).toEqual({
      connection_id: "slack",
      conn_type: "slack_webhook",
      password: "unset",
      team_name: "data",
    });
    expect(fields(slack!)).toEqual(["conn_type", "connection_id", "password", "team_name"]);
    expect(s3!.body).toMatchObject({
      conn_type: "aws",
      host: "",
      login: null,
      schema: "",
      extra: '{"region_name": "eu-west-1"}',
    });
    expect(cost!.body.login).toBe("${literal}");
  });

  it("airconn map form, and the connections: wrapper around a map", () => {
    const a = parse("pg:\n  conn_type: postgres\n  host: h\nweb: http://example.com\n", "airconn");
    expect(a.connections.map((c) => c.body)).toEqual([
      { connection_id: "pg", conn_type: "postgres", host: "h" },
      {
        connection_id: "web",
        conn_type: "http",
        host: "example.com",
        login: null,
        password: null,
        port: null,
        schema: "",
        extra: null,
      },
    ]);
    const b = parse("connections:\n  pg:\n    conn_type: postgres\n", "airconn");
    expect(b.connections[0]!.body).toEqual({ connection_id: "pg", conn_type: "postgres" });
    // A connection *named* "connections" is not mistaken for the wrapper.
    const c = parse("connections:\n  conn_type: postgres\n", "airconn");
    expect(c.connections[0]!.body).toEqual({ connection_id: "connections", conn_type: "postgres" });
    // YAML 1.2 for airconn: `no` stays a string.
    const d = parse("- id: x\n  conn_type: http\n  extra: {verify: no, n: 0x10}\n", "airconn");
    expect(d.connections[0]!.body.extra).toBe('{"verify": "no", "n": 16}');
  });
});

describe("Airflow reading rules (§6.2)", () => {
  it("a URI string, an object, a one-element list", () => {
    const { connections, warnings } = parse(
      '{"a": "postgres://u:p@h:1/s", "b": ["mysql://h"], "c": [{"conn_type": "http"}], "d": []}',
      "json",
    );
    expect(connections.map((c) => [c.body.connection_id, c.body.conn_type])).toEqual([
      ["a", "postgres"],
      ["b", "mysql"],
      ["c", "http"],
    ]);
    expect(warnings).toEqual(["connections.json:1 (d): an empty list defines no connection; skipped"]);
  });

  it("more than one value → ConnectionNotUnique-like error", () => {
    const e = errorOf(() => parse('{\n"a": ["http://x", "http://y"]\n}', "json"));
    expect(e.message).toBe("connections.json:2: Found multiple values for a in connections.json.");
  });

  it("extra_dejson, extra as object, extra as string", () => {
    const { connections } = parse(
      [
        "a:",
        "  conn_type: http",
        "  extra_dejson: {k: v, n: 1, y: yes, e: 1e3}",
        "b:",
        "  conn_type: http",
        "  extra: {k: [1, 2.5, null, true]}",
        "c:",
        "  conn_type: http",
        "  extra: '{\"k\":1}'",
        "d:",
        "  conn_type: http",
        "  extra: ''",
      ].join("\n"),
      "yaml",
    );
    expect(connections.map((c) => c.body.extra)).toEqual([
      '{"k": "v", "n": 1, "y": true, "e": "1e3"}',
      '{"k": [1, 2.5, null, true]}',
      '{"k":1}',
      "",
    ]);
  });

  it("extra and extra_dejson together", () => {
    const e = errorOf(() => parse("a:\n  conn_type: http\n  extra: '{}'\n  extra_dejson: {}\n", "yaml"));
    expect(e.message).toBe(
      "connections.yaml:4: a: The extra and extra_dejson parameters are mutually exclusive. Please provide only one parameter.",
    );
  });

  it("extra that is not a JSON object", () => {
    expect(errorOf(() => parse('{"a": {"conn_type": "http", "extra": "[1]"}}', "json")).message).toBe(
      "connections.json:1: a.extra: must be a JSON object, got a JSON array in a string",
    );
    expect(errorOf(() => parse('{"a": {"conn_type": "http", "extra": "{oops"}}', "json")).message).toMatch(
      /^connections\.json:1: a\.extra: must be a JSON object, but the string is not valid JSON/,
    );
    expect(errorOf(() => parse("a:\n  conn_type: http\n  extra: [1, 2]\n", "yaml")).message).toBe(
      "connections.yaml:3: a.extra: must be an object or a JSON object string, got a list",
    );
  });

  it("inner conn_id must equal its key", () => {
    const e = errorOf(() => parse('{\n  "a": {\n    "conn_id": "b",\n    "conn_type": "http"\n  }\n}', "json"));
    expect(e.message).toBe(
      "connections.json:3: a.conn_id: mismatch conn_id. The dictionary key has the value: a. The item has the value: b.",
    );
  });

  it("unknown keys", () => {
    const e = errorOf(() => parse("a:\n  conn_type: http\n  hostname: x\n", "yaml"));
    expect(e.message).toBe('connections.yaml:3: a: unknown key "hostname"');
    expect(e.hint).toContain("conn_type");
  });

  it("uri mixed with fields", () => {
    const e = errorOf(() => parse("a:\n  uri: http://h\n  host: other\n", "yaml"));
    expect(e.message).toMatch(/^connections\.yaml:2: a: You must create an object using the URI or individual values/);
    // description may accompany a URI
    const ok = parse("a:\n  uri: http://h\n  description: d\n", "yaml");
    expect(ok.connections[0]!.body).toMatchObject({ conn_type: "http", host: "h", description: "d" });
  });

  it("port: number or numeric string, 0-65535", () => {
    const ports = parse(
      '{"a": {"conn_type": "x", "port": "5432"}, "b": {"conn_type": "x", "port": 0}, "c": {"conn_type": "x", "port": ""}, "d": {"conn_type": "x", "port": 80.0}}',
      "json",
    );
    expect(ports.connections.map((c) => c.body.port)).toEqual([5432, 0, null, 80]);
    expect(errorOf(() => parse('{\n  "pg_main": {"conn_type": "x",\n  "port": "abc"}}', "json")).message).toBe(
      'connections.json:3: pg_main.port: must be an integer 0-65535, got "abc"',
    );
    expect(errorOf(() => parse("pg_main:\n  conn_type: x\n  port: 65536\n", "yaml")).message).toBe(
      "connections.yaml:3: pg_main.port: must be an integer 0-65535, got 65536",
    );
    expect(errorOf(() => parse("pg_main:\n  conn_type: x\n  port: -1\n", "yaml")).message).toContain("got -1");
    expect(errorOf(() => parse("pg_main:\n  conn_type: x\n  port: 1.5\n", "yaml")).message).toContain("got 1.5");
    expect(errorOf(() => parse("pg_main:\n  conn_type: x\n  port: true\n", "yaml")).message).toContain("got true");
    expect(errorOf(() => parse("pg_main:\n  conn_type: x\n  port: [1]\n", "yaml")).message).toContain("got a list");
  });

  it("conn_type is required and normalised", () => {
    expect(errorOf(() => parse("pg_main:\n  host: h\n", "yaml")).message).toBe(
      "connections.yaml:1: pg_main: conn_type is required",
    );
    expect(errorOf(() => parse("pg_main:\n  conn_type: ''\n", "yaml")).message).toBe(
      "connections.yaml:2: pg_main: conn_type is required",
    );
    const { connections } = parse(
      '{"a": {"conn_type": "google-cloud-platform"}, "b": {"conn_type": "PostgreSQL"}}',
      "json",
    );
    expect(connections.map((c) => c.body.conn_type)).toEqual(["google_cloud_platform", "postgres"]);
  });

  it("string fields: numbers are refused with a hint to quote", () => {
    expect(errorOf(() => parse("a:\n  conn_type: x\n  password: 0123\n", "yaml")).message).toBe(
      "connections.yaml:3: a.password: must be a string, got a number (quote it)",
    );
    expect(errorOf(() => parse('{"a": {"conn_type": "x", "login": {}}}', "json")).message).toBe(
      "connections.json:1: a.login: must be a string, got an object",
    );
  });

  it("connection ids: REST rule and length", () => {
    expect(errorOf(() => parse('{"bad id": "http://h"}', "json")).message).toBe(
      'connections.json:1: invalid connection id "bad id": only letters, digits, "_", "." and "-" are allowed',
    );
    expect(errorOf(() => parse(`{"${"x".repeat(201)}": "http://h"}`, "json")).message).toMatch(
      /is longer than 200 characters$/,
    );
    expect(parse(`{"${"x".repeat(200)}": "http://h", "café_1": "http://h"}`, "json").connections).toHaveLength(2);
  });

  it("empty file, a list or a scalar at the top", () => {
    expect(errorOf(() => parse("", "json")).message).toBe("connections.json: The file is empty.");
    expect(errorOf(() => parse("  \n", "yaml")).message).toBe("connections.yaml: The file is empty.");
    expect(errorOf(() => parse("# only a comment\n", "yaml")).message).toBe("connections.yaml: The file is empty.");
    // An env file with no connections is what `airflow connections export` writes for none: not an error.
    expect(parse("\n# c\n\n", "env")).toEqual({
      connections: [],
      warnings: ["connections.env: the file defines no connections"],
    });
    expect(parse("", "env").connections).toEqual([]);
    expect(errorOf(() => parse("[]", "json")).message).toBe("connections.json:1: The file should contain the object.");
    expect(errorOf(() => parse("- a: b\n", "yaml")).message).toBe(
      "connections.yaml:1: The file should contain the object.",
    );
    expect(errorOf(() => parse('"x"', "json")).message).toBe("connections.json:1: The file should contain the object.");
    expect(parse("{}", "json").connections).toEqual([]);
    expect(parse("{}\n", "yaml").connections).toEqual([]);
  });

  it("a value that is neither a URI nor an object", () => {
    expect(errorOf(() => parse("a:\n", "yaml")).message).toBe(
      "connections.yaml:1: a: the connection must be a URI string or an object, got null",
    );
    expect(errorOf(() => parse('{"a": 5}', "json")).message).toBe(
      "connections.json:1: a: the connection must be a URI string or an object, got a number",
    );
  });

  it("a bad URI never repeats the URI (it holds a password)", () => {
    const e = errorOf(() => parse('{"a": "mysql://user:my-pa/ssword@host:1/x"}', "json"));
    expect(e.message).not.toContain("my-pa"); // what the parser takes for the port is the password's start
    expect(e.message).toMatch(/^connections\.json:1: a\.uri: /);
    expect(e.hint).toContain("percent-encoded");
    const e2 = errorOf(() => parse('{"a": "no-scheme-here"}', "json"));
    expect(e2.message).not.toContain("no-scheme-here");
    const e3 = errorOf(() => parse('{"a": "x://u:se\\tcret@a://b://c"}', "json"));
    expect(e3.message).toMatch(/^connections\.json:1: a\.uri: Invalid connection string: "(:\/\/)" appears 3 times/);
    expect(e3.message).not.toContain("cret");
  });

  it("duplicate ids", () => {
    expect(errorOf(() => parse('{"a": "http://h",\n "a": "http://i"}', "json")).message).toBe(
      'connections.json:2:2: invalid JSON: Duplicate key "a"',
    );
    expect(errorOf(() => parse("a: http://h\na: http://i\n", "yaml")).message).toMatch(
      /^connections\.yaml:2:1: invalid YAML: Map keys must be unique/,
    );
    expect(errorOf(() => parse("- id: a\n  conn_type: x\n- id: a\n  conn_type: y\n", "airconn")).message).toBe(
      'connections.yaml: duplicate connection id "a" (connections.yaml:1 (a) and connections.yaml:3 (a))',
    );
  });
});

describe("syntax errors point into the file", () => {
  it("JSON: line and column", () => {
    expect(errorOf(() => parse('{\n  "a": {"conn_type": "x",}\n}', "json")).message).toBe(
      "connections.json:2:26: invalid JSON: Expecting property name enclosed in double quotes",
    );
    expect(errorOf(() => parse('{"a": "x"} extra', "json")).message).toBe(
      "connections.json:1:12: invalid JSON: Extra data",
    );
    expect(errorOf(() => parse('{"a": "x\n"}', "json")).message).toBe(
      "connections.json:1:9: invalid JSON: Invalid control character",
    );
    expect(errorOf(() => parse('{"a": ', "json")).message).toBe("connections.json:1:7: invalid JSON: Expecting value");
  });

  it("YAML: line", () => {
    const e = errorOf(() => parse("a:\n  conn_type: x\n  host: [unclosed\n", "yaml"));
    expect(e.message).toMatch(/^connections\.yaml:\d+:\d+: invalid YAML: /);
    const e2 = errorOf(() => parse("a:\n  conn_type: x\n   bad indent: 1\n  host: h\n", "yaml"));
    expect(e2.message).toMatch(/^connections\.yaml:2:\d+: invalid YAML: Nested mappings/);
  });

  it("binary content", () => {
    expect(errorOf(() => parse("a\0b", "json")).message).toBe(
      "connections.json: this is not a text file (it contains NUL bytes)",
    );
  });

  it("YAML timestamps and tags are refused in values", () => {
    expect(errorOf(() => parse("a:\n  conn_type: x\n  extra: {when: 2024-01-01}\n", "yaml")).message).toBe(
      "connections.yaml:3: a date/time value is not supported here; quote it",
    );
  });

  it("anchors, aliases and merge keys work", () => {
    const { connections } = parse("base: &b\n  conn_type: postgres\n  host: h\nother:\n  <<: *b\n  host: h2\n", "yaml");
    expect(connections[1]!.body).toEqual({ connection_id: "other", conn_type: "postgres", host: "h2" });
  });

  it("an alias bomb is stopped", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    expect(errorOf(() => parse(lines.join("\n") + "\n", "yaml")).message).toMatch(/invalid YAML/);
  });
});

describe("env files", () => {
  it("comments, blank lines, AIRFLOW_CONN_ names, quotes, CRLF", () => {
    const text =
      '# comment\n\nAIRFLOW_CONN_FOO_BAR=http://h\r\n  # indented comment\nplain = \'mysql://u@h/db\'\nj={"conn_type": "http", "port": "80", "extra": {"a": 1}}\n';
    const { connections } = parse(text, "env");
    expect(connections.map((c) => [c.body.connection_id, c.where])).toEqual([
      ["foo_bar", "connections.env:3 (foo_bar)"],
      ["plain", "connections.env:5 (plain)"],
      ["j", "connections.env:6 (j)"],
    ]);
    expect(connections[1]!.body).toMatchObject({ conn_type: "mysql", login: "u", host: "h", schema: "db" });
    expect(connections[2]!.body).toEqual({ connection_id: "j", conn_type: "http", port: 80, extra: '{"a": 1}' });
  });

  it("errors", () => {
    expect(errorOf(() => parse("a=http://h\nb=\n", "env")).message).toBe("connections.env:2: b: Value is empty.");
    expect(errorOf(() => parse("a=http://h\na=http://i\n", "env")).message).toBe(
      'connections.env:2: Found duplicate key "a" (also on line 1).',
    );
    expect(errorOf(() => parse("just text\n", "env")).message).toBe(
      'connections.env:1: Invalid line format. The line should contain at least one equal sign ("=").',
    );
    expect(errorOf(() => parse("=http://h\n", "env")).message).toBe(
      "connections.env:1: Invalid line format. Key is empty.",
    );
    expect(errorOf(() => parse('a=http://h\nbad={"conn_type": }\n', "env")).message).toBe(
      "connections.env:2:19: bad: invalid JSON: Expecting value",
    );
    expect(errorOf(() => parse("a=//host-only\n", "env")).message).toBe(
      "connections.env:1: a.uri: the URI has no connection type (scheme)",
    );
  });
});

describe("${VAR} substitution", () => {
  const yamlText =
    "pg_main:\n  conn_type: postgres\n  host: ${DB_HOST:-localhost}\n  password: ${DB_PASS}\n  port: ${DB_PORT}\n  extra:\n    token: pre-${TOKEN}-post\n    cost: $$5\n";

  it("fills values, defaults and $$ (opt-in for yaml)", () => {
    const env = { DB_PASS: "s3cr$t", DB_PORT: "6543", TOKEN: "tk" };
    const { connections } = parse(yamlText, "yaml", "connections.yaml", { env, substitute: true });
    expect(connections[0]!.body).toEqual({
      connection_id: "pg_main",
      conn_type: "postgres",
      host: "localhost",
      password: "s3cr$t",
      port: 6543,
      extra: '{"token": "pre-tk-post", "cost": "$5"}',
    });
    const env2 = { ...env, DB_HOST: "" };
    expect(parse(yamlText, "yaml", "x.yaml", { env: env2, substitute: true }).connections[0]!.body.host).toBe(
      "localhost",
    );
  });

  it("is off by default for the formats Airflow writes (values are real data)", () => {
    const { connections } = parse('{"a": {"conn_type": "x", "password": "pa$$word${X}"}}', "json");
    expect(connections[0]!.body.password).toBe("pa$$word${X}");
  });

  it("is on by default for airconn", () => {
    const { connections } = parse("- id: a\n  conn_type: x\n  password: pa$$word\n", "airconn");
    expect(connections[0]!.body.password).toBe("pa$word");
  });

  it("a missing variable names the variable, never a value", () => {
    const e = errorOf(() =>
      parse(yamlText, "yaml", "connections.yaml", {
        env: { DB_PORT: "1", TOKEN: "tok-secret-value" },
        substitute: true,
      }),
    );
    expect(e.message).toBe("connections.yaml:4: pg_main.password: environment variable DB_PASS is not set");
    const e2 = errorOf(() =>
      parse(yamlText, "yaml", "connections.yaml", {
        env: { DB_PASS: "pw-secret-value", DB_PORT: "1" },
        substitute: true,
      }),
    );
    expect(e2.message).toBe("connections.yaml:6: pg_main.extra: environment variable TOKEN is not set");
    expect(e2.message).not.toContain("secret-value");
    const e3 = errorOf(() => parse("- id: a\n  uri: postgres://u:${PW}@h\n", "airconn", "apply.yaml", { env: {} }));
    expect(e3.message).toBe("apply.yaml:2: a.uri: environment variable PW is not set");
  });

  it("bad references", () => {
    expect(errorOf(() => parse("- id: a\n  conn_type: x\n  password: ${oops\n", "airconn")).message).toBe(
      "connections.yaml:3: a.password: unterminated ${...} (write $$ for a literal $)",
    );
    expect(errorOf(() => parse("- id: a\n  conn_type: x\n  password: ${1X}\n", "airconn")).message).toBe(
      'connections.yaml:3: a.password: invalid variable name in ${...}: "1X" (write $$ for a literal $)',
    );
  });

  it("env files substitute in the whole value when asked", () => {
    const { connections } = parse("a=postgres://u:${PW}@h/db\n", "env", "c.env", {
      env: { PW: "pw" },
      substitute: true,
    });
    expect(connections[0]!.body.password).toBe("pw");
  });
});

describe("detectFormat", () => {
  it("by extension, case-insensitive", () => {
    expect(detectFormat("a.json")).toBe("json");
    expect(detectFormat("A.YAML")).toBe("yaml");
    expect(detectFormat("dir/a.yml")).toBe("yaml");
    expect(detectFormat("a.ENV")).toBe("env");
    expect(detectFormat("a.yaml", undefined, "pg:\n  conn_type: postgres\n")).toBe("yaml");
    expect(detectFormat("airflow.yaml", undefined, "airflow:\n  conn_type: postgres\n")).toBe("yaml");
  });
  it("explicit wins; stdin needs it", () => {
    expect(detectFormat("-", "env")).toBe("env");
    expect(detectFormat("a.json", "yml")).toBe("yaml");
    expect(detectFormat("x", "airconn")).toBe("airconn");
    expect(errorOf(() => detectFormat("-")).message).toBe(
      "reading from stdin needs --format (json, yaml, env or astro)",
    );
    expect(errorOf(() => detectFormat("a.txt")).message).toBe(
      "a.txt: unsupported file format. The file must have one of the following extensions: .env .json .yaml .yml",
    );
    expect(errorOf(() => detectFormat("a.json", "xml")).message).toContain('unknown format "xml"');
  });
});
