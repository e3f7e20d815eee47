// Issue 2, end to end: the built CLI against the local Airflow-compatible server seeded with 250 connections.
import { describe, expect, it } from "vitest";
import { statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, runCliTty, tempDir, plain } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { listIds } from "../support/admin.js";

const fake = useFakeAirflow({ seed: 250 });

describe("list", () => {
  it("-o json returns all 250 in the server's order", async () => {
    const r = await runCli(["list", "-o", "json"], { env: fake.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const list = JSON.parse(r.stdout) as Array<{ connection_id: string }>;
    expect(list).toHaveLength(250);
    expect(list.map((c) => c.connection_id)).toEqual(await listIds(fake.server));
    expect(Object.keys(list[0]!)).toEqual([
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

  it("piped output is tab-separated with the id first and no header", async () => {
    const r = await runCli(["list", "--limit", "3"], { env: fake.env });
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith("\n")).toBe(true);
    const lines = r.stdout.slice(0, -1).split("\n");
    expect(lines).toHaveLength(3);
    const first = (await listIds(fake.server)).slice(0, 3);
    lines.forEach((l, i) => {
      const cols = l.split("\t");
      expect(cols).toHaveLength(7);
      expect(cols[0]).toBe(first[i]);
    });
  });

  it("on a terminal prints a table with a header", async () => {
    const r = await runCliTty(["list", "--limit", "2"], { env: { ...fake.env, NO_COLOR: "1" } });
    expect(r.code).toBe(0);
    const lines = plain(r.screen).trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+HOST\s+PORT\s+LOGIN\s+SCHEMA\s+DESCRIPTION$/);
    expect(lines).toHaveLength(3);
    expect(r.screen).not.toMatch(/\x1b\[1m/);
  });

  it("colours the header on a terminal unless NO_COLOR", async () => {
    const r = await runCliTty(["list", "--limit", "1"], { env: fake.env });
    expect(r.screen).toMatch(/\x1b\[1mID/);
  });
});

describe("login and profiles", () => {
  it("logs in with --password-stdin, stores the token 0600 in a 0700 folder, and never prints it", async () => {
    const dir = tempDir();
    try {
      const e = { AIRCONN_CONFIG_DIR: join(dir.dir, "cfg") };
      const r = await runCli(
        ["login", "--api-url", fake.server.url + "/", "--username", "admin", "--password-stdin", "--verbose"],
        { env: e, input: "admin\n" },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(
        /Logged in to http:\/\/127\.0\.0\.1:\d+ as admin \(profile default\); the token expires \d{4}-/,
      );
      const file = join(dir.dir, "cfg", "config.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir.dir, "cfg")).mode & 0o777).toBe(0o700);
      const token = JSON.parse(readFileSync(file, "utf8")).profiles.default.token as string;
      expect(token.split(".")).toHaveLength(3);
      expect(r.stderr).not.toContain(token);
      expect(r.stderr).toMatch(/\* POST http:\/\/127\.0\.0\.1:\d+\/auth\/token 201 \d+ ms/);

      const list = await runCli(["list", "--limit", "1", "--verbose"], { env: e });
      expect(list.code).toBe(0);
      expect(list.stderr + list.stdout).not.toContain(token);

      const show = await runCli(["profile", "show"], { env: { ...e, AIRCONN_API_URL: "http://example.com:8080" } });
      expect(show.stdout).toContain("api_url\thttp://example.com:8080 (from AIRCONN_API_URL)\n");
      expect(show.stdout).toMatch(/token\tvalid \(from profile default\), expires \d{4}-/);
      const tty = await runCliTty(["profile", "show"], { env: e });
      expect(tty.stdout).toMatch(/api_url {6}http:\/\/127\.0\.0\.1:\d+ \(from profile default\)/);
      expect(show.stdout + show.stderr).not.toContain(token);

      const out = await runCli(["logout"], { env: e });
      expect(out.code).toBe(0);
      expect(JSON.parse(readFileSync(file, "utf8")).profiles.default.token).toBeUndefined();
      const after = await runCli(["list"], { env: e });
      expect(after.code).toBe(4);
    } finally {
      dir.cleanup();
    }
  });
});

describe("start-up paths", () => {
  it("--version and --help need no server and exit 0", async () => {
    const v = await runCli(["--version"]);
    expect(v).toEqual({
      code: 0,
      stdout: JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version + "\n",
      stderr: "",
    });
    const h = await runCli(["--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Usage: airconn");
  });
  it("the built CLI's help reads exactly as the command tree built from source", async () => {
    const { main } = await import("../../src/cli.js");
    const { testIO } = await import("../../src/output/io.js");
    for (const args of [["--help"], ["help"], ["help", "get"], ["profile", "--help"], ["rm", "--help"]]) {
      const io = testIO();
      const code = await main(args, { io, env: {} });
      const r = await runCli(args);
      expect(r.stdout, args.join(" ")).toBe(io.stdout());
      expect(r.code).toBe(code);
    }
  });

  it("a mistyped command suggests the right one and exits 2", async () => {
    const r = await runCli(["lst"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("(Did you mean one of list, ls?)");
  });
});
