// The lock that serialises profile writes (issue 19): CI jobs sharing one home run `airconn login` and `profile set`
// in parallel, and each write is a read-modify-write of the whole file. The lock is a file next to the config
// (config.json.lock), created with O_EXCL ("wx"): whoever creates it holds it. It holds the holder's process id,
// host and a random token. Waiting is a poll with a little random delay; a lock whose process is gone (same host)
// or that is older than `staleMs` (a process killed with SIGKILL, another host) is broken. Breaking renames the lock
// aside first and checks it is the same file (inode and content), so two processes breaking it at once cannot remove
// a lock that a third has just taken.
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { AirconnError } from "../errors.js";
import { errnoText } from "../util/errno.js";

export interface LockOptions {
  /** Give up waiting after this long (default 20 s). */
  timeoutMs?: number;
  /** A lock older than this is taken to be left behind (default 10 s; a write holds it for milliseconds). */
  staleMs?: number;
}

const randomHex = (bytes: number): string =>
  Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
const host = (): string => (createRequire(import.meta.url)("node:os") as typeof import("node:os")).hostname();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The holder a lock file names: "PID HOST TOKEN". */
function holderOf(content: string): { pid?: number; host?: string } {
  const [pid, h] = content.trim().split(" ");
  return { pid: pid && /^\d+$/.test(pid) ? Number(pid) : undefined, host: h };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, belongs to another user
  }
}

/**
 * Runs `fn` while holding the lock file `lock` (for the config file `about`, named in messages). `fn` should be
 * synchronous or short: the lock is held until it settles.
 */
export async function withLock<T>(
  lock: string,
  about: string,
  fn: () => T | Promise<T>,
  o: LockOptions = {},
): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const staleMs = o.staleMs ?? 10_000;
  const me = `${process.pid} ${host()} ${randomHex(8)}\n`;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (take(lock, me, about)) break;
    // Someone holds it: is it left behind?
    let content = "",
      ino: number | undefined,
      age = 0;
    try {
      const st = statSync(lock);
      ino = st.ino;
      age = Date.now() - st.mtimeMs;
      content = readFileSync(lock, "utf8");
    } catch {
      continue; // released meanwhile: try again at once
    }
    const holder = holderOf(content);
    const gone = holder.pid !== undefined && holder.host === host() && holder.pid !== process.pid && !alive(holder.pid);
    if (gone || age > staleMs) {
      breakStale(lock, ino, content);
      continue;
    }
    if (Date.now() > deadline) {
      throw new AirconnError(
        `the config file ${about} is locked by another airconn${holder.pid ? ` (process ${holder.pid}${holder.host && holder.host !== host() ? ` on ${holder.host}` : ""})` : ""} for ${Math.round(timeoutMs / 1000)} s`,
        undefined,
        `if no airconn is running, remove ${lock}`,
      );
    }
    await sleep(wait + Math.random() * wait);
  }
  try {
    return await fn();
  } finally {
    release(lock, me);
  }
}

/** Creates the lock file; false when it exists. Any other problem (no such folder, no permission) is thrown. */
function take(lock: string, me: string, about: string): boolean {
  let fd: number;
  try {
    fd = openSync(lock, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new AirconnError(
      `cannot write the config file ${about}: cannot create its lock file ${lock}: ${errnoText(e)}`,
    );
  }
  try {
    writeSync(fd, me);
  } finally {
    closeSync(fd);
  }
  return true;
}

function breakStale(lock: string, ino: number | undefined, content: string): void {
  const aside = `${lock}.stale-${randomHex(6)}`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // gone already (released, or broken by another process)
  }
  let same = false;
  try {
    same = statSync(aside).ino === ino && readFileSync(aside, "utf8") === content;
  } catch {
    /* treat as not ours */
  }
  // A lock taken by another process between our look and the rename: put it back (unless a newer one is there).
  if (!same)
    try {
      linkSync(aside, lock);
    } catch {
      /* a newer lock exists: it wins */
    }
  rmSync(aside, { force: true });
}

function release(lock: string, me: string): void {
  try {
    if (readFileSync(lock, "utf8") === me) unlinkSync(lock);
  } catch {
    /* already gone */
  }
}
