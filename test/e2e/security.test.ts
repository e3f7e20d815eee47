// Issue 8, secrets and interruptions: recognisable secrets go through login, profiles, --verbose, errors and
// exports without ever being printed (the harness scans every run: see secrets.ts); the profile file is 0600 in a
// 0700 folder; a secret about to go over plain http to another machine is warned about; Ctrl-C during a prompt, a
// long list or an export to a file exits 130 and leaves no partial file.
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { haveCommand, plain, registerSecret, runCli, runCliTty, sigintWhen, type CliResult } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";

const LOGIN_PASSWORD = "S3cr3t-P4ss-login-7f3a";
const CONN_PASSWORD = "S3cr3t-P4ss-conn-91bd";
const EXTRA_TOKEN = "S3cr3t-api-token-5e2c";

const fake = useFakeAirflow(
  { seed: 5, users: { admin: "admin", ci_bot: LOGIN_PASSWORD } },
  {
    prefix: "airconn-security-",
    env: (_, dirs) => ({ AIRCONN_CONFIG_DIR: join(dirs.workDir, "config") }),
  },
);
const slowFake = useFakeAirflow({ seed: 1000, latencyMs: 400 });
beforeAll(() => {
  registerSecret(fake.server.adminToken);
  registerSecret(slowFake.server.adminToken);
  for (const s of [LOGIN_PASSWORD, CONN_PASSWORD, EXTRA_TOKEN]) registerSecret(s);
});

const cli = (args: string[], o: { env?: Record<string, string>; input?: string } = {}) => fake.run(args, o);

describe("secrets are never printed", () => {
  it("login --password-stdin stores the token in a 0600 file in a 0700 folder and prints neither", async () => {
    const dir = join(fake.workDir, "fresh", "airconn");
    const r = await runCli(["login", "--api-url", fake.server.url, "--username", "ci_bot", "--password-stdin"], {
      env: { AIRCONN_CONFIG_DIR: dir },
      input: `${LOGIN_PASSWORD}\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^Logged in to http:\/\/127\.0\.0\.1:\d+ as ci_bot \(profile default\); the token expires /,
    );
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "config.json")).mode & 0o777).toBe(0o600);
    const token = (
      JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { profiles: { default: { token: string } } }
    ).profiles.default.token;
    expect(token).toMatch(/^ey/);
    registerSecret(token);
    expect(readdirSync(dir)).toEqual(["config.json"]); // written atomically: no temporary file left

    // the stored token is used, shown nowhere: profile show, --verbose, a 404, a list
    for (const args of [
      ["profile", "show"],
      ["-v", "list"],
      ["-v", "get", "nope_nope"],
      ["list", "-o", "json"],
    ]) {
      const u = await runCli(args, { env: { AIRCONN_CONFIG_DIR: dir } });
      expect(u.stdout + u.stderr).not.toContain(token);
    }
  });

  it("create with --password-stdin and a secret extra; get, list, export show *** only", async () => {
    const created = await cli(
      [
        "create",
        "sec_conn",
        "--type",
        "postgres",
        "--host",
        "db",
        "--login",
        "app",
        "--password-stdin",
        "--extra",
        JSON.stringify({ api_token: EXTRA_TOKEN, sslmode: "require" }),
        "-o",
        "json",
      ],
      { input: CONN_PASSWORD },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      password: "***",
      extra: '{"api_token": "***", "sslmode": "require"}',
    });
    expect(fake.server.stored("sec_conn")!.password).toBe(CONN_PASSWORD);
    for (const args of [
      ["get", "sec_conn", "-o", "yaml"],
      ["list", "-o", "json"],
      ["export", "-", "--format", "env"],
      ["-v", "test", "sec_conn"],
    ]) {
      const r = await cli(args);
      expect(r.stdout + r.stderr).not.toContain(CONN_PASSWORD);
    }
  });

  it("AIRCONN_USERNAME/AIRCONN_PASSWORD with --verbose: a token per run, the password and token never shown", async () => {
    const r = await cli(["-v", "list"], {
      env: { AIRCONN_TOKEN: "", AIRCONN_USERNAME: "ci_bot", AIRCONN_PASSWORD: LOGIN_PASSWORD },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\* POST http:\/\/127\.0\.0\.1:\d+\/auth\/token 201/m);
    expect(r.stderr).toMatch(/^\* GET .*\/api\/v2\/connections\?.* 200/m);
  });

  it("a bad password in a URI error is masked; --password on the command line is not echoed", async () => {
    const u = await cli(["create", "uri_conn", "--uri", `postgres://app:${CONN_PASSWORD}@db:bad/sales`]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^airconn: Invalid connection URI: the port is not a number/);
    const p = await cli(["create", "pw_conn", "--type", "http", "--password", CONN_PASSWORD, "--port", "99999"]);
    expect(p.code).toBe(2);
  });

  it("an import file with real passwords: errors and reports name ids, never the secrets", async () => {
    const f = join(fake.workDir, "secrets.json");
    writeFileSync(
      f,
      JSON.stringify({
        imp_a: { conn_type: "postgres", password: CONN_PASSWORD },
        imp_b: { conn_type: "http", password: CONN_PASSWORD, extra: `{"token": "${EXTRA_TOKEN}",}` },
      }),
    );
    const bad = await cli(["import", f]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^airconn: .*secrets\.json:1: imp_b\.extra: must be a JSON object/);
    writeFileSync(f, JSON.stringify({ imp_a: { conn_type: "postgres", password: CONN_PASSWORD } }));
    const ok = await cli(["import", f, "-o", "json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).created).toEqual(["imp_a"]);
  });
});

describe("plain http to another machine", () => {
  it("--api-url http://example.invalid with --retries 0: warns that the token goes over plain http, then the DNS error", async () => {
    const r = await cli(["--api-url", "http://example.invalid", "--retries", "0", "list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "airconn: warning: sending the token over plain http to example.invalid: use https outside your own machine\n" +
        "airconn: cannot resolve host example.invalid\nhint: check the API URL (`airconn profile show`) and your network or proxy\n",
    );
  });

  it("AIRCONN_USERNAME/PASSWORD over plain http to another machine: warns about the password", async () => {
    const r = await cli(["--api-url", "http://airflow.example.invalid:8080", "--retries", "0", "list"], {
      env: { AIRCONN_TOKEN: "", AIRCONN_USERNAME: "ci_bot", AIRCONN_PASSWORD: LOGIN_PASSWORD },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^airconn: warning: sending the password over plain http to airflow\.example\.invalid:8080: use https outside your own machine\nairconn: cannot resolve host airflow\.example\.invalid\n/,
    );
  });

  it("login --password-stdin over plain http to another machine: warns about the password", async () => {
    const r = await cli(
      ["login", "--api-url", "http://airflow.example.invalid", "--username", "ci_bot", "--password-stdin"],
      { env: { AIRCONN_CONFIG_DIR: join(fake.workDir, "login-remote") }, input: LOGIN_PASSWORD },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^airconn: warning: sending the password over plain http to airflow\.example\.invalid: use https/,
    );
  });

  it("no warning for loopback (127.0.0.1, localhost) nor for https", async () => {
    const local = await cli(["list"]);
    expect(local.code).toBe(0);
    expect(local.stderr).toBe("");
    const host = await cli(["list"], { env: { AIRCONN_API_URL: fake.server.url.replace("127.0.0.1", "localhost") } });
    expect(host.stderr).not.toMatch(/warning/);
    const tls = await cli(["--api-url", "https://example.invalid", "--retries", "0", "list"]);
    expect(tls.code).toBe(1);
    expect(tls.stderr).not.toMatch(/warning/);
  });
});

describe("Ctrl-C", () => {
  it("during a long list (1000 connections, 400 ms per request): exit 130, 'interrupted', before the list is done, no partial document", async () => {
    const before = slowFake.server.requests.length;
    const r: CliResult = await runCli(["--concurrency", "1", "list", "-o", "json"], {
      env: { ...fake.env, AIRCONN_API_URL: slowFake.server.url, AIRCONN_TOKEN: slowFake.server.adminToken },
      // interrupt once the first page has been answered (-o json prints nothing before the last page)
      onSpawn: sigintWhen(() => slowFake.server.requests.length - before >= 2),
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toBe("airconn: interrupted\n");
    // it stopped paging: not all 10 pages of 100 were asked for (asserted on the server, not on a clock)
    expect(slowFake.server.requests.slice(before).filter((q) => q.path === "/api/v2/connections").length).toBeLessThan(
      10,
    );
    expect(r.stdout).toBe(""); // -o json: a document is written whole or not at all
  });

  it("during an export to a file: exit 130, no target file and no temporary file", async () => {
    const dir = join(fake.workDir, "export-target");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const before = slowFake.server.requests.length;
    const r = await runCli(["--concurrency", "1", "export", join(dir, "connections.json")], {
      env: { ...fake.env, AIRCONN_API_URL: slowFake.server.url, AIRCONN_TOKEN: slowFake.server.adminToken },
      // interrupt once the first page has been answered (the temporary file exists by then)
      onSpawn: sigintWhen(() => slowFake.server.requests.length - before >= 2),
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toBe("airconn: interrupted\n");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("an export that finishes leaves only the target, 0600", async () => {
    const dir = join(fake.workDir, "export-ok");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const r = await cli(["export", join(dir, "c.yaml")]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(["c.yaml"]);
    expect(statSync(join(dir, "c.yaml")).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!haveCommand("script"))(
    "during the interactive create prompt (a pseudo-terminal): exit 130, nothing created",
    async () => {
      const before = fake.server.requests.filter((q) => q.method === "POST").length;
      const r = await runCliTty(["create", "tty_conn"], {
        env: fake.env,
        onSpawn: (child) => {
          let out = "",
            sent = false;
          child.stdout?.on("data", (d) => {
            out += String(d);
            if (!sent && /Connection type/.test(plain(out))) {
              sent = true;
              setTimeout(() => child.stdin?.write("\x03"), 200);
            }
          });
        },
      });
      expect(r.code).toBe(130);
      expect(plain(r.stdout)).toMatch(/airconn: (cancelled|interrupted)/);
      expect(plain(r.stdout)).not.toMatch(/^\s+at /m);
      expect(fake.server.requests.filter((q) => q.method === "POST").length).toBe(before);
      const cfgDir = fake.env.AIRCONN_CONFIG_DIR!;
      expect(existsSync(cfgDir) ? readdirSync(cfgDir).filter((n) => n.endsWith(".tmp")) : []).toEqual([]);
    },
  );
});
