// Issue 3, end to end: the built CLI's write commands against the local fake Airflow, piped and on a terminal.
// Asserts stdout, stderr and exit codes, and what the server received and stored.
import { describe, expect, it } from "vitest";
import { plain, runCli, runCliTty } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";

const fake = useFakeAirflow({ testConnection: "Enabled" });
const off = useFakeAirflow({ testConnection: "Disabled" });

type Stored = Record<string, unknown> & { password?: string | null; extra?: string | null };
const stored = (id: string) => fake.server.stored(id) as Stored | undefined;
const reqs = (method: string, path: string) =>
  fake.server.requests.filter((r) => r.method === method && r.path === path);
const { since } = fake;
const cli = (args: string[], input?: string) => fake.run(args, { input });

describe("create", () => {
  it("from field flags with --password-stdin: exit 0, the connection on stdout, the real password stored", async () => {
    const r = await cli(
      [
        "create",
        "e2e_pg",
        "--type",
        "postgres",
        "--host",
        "db.internal",
        "--port",
        "5432",
        "--login",
        "app",
        "--schema",
        "sales",
        "--extra",
        '{"sslmode": "require", "api_token": "tok-1"}',
        "--description",
        "main",
        "--password-stdin",
      ],
      "s3cret-pw\n",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("connection_id\te2e_pg\n");
    expect(r.stdout).toContain("password\t***\n");
    expect(r.stdout).not.toContain("s3cret-pw");
    const post = reqs("POST", "/api/v2/connections").at(-1)!;
    expect(post.json).toEqual({
      connection_id: "e2e_pg",
      conn_type: "postgres",
      description: "main",
      host: "db.internal",
      login: "app",
      schema: "sales",
      port: 5432,
      password: "s3cret-pw",
      extra: '{"sslmode": "require", "api_token": "tok-1"}',
    });
    expect(stored("e2e_pg")).toMatchObject({
      conn_type: "postgres",
      host: "db.internal",
      password: "s3cret-pw",
      port: 5432,
    });
  });

  it("a re-run: exit 5 without --if-not-exists, exit 0 with it; nothing changed", async () => {
    const again = await cli(["create", "e2e_pg", "--type", "postgres", "--host", "other"]);
    expect(again.code).toBe(5);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(/^airconn: connection e2e_pg already exists\nhint: .*--if-not-exists/);
    const ok = await cli(["create", "e2e_pg", "--type", "postgres", "--host", "other", "--if-not-exists"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("");
    expect(ok.stderr).toMatch(/already exists; nothing changed/);
    expect(stored("e2e_pg")!.host).toBe("db.internal");
  });

  it("--uri with the password from stdin, -o json", async () => {
    const r = await cli(
      [
        "create",
        "e2e_uri",
        "--uri",
        "postgresql://app@db:5432/sales?sslmode=require",
        "--password-stdin",
        "-o",
        "json",
      ],
      "p@ss/word",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      connection_id: "e2e_uri",
      conn_type: "postgres",
      host: "db",
      port: 5432,
      password: "***",
      extra: '{"sslmode": "require"}',
    });
    expect(stored("e2e_uri")).toMatchObject({ password: "p@ss/word", login: "app", schema: "sales" });
  });

  it("--json @FILE in Airflow's JSON form", async () => {
    const file = fake.file(
      "conn.json",
      '{"conn_type": "google-cloud-platform", "port": "443", "extra": {"project": "p1", "ratio": 1.0}}',
    );
    const r = await cli(["create", "e2e_json", "--json", `@${file}`, "--description", "from json"]);
    expect(r.code).toBe(0);
    expect(stored("e2e_json")).toMatchObject({
      conn_type: "google_cloud_platform",
      port: 443,
      extra: '{"project": "p1", "ratio": 1.0}',
      description: "from json",
    });
  });

  it("invalid input is exit 2 and sends nothing: no type without a terminal, bad port, bad extra, both password flags", async () => {
    const n = fake.server.requests.length;
    for (const [args, msg] of [
      [["create", "e2e_x", "--host", "h"], /--type/],
      [["create", "e2e_x", "--type", "http", "--port", "70000"], /--port must be between 0 and 65535/],
      [["create", "e2e_x", "--type", "http", "--port", "80a"], /--port must be an integer/],
      [["create", "e2e_x", "--type", "http", "--extra", "[1]"], /--extra: a JSON object is needed/],
      [["create", "e2e_x", "--type", "http", "--password", "a", "--password-stdin"], /cannot be used together/],
      [["create", "e2e_x", "--uri", "http://h", "--host", "x"], /cannot be combined with --uri/],
      [["create", "bad id!", "--type", "http"], /invalid connection id/],
    ] as Array<[string[], RegExp]>) {
      const r = await cli(args, "pw");
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(msg);
    }
    expect(since(n)).toEqual([]);
    expect(stored("e2e_x")).toBeUndefined();
  });
});

describe("patch", () => {
  it("--host h sends update_mask=host and only that change; the stored password and extra secret stay", async () => {
    const before = { ...stored("e2e_pg")! };
    const n = fake.server.requests.length;
    const r = await cli(["patch", "e2e_pg", "--host", "db2.internal", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ host: "db2.internal", password: "***" });
    const patch = since(n).filter((q) => q.method === "PATCH");
    expect(patch).toHaveLength(1);
    expect(patch[0]!.rawQuery).toBe("update_mask=host");
    expect(patch[0]!.json).toEqual({ connection_id: "e2e_pg", conn_type: "postgres", host: "db2.internal" });
    expect(stored("e2e_pg")).toEqual({ ...before, host: "db2.internal" });
  });

  it("--set-extra / --unset-extra keep the stored secret (sent back as ***), never store ***", async () => {
    const n = fake.server.requests.length;
    const r = await cli(["patch", "e2e_pg", "--set-extra", "connect_timeout=10", "--unset-extra", "sslmode"]);
    expect(r.code).toBe(0);
    const patch = since(n).find((q) => q.method === "PATCH")!;
    expect(patch.query.getAll("update_mask")).toEqual(["extra"]);
    expect(patch.json).toEqual({
      connection_id: "e2e_pg",
      conn_type: "postgres",
      extra: '{"api_token": "***", "connect_timeout": 10}',
    });
    expect(JSON.parse(stored("e2e_pg")!.extra!)).toEqual({ api_token: "tok-1", connect_timeout: 10 });
    expect(stored("e2e_pg")!.password).toBe("s3cret-pw");
  });

  it("a new password from stdin and --unset fields: repeated update_mask keys", async () => {
    const n = fake.server.requests.length;
    const r = await cli(
      ["patch", "e2e_pg", "--password-stdin", "--unset", "description", "--port", "6432"],
      "n3w-pw\n",
    );
    expect(r.code).toBe(0);
    const patch = since(n).find((q) => q.method === "PATCH")!;
    expect(patch.rawQuery).toBe("update_mask=description&update_mask=port&update_mask=password");
    expect(stored("e2e_pg")).toMatchObject({ password: "n3w-pw", description: null, port: 6432, host: "db2.internal" });
  });

  it("exit codes: --unset password 2, nothing to change 2, a missing id 3", async () => {
    const n = fake.server.requests.length;
    const a = await cli(["patch", "e2e_pg", "--unset", "password"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/cannot clear a password/);
    const b = await cli(["patch", "e2e_pg"]);
    expect(b.code).toBe(2);
    expect(since(n)).toEqual([]);
    const c = await cli(["patch", "e2e_missing", "--host", "h"]);
    expect(c.code).toBe(3);
    expect(c.stderr).toMatch(/^airconn: .*e2e_missing.*not found/);
    expect(fake.server.requests.slice(n).filter((q) => q.method === "PATCH")).toEqual([]);
  });
});

describe("test", () => {
  it("a stored connection: ok on stdout, exit 0; the server merged its stored secrets; nothing stored changed", async () => {
    const before = { ...stored("e2e_pg")! };
    const n = fake.server.requests.length;
    const r = await cli(["test", "e2e_pg"]);
    expect(r.stdout).toBe("ok: Connection successfully tested\n");
    expect(r.code).toBe(0);
    const post = since(n).find((q) => q.path === "/api/v2/connections/test")!;
    expect(post.json).toMatchObject({ connection_id: "e2e_pg", password: "***" });
    expect(stored("e2e_pg")).toEqual(before);
  });

  it("a failing test: exit 1 and 'failed: ...'; -o json prints the response", async () => {
    const r = await cli(["test", "e2e_pg", "--host", "unreachable.invalid", "-o", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: false, message: expect.stringMatching(/Connection refused/) });
    const u = await cli(["test", "--type", "no_such_type", "--host", "h"]);
    expect(u.code).toBe(1);
    expect(u.stdout).toBe('failed: Unknown hook type "no_such_type"\n');
  });

  it("an unsaved connection from --uri is tested, not stored", async () => {
    const r = await cli(["test", "--uri", "http://api.example.com:443"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("ok: Connection successfully tested\n");
    const post = fake.server.requests.filter((q) => q.path === "/api/v2/connections/test").at(-1)!;
    expect(stored(String((post.json as { connection_id: string }).connection_id))).toBeUndefined();
  });

  it("testing disabled on the server: exit 1 (not 4) with the AIRFLOW__CORE__TEST_CONNECTION hint", async () => {
    const r = await runCli(["test", "--type", "http", "--host", "h"], {
      env: { ...fake.env, AIRCONN_API_URL: off.server.url, AIRCONN_TOKEN: off.server.adminToken },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^airconn: Testing connections is disabled.*\nhint: .*AIRFLOW__CORE__TEST_CONNECTION=Enabled/,
    );
  });
});

describe("delete", () => {
  it("without a terminal needs --yes (exit 2, no request)", async () => {
    const n = fake.server.requests.length;
    const r = await cli(["delete", "e2e_uri"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(since(n)).toEqual([]);
  });

  it("--yes deletes; a re-run is exit 3, or exit 0 with --if-exists", async () => {
    const r = await cli(["delete", "e2e_uri", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(stored("e2e_uri")).toBeUndefined();
    expect((await cli(["delete", "e2e_uri", "--yes"])).code).toBe(3);
    const again = await cli(["delete", "e2e_uri", "--yes", "--if-exists"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/does not exist; nothing deleted/);
  });

  it("several ids: a report on stdout, the summary on stderr, exit 1 when one fails, exit 0 with --if-exists", async () => {
    for (const id of ["e2e_d1", "e2e_d2"]) expect((await cli(["create", id, "--type", "http"])).code).toBe(0);
    const r = await cli(["delete", "e2e_d1", "e2e_gone", "e2e_d2", "--yes", "-o", "json"]);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.deleted).toEqual(["e2e_d1", "e2e_d2"]);
    expect(rep.failed).toEqual([
      { connection_id: "e2e_gone", action: "delete", error: expect.stringMatching(/not found/), status_code: 404 },
    ]);
    expect(r.stderr).toMatch(/created 0, updated 0, deleted 2, skipped 0, failed 1/);
    const ok = await cli(["delete", "e2e_d1", "e2e_gone", "--yes", "--if-exists"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("e2e_d1\tdelete\tskipped\t\ne2e_gone\tdelete\tskipped\t\n");
  });
});

describe("on a terminal (pty)", () => {
  it("create --type: no prompt, exit 0; the same id again: exit 5", async () => {
    const r = await runCliTty(["create", "e2e_tty", "--type", "http", "--host", "h"], { env: fake.env });
    expect(r.code).toBe(0);
    expect(plain(r.stdout)).toMatch(/connection_id\s+e2e_tty/);
    const again = await runCliTty(["create", "e2e_tty", "--type", "http", "--host", "h"], { env: fake.env });
    expect(again.code).toBe(5);
  });

  it("patch a missing id: 3; test disabled: 1; delete answered no: 130 and kept; --yes: 0", async () => {
    expect((await runCliTty(["patch", "e2e_nope", "--host", "h"], { env: fake.env })).code).toBe(3);
    expect(
      (
        await runCliTty(["test", "--type", "http", "--host", "h"], {
          env: { ...fake.env, AIRCONN_API_URL: off.server.url, AIRCONN_TOKEN: off.server.adminToken },
        })
      ).code,
    ).toBe(1);
    const no = await runCliTty(["delete", "e2e_tty"], {
      env: fake.env,
      input: "n\r",
      inputAfter: /Delete connection e2e_tty\?/,
    });
    expect(plain(no.stdout)).toMatch(/Delete connection e2e_tty\?/);
    expect(no.code).toBe(130);
    expect(stored("e2e_tty")).toBeDefined();
    expect((await runCliTty(["delete", "e2e_tty", "--yes"], { env: fake.env })).code).toBe(0);
    expect(stored("e2e_tty")).toBeUndefined();
  });
});

describe("secrets", () => {
  it("no stored password or extra value is *** after all the round trips above", () => {
    const all: Stored[] = fake.server.all().map((c) => ({ ...c }));
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) {
      expect(c.password, String(c.connection_id)).not.toBe("***");
      expect(String(c.extra ?? ""), String(c.connection_id)).not.toContain("***");
    }
    for (const q of reqs("POST", "/api/v2/connections")) expect(JSON.stringify(q.json)).not.toContain("***");
  });
});
