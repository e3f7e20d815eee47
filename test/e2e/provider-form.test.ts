// The provider's form in a real pseudo-terminal (issue 21): `create` asks what the type's form on the server asks
// (aws: its labels, no Host/Port/Schema; snowflake: its extra fields, no Host/Port) and the server receives exactly
// the fields answered; `create` without an id asks for it; a `patch` session keeps the stored password (not sent).
import { describe, expect, it } from "vitest";
import type { RecordedRequest } from "@airconn/fake-airflow";
import { haveCommand, plain, registerSecret, runCliTty } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { answer, answerPrompts, KEY, type Step } from "../support/prompts.js";
import { seed } from "../support/admin.js";

const fake = useFakeAirflow();

/** Runs airconn at a terminal, answering `steps`; every step must have been reached. */
async function session(args: string[], steps: Step[]) {
  const from = fake.server.requests.length;
  const a = answerPrompts(steps);
  const r = await runCliTty(args, { env: { ...fake.env, NO_COLOR: "1" }, onSpawn: a.onSpawn, timeoutMs: 40_000 });
  expect(a.left(), `prompts never reached; the terminal showed:\n${a.seen()}`).toBe(0);
  const writes = fake.server.requests.slice(from).filter((q) => q.method !== "GET");
  return { r, writes };
}
const body = (q: RecordedRequest | undefined) => q?.json as Record<string, unknown>;
/**
 * The prompts as answered ("✔ Label answer"): inquirer redraws a prompt in place (erase the line, back to its
 * start), so the terminal's text is cut there, and the lines it ends with are kept.
 */
const answered = (out: string) =>
  out
    .split(/\n|\x1b\[2K\x1b\[G/)
    .map((l) => plain(l).trimEnd())
    .filter((l) => l.startsWith("✔ "));

describe.skipIf(!haveCommand("script"))("the provider's form at a terminal", () => {
  it("create aws: its labels, Host/Port/Schema not asked, the server receives exactly the answers", async () => {
    registerSecret("aws-secret-typed-1");
    const { r, writes } = await session(
      ["create", "aws_form"],
      [
        { after: /Connection type/, keys: "aws" },
        answer(/❯ aws +Amazon Web Services/),
        answer(/AWS Access Key ID \(login; e\.g\. YOUR_AWS_ACCESS_KEY_ID\)/, "AKIAFORMEXAMPLE"),
        answer(/AWS Secret Access Key/, "aws-secret-typed-1"),
        answer(/Extra \(JSON\)/, '{"region_name": "eu-west-1"}'),
        answer(/Description/),
        answer(/Create connection aws_form\?/, "y"),
      ],
    );
    expect(r.code, r.stdout).toBe(0);
    expect(answered(r.stdout)).toEqual([
      "✔ Connection type (type to search) aws",
      "✔ AWS Access Key ID (login; e.g. YOUR_AWS_ACCESS_KEY_ID) AKIAFORMEXAMPLE",
      "✔ AWS Secret Access Key (password; e.g. YOUR_AWS_SECRET_ACCESS_KEY) ******************",
      '✔ Extra (JSON) {"region_name": "eu-west-1"}',
      "✔ Description",
      "✔ Create connection aws_form? Yes",
    ]);
    expect(plain(r.stdout)).not.toMatch(/[?✔] (Host|Port|Schema)/);
    expect(r.screen).toMatch(
      /About to create:\n {2}connection_id +aws_form\n {2}conn_type +aws\n {2}login +AKIAFORMEXAMPLE\n {2}password +\*\*\*\n/,
    );
    expect(writes.map((q) => `${q.method} ${q.path}`)).toEqual(["POST /api/v2/connections"]);
    expect(body(writes[0])).toEqual({
      connection_id: "aws_form",
      conn_type: "aws",
      login: "AKIAFORMEXAMPLE",
      password: "aws-secret-typed-1",
      extra: '{"region_name": "eu-west-1"}',
    });
    expect(fake.server.stored("aws_form")).toMatchObject({
      conn_type: "aws",
      host: null,
      port: null,
      schema: null,
      login: "AKIAFORMEXAMPLE",
      password: "aws-secret-typed-1",
    });
  });

  it("create snowflake: its extra fields offered, no Host/Port; account, warehouse and insecure_mode=no stored", async () => {
    registerSecret("sf-pw-typed-22");
    const skip = (...labels: RegExp[]) => labels.map((l) => answer(l));
    const { r, writes } = await session(
      ["create", "sf_form"],
      [
        { after: /Connection type/, keys: "snowfl" },
        answer(/❯ snowflake +Snowflake/),
        answer(/Login \(e\.g\. snowflake username\)/, "etl_user"),
        answer(/Password/, "sf-pw-typed-22"),
        answer(/Schema/),
        answer(/Account/, "xy12345.eu-central-1"),
        answer(/Warehouse/, "wh_etl"),
        ...skip(/Database/, /Region/, /Role/, /Private key \(Path\)/, /Private key \(Text\)/, /Workload Identity/),
        { after: /Insecure Mode: Turns off OCSP certificate checks/, keys: KEY.down + KEY.down }, // (not set), yes, no
        answer(/❯ no/),
        ...skip(/Proxy Host/, /Proxy Port/, /Proxy User/, /Proxy Password/, /Other extra keys \(JSON\)/, /Description/),
        answer(/Create connection sf_form\?/, "y"),
      ],
    );
    expect(r.code, r.stdout).toBe(0);
    const prompts = answered(r.stdout);
    expect(prompts.slice(1, 4)).toEqual([
      "✔ Login (e.g. snowflake username) etl_user",
      "✔ Password (e.g. snowflake password) **************",
      "✔ Schema (e.g. snowflake schema)",
    ]);
    expect(prompts).toContain("✔ Account xy12345.eu-central-1");
    expect(prompts).toContain("✔ Warehouse wh_etl");
    expect(prompts).toContain("✔ Insecure Mode: Turns off OCSP certificate checks no");
    expect(prompts).toHaveLength(20); // type, 3 standard fields, 13 extra fields, other keys, description, confirm
    expect(plain(r.stdout)).not.toMatch(/[?✔] (Host|Port)\b/);
    expect(r.screen).toContain("Snowflake (snowflake): the form from the server's catalog");
    expect(r.screen).toMatch(/ {4}insecure_mode +false\n/);
    expect(body(writes[0])).toEqual({
      connection_id: "sf_form",
      conn_type: "snowflake",
      login: "etl_user",
      password: "sf-pw-typed-22",
      extra: '{"account": "xy12345.eu-central-1", "warehouse": "wh_etl", "insecure_mode": false}',
    });
    expect(fake.server.stored("sf_form")).toMatchObject({ host: null, port: null, extra: body(writes[0]).extra });
  });

  it("create with no id asks for it (an invalid one is asked again); --type alone asks that type's form", async () => {
    const { r, writes } = await session(
      ["create", "--type", "http"],
      [
        answer(/Connection id/, "bad id"),
        { after: /invalid connection id "bad id"/, keys: KEY.clearLine + "noid_form" + KEY.enter },
        answer(/Host/, "api.example.com"),
        ...[/Port/, /Login/, /Password/, /Schema/, /Extra \(JSON\)/, /Description/].map((l) => answer(l)),
        answer(/Create connection noid_form\?/, "y"),
      ],
    );
    expect(r.code, r.stdout).toBe(0);
    expect(answered(r.stdout).slice(0, 2)).toEqual(["✔ Connection id noid_form", "✔ Host api.example.com"]);
    expect(body(writes[0])).toEqual({ connection_id: "noid_form", conn_type: "http", host: "api.example.com" });
  });

  it("patch at a terminal: the stored values as defaults; Enter keeps the stored password, which is not sent", async () => {
    registerSecret("stored-pw-form-33");
    registerSecret("tok-stored-form-44");
    await seed(fake.server, {
      connection_id: "pg_form",
      conn_type: "postgres",
      host: "db1.internal",
      port: 5432,
      login: "app",
      password: "stored-pw-form-33",
      extra: '{"sslmode": "require", "api_token": "tok-stored-form-44"}',
    });
    const { r, writes } = await session(
      ["patch", "pg_form"],
      [
        answer(/Connection type/), // Enter: the stored type
        answer(/Host \(db1\.internal\)/, "db2.internal"),
        answer(/Port \(5432\)/),
        answer(/Login \(app\)/),
        answer(/Password \(Enter keeps the stored one\)/),
        answer(/Schema/),
        answer(/Extra \(JSON\) \(\{"sslmode": "require", "api_token": "\*\*\*"\}\)/),
        answer(/Description/),
        answer(/Change connection pg_form\?/, "y"),
      ],
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.screen).toMatch(/About to change pg_form:\n {2}host +db2\.internal\n\n/);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.query.getAll("update_mask")).toEqual(["host"]);
    expect(body(writes[0])).toEqual({ connection_id: "pg_form", conn_type: "postgres", host: "db2.internal" });
    expect(writes[0]!.body).not.toContain("***");
    expect(fake.server.stored("pg_form")).toMatchObject({
      host: "db2.internal",
      password: "stored-pw-form-33",
      extra: '{"sslmode": "require", "api_token": "tok-stored-form-44"}',
    });
  });
});
