// Smoke suite of an installed airconn (issue 11): the command a user gets, run from `/` (outside the checkout) against
// the bundled fake Airflow, with a clean environment and its own config folder. It runs only when
// AIRCONN_SMOKE_BIN names the command (skipped in plain `npm test`):
//   npm run smoke       packs the project, installs the tarball with `npm install -g --prefix TMP`, runs this on TMP/bin/airconn
//   npm run smoke:exe   runs this on dist/airconn-linux-x64 (npm run build:exe) with AIRCONN_SMOKE_NO_NODE=1: PATH
//                       holds no `node` (nor `airconn`), so everything, shell completion included, runs without Node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { scanRun, secretsOfRun } from "../support/secrets.js";
import { completionScript, SCRIPT_FILES, SHELLS } from "../../src/completion/scripts.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = process.env.AIRCONN_SMOKE_BIN ? resolve(process.env.AIRCONN_SMOKE_BIN) : "";
const NO_NODE = process.env.AIRCONN_SMOKE_NO_NODE === "1";
/** Where the man page should be: PREFIX/share/man/man1 after npm install -g, beside the standalone executable. */
const MAN_PAGE = process.env.AIRCONN_SMOKE_MAN ?? "";
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const SEED = 30;
const which = (cmd: string): string | undefined => {
  try {
    return execFileSync("/bin/sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
};
const BASH = which("bash");
const FISH = which("fish");
const ZSH = which("zsh");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
let server: FakeAirflow;
let tmp: string;
let env: Record<string, string>;

/** Runs the command under test from `/` with the clean environment (plus `extra`), stdin piped. */
function airconn(args: string[], o: { input?: string; extra?: Record<string, string> } = {}): Promise<Result> {
  const runEnv = { ...env, ...o.extra };
  const before = secretsOfRun(args, runEnv, o.input);
  return new Promise((done, fail) => {
    const child = spawn(BIN, args, { cwd: "/", env: runEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "",
      stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`airconn ${args.join(" ")} timed out\n${stderr}`));
    }, 20_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      const leak = scanRun(args, runEnv, o.input, { stdout, stderr }, before);
      if (leak) fail(leak);
      else done({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(o.input ?? "");
  });
}

/** A shell run with the same clean environment (the shell given by absolute path: PATH may be empty). */
const shell = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { cwd: "/", env, encoding: "utf8", timeout: 20_000 })).stdout;

describe.skipIf(!BIN)(`smoke: ${BIN || "(set AIRCONN_SMOKE_BIN)"}${NO_NODE ? ", no node on PATH" : ""}`, () => {
  beforeAll(async () => {
    server = await startFakeAirflow({ seed: SEED });
    tmp = mkdtempSync(join(tmpdir(), "airconn-smoke-"));
    const path = join(tmp, "path");
    mkdirSync(path);
    // Without Node: PATH is one empty folder. With the npm command: its bin folder (the completion scripts call
    // `airconn` from PATH) and the folder of the node that runs this suite (bin/airconn starts with `env node`).
    env = {
      PATH: NO_NODE ? path : [dirname(BIN), dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
      HOME: tmp,
      AIRCONN_CONFIG_DIR: join(tmp, "cfg"),
      XDG_CACHE_HOME: join(tmp, "cache"),
      LANG: "C.UTF-8",
    };
  });
  afterAll(async () => {
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("the environment: the command exists; without Node, PATH holds no node", () => {
    expect(existsSync(BIN)).toBe(true);
    if (NO_NODE) expect(() => execFileSync("/bin/sh", ["-c", "command -v node"], { env })).toThrow();
  });

  it.skipIf(!MAN_PAGE)("the man page is installed with the command, and renders", () => {
    expect(readFileSync(MAN_PAGE, "utf8")).toBe(readFileSync(join(ROOT, "airconn.1"), "utf8"));
    if (!which("man")) return;
    const page = execFileSync("man", ["-l", MAN_PAGE], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", MANPAGER: "cat", PAGER: "cat", MANWIDTH: "80" },
    });
    expect(page.replace(/.\x08/g, "")).toMatch(/^NAME\n\s+airconn\s+-\s+Manage Apache Airflow connections/m);
  });

  it("--version prints the package version", async () => {
    expect(await airconn(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    expect(await airconn(["-V"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("--help lists the commands, with examples", async () => {
    const r = await airconn(["--help"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: airconn \[options\] \[command\]\n/);
    for (const c of ["login", "list", "get", "create", "delete", "completion"])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    expect(r.stdout).toContain("Examples:");
    const sub = await airconn(["help", "create"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: airconn create /);
  });

  it("login --password-stdin stores the profile; login --token-stdin a second one", async () => {
    const n = server.requests.length;
    const r = await airconn(["login", "--api-url", server.url, "--username", "admin", "--password-stdin"], {
      input: "admin\n",
    });
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^Logged in to ${server.url} as admin \\(profile default\\)`));
    expect(r.code).toBe(0);
    const auth = server.requests.slice(n).filter((q) => q.path === "/auth/token");
    expect(auth.map((q) => [q.method, q.json])).toEqual([["POST", { username: "admin", password: "admin" }]]);
    const config = JSON.parse(readFileSync(join(tmp, "cfg/config.json"), "utf8")) as {
      current_profile: string;
      profiles: Record<string, { api_url: string; token: string }>;
    };
    expect(config.current_profile).toBe("default");
    expect(config.profiles.default!.api_url).toBe(server.url);
    expect(config.profiles.default!.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const token = server.mintToken();
    const t = await airconn(["login", "--profile", "ci", "--api-url", server.url, "--token-stdin"], {
      input: `${token}\n`,
    });
    expect(t.code).toBe(0);
    expect(t.stdout).toBe("");
    const after = JSON.parse(readFileSync(join(tmp, "cfg/config.json"), "utf8")) as typeof config;
    expect(after.profiles.ci).toMatchObject({ api_url: server.url, token });
    expect(after.current_profile).toBe("default");
  });

  it("list: every connection, as JSON and as tab-separated lines, with the stored token", async () => {
    const n = server.requests.length;
    const r = await airconn(["list", "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { connection_id: string; password?: string }[];
    expect(list.map((c) => c.connection_id)).toEqual(
      server
        .all()
        .map((c) => c.connection_id)
        .sort(),
    );
    expect(list).toHaveLength(SEED);
    const stored = (
      JSON.parse(readFileSync(join(tmp, "cfg/config.json"), "utf8")) as { profiles: { default: { token: string } } }
    ).profiles.default.token;
    const reads = server.requests.slice(n);
    expect(reads.length).toBeGreaterThan(0);
    for (const q of reads) {
      expect(q.method).toBe("GET");
      expect(q.path).toBe("/api/v2/connections");
      expect(q.headers.authorization).toBe(`Bearer ${stored}`);
    }
    const plain = await airconn(["list", "-p", "ci"]);
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(SEED);
    expect(lines[0]!.split("\t")[0]).toBe("conn_00001");
  });

  // Issue 19: a shipped binary runs as it was built. (The npm command is `node`, which obeys NODE_OPTIONS by design.)
  it.skipIf(!NO_NODE)("the executable ignores NODE_OPTIONS: --require of a missing file, --inspect", async () => {
    const v = await airconn(["--version"], { extra: { NODE_OPTIONS: "--require /nonexistent/airconn-smoke.js" } });
    expect(v).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    const n = server.requests.length;
    const l = await airconn(["list", "-o", "json"], {
      extra: { NODE_OPTIONS: "--inspect=127.0.0.1:0 --require /nonexistent/airconn-smoke.js" },
    });
    expect(l.stderr).toBe(""); // no "Debugger listening on ws://...", no "Cannot find module"
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout)).toHaveLength(server.all().length);
    expect(server.requests.length).toBeGreaterThan(n);
  });

  it.skipIf(!NO_NODE)("the executable opens no inspector on SIGUSR1", async () => {
    // `login --token-stdin` waits for its input: a process that is up and idle, then SIGUSR1.
    const child = spawn(BIN, ["login", "--api-url", server.url, "--token-stdin"], {
      cwd: "/",
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    child.stdout.resume();
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on("close", (code, signal) => done({ code, signal })),
    );
    await new Promise((r) => setTimeout(r, 1000));
    child.kill("SIGUSR1");
    await new Promise((r) => setTimeout(r, 500));
    child.stdin.on("error", () => {});
    child.stdin.end("");
    const end = await closed;
    // No "Debugger listening on ws://...": the signal is ignored and the command goes on (its stdin was empty).
    expect(stderr).toBe("airconn: --token-stdin: standard input was empty\n");
    expect(end).toEqual({ code: 2, signal: null });
  });

  it("get: one connection (secrets redacted); a missing id is exit 3", async () => {
    const r = await airconn(["get", "conn_00001", "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as Record<string, unknown>;
    const s = server.stored("conn_00001")!;
    expect(got).toMatchObject({
      connection_id: "conn_00001",
      conn_type: s.conn_type,
      host: s.host,
      port: s.port,
      login: s.login,
    });
    const missing = await airconn(["get", "no_such_conn"]);
    expect(missing).toEqual({
      code: 3,
      stdout: "",
      stderr: "airconn: The Connection with connection_id: `no_such_conn` was not found\n",
    });
  });

  it("types --bundled: the catalog built into airconn (data/catalog.json, an asset of the executable)", async () => {
    const r = await airconn(["types", "aws", "--bundled", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("source: the catalog bundled with airconn (--bundled)\n");
    const form = JSON.parse(r.stdout) as { type: string; standard_fields: { login: { label: string } } };
    expect(form.type).toBe("aws");
    expect(form.standard_fields.login.label).toBe("AWS Access Key ID");
  });

  it("create with the password from stdin, then delete", async () => {
    const c = await airconn(
      [
        "create",
        "smoke_pg",
        "--type",
        "postgres",
        "--host",
        "db.internal",
        "--port",
        "5432",
        "--login",
        "app",
        "--password-stdin",
        "-o",
        "json",
      ],
      { input: "smoke-pw-1\n" },
    );
    expect(c.stderr).toBe("");
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({
      connection_id: "smoke_pg",
      conn_type: "postgres",
      host: "db.internal",
      port: 5432,
      login: "app",
      password: "***",
    });
    expect(server.stored("smoke_pg")).toMatchObject({
      conn_type: "postgres",
      host: "db.internal",
      port: 5432,
      login: "app",
      password: "smoke-pw-1",
    });

    const refused = await airconn(["delete", "smoke_pg"]);
    expect(refused.code).toBe(2); // no terminal: --yes is required
    expect(server.stored("smoke_pg")).toBeDefined();
    const n = server.requests.length;
    const d = await airconn(["delete", "smoke_pg", "--yes"]);
    expect(d.code).toBe(0);
    expect(server.requests.slice(n).map((q) => `${q.method} ${q.path}`)).toEqual([
      "DELETE /api/v2/connections/smoke_pg",
    ]);
    expect(server.stored("smoke_pg")).toBeUndefined();
  });

  it("completion bash|zsh|fish prints the script; a standalone executable's scripts call the executable itself", async () => {
    for (const sh of SHELLS) {
      const r = await airconn(["completion", sh]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      if (NO_NODE) {
        expect(r.stdout).toBe(
          completionScript(sh, { path: realpathSync(BIN), names: [basename(realpathSync(BIN)), basename(BIN)] }),
        );
        expect(r.stdout).not.toContain("command airconn ");
      } else {
        // the npm command prints the scripts its package ships in completions/ (and the checkout holds)
        const pkg = dirname(dirname(realpathSync(BIN)));
        expect(r.stdout).toBe(readFileSync(join(pkg, "completions", SCRIPT_FILES[sh]), "utf8"));
        expect(r.stdout).toBe(readFileSync(join(ROOT, "completions", SCRIPT_FILES[sh]), "utf8"));
      }
    }
  });

  it("the completion callback answers from the built-in command tree and the server", async () => {
    const r = await airconn(["__complete", "get", "conn_0001"]);
    expect(r).toEqual({
      code: 0,
      stdout: Array.from({ length: 10 }, (_, i) => `conn_0001${i}\n`).join(""),
      stderr: "",
    });
    const sub = await airconn(["__complete", "pro"]);
    expect(sub.stdout.split("\n")[0]).toMatch(/^profile\t/);
  });

  it.skipIf(!BASH)("bash: the printed script completes connection ids through the command's own callback", async () => {
    const file = join(tmp, "airconn.bash");
    writeFileSync(file, (await airconn(["completion", "bash"])).stdout);
    const complete = async (line: string) =>
      (
        await shell(BASH!, [
          "--norc",
          "--noprofile",
          "-c",
          `
source "$1"
complete -p airconn >/dev/null || exit 9
COMP_LINE=$2; COMP_POINT=\${#COMP_LINE}
read -ra COMP_WORDS <<<"$COMP_LINE"; [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_airconn_completion airconn "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`,
          "bash",
          file,
          line,
        ])
      )
        .split("\n")
        .filter(Boolean);
    expect(await complete("airconn get conn_0002")).toEqual(Array.from({ length: 10 }, (_, i) => `conn_0002${i}`));
    expect(await complete("airconn list -o js")).toEqual(["json"]);
    expect(await complete("airconn comp")).toEqual(["completion"]);
  });

  it.skipIf(!FISH)("fish: the printed script completes connection ids through the command's own callback", async () => {
    const file = join(tmp, "airconn.fish");
    writeFileSync(file, (await airconn(["completion", "fish"])).stdout);
    const out = await shell(FISH!, [
      "--no-config",
      "-c",
      "source $argv[1]; complete -C $argv[2]",
      file,
      "airconn get conn_0002",
    ]);
    expect(
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[0]),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `conn_0002${i}`));
  });

  it.skipIf(!ZSH)("zsh: the printed script is valid zsh", async () => {
    const file = join(tmp, "_airconn");
    writeFileSync(file, (await airconn(["completion", "zsh"])).stdout);
    await expect(shell(ZSH!, ["-n", file])).resolves.toBe("");
  });
});
