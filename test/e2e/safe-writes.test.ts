// Issue 19, "Safe writes": `export FILE` replaces only a regular file or a new path through a temporary file (random
// name, O_EXCL, 0600, removed on every way out: errors, SIGINT, SIGTERM, SIGHUP); a device or FIFO is written in
// place (the node stays what it was); a symbolic link is followed to its file (the link stays); a folder or a missing
// folder is refused before any request. A write error on stdout is one line on stderr and exit 1, no stack trace.
import { beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { BIN, NODE, baseEnv, runCli, type CliResult } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { registerSecret, scanRun, secretsOfRun } from "../support/secrets.js";

const fake = useFakeAirflow({ seed: 30 }, { prefix: "airconn-safe-writes-" });
// Slow enough that a signal sent after the first page always lands mid-export (10 pages of 100).
const slow = useFakeAirflow({ seed: 1000, latencyMs: 300 });
beforeAll(() => {
  registerSecret(fake.server.adminToken);
  registerSecret(slow.server.adminToken);
});

let n = 0;
/** A fresh empty folder inside the work folder. */
const folder = (): string => {
  const d = join(fake.workDir, `case-${++n}`);
  mkdirSync(d);
  return d;
};
const listRequests = (from: number) => fake.since(from).filter((q) => q.path.startsWith("/api/v2"));
const WARNING =
  "airconn: warning: the Airflow API returns passwords and sensitive extra values redacted: the export holds *** in their place (import keeps the stored secrets for them)\n";

/** The 30 connections as `export --format json` writes them (from a plain export to stdout). */
let expected = "";
beforeAll(async () => {
  const r = await fake.run(["export", "-", "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  expected = r.stdout;
  expect(Object.keys(JSON.parse(expected) as object)).toHaveLength(30);
});

const canMknod = (() => {
  try {
    const d = join(process.env.TMPDIR ?? "/tmp", `airconn-mknod-${process.pid}`);
    rmSync(d, { force: true });
    execFileSync("mknod", [d, "c", "1", "3"], { stdio: "ignore" });
    rmSync(d, { force: true });
    return true;
  } catch {
    return false;
  }
})();

describe("export FILE: what the target is decides how it is written", () => {
  it("a new file: created 0600, no temporary file left", async () => {
    const dir = folder();
    const r = await fake.run(["export", join(dir, "c.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(["c.json"]);
    expect(readFileSync(join(dir, "c.json"), "utf8")).toBe(expected);
    expect(statSync(join(dir, "c.json")).mode & 0o777).toBe(0o600);
  });

  it("a symbolic link: the file it names gets the export, the link stays a link", async () => {
    const dir = folder();
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "target.json"), "old\n");
    symlinkSync("real/target.json", join(dir, "link.json"));
    const r = await fake.run(["export", join(dir, "link.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "link.json"))).toBe("real/target.json");
    expect(readFileSync(join(dir, "real", "target.json"), "utf8")).toBe(expected);
    expect(readdirSync(join(dir, "real"))).toEqual(["target.json"]); // the temporary file was beside the target
    expect(readdirSync(dir).sort()).toEqual(["link.json", "real"]);
  });

  it("a link to a file that does not exist yet: the file is created where the link points", async () => {
    const dir = folder();
    symlinkSync("later.json", join(dir, "link.json"));
    const r = await fake.run(["export", join(dir, "link.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "later.json"), "utf8")).toBe(expected);
  });

  it("a link loop: exit 2 before any request", async () => {
    const dir = folder();
    symlinkSync("b.json", join(dir, "a.json"));
    symlinkSync("a.json", join(dir, "b.json"));
    const from = fake.server.requests.length;
    const r = await fake.run(["export", join(dir, "a.json")]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `airconn: cannot write ${join(dir, "a.json")}: too many symbolic links (ELOOP)\n`,
    });
    expect(listRequests(from)).toEqual([]);
  });

  it("a folder: exit 2 before any request, nothing written in it", async () => {
    const dir = folder();
    mkdirSync(join(dir, "out.json"));
    const from = fake.server.requests.length;
    const r = await fake.run(["export", join(dir, "out.json")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `airconn: cannot write ${join(dir, "out.json")}: it is a folder\nhint: name a file, e.g. connections.json inside it\n`,
    );
    expect(listRequests(from)).toEqual([]);
    expect(readdirSync(join(dir, "out.json"))).toEqual([]);
    // --format given, no extension: the same
    const f = await fake.run(["export", "--format", "yaml", dir]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/^airconn: cannot write .*: it is a folder$/m);
    expect(listRequests(from)).toEqual([]);
  });

  it("a missing folder: exit 2 before any request, naming the folder", async () => {
    const dir = folder();
    const from = fake.server.requests.length;
    const r = await fake.run(["export", join(dir, "no", "such", "c.json")]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `airconn: cannot write ${join(dir, "no/such/c.json")}: the folder ${join(dir, "no/such")} does not exist\nhint: create it first: mkdir -p '${join(dir, "no/such")}'\n`,
    });
    writeFileSync(join(dir, "plain"), "x");
    const notDir = await fake.run(["export", join(dir, "plain", "c.json")]);
    expect(notDir).toEqual({
      code: 2,
      stdout: "",
      stderr: `airconn: cannot write ${join(dir, "plain/c.json")}: ${join(dir, "plain")} is not a folder\n`,
    });
    expect(listRequests(from)).toEqual([]);
  });

  it("a FIFO: written in place to its reader, and it stays a FIFO", async () => {
    const dir = folder();
    const fifo = join(dir, "pipe.json");
    execFileSync("mkfifo", [fifo]);
    const reader = new Promise<string>((resolve, reject) => {
      const cat = spawn("cat", [fifo], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      cat.stdout.setEncoding("utf8").on("data", (d) => {
        out += d;
      });
      cat.on("error", reject);
      cat.on("close", () => resolve(out));
    });
    const r = await fake.run(["export", fifo]);
    expect(r.code, r.stderr).toBe(0);
    expect(await reader).toBe(expected);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(["pipe.json"]);
  });

  it("a FIFO nobody reads: SIGTERM ends the wait (exit 143)", async () => {
    const dir = folder();
    const fifo = join(dir, "pipe.json");
    execFileSync("mkfifo", [fifo]);
    const r = await fake.run(["export", fifo], {
      onSpawn: (child) => {
        setTimeout(() => child.kill("SIGTERM"), 1500);
      },
    });
    expect(r).toEqual({ code: 143, stdout: "", stderr: "airconn: interrupted\n" });
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it.skipIf(!canMknod)("a null device (mknod c 1 3): written in place, the node stays a character device", async () => {
    const dir = folder();
    const dev = join(dir, "null.json");
    execFileSync("mknod", [dev, "c", "1", "3"]);
    const r = await fake.run(["export", dev]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`${WARNING}exported 30 connections to ${dev}\n`);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(["null.json"]);
  });

  it.skipIf(!canMknod)(
    "a full device (mknod c 1 7, as /dev/full): exit 1, one line, the node stays a character device",
    async () => {
      const dir = folder();
      const dev = join(dir, "full.json");
      execFileSync("mknod", [dev, "c", "1", "7"]);
      const r = await fake.run(["export", dev]);
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr: `airconn: cannot write ${dev}: no space left on device (ENOSPC)\n`,
      });
      expect(lstatSync(dev).isCharacterDevice()).toBe(true);
      expect(readdirSync(dir)).toEqual(["full.json"]);
    },
  );

  it("a link to the command's own stdout (as /dev/stdout is): written to stdout, the link stays", async () => {
    // A link of our own to /proc/self/fd/1 rather than /dev/stdout itself: a build without the fix would replace it.
    const dir = folder();
    const link = join(dir, "stdout.json");
    symlinkSync("/proc/self/fd/1", link);
    const r = await fake.run(["export", link]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected);
    expect(readlinkSync(link)).toBe("/proc/self/fd/1");
    expect(readdirSync(dir)).toEqual(["stdout.json"]);
  });
});

describe("export FILE: the temporary file", () => {
  it("replacing a file: the old file's content stays until the new one is complete; the temporary name is random, 0600", async () => {
    const dir = folder();
    const target = join(dir, "c.json");
    writeFileSync(target, "previous\n", { mode: 0o644 });
    let seen: { names: string[]; modes: number[]; target: string } | undefined;
    const from = slow.server.requests.length;
    const r = await runCli(["--concurrency", "1", "export", target], {
      env: { ...fake.env, AIRCONN_API_URL: slow.server.url, AIRCONN_TOKEN: slow.server.adminToken },
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (slow.server.requests.length - from < 3) return;
          clearInterval(poll);
          const names = readdirSync(dir).filter((f) => f !== "c.json");
          seen = {
            names,
            modes: names.map((f) => statSync(join(dir, f)).mode & 0o777),
            target: readFileSync(target, "utf8"),
          };
        }, 20);
        child.on("close", () => clearInterval(poll));
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toBeDefined();
    expect(seen!.target).toBe("previous\n");
    expect(seen!.names).toHaveLength(1);
    // random (16 hex digits from a CSPRNG), not the process id: nobody can plant a link at the name beforehand
    expect(seen!.names[0]).toMatch(/^\.c\.json\.airconn-[0-9a-f]{16}\.tmp$/);
    expect(seen!.modes).toEqual([0o600]);
    expect(readdirSync(dir)).toEqual(["c.json"]);
    expect(Object.keys(JSON.parse(readFileSync(target, "utf8")) as object)).toHaveLength(1000);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)(
    "%s during an export to a file: exit %i, the old file intact, no temporary file left",
    async (signal, code) => {
      const dir = folder();
      const target = join(dir, "c.json");
      writeFileSync(target, "previous\n");
      const from = slow.server.requests.length;
      let tempSeen = false;
      const r: CliResult = await runCli(["--concurrency", "1", "export", target], {
        env: { ...fake.env, AIRCONN_API_URL: slow.server.url, AIRCONN_TOKEN: slow.server.adminToken },
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (slow.server.requests.length - from < 2) return;
            clearInterval(poll);
            tempSeen = readdirSync(dir).length === 2;
            child.kill(signal);
          }, 20);
          child.on("close", () => clearInterval(poll));
        },
      });
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toBe("airconn: interrupted\n");
      expect(tempSeen).toBe(true); // the signal came while the temporary file existed
      expect(readdirSync(dir)).toEqual(["c.json"]);
      expect(readFileSync(target, "utf8")).toBe("previous\n");
      // it stopped: not every page was asked for
      expect(slow.since(from).filter((q) => q.path === "/api/v2/connections").length).toBeLessThan(10);
    },
  );
});

/** Runs the CLI with stdout on a given file descriptor (e.g. /dev/full); stderr captured and scanned for secrets. */
function runToFd(args: string[], file: string): Promise<CliResult> {
  const env = fake.env;
  const before = secretsOfRun(args, env);
  const fd = openSync(file, "w");
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, ...args], { env: baseEnv(env), stdio: ["ignore", fd, "pipe"] });
    closeSync(fd);
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("timed out"));
    }, 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const leak = scanRun(args, env, undefined, { stderr }, before);
      if (leak) reject(leak);
      else resolve({ code: code ?? -1, stdout: "", stderr });
    });
  });
}

describe("stdout on a full disk (> /dev/full)", () => {
  it.each([
    ["list (plain rows)", ["list"]],
    ["list -o json (a whole document)", ["list", "-o", "json"]],
    ["get -o yaml", ["get", "conn_00001", "-o", "yaml"]],
    ["export -", ["export", "-"]],
  ])("%s: one line on stderr, exit 1, no stack trace", async (_name, args) => {
    const r = await runToFd(args, "/dev/full");
    expect(r.stderr).toBe("airconn: cannot write to standard output: no space left on device (ENOSPC)\n");
    expect(r.code).toBe(1);
  });
});
