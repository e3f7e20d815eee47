// Issue 8, bad input: every case exits with the contract's code, says what is wrong in one `airconn: ...` line
// (plus at most one `hint:` line), prints no stack trace and nothing on stdout, and sends no request when the input
// is invalid locally (the fake server's request log is compared before and after each run).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { runCli, tempDir } from "../support/cli.js";

const tmp = tempDir("airconn-bad-input-");
const f = (name: string) => join(tmp.dir, name);
const long = (n: number) => "c".repeat(n);
const bulkFile = (actions: unknown) => JSON.stringify({ actions });

// Files the cases read; written once before the runs.
const FILES: Record<string, string | Buffer> = {
  "empty.json": "",
  "blank.yaml": "  \n\n",
  "binary.json": Buffer.from([0x7b, 0x22, 0x61, 0x00, 0x01, 0x02, 0x22, 0x7d]),
  "bad-syntax.json": '{\n  "a": {\n    "conn_type": "http",\n  }\n}\n',
  "bad-syntax.yaml": "a:\n  conn_type: http\n   host: x\n",
  "bad-syntax-bulk.json": '{"actions": [\n  {"action": "delete",\n   "entities": ["a",]}\n]}\n',
  "bad-syntax-bulk.yaml": "actions:\n  - action: delete\n    entities: [a\n  - b\n",
  "no-type.json": '{"no_type": {"host": "db.internal"}}',
  "no-type.yaml": "no_type:\n  host: db.internal\n",
  "bad-line.env": "ok_conn=postgres://db\nthis line has no equals sign\n",
  "bad-id.yaml": "ok_conn: postgres://db\n'bad id!': http://x\n",
  "twice.json": '{"dup_conn": {"conn_type": "http"}, "other": {"conn_type": "http"}, "dup_conn": {"conn_type": "ftp"}}',
  "twice.env": "dup_conn=http://a\ndup_conn=http://b\n",
  "unknown-action.json": bulkFile([{ action: "upsert", entities: [{ connection_id: "x", conn_type: "http" }] }]),
  "action-not-object.yaml": "actions:\n  - delete\n",
  "bulk-dup-id.json": bulkFile([
    { action: "create", entities: [{ connection_id: "a", conn_type: "http" }] },
    { action: "delete", entities: ["a"] },
  ]),
  "bulk-bad-mask.yaml":
    "actions:\n  - action: update\n    update_mask: [hostname]\n    entities: [{connection_id: a, conn_type: http}]\n",
  "bulk-no-type.json": bulkFile([{ action: "create", entities: [{ connection_id: "a", host: "h" }] }]),
  "bulk-empty.json": bulkFile([{ action: "delete", entities: [] }]),
  "bulk-extra-key.json": JSON.stringify({ actions: [], dry_run: true }),
  "alias.yaml": "actions: *missing\n",
  "laughs.yaml":
    "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
  "nan.json":
    '{"actions": [\n  {"action": "create", "entities": [{"connection_id": "a", "conn_type": "http", "port": NaN}]}\n]}\n',
  "apply-unset-var.yaml":
    "connections:\n  - connection_id: team_pg\n    conn_type: postgres\n    password: ${AIRCONN_TEST_UNSET_VAR}\n",
  "list.json": '[{"conn_type": "http"}]',
};
mkdirSync(f("a-directory"));
for (const [name, content] of Object.entries(FILES)) writeFileSync(f(name), content);
// A sparse file just over 512 MiB: refused from its size (stat), before a byte is read.
writeFileSync(f("huge.json"), "");
truncateSync(f("huge.json"), 600 * 1024 * 1024);
writeFileSync(f("huge.yaml"), "");
truncateSync(f("huge.yaml"), 513 * 1024 * 1024);

interface Case {
  args: string[];
  /** Expected exit code (default 2). */
  code?: number;
  /** The `airconn: ...` line (after "airconn: "). */
  message: RegExp;
  hint?: RegExp;
  input?: string;
  /** Requests the server receives (default 0: invalid locally). */
  requests?: number;
}

const CASES: Array<[string, Case]> = [
  // ---- connection ids
  [
    "create: id with a space and '!'",
    {
      args: ["create", "bad id!", "--type", "http"],
      message: /^invalid connection id "bad id!": use letters, digits, '_', '\.' and '-' only$/,
    },
  ],
  [
    "create: id with ':' (the REST body rejects it)",
    { args: ["create", "db:main", "--type", "http"], message: /^invalid connection id "db:main"/ },
  ],
  [
    "create: id of 201 characters",
    {
      args: ["create", long(201), "--type", "http"],
      message: /^the connection id is 201 characters long: Airflow allows at most 200$/,
    },
  ],
  ["patch: id with a space", { args: ["patch", "a b", "--host", "h"], message: /^invalid connection id "a b"/ }],
  ["test: id with '$'", { args: ["test", "co$t"], message: /^invalid connection id "co\$t"/ }],
  [
    "get: id with a space (no Airflow connection can have it)",
    { args: ["get", "bad id!"], message: /^invalid connection id "bad id!": an Airflow connection id holds only/ },
  ],
  [
    "get: id of 251 characters",
    { args: ["get", long(251)], message: /^the connection id is 251 characters long: Airflow allows at most 250$/ },
  ],
  ["get: empty id", { args: ["get", ""], message: /^the connection id is empty$/ }],
  [
    "delete: one good id and one with a quote",
    { args: ["delete", "ok_id", "it's", "--yes"], message: /^invalid connection id "it's"/ },
  ],
  [
    "get: id containing '/'",
    {
      args: ["get", "team/db"],
      message: /^the connection id "team\/db" contains "\/", which the Airflow API cannot address in a URL path$/,
      hint: /delete one with a bulk file: echo '\{"actions": \[\{"action": "delete", "entities": \["team\/db"\]\}\]\}' \| airconn bulk -$/,
    },
  ],
  [
    "delete: id containing '/'",
    {
      args: ["delete", "team/db", "--yes"],
      message: /contains "\/", which the Airflow API cannot address/,
      hint: /airconn bulk -/,
    },
  ],
  [
    "patch: id containing '/'",
    {
      args: ["patch", "team/db", "--host", "h"],
      message: /contains "\/", which the Airflow API cannot address/,
      hint: /airconn bulk -/,
    },
  ],
  [
    "create: id containing '/'",
    { args: ["create", "team/db", "--type", "http"], message: /contains "\/"/, hint: /airconn bulk -/ },
  ],
  // ---- field flags
  [
    "--port abc",
    { args: ["create", "x_conn", "--type", "http", "--port", "abc"], message: /--port must be an integer, got "abc"$/ },
  ],
  [
    "--port 70000",
    {
      args: ["create", "x_conn", "--type", "http", "--port", "70000"],
      message: /--port must be between 0 and 65535, got 70000$/,
    },
  ],
  [
    "--port 8.5 on patch",
    { args: ["patch", "x_conn", "--port", "8.5"], message: /--port must be an integer, got "8\.5"$/ },
  ],
  [
    "--extra not JSON",
    {
      args: ["create", "x_conn", "--type", "http", "--extra", "{sslmode: require}"],
      message: /^--extra: not valid JSON \(/,
    },
  ],
  [
    "--extra a JSON array",
    {
      args: ["create", "x_conn", "--type", "http", "--extra", "[1, 2]"],
      message: /^--extra: a JSON object is needed, such as \{"key": "value"\}, not an array$/,
    },
  ],
  [
    "--extra a JSON string on patch",
    { args: ["patch", "x_conn", "--extra", '"text"'], message: /^--extra: a JSON object is needed.*not a string$/ },
  ],
  ["--type empty", { args: ["create", "x_conn", "--type", ""], message: /^--type is empty$/ }],
  [
    "--team over 50 characters",
    {
      args: ["create", "x_conn", "--type", "http", "--team", long(51)],
      message: /^--team is 51 characters long: Airflow allows at most 50$/,
    },
  ],
  [
    "--password with --password-stdin",
    {
      args: ["create", "x_conn", "--type", "http", "--password", "S3cr3t-P4ss-both", "--password-stdin"],
      input: "S3cr3t-P4ss-stdin\n",
      message: /^--password and --password-stdin cannot be used together$/,
    },
  ],
  [
    "--password '***' (how Airflow hides one)",
    {
      args: ["create", "x_conn", "--type", "http", "--password-stdin"],
      input: "***",
      message: /^the password "\*\*\*" is how Airflow hides a stored password/,
      hint: /real password/,
    },
  ],
  [
    "--password-stdin with empty stdin",
    {
      args: ["create", "x_conn", "--type", "http", "--password-stdin"],
      input: "",
      message: /^--password-stdin: standard input was empty$/,
    },
  ],
  [
    "create without a type and without a terminal",
    {
      args: ["create", "x_conn", "--host", "db"],
      message: /^no connection type: pass --type \(or --uri or --json\)$/,
      hint: /without a terminal every field comes from flags/,
    },
  ],
  [
    "patch without any change",
    { args: ["patch", "x_conn"], message: /^nothing to change/, hint: /airconn patch x_conn --host/ },
  ],
  [
    "patch --unset an unknown field",
    { args: ["patch", "x_conn", "--unset", "hostname"], message: /^--unset hostname: unknown field/ },
  ],
  ["test with nothing to test", { args: ["test"], message: /^nothing to test/, hint: /airconn test my_postgres/ }],
  // ---- URIs and JSON
  [
    "--uri with three ://",
    {
      args: ["create", "x_conn", "--uri", "postgres://db://x://y"],
      message: /^Invalid connection string: "(:\/\/)" appears 3 times \(at most twice/,
    },
  ],
  [
    "--uri with a non-numeric port",
    {
      args: ["create", "x_conn", "--uri", "postgres://app@db:abc/sales"],
      message: /^Invalid connection URI: the port is not a number \(digits only\)\.$/,
      hint: /percent-encoded/,
    },
  ],
  [
    "--uri with a port out of range",
    {
      args: ["create", "x_conn", "--uri", "postgres://app@db:99999/sales"],
      message: /^Invalid connection URI: the port is out of range 0-65535\.$/,
    },
  ],
  ["--uri without a type", { args: ["create", "x_conn", "--uri", "db.internal"], message: /no connection type/ }],
  [
    "--uri with field flags",
    {
      args: ["create", "x_conn", "--uri", "http://h", "--host", "other"],
      message: /^--host cannot be combined with --uri/,
      hint: /--description/,
    },
  ],
  [
    "--uri and --json together",
    {
      args: ["create", "x_conn", "--uri", "http://h", "--json", "{}"],
      message: /^--uri and --json cannot be used together$/,
    },
  ],
  [
    "--json syntax error",
    {
      args: ["create", "x_conn", "--json", '{"conn_type": "http",}'],
      message: /^--json: invalid JSON: .* at char \d+$/,
    },
  ],
  [
    "--json without conn_type",
    { args: ["create", "x_conn", "--json", '{"host": "h"}'], message: /^--json: conn_type is missing$/ },
  ],
  [
    "--json @FILE that is missing",
    { args: ["create", "x_conn", "--json", `@${f("nope.json")}`], message: /^no such file: .*nope\.json$/ },
  ],
  // ---- choices, global flags, commander
  [
    "unknown -o",
    {
      args: ["list", "-o", "xml"],
      message: /argument 'xml' is invalid\. Allowed choices are table, wide, plain, json, yaml\.$/,
    },
  ],
  [
    "unknown import --format",
    {
      args: ["import", f("no-type.json"), "--format", "csv"],
      message: /argument 'csv' is invalid\. Allowed choices are json, yaml, env, astro\.$/,
    },
  ],
  ["unknown export --format", { args: ["export", "-", "--format", "xml"], message: /argument 'xml' is invalid/ }],
  [
    "unknown --on-existence",
    {
      args: ["import", f("no-type.json"), "--on-existence", "merge"],
      message: /argument 'merge' is invalid\. Allowed choices are fail, skip, overwrite\.$/,
    },
  ],
  [
    "unknown --order-by (the server's 400)",
    {
      args: ["list", "--order-by", "bogus"],
      requests: 1,
      message: /^Ordering with 'bogus' is disallowed or the attribute does not exist on the model$/,
    },
  ],
  [
    "--order-by 11 times",
    { args: ["list", ...Array.from({ length: 11 }, () => ["--order-by", "host"]).flat()], message: /at most 10 times/ },
  ],
  [
    "--timeout abc",
    { args: ["--timeout", "abc", "list"], message: /--timeout takes seconds between 0 and 3600, got "abc"$/ },
  ],
  ["--retries 11", { args: ["--retries", "11", "list"], message: /--retries must be between 0 and 10, got 11$/ }],
  [
    "--concurrency 0",
    { args: ["--concurrency", "0", "list"], message: /--concurrency must be between 1 and 64, got 0$/ },
  ],
  ["--limit -1", { args: ["list", "--limit", "-1"], message: /--limit must be between 0 and/ }],
  [
    "--api-url that is not a URL",
    { args: ["--api-url", "not-a-url", "list"], message: /^invalid API URL "not-a-url" \(from --api-url\)/ },
  ],
  [
    "--api-url with another scheme",
    { args: ["--api-url", "ftp://airflow", "list"], message: /only http and https are supported$/ },
  ],
  [
    "--ca-cert that is missing",
    { args: ["--ca-cert", f("nope.pem"), "list"], message: /^cannot read --ca-cert .*nope\.pem: ENOENT$/ },
  ],
  ["unknown command", { args: ["frobnicate"], message: /^unknown command 'frobnicate'$/ }],
  ["unknown option", { args: ["list", "--frob"], message: /^unknown option '--frob'$/ }],
  ["profile with a bad name", { args: ["profile", "use", "bad name!"], message: /^invalid profile name "bad name!"/ }],
  [
    "login with --password-stdin and --token-stdin",
    { args: ["login", "--password-stdin", "--token-stdin"], message: /cannot be used together$/ },
  ],
  [
    "delete without --yes and without a terminal",
    {
      args: ["delete", "x_conn"],
      message: /^refusing to delete x_conn without confirmation: pass --yes$/,
      hint: /in scripts add --yes/,
    },
  ],
  [
    "delete of several ids without --yes",
    {
      args: ["delete", "x_conn", "y_conn"],
      message: /^refusing to delete 2 connections without confirmation: pass --yes$/,
      hint: /--yes/,
    },
  ],
  // ---- files
  ["import: missing file", { args: ["import", f("missing.json")], message: /^no such file: .*missing\.json$/ }],
  ["import: empty file", { args: ["import", f("empty.json")], message: /empty\.json is empty$/ }],
  ["import: blank YAML file", { args: ["import", f("blank.yaml")], message: /blank\.yaml is empty$/ }],
  [
    "import: binary file",
    {
      args: ["import", f("binary.json")],
      message: /binary\.json is a binary file \(it contains NUL bytes\), not text$/,
    },
  ],
  [
    "import: huge file (sparse, 600 MiB)",
    { args: ["import", f("huge.json")], message: /huge\.json is 600 MiB: larger than the 128 MiB airconn reads$/ },
  ],
  [
    "bulk: huge file (sparse, 513 MiB)",
    { args: ["bulk", f("huge.yaml")], message: /huge\.yaml is 513 MiB: larger than the 128 MiB airconn reads$/ },
  ],
  ["bulk: a directory", { args: ["bulk", f("a-directory")], message: /a-directory is a directory, not a bulk file$/ }],
  ["import: empty stdin", { args: ["import", "-", "--format", "json"], input: "", message: /^stdin is empty$/ }],
  [
    "import: JSON syntax error (line number)",
    {
      args: ["import", f("bad-syntax.json")],
      message: /bad-syntax\.json:4:3: invalid JSON: Expecting property name enclosed in double quotes$/,
    },
  ],
  [
    "import: YAML syntax error (line number)",
    { args: ["import", f("bad-syntax.yaml")], message: /bad-syntax\.yaml:2:\d+: invalid YAML: / },
  ],
  [
    "bulk: JSON syntax error (line number)",
    {
      args: ["bulk", f("bad-syntax-bulk.json")],
      message: /bad-syntax-bulk\.json: invalid JSON at line 3 column \d+: /,
    },
  ],
  [
    "bulk: YAML syntax error (line number)",
    {
      args: ["bulk", f("bad-syntax-bulk.yaml")],
      message: /bad-syntax-bulk\.yaml: invalid YAML at line \d+ column \d+: /,
    },
  ],
  [
    "import: JSON entry without conn_type",
    { args: ["import", f("no-type.json")], message: /no-type\.json:1: no_type: conn_type is required$/ },
  ],
  [
    "import: YAML entry without conn_type",
    { args: ["import", f("no-type.yaml")], message: /no-type\.yaml:1: no_type: conn_type is required$/ },
  ],
  [
    "import: env line without '='",
    { args: ["import", f("bad-line.env")], message: /bad-line\.env:2: Invalid line format/ },
  ],
  [
    "import: bad id in a file",
    { args: ["import", f("bad-id.yaml")], message: /bad-id\.yaml:2: invalid connection id "bad id!"/ },
  ],
  ["import: the same id twice (env)", { args: ["import", f("twice.env")], message: /dup_conn/ }],
  [
    "import: the same key twice (JSON)",
    { args: ["import", f("twice.json")], message: /twice\.json:1:\d+: invalid JSON: Duplicate key "dup_conn"$/ },
  ],
  [
    "bulk: YAML alias without its anchor",
    { args: ["bulk", f("alias.yaml")], message: /alias\.yaml: invalid YAML: Unresolved alias/ },
  ],
  [
    "bulk: YAML alias bomb",
    { args: ["bulk", f("laughs.yaml")], message: /laughs\.yaml: invalid YAML: Excessive alias count/ },
  ],
  // NaN is a number to Python's json (Airflow's), so to airconn too: here it is a port, which must be an integer
  [
    "bulk: NaN as a port (line number)",
    {
      args: ["bulk", f("nan.json")],
      message: /nan\.json:2: actions\[0\]\.entities\[0\]\.port: must be an integer, got NaN; nothing was sent$/,
    },
  ],
  [
    "bulk: unknown action",
    {
      args: ["bulk", f("unknown-action.json")],
      message:
        /unknown-action\.json:\d+: actions\[0\]\.action: must be create, update or delete, got "upsert"; nothing was sent$/,
    },
  ],
  [
    "bulk: action that is not an object",
    {
      args: ["bulk", f("action-not-object.yaml")],
      message: /actions\[0\]: must be an object with action and entities; nothing was sent$/,
    },
  ],
  [
    "bulk: an id in two actions",
    { args: ["bulk", f("bulk-dup-id.json")], message: /connection a already appears at actions\[0\]\.entities\[0\]/ },
  ],
  [
    "bulk: unknown update_mask field",
    { args: ["bulk", f("bulk-bad-mask.yaml")], message: /update_mask\[0\]: unknown field "hostname"/ },
  ],
  [
    "bulk: create entity without conn_type",
    {
      args: ["bulk", f("bulk-no-type.json")],
      message: /actions\[0\]\.entities\[0\]\.conn_type: is required; nothing was sent$/,
    },
  ],
  ["bulk: no entities", { args: ["bulk", f("bulk-empty.json")], message: /no entities in any action, nothing to do$/ }],
  [
    "bulk: a key beside actions",
    { args: ["bulk", f("bulk-extra-key.json")], message: /dry_run: unknown key: a bulk file holds only "actions"/ },
  ],
  [
    "export: file with an unknown extension",
    {
      args: ["export", f("out.txt")],
      message: /^cannot tell the format of .*out\.txt from its extension$/,
      hint: /--format/,
    },
  ],
  [
    "export: --serialization-format on json",
    {
      args: ["export", f("out.json"), "--serialization-format", "uri"],
      message: /^--serialization-format applies to env files only$/,
    },
  ],
  ["diff: missing file", { args: ["diff", f("missing.yaml")], message: /^no such file: .*missing\.yaml$/ }],
  [
    "apply: ${VAR} that is not set",
    {
      args: ["apply", f("apply-unset-var.yaml"), "--dry-run"],
      message: /apply-unset-var\.yaml:4: team_pg\.password: environment variable AIRCONN_TEST_UNSET_VAR is not set$/,
    },
  ],
  ["import: JSON file that is a list", { args: ["import", f("list.json")], message: /list\.json/ }],
];

let server: FakeAirflow;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startFakeAirflow({ seed: 3 });
  env = { AIRCONN_API_URL: server.url, AIRCONN_TOKEN: server.adminToken, AIRCONN_CONFIG_DIR: f("config") };
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

function check(c: Case, r: { code: number; stdout: string; stderr: string }, sent: number): void {
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("airconn: warning: "));
  expect({ code: r.code, stdout: r.stdout, requests: sent }).toEqual({
    code: c.code ?? 2,
    stdout: "",
    requests: c.requests ?? 0,
  });
  expect(lines.length, r.stderr).toBeGreaterThanOrEqual(1);
  expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(/^airconn: /);
  expect(lines[0]!.slice("airconn: ".length)).toMatch(c.message);
  if (c.hint) expect(lines[1]).toMatch(c.hint);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/\b[A-Z]\w*Error\b|unexpected error/);
}

const LOCAL = CASES.filter(([, c]) => !c.requests);
const SERVER = CASES.filter(([, c]) => c.requests);

describe(`bad input: ${CASES.length} cases`, () => {
  // Invalid locally: run a few at a time; any request the server sees while one runs fails it (all expect none).
  it.concurrent.each(LOCAL)("%s", async (_name, c) => {
    const before = server.requests.length;
    const r = await runCli(c.args, { env, input: c.input });
    check(c, r, server.requests.length - before);
  });

  // Refused by the server: alone, so its requests can be counted.
  it.each(SERVER)("%s", async (_name, c) => {
    const before = server.requests.length;
    const r = await runCli(c.args, { env, input: c.input });
    check(c, r, server.requests.length - before);
  });

  it("covers at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
});
