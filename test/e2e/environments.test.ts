// Issue 14, end to end: several Airflows. Two local servers behind two profiles: `diff --from-profile` and
// `apply --from-profile` (secrets never compared, never copied, never printed); `export --format airconn` from one
// server, then `apply` of that file with the listed variables set to an empty server recreates every connection
// field for field, secrets included, and no "***" ever reaches the second server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { registerSecret, runCli, tempDir, type CliResult } from "../support/cli.js";
import { seed } from "../support/admin.js";

let prod: FakeAirflow, staging: FakeAirflow;
let cfg: ReturnType<typeof tempDir>;
let work: ReturnType<typeof tempDir>;
let env: Record<string, string>;

/** Every clear secret the servers hold, by "id field" (the field as export names it). */
const SECRETS: Record<string, string> = {
  "shared_pg password": "pg-Prod-Secret-1",
  "shared_pg extra.api_key": "key-Prod-Secret-2",
  "only_prod password": "only-Prod-Secret-3",
  "only_prod extra.auth.token": "nested-Prod-Secret-4",
  "my-pg password": "hyphen-Prod-Secret-5",
  "my_pg password": "underscore-Prod-Secret-6",
  "my_pg extra.private_key": "pk-Prod-Secret-7",
};
const STAGING_SECRETS = { pg: "pg-Staging-Secret-8", key: "key-Staging-Secret-9" };

beforeAll(async () => {
  for (const s of [...Object.values(SECRETS), ...Object.values(STAGING_SECRETS)]) registerSecret(s);
  [prod, staging] = await Promise.all([
    startFakeAirflow({ tokenTtlSeconds: 3600 }),
    startFakeAirflow({ tokenTtlSeconds: 3600 }),
  ]);
  await seed(prod, {
    connection_id: "shared_pg",
    conn_type: "postgres",
    host: "db-prod.internal",
    port: 5432,
    login: "etl",
    schema: "dw",
    password: SECRETS["shared_pg password"],
    extra: JSON.stringify({ sslmode: "require", api_key: SECRETS["shared_pg extra.api_key"] }),
  });
  await seed(prod, {
    connection_id: "shared_http",
    conn_type: "http",
    host: "api.example.com",
    description: "Shared API",
    extra: '{"timeout": 30}',
  });
  await seed(prod, {
    connection_id: "only_prod",
    conn_type: "mysql",
    host: "mysql.prod",
    password: SECRETS["only_prod password"],
    extra: JSON.stringify({ auth: { user: "u", token: SECRETS["only_prod extra.auth.token"] }, region: "eu" }),
  });
  await seed(staging, {
    connection_id: "shared_pg",
    conn_type: "postgres",
    host: "db-staging.internal",
    port: 5432,
    login: "etl",
    schema: "dw",
    password: STAGING_SECRETS.pg,
    extra: JSON.stringify({ sslmode: "require", api_key: STAGING_SECRETS.key }),
  });
  await seed(staging, {
    connection_id: "shared_http",
    conn_type: "http",
    host: "api.example.com",
    description: "Shared API",
    extra: '{"timeout": 30}',
  });
  await seed(staging, { connection_id: "only_staging", conn_type: "http", host: "legacy.staging" });
  cfg = tempDir();
  work = tempDir("airconn-envs-");
  env = { AIRCONN_CONFIG_DIR: cfg.dir };
  for (const [name, s] of [
    ["prod", prod],
    ["staging", staging],
  ] as const) {
    const r = await runCli(["-p", name, "login", "--api-url", s.url, "--token-stdin"], { env, input: s.adminToken });
    expect(r.code).toBe(0);
  }
});
afterAll(async () => {
  await Promise.all([prod?.close(), staging?.close()]);
  cfg?.cleanup();
  work?.cleanup();
});

const run = (args: string[], o: { env?: Record<string, string> } = {}): Promise<CliResult> =>
  runCli(args, { env: { ...env, ...o.env }, timeoutMs: 60_000 });
const writes = (s: FakeAirflow, from: number) =>
  s.requests.slice(from).filter((r) => r.path.startsWith("/api/v2") && ["POST", "PATCH", "DELETE"].includes(r.method));

interface DiffJson {
  create: Array<{ connection_id: string; fields: Record<string, unknown> }>;
  update: Array<{
    connection_id: string;
    changes: Array<{ field: string; from?: unknown; to?: unknown; secret?: string }>;
  }>;
  unchanged: string[];
  only_on_server: string[];
  delete?: string[];
  not_comparable: Array<{ connection_id: string; field: string }>;
  missing_secrets: Array<{ connection_id: string; field: string }>;
}

describe("diff --from-profile / apply --from-profile", () => {
  it("lists a changed host, a connection only in the source and one only in the target; secrets are not comparable, never changes", async () => {
    const before = staging.requests.length;
    const r = await run(["-p", "staging", "diff", "--from-profile", "prod", "-o", "json", "--exit-code"]);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout) as DiffJson;
    expect(d.update).toEqual([
      { connection_id: "shared_pg", changes: [{ field: "host", from: "db-staging.internal", to: "db-prod.internal" }] },
    ]);
    expect(d.create.map((c) => c.connection_id)).toEqual(["only_prod"]);
    expect(d.create[0]!.fields).toMatchObject({
      conn_type: "mysql",
      host: "mysql.prod",
      password: "(secret: cannot be copied)",
      "extra.auth": "(secret: cannot be copied)",
      "extra.region": "eu",
    });
    expect(d.only_on_server).toEqual(["only_staging"]);
    expect(d.unchanged).toEqual(["shared_http"]);
    expect(d.not_comparable).toEqual([
      { connection_id: "shared_pg", field: "password" },
      { connection_id: "shared_pg", field: "extra.api_key" },
    ]);
    expect(d.missing_secrets).toEqual([
      { connection_id: "only_prod", field: "password" },
      { connection_id: "only_prod", field: "extra.auth" },
    ]);
    // No change anywhere names a secret field.
    expect(d.update.flatMap((u) => u.changes.map((c) => c.field))).not.toContain("password");
    expect(r.stdout).not.toContain("***");
    expect(writes(staging, before)).toEqual([]);
  });

  it("the table says the same; secrets only as 'not comparable' on stderr", async () => {
    const r = await run(["-p", "staging", "diff", "--from-profile", "prod"]);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows).toContainEqual(["shared_pg", "update", "host", '"db-staging.internal" → "db-prod.internal"']);
    expect(rows).toContainEqual(["only_prod", "create", "password", "(secret: cannot be copied)"]);
    expect(rows.filter((row) => row[0] === "only_prod").map((row) => row[2])).toEqual([
      "conn_type",
      "host",
      "extra.auth",
      "extra.region",
      "password",
    ]);
    expect(rows).toContainEqual(["only_staging", "only on server", "", ""]);
    expect(rows.filter((row) => row[0] === "shared_pg").map((row) => row[2])).toEqual(["host"]);
    expect(r.stderr).toContain(
      "not comparable (both servers redact secrets): shared_pg.password, shared_pg.extra.api_key",
    );
    expect(r.stderr).toContain(
      "secrets of the source missing on the target (they cannot be copied): only_prod.password, only_prod.extra.auth",
    );
  });

  it("the source profile authenticates with its own token command; its failure names that profile (exit 4)", async () => {
    const tokFile = join(work.dir, "prod.tok");
    writeFileSync(tokFile, prod.adminToken + "\n");
    registerSecret(prod.adminToken);
    expect(
      (await run(["profile", "set", "prodcmd", "--api-url", prod.url, "--token-command", `cat '${tokFile}'`])).code,
    ).toBe(0);
    const r = await run(["-p", "staging", "diff", "--from-profile", "prodcmd", "-o", "json"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as DiffJson).update.map((u) => u.connection_id)).toEqual(["shared_pg"]);
    expect((await run(["profile", "set", "prodcmd", "--token-command", "exit 3"])).code).toBe(0);
    const bad = await run(["-p", "staging", "diff", "--from-profile", "prodcmd"]);
    expect(bad.code).toBe(4);
    expect(bad.stderr.split("\n")[0]).toBe('airconn: the token command of profile "prodcmd" failed with exit status 3');
    const expired = prod.mintToken({ expiresInSeconds: -60 });
    registerSecret(expired);
    writeFileSync(tokFile, expired + "\n");
    expect((await run(["profile", "set", "prodcmd", "--token-command", `cat '${tokFile}'`])).code).toBe(0);
    const refused = await run(["-p", "staging", "diff", "--from-profile", "prodcmd"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr.split("\n")[0]).toBe(`airconn: profile prodcmd (${prod.url}): Token Expired`);
  });

  it("--pattern scopes both sides", async () => {
    const r = await run(["-p", "staging", "diff", "--from-profile", "prod", "--pattern", "shared_%", "-o", "json"]);
    const d = JSON.parse(r.stdout) as DiffJson;
    expect([d.create, d.only_on_server, d.unchanged]).toEqual([[], [], ["shared_http"]]);
    expect(d.update.map((u) => u.connection_id)).toEqual(["shared_pg"]);
  });

  it("refuses what cannot work: a file and --from-profile, --update-secrets, the profile in effect, an unknown profile", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["diff", "x.yaml", "--from-profile", "prod"], /give a file or --from-profile, not both/],
      [["apply", "--from-profile", "prod", "--update-secrets"], /--update-secrets cannot be used with --from-profile/],
      [["diff", "--from-profile", "staging"], /--from-profile staging is the profile in effect/],
      [["diff", "--from-profile", "nope"], /no profile named "nope"/],
      [["diff"], /name a file, or another profile's Airflow with --from-profile NAME/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(["-p", "staging", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });

  it("apply --from-profile: --prune needs --yes without a terminal; then staging matches prod and --exit-code gives 0", async () => {
    const before = staging.requests.length;
    const refused = await run(["-p", "staging", "apply", "--from-profile", "prod", "--prune"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--prune would delete 1 connection: pass --yes to confirm without a terminal");
    expect(writes(staging, before)).toEqual([]);

    const r = await run(["-p", "staging", "apply", "--from-profile", "prod", "--prune", "--yes", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      created: ["only_prod"],
      updated: ["shared_pg"],
      deleted: ["only_staging"],
      skipped: ["shared_http"],
      failed: [],
    });
    expect(r.stderr).toContain(
      "not copied from profile prod; set them on the target (e.g. airconn patch ID --password-stdin, or airconn patch ID --set-extra KEY=VALUE for an extra key): only_prod.password, only_prod.extra.auth",
    );
    // The update sent only the host; the target's own secrets are untouched.
    const patch = writes(staging, before).find(
      (q) => q.method === "PATCH" && q.path === "/api/v2/connections/shared_pg",
    )!;
    expect(patch.query.getAll("update_mask")).toEqual(["host"]);
    expect(staging.stored("shared_pg")).toMatchObject({ host: "db-prod.internal", password: STAGING_SECRETS.pg });
    expect(JSON.parse(staging.stored("shared_pg")!.extra!)).toEqual({
      sslmode: "require",
      api_key: STAGING_SECRETS.key,
    });
    // Created without the secrets it could not copy, and no "***" stored or sent anywhere.
    expect(staging.stored("only_prod")).toMatchObject({ conn_type: "mysql", host: "mysql.prod", password: null });
    expect(JSON.parse(staging.stored("only_prod")!.extra!)).toEqual({ auth: { user: "u" }, region: "eu" });
    expect(staging.stored("only_staging")).toBeUndefined();
    for (const q of writes(staging, before)) expect(q.body).not.toContain("***");
    for (const c of staging.all()) expect(`${c.password} ${c.extra}`).not.toContain("***");

    const again = await run([
      "-p",
      "staging",
      "diff",
      "--from-profile",
      "prod",
      "--prune",
      "--exit-code",
      "-o",
      "json",
    ]);
    expect(again.code).toBe(0);
    const d = JSON.parse(again.stdout) as DiffJson;
    expect([d.create, d.update, d.only_on_server]).toEqual([[], [], []]);
    expect(d.missing_secrets).toEqual([
      { connection_id: "only_prod", field: "password" },
      { connection_id: "only_prod", field: "extra.auth" },
    ]);
  });
});

describe("export --format airconn", () => {
  it("exports prod as code; with the listed variables set, apply recreates every connection on an empty server, secrets included", async () => {
    await seed(prod, {
      connection_id: "my-pg",
      conn_type: "postgres",
      host: "h1",
      password: SECRETS["my-pg password"],
    });
    await seed(prod, {
      connection_id: "my_pg",
      conn_type: "postgres",
      host: "h2",
      port: 6432,
      description: "cost: $5 ${notvar}",
      password: SECRETS["my_pg password"],
      extra: JSON.stringify({ private_key: SECRETS["my_pg extra.private_key"], n: 2.5, list: [1, "a"] }),
    });
    const file = join(work.dir, "prod.yaml");
    const exp = await run(["-p", "prod", "export", "--format", "airconn", file]);
    expect(exp.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("***");
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
    const vars = [...text.matchAll(/^# {3}(AIRCONN_\w+)\s+(\S+)\s+(\S+)$/gm)].map((m) => ({
      name: m[1]!,
      id: m[2]!,
      field: m[3]!,
    }));
    expect(vars.map((v) => `${v.id} ${v.field}`).sort()).toEqual(Object.keys(SECRETS).sort());
    expect(vars.find((v) => v.id === "shared_pg" && v.field === "password")!.name).toBe("AIRCONN_SHARED_PG_PASSWORD");
    expect(vars.find((v) => v.id === "shared_pg" && v.field === "extra.api_key")!.name).toBe(
      "AIRCONN_SHARED_PG_EXTRA_API_KEY",
    );
    expect(vars.find((v) => v.id === "only_prod")!.name).toBe("AIRCONN_ONLY_PROD_PASSWORD");
    expect(vars.find((v) => v.field === "extra.auth.token")!.name).toBe("AIRCONN_ONLY_PROD_EXTRA_AUTH_TOKEN");
    const hyphen = vars.find((v) => v.id === "my-pg")!.name,
      under = vars.find((v) => v.id === "my_pg" && v.field === "password")!.name;
    expect(hyphen).not.toBe(under);
    expect([hyphen, under].every((n) => /^AIRCONN_MY_PG_PASSWORD_[0-9A-F]{6}$/.test(n))).toBe(true);
    expect(exp.stderr).toContain(`set the ${vars.length} environment variables listed at its top`);

    const empty = await startFakeAirflow({});
    try {
      const target = { AIRCONN_API_URL: empty.url, AIRCONN_TOKEN: empty.adminToken };
      // A variable missing: stopped before any request, the variable named.
      const partial = Object.fromEntries(vars.slice(1).map((v) => [v.name, SECRETS[`${v.id} ${v.field}`]!]));
      const missing = await run(["apply", file], { env: { ...target, ...partial } });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`environment variable ${vars[0]!.name} is not set`);
      expect(empty.requests.length).toBe(0);

      const all = Object.fromEntries(vars.map((v) => [v.name, SECRETS[`${v.id} ${v.field}`]!]));
      const r = await run(["apply", file, "-o", "json"], { env: { ...target, ...all } });
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { created: string[] }).created.sort()).toEqual(
        prod
          .all()
          .map((c) => c.connection_id)
          .sort(),
      );
      for (const q of empty.requests) expect(q.body).not.toContain("***");
      for (const want of prod.all()) {
        const got = empty.stored(want.connection_id)!;
        expect(got, want.connection_id).toBeDefined();
        const { id: _a, extra: we, ...wantFields } = want;
        const { id: _b, extra: ge, ...gotFields } = got;
        expect(gotFields, want.connection_id).toEqual(wantFields);
        expect(ge === null ? null : JSON.parse(ge), want.connection_id).toEqual(we === null ? null : JSON.parse(we));
      }
      // Applied again: nothing to do.
      const again = await run(["diff", file, "--exit-code"], { env: { ...target, ...all } });
      expect(again.code).toBe(0);
    } finally {
      await empty.close();
    }
  });

  it("writes to stdout with -, and an empty selection is a valid file", async () => {
    const r = await run(["-p", "prod", "export", "--format", "airconn", "-", "--pattern", "no_such_%"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("connections: []");
    const f = join(work.dir, "empty.yaml");
    writeFileSync(f, r.stdout);
    const d = await run(["-p", "prod", "diff", f, "--pattern", "no_such_%", "--exit-code"]);
    expect(d.code).toBe(0);
  });
});
