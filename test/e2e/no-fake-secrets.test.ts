// Issue 18, item 1: nothing fake is ever stored. "***" in a file means "keep what the server has", but Airflow
// merges it back only where the stored connection has a value; anywhere else it stores the literal "***" (and shows
// it as "***" from then on). The built CLI runs apply, diff, import --on-existence overwrite, bulk (overwrite and
// update) and patch against the local server, which stores "***" literally where Airflow does
// (packages/fake-airflow/test/literal-stars.test.ts); the tests read what it stored and what it received.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registerSecret, runCli, type CliResult } from "../support/cli.js";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { useFakeAirflow } from "../support/fake.js";
import { seed } from "../support/admin.js";
import { report } from "../support/report.js";

// Real secrets the server holds: they must survive, and never be printed (the secret scan checks every run).
const PW = "pw-Real-41c7";
const TOK = "tok-Real-9d2e";
const KEY = "key-Real-03fa";
beforeAll(() => {
  for (const s of [PW, TOK, KEY]) registerSecret(s);
});

const fake = useFakeAirflow({ airflowVersion: "3.2.1" }, { prefix: "airconn-stars-" });
const run = (args: string[]): Promise<CliResult> => fake.run(args, { timeoutMs: 60_000 });

type Row = { connection_id: string; conn_type?: string; password?: string; extra?: string; host?: string };
/** Where the requests of a test start: after those that set the server up. */
let start = 0;
/** An empty server holding these connections (created through the API, as any client would). */
async function serverWith(rows: Row[]): Promise<void> {
  fake.server.reset();
  await seed(fake.server, ...rows.map((r) => ({ conn_type: "http", ...r })));
  start = fake.server.requests.length;
}

const extraOf = (id: string) => JSON.parse(fake.server.stored(id)!.extra ?? "null") as unknown;
/** No stored password or extra value anywhere is "***". */
function noStarsStored(): void {
  for (const c of fake.server.all()) {
    expect(c.password, c.connection_id).not.toBe("***");
    expect(String(c.extra ?? ""), c.connection_id).not.toContain("***");
  }
}
/** The one warning about "***" secrets the server lacks: its line, which names every id.field given, and how to set them. */
function missingWarning(stderr: string, fields: string[], marker = "***"): string {
  const lines = stderr.split("\n").filter((l) => l.startsWith("airconn: warning:") && l.includes(marker));
  expect(lines, stderr).toHaveLength(1);
  const line = lines[0]!;
  for (const f of fields)
    expect(line, `${f} in: ${line}`).toMatch(new RegExp(`(^|[ :,])${f.replace(/[.[\]]/g, "\\$&")}(,|;|$)`));
  expect(line).toMatch(/airconn patch ID --set-extra KEY=/);
  return line;
}
const TSV = (stdout: string) =>
  stdout
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => l.split("\t"));

describe('diff and apply (file): the issue\'s case, ap_1 with extra {"a": 1}, the file gives {a: 1, token: "***"}', () => {
  const yaml = 'connections:\n  - connection_id: ap_1\n    conn_type: http\n    extra: {a: 1, token: "***"}\n';
  beforeEach(() => serverWith([{ connection_id: "ap_1", extra: '{"a": 1}' }]));

  it("diff: a secret missing on the server, not a change to ***; nothing to do (--exit-code 0)", async () => {
    const f = fake.file("ap.yaml", yaml);
    let r = await run(["diff", f, "--exit-code"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("***");
    expect(TSV(r.stdout)).toEqual([["ap_1", "missing", "extra.token", "(secret missing on the server)"]]);
    expect(r.stderr).toContain("0 to create, 0 to update, 1 unchanged");
    expect(r.stderr).toMatch(/secret missing on the server.*: ap_1\.extra\.token/);

    r = await run(["diff", f, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(d).toMatchObject({
      create: [],
      update: [],
      unchanged: ["ap_1"],
      missing_secrets: [{ connection_id: "ap_1", field: "extra.token" }],
    });
    expect(r.stdout).not.toContain("***");

    // apply's plan says the same, table and json
    r = await run(["apply", f, "--dry-run"]);
    expect(TSV(r.stdout)).toEqual([["ap_1", "missing", "extra.token", "(secret missing on the server)"]]);
    r = await run(["apply", f, "--dry-run", "-o", "json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      update: [],
      missing_secrets: [{ connection_id: "ap_1", field: "extra.token" }],
    });
    expect(fake.writes(start)).toEqual([]);
  });

  it("apply: sends nothing for it, stores no ***, and warns once naming ap_1.extra.token", async () => {
    const f = fake.file("ap.yaml", yaml);
    const r = await run(["apply", f, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).skipped).toEqual(["ap_1"]);
    expect(fake.writes(start)).toEqual([]);
    expect(extraOf("ap_1")).toEqual({ a: 1 });
    missingWarning(r.stderr, ["ap_1.extra.token"]);
    noStarsStored();
  });
});

describe('apply (file): every kind of "***" the server cannot keep, and one it can', () => {
  it("drops *** the server has no value for (extra keys, nested keys, a password, new connections), keeps the stored ones", async () => {
    await serverWith([
      { connection_id: "ap_2", extra: '{"a": 1}' },
      { connection_id: "ap_3", host: "h" },
      { connection_id: "ap_4", password: PW, extra: `{"token": "${TOK}"}` },
      { connection_id: "ap_5", extra: '{"auth": {"user": "u"}}' },
    ]);
    const f = fake.file(
      "all.yaml",
      [
        "connections:",
        '  - {connection_id: ap_2, conn_type: http, extra: {a: 2, token: "***"}}',
        '  - {connection_id: ap_3, conn_type: http, host: h2, password: "***"}',
        '  - {connection_id: ap_4, conn_type: http, password: "***", extra: {a: 1, token: "***"}}',
        '  - {connection_id: ap_5, conn_type: http, extra: {auth: {user: u2, api_key: "***"}}}',
        '  - {connection_id: ap_new, conn_type: http, password: "***", extra: {x: 1, secret: "***"}}',
        "",
      ].join("\n"),
    );
    const before = fake.server.requests.length;
    const dry = await run(["diff", f, "-o", "json"]);
    const plan = JSON.parse(dry.stdout) as {
      update: Array<{ connection_id: string; changes: Array<{ to?: unknown }> }>;
      missing_secrets: unknown[];
      create: Array<{ fields: Record<string, unknown> }>;
    };
    expect(JSON.stringify(plan.update)).not.toContain("***");
    expect(plan.create[0]!.fields).toMatchObject({
      password: "(secret missing on the server)",
      "extra.secret": "(secret missing on the server)",
      "extra.x": 1,
    });
    expect(plan.missing_secrets).toHaveLength(5);

    const r = await run(["apply", f, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout)).toMatchObject({ created: ["ap_new"], failed: [] });
    expect(report(r.stdout).updated.sort()).toEqual(["ap_2", "ap_3", "ap_4", "ap_5"]);
    missingWarning(r.stderr, [
      "ap_2.extra.token",
      "ap_3.password",
      "ap_5.extra.auth.api_key",
      "ap_new.password",
      "ap_new.extra.secret",
    ]);
    expect(r.stderr).not.toMatch(/ap_4\.(password|extra)/);

    expect(extraOf("ap_2")).toEqual({ a: 2 });
    expect(fake.server.stored("ap_3")).toMatchObject({ host: "h2", password: null });
    expect(extraOf("ap_5")).toEqual({ auth: { user: "u2" } });
    expect(fake.server.stored("ap_new")).toMatchObject({ password: null });
    expect(extraOf("ap_new")).toEqual({ x: 1 });
    // the server has these: "***" is sent and the stored values survive
    expect(fake.server.stored("ap_4")).toMatchObject({ password: PW });
    expect(extraOf("ap_4")).toEqual({ a: 1, token: TOK });
    const sent = fake.writes(before).map((q) => q.body);
    expect(sent.filter((b) => b.includes("***"))).toEqual([expect.stringContaining('"connection_id":"ap_4"')]);
    noStarsStored();
  });
});

describe("import --on-existence overwrite of an export into a server that has the ids without those secrets", () => {
  it("stores no ***, warns once naming each missing secret, keeps the secrets the server has", async () => {
    // The source Airflow: every connection has secrets. Exported, they become "***".
    await serverWith([
      { connection_id: "im_1", password: PW, extra: `{"a": 1, "api_key": "${KEY}"}` },
      { connection_id: "im_2", password: PW, extra: `{"a": 1, "token": "${TOK}", "auth": {"secret": "${KEY}"}}` },
      { connection_id: "im_3", password: PW, extra: `{"token": "${TOK}"}` },
    ]);
    const out = `${fake.workDir}/export.json`;
    expect((await run(["export", out])).code).toBe(0);
    // The target: im_1 without any secret, im_2 with its secrets but no nested one, im_3 absent.
    await serverWith([
      { connection_id: "im_1", extra: '{"a": 1}' },
      { connection_id: "im_2", password: PW, extra: `{"a": 0, "token": "${TOK}", "auth": {}}` },
    ]);
    const before = fake.server.requests.length;
    const dry = await run(["import", out, "--on-existence", "overwrite", "--dry-run", "-o", "json"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toContainEqual(
      expect.objectContaining({
        connection_id: "im_1",
        action: "update",
        note: expect.stringContaining("secret missing on the server"),
      }),
    );
    expect(fake.writes(before)).toEqual([]);

    const r = await run(["import", out, "--on-existence", "overwrite", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout)).toMatchObject({ updated: ["im_1", "im_2"], created: ["im_3"], failed: [] });
    missingWarning(r.stderr, [
      "im_1.password",
      "im_1.extra.api_key",
      "im_2.extra.auth.secret",
      "im_3.password",
      "im_3.extra.token",
    ]);
    expect(r.stderr).not.toMatch(/im_2\.(password|extra\.token)/);
    expect(fake.server.stored("im_1")).toMatchObject({ password: null });
    expect(extraOf("im_1")).toEqual({ a: 1 });
    expect(fake.server.stored("im_2")).toMatchObject({ password: PW });
    expect(extraOf("im_2")).toEqual({ a: 1, token: TOK, auth: {} });
    expect(fake.server.stored("im_3")).toMatchObject({ password: null, extra: "{}" });
    noStarsStored();
    // "***" went out only where the server had the value
    for (const q of fake.writes(before)) {
      for (const a of (
        q.json as { actions: Array<{ entities: Array<{ connection_id: string; password?: string; extra?: string }> }> }
      ).actions) {
        for (const e of a.entities) {
          if (e.connection_id === "im_2")
            expect([e.password, JSON.parse(e.extra!)]).toEqual(["***", { a: 1, token: "***", auth: {} }]);
          else expect(JSON.stringify(e), e.connection_id).not.toContain("***");
        }
      }
    }
  });
});

describe("bulk: create with overwrite, and update, of connections whose secrets are not on the server", () => {
  it("sends *** only for what the server has; the rest is left out, named in one warning", async () => {
    await serverWith([
      { connection_id: "bk_1", extra: '{"a": 1}' },
      { connection_id: "bk_2", password: PW, extra: `{"a": 1, "token": "${TOK}"}` },
      { connection_id: "bk_3", extra: '{"a": 1}' },
      { connection_id: "bk_4", password: PW, extra: `{"a": 1, "private_key": "${KEY}"}` },
    ]);
    const entity = (id: string, extra: string) => ({ connection_id: id, conn_type: "http", password: "***", extra });
    const f = fake.file(
      "bulk.json",
      JSON.stringify({
        actions: [
          {
            action: "create",
            action_on_existence: "overwrite",
            entities: [
              entity("bk_1", '{"a": 2, "token": "***"}'),
              entity("bk_2", '{"a": 2, "token": "***"}'),
              entity("bk_new", '{"a": 2, "token": "***"}'),
            ],
          },
          {
            action: "update",
            entities: [
              entity("bk_3", '{"a": 3, "private_key": "***"}'),
              entity("bk_4", '{"a": 3, "private_key": "***"}'),
            ],
          },
        ],
      }),
    );
    const before = fake.server.requests.length;
    const r = await run(["bulk", f, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout)).toMatchObject({ created: ["bk_new"], failed: [] });
    expect(report(r.stdout).updated.sort()).toEqual(["bk_1", "bk_2", "bk_3", "bk_4"]);
    missingWarning(r.stderr, [
      "bk_1.password",
      "bk_1.extra.token",
      "bk_new.password",
      "bk_new.extra.token",
      "bk_3.password",
      "bk_3.extra.private_key",
    ]);
    expect(r.stderr).not.toMatch(/bk_[24]\./);
    expect([fake.server.stored("bk_1")!.password, extraOf("bk_1")]).toEqual([null, { a: 2 }]);
    expect([fake.server.stored("bk_new")!.password, extraOf("bk_new")]).toEqual([null, { a: 2 }]);
    expect([fake.server.stored("bk_3")!.password, extraOf("bk_3")]).toEqual([null, { a: 3 }]);
    expect([fake.server.stored("bk_2")!.password, extraOf("bk_2")]).toEqual([PW, { a: 2, token: TOK }]);
    expect([fake.server.stored("bk_4")!.password, extraOf("bk_4")]).toEqual([PW, { a: 3, private_key: KEY }]);
    noStarsStored();
    const withStars = fake.writes(before).flatMap((q) =>
      (q.json as { actions: Array<{ entities: Array<{ connection_id: string }> }> }).actions
        .flatMap((a) => a.entities)
        .filter((e) => JSON.stringify(e).includes("***"))
        .map((e) => e.connection_id),
    );
    expect(withStars.sort()).toEqual(["bk_2", "bk_4"]);
  });
});

describe("patch --extra", () => {
  it("a *** for a key the server lacks is left out with the warning; one it has is sent and kept", async () => {
    await serverWith([{ connection_id: "pt_1", extra: `{"a": 1, "api_key": "${KEY}"}` }]);
    const r = await run(["patch", "pt_1", "--extra", '{"a": 2, "api_key": "***", "token": "***"}', "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    missingWarning(r.stderr, ["pt_1.extra.token"]);
    expect(r.stderr).not.toContain("pt_1.extra.api_key");
    expect(extraOf("pt_1")).toEqual({ a: 2, api_key: KEY });
    expect(fake.writes(start)).toHaveLength(1);
    expect(fake.writes(start)[0]!.json).toMatchObject({ extra: '{"a": 2, "api_key": "***"}' });
    noStarsStored();
  });
});

describe("apply --from-profile: a nested secret the target lacks", () => {
  let source: FakeAirflow | undefined;
  afterAll(() => source?.close());

  it('is left out (the source\'s "***" is not sent for it); the nested secret the target has is kept', async () => {
    source = await startFakeAirflow({ airflowVersion: "3.2.1" });
    await seed(source, {
      connection_id: "fp_1",
      conn_type: "http",
      extra: JSON.stringify({ auth: { token: TOK, secret_key: KEY, u: 2 } }),
    });
    await serverWith([{ connection_id: "fp_1", extra: JSON.stringify({ auth: { token: TOK, u: 1 } }) }]);
    for (const [name, s] of [
      ["target", fake.server],
      ["src", source],
    ] as const) {
      const login = await runCli(["-p", name, "login", "--api-url", s.url, "--token-stdin"], {
        env: { AIRCONN_CONFIG_DIR: fake.cfgDir },
        input: s.adminToken,
      });
      expect(login.code, login.stderr).toBe(0);
    }
    start = fake.server.requests.length;

    const diff = await run(["-p", "target", "diff", "--from-profile", "src", "-o", "json"]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(JSON.parse(diff.stdout)).toMatchObject({
      missing_secrets: [{ connection_id: "fp_1", field: "extra.auth.secret_key" }],
    });
    const r = await run(["-p", "target", "apply", "--from-profile", "src", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).updated).toEqual(["fp_1"]);
    missingWarning(r.stderr, ["fp_1.extra.auth.secret_key"], "not copied");
    expect(extraOf("fp_1")).toEqual({ auth: { token: TOK, u: 2 } });
    const sent = fake.writes(start);
    expect(sent).toHaveLength(1);
    expect(JSON.parse((sent[0]!.json as { extra: string }).extra)).toEqual({ auth: { token: "***", u: 2 } });
    noStarsStored();
  });
});
