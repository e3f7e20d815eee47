// Issue 19, "A config that is safe to share": parallel `profile set` and `login` on one config lose nothing (a lock
// file serialises the read-modify-writes); a config of the wrong shape is an error naming the file; a config file or
// folder that another user owns or that others can write is refused with the chmod/chown to run, and its token
// command never runs; a config folder that cannot be created says where and why.
import { beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, NODE, baseEnv, runCli, type CliResult } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { registerSecret, scanRun, secretsOfRun } from "../support/secrets.js";

const fake = useFakeAirflow({ seed: 3 }, { prefix: "airconn-shared-config-" });
beforeAll(() => registerSecret(fake.server.adminToken));

let n = 0;
/** A fresh config folder (0700, as airconn makes it) inside the work folder. */
const cfgFolder = (): string => {
  const d = join(fake.workDir, `cfg-${++n}`);
  mkdirSync(d, { mode: 0o700 });
  return d;
};
const configOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as {
    current_profile?: string;
    profiles: Record<string, Record<string, string>>;
  };
/** Runs with this config folder and no AIRCONN_API_URL/AIRCONN_TOKEN: the profile decides. */
const inCfg = (dir: string, args: string[], o: { input?: string; env?: Record<string, string | undefined> } = {}) =>
  runCli(args, { input: o.input, env: { AIRCONN_CONFIG_DIR: dir, ...o.env } });

/**
 * A config whose profile "evil" has a token command that leaves a marker file when it runs, and the server's URL.
 * Returns the folder, the file and the marker.
 */
function configWithTokenCommand(): { dir: string; file: string; marker: string } {
  const dir = cfgFolder();
  const marker = join(dir, "..", `ran-${n}`);
  const file = join(dir, "config.json");
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      current_profile: "evil",
      profiles: {
        evil: { api_url: fake.server.url, token_command: `touch '${marker}'; echo ${fake.server.adminToken}` },
      },
    }),
    { mode: 0o600 },
  );
  return { dir, file, marker };
}

describe("parallel writes to one config", () => {
  it("20 parallel `profile set` leave 20 profiles, each with its URL", async () => {
    const dir = cfgFolder();
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inCfg(dir, ["profile", "set", `p${i}`, "--api-url", `https://h${i}.example.com`]),
      ),
    );
    for (const [i, r] of runs.entries())
      expect(r, `p${i}`).toEqual({
        code: 0,
        stdout: "",
        stderr: `Profile p${i}: api_url https://h${i}.example.com.\n`,
      });
    const c = configOf(dir);
    expect(Object.keys(c.profiles).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`).sort());
    for (let i = 0; i < 20; i++) expect(c.profiles[`p${i}`]).toEqual({ api_url: `https://h${i}.example.com` });
    expect(c.current_profile).toMatch(/^p\d+$/); // the first writer's
    expect(readdirSync(dir)).toEqual(["config.json"]); // no lock file or temporary file left
  });

  it("10 `login --token-stdin` and 10 `profile set` in parallel: 20 profiles, every token stored", async () => {
    const dir = cfgFolder();
    const tokens = Array.from({ length: 10 }, () => fake.server.mintToken());
    tokens.forEach(registerSecret);
    const runs = await Promise.all([
      ...tokens.map((t, i) =>
        inCfg(dir, ["-p", `login${i}`, "login", "--api-url", fake.server.url, "--token-stdin"], { input: `${t}\n` }),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        inCfg(dir, ["profile", "set", `set${i}`, "--api-url", `https://s${i}.example.com`]),
      ),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const c = configOf(dir);
    expect(Object.keys(c.profiles)).toHaveLength(20);
    for (const [i, t] of tokens.entries())
      expect(c.profiles[`login${i}`]).toEqual({ api_url: fake.server.url, token: t });
  });

  it("a lock left by a process that is gone is broken at once; a held lock is waited for", async () => {
    const dir = cfgFolder();
    // A process id that is not running: a finished child's.
    const dead = await new Promise<number>((resolve) => {
      const c = spawn("true");
      c.on("close", () => resolve(c.pid!));
    });
    const { hostname } = await import("node:os");
    writeFileSync(join(dir, "config.json.lock"), `${dead} ${hostname()} 0123456789abcdef\n`);
    const t0 = Date.now();
    const r = await inCfg(dir, ["profile", "set", "a", "--api-url", "https://a.example.com"]);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000); // not the 10 s a lock of unknown owner is given
    expect(readdirSync(dir)).toEqual(["config.json"]);

    // Held by a live process (this test's): the write waits until the lock goes.
    writeFileSync(join(dir, "config.json.lock"), `${process.pid} ${hostname()} 0123456789abcdef\n`);
    const t1 = Date.now();
    const waiting = inCfg(dir, ["profile", "set", "b", "--api-url", "https://b.example.com"]);
    await new Promise((res) => setTimeout(res, 1500));
    expect(configOf(dir).profiles.b).toBeUndefined();
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "config.json.lock"));
    const w = await waiting;
    expect(w.code, w.stderr).toBe(0);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(1500);
    expect(Object.keys(configOf(dir).profiles).sort()).toEqual(["a", "b"]);
  });
});

describe("a config of the wrong shape", () => {
  it.each([
    ["profiles is a list", { version: 1, profiles: [] }, `"profiles" is a list, not an object of profiles by name`],
    ["profiles is null", { version: 1, profiles: null }, `"profiles" is null, not an object of profiles by name`],
    ["a profile is a string", { version: 1, profiles: { a: "http://x" } }, `profile "a" is a string, not an object`],
    [
      "a token is a number",
      { version: 1, profiles: { a: { token: 5 } } },
      `profile "a": token is a number, not a string`,
    ],
    ["the whole file is a list", [], "it holds a list, not an object"],
  ])("%s: login, profile set and list exit 2 naming the file; the file is left as it was", async (_name, data, why) => {
    const dir = cfgFolder();
    const file = join(dir, "config.json");
    const text = JSON.stringify(data);
    writeFileSync(file, text, { mode: 0o600 });
    const message = `airconn: the config file ${file} does not hold airconn profiles: ${why}\nhint: fix or remove the file, then run \`airconn login\` again\n`;
    const from = fake.server.requests.length;
    const login = await inCfg(dir, ["login", "--api-url", fake.server.url, "--token-stdin"], {
      input: fake.server.adminToken,
    });
    expect(login).toEqual({ code: 2, stdout: "", stderr: message });
    const set = await inCfg(dir, ["profile", "set", "b", "--api-url", "https://b.example.com"]);
    expect(set).toEqual({ code: 2, stdout: "", stderr: message });
    const list = await inCfg(dir, ["list"]);
    expect(list).toEqual({ code: 2, stdout: "", stderr: message });
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(fake.since(from)).toEqual([]);
  });
});

describe("a config others could change is refused, and its token command never runs", () => {
  it("a config file writable by everyone (0666)", async () => {
    const { dir, file, marker } = configWithTokenCommand();
    chmodSync(file, 0o666);
    const from = fake.server.requests.length;
    const r = await inCfg(dir, ["list"]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `airconn: the config file ${file} can be written by everyone (mode 666): it is not used, since anyone who can write it could change the token command it runs\nhint: chmod 600 '${file}'\n`,
    });
    expect(existsSync(marker)).toBe(false);
    expect(fake.since(from)).toEqual([]);
    // profile set and login refuse it too, and do not rewrite it
    const before = readFileSync(file, "utf8");
    expect((await inCfg(dir, ["profile", "set", "evil", "--api-url", "https://x.example.com"])).code).toBe(2);
    expect(readFileSync(file, "utf8")).toBe(before);
    // after the chmod it prints, it works (the token command runs)
    chmodSync(file, 0o600);
    const ok = await inCfg(dir, ["list"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it("a config file writable by its group (0620)", async () => {
    const { dir, file, marker } = configWithTokenCommand();
    chmodSync(file, 0o620);
    const r = await inCfg(dir, ["get", "conn_00001"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `airconn: the config file ${file} can be written by its group (mode 620): it is not used, since anyone who can write it could change the token command it runs\nhint: chmod 600 '${file}'\n`,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("a config folder writable by everyone (0777)", async () => {
    const { dir, marker } = configWithTokenCommand();
    chmodSync(dir, 0o777);
    const r = await inCfg(dir, ["list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `airconn: the config folder ${dir} can be written by everyone (mode 777): it is not used, since anyone who can write it could change the token command it runs\nhint: chmod 700 '${dir}'\n`,
    );
    expect(existsSync(marker)).toBe(false);
    chmodSync(dir, 0o700);
  });

  it.skipIf(process.getuid?.() !== 0)("a config file owned by another user (chown 65534), mode 0600", async () => {
    const { dir, file, marker } = configWithTokenCommand();
    chownSync(file, 65534, 65534);
    const from = fake.server.requests.length;
    const r = await inCfg(dir, ["list"]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `airconn: the config file ${file} belongs to another user (uid 65534; airconn runs as uid 0): it is not used, since its owner could change the token command it runs\nhint: if it is yours: chown 0 '${file}'; else set AIRCONN_CONFIG_DIR to a folder of your own\n`,
    });
    expect(existsSync(marker)).toBe(false);
    expect(fake.since(from)).toEqual([]);
    // --profile and -p name it the same way; `profile show` too (it reads the token command)
    expect((await inCfg(dir, ["-p", "evil", "profile", "show"])).code).toBe(2);
    expect(existsSync(marker)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)("a config folder owned by another user (chown 65534), mode 0700", async () => {
    const { dir, marker } = configWithTokenCommand();
    chownSync(dir, 65534, 65534);
    const r = await inCfg(dir, ["list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^airconn: the config folder ${dir} belongs to another user \\(uid 65534; airconn runs as uid 0\\)`),
    );
    expect(existsSync(marker)).toBe(false);
  });
});

/** Runs the CLI as another user (root only): stdout, stderr and the exit code; scanned for secrets like runCli. */
function runAs(uid: number, args: string[], env: Record<string, string>): Promise<CliResult> {
  const before = secretsOfRun(args, env);
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, ...args], {
      env: baseEnv(env),
      cwd: "/",
      uid,
      gid: uid,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const leak = scanRun(args, env, undefined, { stdout, stderr }, before);
      if (leak) reject(leak);
      else resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe("a config folder that cannot be created", () => {
  it("XDG_CONFIG_HOME names a file: profile set says which file stands in the way; reads work without profiles", async () => {
    const file = join(fake.workDir, "not-a-folder");
    writeFileSync(file, "x");
    const env = { AIRCONN_CONFIG_DIR: undefined, XDG_CONFIG_HOME: file, HOME: fake.workDir };
    const r = await runCli(["profile", "set", "a", "--api-url", "https://a.example.com"], { env });
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: `airconn: cannot create the config folder ${file}/airconn (from XDG_CONFIG_HOME): ${file} is a file, not a folder\nhint: set AIRCONN_CONFIG_DIR to a folder you can write, or fix XDG_CONFIG_HOME\n`,
    });
    const list = await runCli(["profile", "list", "-o", "json"], { env });
    expect(list).toEqual({ code: 0, stdout: "[]\n", stderr: "" });
  });

  it("AIRCONN_CONFIG_DIR names a file: every command says so (exit 2)", async () => {
    const file = join(fake.workDir, "also-a-file");
    writeFileSync(file, "x");
    const r = await runCli(["profile", "list"], { env: { AIRCONN_CONFIG_DIR: file } });
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `airconn: the config folder ${file} (from AIRCONN_CONFIG_DIR) is not a folder\nhint: set AIRCONN_CONFIG_DIR to a folder you can write\n`,
    });
  });

  it.skipIf(process.getuid?.() !== 0)(
    "a read-only HOME (run as uid 65534): login says which folder cannot be written",
    async () => {
      const home = join(fake.workDir, "ro-home");
      mkdirSync(home, { mode: 0o755 }); // root's: uid 65534 cannot write it
      chmodSync(fake.workDir, 0o755);
      const token = fake.server.mintToken();
      registerSecret(token);
      const r = await runAs(65534, ["profile", "set", "a", "--api-url", fake.server.url], {
        HOME: home,
        PATH: process.env.PATH ?? "/usr/bin:/bin",
      });
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr: `airconn: cannot create the config folder ${home}/.config/airconn (from HOME): ${home} cannot be written (EACCES)\nhint: set AIRCONN_CONFIG_DIR to a folder you can write\n`,
      });
    },
  );
});
