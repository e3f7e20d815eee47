// src/util/atomic.ts and src/config/lock.ts (issue 19): what a target path is, the temporary file's life, the lock.
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openOutput, outputTarget, tempFileFor, writeFileAtomic, WriteError } from "../../src/util/atomic.js";
import { withLock } from "../../src/config/lock.js";
import { errnoText } from "../../src/util/errno.js";
import { UsageError } from "../../src/errors.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "airconn-atomic-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("outputTarget", () => {
  it("a new path and a regular file are replaced; a link is followed to its file", () => {
    const d = tmp();
    expect(outputTarget(join(d, "new.json"))).toEqual({
      given: join(d, "new.json"),
      path: join(d, "new.json"),
      how: "replace",
    });
    writeFileSync(join(d, "f.json"), "x");
    symlinkSync("f.json", join(d, "l1"));
    symlinkSync(join(d, "l1"), join(d, "l2"));
    expect(outputTarget(join(d, "l2"))).toEqual({ given: join(d, "l2"), path: join(d, "f.json"), how: "replace" });
    symlinkSync("sub/missing.json", join(d, "dangling"));
    expect(() => outputTarget(join(d, "dangling"))).toThrow(
      `cannot write ${join(d, "dangling")}: the folder ${join(d, "sub")} does not exist`,
    );
  });

  it("a device, a FIFO and a link to one of this process's files are written in place", () => {
    const d = tmp();
    execFileSync("mkfifo", [join(d, "p")]);
    expect(outputTarget(join(d, "p")).how).toBe("in-place");
    expect(outputTarget("/dev/null")).toMatchObject({ path: "/dev/null", how: "in-place" });
    expect(outputTarget("/dev/stdout")).toMatchObject({ how: "in-place", ownFd: 1 });
    expect(outputTarget("/dev/fd/2")).toMatchObject({ how: "in-place", ownFd: 2 });
  });

  it("refuses a folder, a link loop, a parent that is a file, an empty name", () => {
    const d = tmp();
    expect(() => outputTarget(d)).toThrow(UsageError);
    expect(() => outputTarget(d)).toThrow(/: it is a folder$/);
    symlinkSync(".", join(d, "here"));
    expect(() => outputTarget(join(d, "here"))).toThrow(`it leads to ${d}, which is a folder`);
    symlinkSync("b", join(d, "a"));
    symlinkSync("a", join(d, "b"));
    expect(() => outputTarget(join(d, "a"))).toThrow("too many symbolic links (ELOOP)");
    writeFileSync(join(d, "file"), "x");
    expect(() => outputTarget(join(d, "file", "x.json"))).toThrow(`${join(d, "file")} is not a folder`);
    expect(() => outputTarget("")).toThrow("the output file name is empty");
  });
});

describe("temporary files", () => {
  it("have a random name beside the target", () => {
    const a = tempFileFor("/x/y/c.json"),
      b = tempFileFor("/x/y/c.json");
    expect(a).toMatch(/^\/x\/y\/\.c\.json\.airconn-[0-9a-f]{16}\.tmp$/);
    expect(a).not.toBe(b);
  });

  it("writeFileAtomic: the file 0600, no temporary file left", () => {
    const d = tmp();
    writeFileAtomic(join(d, "c.json"), "{}");
    expect(readdirSync(d)).toEqual(["c.json"]);
    expect(statSync(join(d, "c.json")).mode & 0o777).toBe(0o600);
  });

  it("openOutput: the temporary file is 0600 while written; commit renames it; abort and the signal remove it", async () => {
    const d = tmp();
    const target = join(d, "c.json");
    writeFileSync(target, "old");
    const out = await openOutput(outputTarget(target), { mode: 0o600 });
    await out.write("new");
    const [temp] = readdirSync(d).filter((f) => f !== "c.json");
    expect(statSync(join(d, temp!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(target, "utf8")).toBe("old");
    await out.commit();
    expect(readdirSync(d)).toEqual(["c.json"]);
    expect(readFileSync(target, "utf8")).toBe("new");

    const aborted = await openOutput(outputTarget(target));
    await aborted.write("half");
    await aborted.abort();
    expect(readdirSync(d)).toEqual(["c.json"]);

    const ctl = new AbortController();
    const signalled = await openOutput(outputTarget(target), { signal: ctl.signal });
    await signalled.write("half");
    ctl.abort();
    expect(readdirSync(d)).toEqual(["c.json"]);
    await expect(signalled.commit()).rejects.toBeDefined();
    expect(readFileSync(target, "utf8")).toBe("new");
  });

  it("a folder that cannot take a new file: a usage error before anything is written", async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const d = tmp();
    chmodSync(d, 0o500);
    await expect(openOutput(outputTarget(join(d, "c.json")))).rejects.toThrow(UsageError);
  });

  it("a device that refuses the data (/dev/full): WriteError, exit 1, one line", async () => {
    if (!existsSync("/dev/full")) return;
    const out = await openOutput(outputTarget("/dev/full"));
    const e = await out
      .write("x".repeat(1 << 20))
      .then(() => out.commit())
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(WriteError);
    expect((e as WriteError).exitCode).toBe(1);
    expect((e as WriteError).message).toBe("cannot write /dev/full: no space left on device (ENOSPC)");
  });
});

describe("errnoText", () => {
  it("words a system error without its syscall and path", () => {
    expect(errnoText(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }))).toBe(
      "no space left on device (ENOSPC)",
    );
    expect(errnoText(Object.assign(new Error("EWEIRD: something odd, open '/x'"), { code: "EWEIRD" }))).toBe(
      "something odd (EWEIRD)",
    );
    expect(errnoText(new Error("plain"))).toBe("plain");
  });
});

describe("withLock", () => {
  it("runs holders one at a time, within one process too, and leaves no lock file", async () => {
    const d = tmp();
    const lock = join(d, "config.json.lock");
    let inside = 0,
      most = 0,
      done = 0;
    await Promise.all(
      Array.from({ length: 30 }, () =>
        withLock(lock, "config.json", async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
          done++;
        }),
      ),
    );
    expect([done, most]).toEqual([30, 1]);
    expect(readdirSync(d)).toEqual([]);
  });

  it("breaks a lock older than staleMs; gives up on a fresh one held by a live process, naming the lock file", async () => {
    const d = tmp();
    const lock = join(d, "config.json.lock");
    writeFileSync(lock, "");
    const { utimesSync } = await import("node:fs");
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await expect(withLock(lock, "config.json", () => 7)).resolves.toBe(7);
    expect(existsSync(lock)).toBe(false);

    writeFileSync(lock, `${process.pid} some-other-host abc\n`);
    await expect(withLock(lock, "config.json", () => 1, { timeoutMs: 200 })).rejects.toThrow(
      `the config file config.json is locked by another airconn (process ${process.pid} on some-other-host)`,
    );
    expect(existsSync(lock)).toBe(true);
  });
});
