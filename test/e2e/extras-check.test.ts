// Issue 21, end to end: extras checked against the provider's form wherever input enters (diff, apply, import, bulk,
// create, patch). A typo of a field the form defines (warehose) and a value of the wrong kind are warnings; with
// --strict or AIRCONN_STRICT=1 they are exit 2 and the server receives no write. Keys the form does not show (aws:
// region_name, role_arn) and custom types pass. The catalog is one cached hook_meta request, never one for list or get.
// The provider's secret fields are hidden in output and diffs even where the server's words do not hide them.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { registerSecret } from "../support/cli.js";
import { useFakeAirflow, type FakeContext } from "../support/fake.js";
import { seed } from "../support/admin.js";
import type { RecordedRequest } from "@airconn/fake-airflow";

const HOOK_META = "/ui/connections/hook_meta";
const cacheEnv = (_: unknown, dirs: { cfgDir: string }) => ({ XDG_CACHE_HOME: join(dirs.cfgDir, "cache") });
const fake = useFakeAirflow({ seed: 0 }, { prefix: "airconn-extras-", env: cacheEnv });

const catalogReads = (from: number, f: FakeContext = fake) =>
  f.since(from).filter((q) => q.method === "GET" && q.path === HOOK_META).length;
const shown = (qs: RecordedRequest[]) => qs.map((q) => `${q.method} ${q.path}`);

const SNOWFLAKE_TYPO = `connections:
  - connection_id: sf_main
    conn_type: snowflake
    login: etl
    extra:
      account: xy12345
      warehose: compute_wh
      role: loader
`;
const AWS = `  - connection_id: s3_main
    conn_type: aws
    extra: {region_name: eu-west-1, role_arn: "arn:aws:iam::123456789012:role/etl"}
`;
const DID_YOU_MEAN = /sf_main\): extra\.warehose: unknown key for snowflake; did you mean "warehouse"\?/;

describe("diff and apply: a file with warehose for a snowflake connection", () => {
  it("diff warns with 'did you mean warehouse', says where, and still shows the diff", async () => {
    const f = fake.file("typo.yaml", SNOWFLAKE_TYPO + AWS);
    const from = fake.server.requests.length;
    const r = await fake.run(["diff", f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`airconn: warning: ${f.replace(/[.]/g, "\\.")}:2 \\(sf_main\\): extra\\.warehose`),
    );
    expect(r.stderr).toMatch(DID_YOU_MEAN);
    expect(r.stderr.match(/warning/g)).toHaveLength(1); // aws: region_name and role_arn are fine
    expect(r.stdout).toMatch(/sf_main\tcreate\textra\.warehose\t"compute_wh"/);
    expect(catalogReads(from)).toBe(1);
    expect(fake.writes(from)).toEqual([]);
  });

  it("--strict and AIRCONN_STRICT=1: exit 2 listing the finding, no write (diff, apply, apply --dry-run)", async () => {
    const f = fake.file("typo-strict.yaml", SNOWFLAKE_TYPO + AWS);
    const runs: Array<[string[], Record<string, string>?]> = [
      [["diff", f, "--strict"]],
      [["apply", f, "--strict"]],
      [["apply", f], { AIRCONN_STRICT: "1" }],
      [["apply", f, "--dry-run"], { AIRCONN_STRICT: "yes" }],
      [["diff", f, "--exit-code"], { AIRCONN_STRICT: "true" }],
    ];
    for (const [args, env] of runs) {
      const from = fake.server.requests.length;
      const r = await fake.run(args, { env });
      expect(r.code, `${args.join(" ")} ${JSON.stringify(env)}\n${r.stderr}`).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(DID_YOU_MEAN);
      expect(r.stderr).not.toMatch(/airconn: warning/);
      expect(r.stderr).toMatch(
        new RegExp(
          `1 extra does not fit the provider's form \\(${env ? "AIRCONN_STRICT" : "--strict"}\\), nothing was sent`,
        ),
      );
      expect(fake.writes(from)).toEqual([]); // no POST, PATCH (bulk or single) or DELETE
    }
    expect(fake.server.all()).toEqual([]);
  });

  it("AIRCONN_STRICT=0 only warns; a value it does not know is refused (exit 2) before anything is read", async () => {
    const f = fake.file("typo-env.yaml", SNOWFLAKE_TYPO);
    const r = await fake.run(["diff", f], { env: { AIRCONN_STRICT: "0" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(DID_YOU_MEAN);
    const from = fake.server.requests.length;
    const bad = await fake.run(["diff", f], { env: { AIRCONN_STRICT: "maybe" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/AIRCONN_STRICT takes 1 or 0, got "maybe"/);
    expect(fake.since(from)).toEqual([]);
  });

  it("apply without --strict warns and applies the file as it is (the typo is stored)", async () => {
    const f = fake.file("typo-apply.yaml", SNOWFLAKE_TYPO + AWS);
    const from = fake.server.requests.length;
    const r = await fake.run(["apply", f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(DID_YOU_MEAN);
    expect(shown(fake.writes(from))).toEqual(["PATCH /api/v2/connections"]);
    expect(JSON.parse(fake.server.stored("sf_main")!.extra!)).toMatchObject({ warehose: "compute_wh" });
    fake.server.reset();
  });

  it("an aws connection with region_name and role_arn, and a fixed file: no warning, even with --strict", async () => {
    const fixed = fake.file("fixed.yaml", SNOWFLAKE_TYPO.replace("warehose", "warehouse") + AWS);
    const from = fake.server.requests.length;
    const r = await fake.run(["apply", fixed, "--strict"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("created 2, updated 0, deleted 0, skipped 0, failed 0\n");
    expect(shown(fake.writes(from))).toEqual(["PATCH /api/v2/connections"]);
    fake.server.reset();
  });
});

describe("values of the wrong kind, legacy keys, custom types", () => {
  it('snowflake insecure_mode: "yes" and proxy_port: "abc" are named with what is expected', async () => {
    const f = fake.file(
      "kinds.yaml",
      `connections:
  - connection_id: sf_kinds
    conn_type: snowflake
    extra: {insecure_mode: "yes", proxy_port: "abc", extra__snowflake__databse: sales}
`,
    );
    const r = await fake.run(["diff", f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /sf_kinds\): extra\.insecure_mode: expected true or false for snowflake's "Insecure Mode", got the string "yes"/,
    );
    // "proxy" is a sensitive word of Airflow 3.2: the value is not repeated
    expect(r.stderr).toMatch(
      /sf_kinds\): extra\.proxy_port: expected an integer for snowflake's "Proxy Port", got a string\n/,
    );
    expect(r.stderr).toMatch(
      /sf_kinds\): extra\.extra__snowflake__databse: unknown key for snowflake; did you mean "extra__snowflake__database"\?/,
    );
  });

  it("a custom type (a hook the catalog does not know) passes with one note naming `airconn types`, even with --strict", async () => {
    const f = fake.file(
      "custom.yaml",
      `connections:
  - {connection_id: c1, conn_type: my_custom_hook, extra: {warehose: x}}
  - {connection_id: c2, conn_type: my_custom_hook, extra: {anything: 1}}
`,
    );
    const r = await fake.run(["diff", f, "--strict"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    const notes = r.stderr.split("\n").filter((l) => l.includes("not checked"));
    expect(notes).toEqual([
      `extra not checked for conn_type my_custom_hook (2 connections): not in the server's catalog (${fake.server.url}, Airflow ${fake.server.airflowVersion}, cached 0 min ago); \`airconn types\` lists the types it knows`,
    ]);
  });
});

describe("import and bulk", () => {
  it("import warns; --strict: exit 2, nothing written", async () => {
    const f = fake.file(
      "export.json",
      JSON.stringify({ sf_imp: { conn_type: "snowflake", extra: JSON.stringify({ Warehouse: "wh", account: "a" }) } }),
    );
    let from = fake.server.requests.length;
    const strict = await fake.run(["import", f, "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(
      /export\.json:\d+ \(sf_imp\): extra\.Warehouse: unknown key for snowflake; did you mean "warehouse"\?/,
    );
    expect(fake.writes(from)).toEqual([]);
    from = fake.server.requests.length;
    const r = await fake.run(["import", f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*sf_imp\): extra\.Warehouse: .*did you mean "warehouse"/);
    expect(shown(fake.writes(from))).toEqual(["PATCH /api/v2/connections"]);
    fake.server.reset();
  });

  it("bulk warns per entity (path and id); --strict: exit 2, nothing sent; --dry-run reads no catalog", async () => {
    const body = {
      actions: [
        { action: "create", entities: [{ connection_id: "sf_b", conn_type: "snowflake", extra: { warehose: "wh" } }] },
        {
          action: "update",
          update_mask: ["host"],
          entities: [{ connection_id: "x", conn_type: "snowflake", extra: '{"rol": 1}' }],
        },
      ],
    };
    const f = fake.file("bulk.json", JSON.stringify(body));
    let from = fake.server.requests.length;
    const strict = await fake.run(["bulk", f, "--strict"]);
    expect(strict.code).toBe(2);
    // the update's mask leaves extra out: its extra is not sent, not checked
    expect(strict.stderr).toMatch(
      /^airconn: .*bulk\.json: actions\[0\]\.entities\[0\] \(sf_b\): extra\.warehose: .*"warehouse"\?$/m,
    );
    expect(strict.stderr).not.toMatch(/rol/);
    expect(fake.writes(from)).toEqual([]);
    from = fake.server.requests.length;
    const dry = await fake.run(["bulk", f, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/warning: .*\(sf_b\): extra\.warehose/);
    expect(fake.since(from)).toEqual([]); // a dry run asks nothing: the cached (or bundled) catalog
  });
});

describe("create and patch: field flags, --json, --uri", () => {
  it("create --type snowflake --set-extra warehose=x warns; with --strict exit 2 and nothing is created", async () => {
    let from = fake.server.requests.length;
    const strict = await fake.run(["create", "sf_new", "--type", "snowflake", "--set-extra", "warehose=x", "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(
      /^airconn: sf_new: extra\.warehose: unknown key for snowflake; did you mean "warehouse"\?$/m,
    );
    expect(fake.writes(from)).toEqual([]);
    expect(fake.server.stored("sf_new")).toBeUndefined();
    from = fake.server.requests.length;
    const r = await fake.run(["create", "sf_new", "--type", "snowflake", "--set-extra", "warehose=x", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^airconn: warning: sf_new: extra\.warehose: .*did you mean "warehouse"\?$/m);
    expect(shown(fake.writes(from))).toEqual(["POST /api/v2/connections"]);
    expect(JSON.parse(fake.server.stored("sf_new")!.extra!)).toEqual({ warehose: "x" });
  });

  it("--json, --uri and --extra are checked the same way; AIRCONN_STRICT=1 refuses each", async () => {
    const inputs: string[][] = [
      ["create", "sf_j", "--json", '{"conn_type": "snowflake", "extra": {"Warehouse": "wh"}}'],
      ["create", "sf_u", "--uri", "snowflake://etl@acct/?warehose=wh"],
      ["create", "sf_e", "--type", "snowflake", "--extra", '{"extra__snowflake__warehose": "wh"}'],
    ];
    for (const args of inputs) {
      const from = fake.server.requests.length;
      const r = await fake.run(args, { env: { AIRCONN_STRICT: "1" } });
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/did you mean "(extra__snowflake__)?warehouse"\?/);
      expect(fake.writes(from)).toEqual([]);
    }
  });

  it("patch --set-extra without --type: checked against the stored connection's type; --strict sends no PATCH", async () => {
    await seed(fake.server, { connection_id: "sf_p", conn_type: "snowflake", extra: '{"account": "a1"}' });
    let from = fake.server.requests.length;
    const strict = await fake.run(["patch", "sf_p", "--set-extra", "insecure_mode=yes", "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(
      /sf_p: extra\.insecure_mode: expected true or false for snowflake's "Insecure Mode", got the string "yes"/,
    );
    expect(fake.writes(from)).toEqual([]);
    from = fake.server.requests.length;
    const ok = await fake.run(["patch", "sf_p", "--set-extra", "insecure_mode=true", "--strict"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe("");
    expect(shown(fake.writes(from))).toEqual(["PATCH /api/v2/connections/sf_p"]);
    fake.server.reset();
  });
});

describe("the catalog's cost", () => {
  it("one hook_meta request per API URL for write commands (then the cache); none for list and get", async () => {
    const f = fake.file("cost.yaml", SNOWFLAKE_TYPO);
    // earlier tests read it already: cached for this server
    let from = fake.server.requests.length;
    expect((await fake.run(["diff", f])).code).toBe(0);
    expect(catalogReads(from)).toBe(0);
    await seed(fake.server, { connection_id: "pg", conn_type: "postgres", extra: '{"sslmode": "require"}' });
    from = fake.server.requests.length;
    expect((await fake.run(["list"])).code).toBe(0);
    expect((await fake.run(["get", "pg"])).code).toBe(0);
    expect(catalogReads(from)).toBe(0);
    // a fresh cache folder: one request, then none
    const env = { XDG_CACHE_HOME: join(fake.cfgDir, "cache-2") };
    from = fake.server.requests.length;
    expect((await fake.run(["diff", f], { env })).code).toBe(0);
    expect((await fake.run(["diff", f], { env })).code).toBe(0);
    expect(catalogReads(from)).toBe(1);
    fake.server.reset();
  });

  it("a server without the route (404): the bundled catalog still knows snowflake", async () => {
    fake.server.setHookMeta("missing");
    try {
      const f = fake.file("bundled.yaml", SNOWFLAKE_TYPO);
      const r = await fake.run(["diff", f, "--strict"], { env: { XDG_CACHE_HOME: join(fake.cfgDir, "cache-404") } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(DID_YOU_MEAN);
    } finally {
      fake.server.setHookMeta("ok");
    }
  });
});

// ---- the provider's secret fields ----------------------------------------------------------------------------------
// A provider (made up here, served by intercepting hook_meta) whose form marks `unseal_blob` secret: no sensitive word
// of Airflow covers it, so the server shows it in clear; airconn hides it in its output and diffs.

const BLOB = "Unseal-Blob-7c41e9";
const BLOB2 = "Unseal-Blob-2d08aa";
const VAULT_META = [
  {
    connection_type: "vaultx",
    hook_class_name: "vaultx_provider.hooks.VaultXHook",
    default_conn_name: null,
    hook_name: "Vault X",
    standard_fields: null,
    extra_fields: {
      mount: { value: null, schema: { type: ["string", "null"], title: "Mount" }, description: null, source: null },
      unseal_blob: {
        value: null,
        schema: { type: ["string", "null"], title: "Unseal blob", format: "password" },
        description: null,
        source: null,
      },
    },
  },
];
const vault = useFakeAirflow(
  {
    seed: 0,
    intercept: (q) => (q.path === HOOK_META ? { status: 200, json: VAULT_META } : undefined),
  },
  { prefix: "airconn-extras-secret-", env: cacheEnv },
);

describe("the provider's secret extra fields in output and diffs", () => {
  it("diff and apply --dry-run never show them; apply sends them", async () => {
    registerSecret(BLOB);
    registerSecret(BLOB2);
    await seed(vault.server, {
      connection_id: "v1",
      conn_type: "vaultx",
      extra: JSON.stringify({ mount: "kv", unseal_blob: BLOB }),
    });
    const f = vault.file(
      "vault.yaml",
      `connections:
  - {connection_id: v1, conn_type: vaultx, extra: {mount: kv2, unseal_blob: ${BLOB2}}}
  - {connection_id: v2, conn_type: vaultx, extra: {mount: kv, unseal_blob: ${BLOB2}}}
`,
    );
    const table = await vault.run(["diff", f]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/v1\tupdate\textra\.unseal_blob\t\(will be set\)/);
    expect(table.stdout).toMatch(/v1\tupdate\textra\.mount\t"kv" → "kv2"/);
    expect(table.stdout).toMatch(/v2\tcreate\textra\.unseal_blob\t\(set on create\)/);
    const json = await vault.run(["apply", f, "--dry-run", "-o", "json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).update[0].changes).toContainEqual({
      field: "extra.unseal_blob",
      secret: "will be set",
    });
    const from = vault.server.requests.length;
    expect((await vault.run(["apply", f])).code).toBe(0);
    expect(vault.writes(from)).not.toEqual([]);
    expect(JSON.parse(vault.server.stored("v1")!.extra!)).toEqual({ mount: "kv2", unseal_blob: BLOB2 });
    // the secret scan of every run above fails the test if BLOB or BLOB2 was printed
  });

  it("create and patch print the connection with them as ***; the server has the value", async () => {
    const c = await vault.run(["create", "v3", "--type", "vaultx", "--extra", JSON.stringify({ unseal_blob: BLOB })]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('extra\t{"unseal_blob": "***"}\n');
    expect(JSON.parse(vault.server.stored("v3")!.extra!)).toEqual({ unseal_blob: BLOB });
    const p = await vault.run(["patch", "v3", "--set-extra", "mount=kv", "-o", "json"]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(p.stdout).extra)).toEqual({ unseal_blob: "***", mount: "kv" });
    expect(JSON.parse(vault.server.stored("v3")!.extra!)).toEqual({ unseal_blob: BLOB, mount: "kv" });
  });
});
