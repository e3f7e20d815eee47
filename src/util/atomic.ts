// Writing files safely (issue 19). Two ways, chosen by what the target is:
// - a regular file or a new path: the content goes to a temporary file beside it, renamed over it only when complete,
//   so the target is either the old file or the whole new one, never a part;
// - anything else that opens for writing (a device such as /dev/null, /dev/stdout or /dev/full, a FIFO): written in
//   place, as a shell's `>` does. Renaming over a device node would replace the device with a regular file.
// A symbolic link is followed to the file it names: that file gets the content (renamed into place in its own
// folder) and the link stays. A folder, a missing parent folder and a link loop are refused before any work.
// Temporary files are created with O_EXCL (a planted file or link at the name makes the open fail instead of being
// followed), mode 0600, a random name, and removed on every way out: an error, the abort signal (Ctrl-C, SIGTERM,
// SIGHUP) and the process's exit (a second signal exits at once).
import {
  accessSync,
  closeSync,
  constants,
  createWriteStream,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Stats,
  type WriteStream,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { AirconnError, EXIT, UsageError } from "../errors.js";
import { errnoText } from "./errno.js";

export interface AtomicOptions {
  /** Mode of the new file (default 0o600). */
  mode?: number;
  /** Ctrl-C (or SIGTERM, SIGHUP): remove the temporary file at once. */
  signal?: AbortSignal;
}

// Web Crypto's global, not node:crypto: importing that module costs start-up time (see commands/test.ts).
const randomHex = (bytes: number): string =>
  Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");

/** A temporary file name for a target: hidden, beside it (same file system, so rename is atomic), random. */
export const tempFileFor = (target: string): string =>
  join(dirname(target), `.${basename(target)}.airconn-${randomHex(8)}.tmp`);

/** Creates a new temporary file beside `target` with O_EXCL and `mode`; a name already taken gets another. */
function createTemp(target: string, mode = 0o600): { path: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const path = tempFileFor(target);
    try {
      return { path, fd: openSync(path, "wx", mode) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 4) throw e;
    }
  }
}

/** Writes `data` to `target` atomically (synchronously): caches and other small files airconn owns. */
export function writeFileAtomic(target: string, data: string, o: AtomicOptions = {}): void {
  const { path: tmp, fd } = createTemp(target, o.mode);
  try {
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export interface OutputTarget {
  /** The path as the user gave it (for messages). */
  given: string;
  /** The file that receives the content: the given path, or the file its symbolic links name. */
  path: string;
  /** "replace": a regular file or a new path (temporary file, then rename); "in-place": a device, FIFO or socket. */
  how: "replace" | "in-place";
  /** /dev/stdout, /dev/fd/N: the number of this process's own open file the path names. */
  ownFd?: number;
}

const MAX_LINKS = 40; // as Linux's own limit on symbolic links in one lookup
const FD_LINK = /^\/proc\/(self|thread-self|\d+)(?:\/task\/\d+)?\/fd\/(\d+)$/;

/**
 * What writing to `given` would write, checked before any work: follows symbolic links, refuses a folder, a missing
 * or non-folder parent, and a link loop (UsageError, exit 2, saying which and why).
 */
export function outputTarget(given: string): OutputTarget {
  const fail = (why: string, hint?: string) => new UsageError(`cannot write ${given}: ${why}`, hint);
  if (given === "") throw new UsageError("the output file name is empty");
  let path = resolve(given);
  for (let links = 0; ; links++) {
    // The folder part without links (/dev/fd/2 is /proc/<pid>/fd/2): what a link names is read relative to it.
    try {
      path = join(realpathSync(dirname(path)), basename(path));
    } catch {
      /* a missing folder: said below */
    }
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw fail(code === "ENOTDIR" ? `${parentOf(path)} is not a folder` : errnoText(e));
      checkParent(path, fail);
      return { given, path, how: "replace" };
    }
    // /dev/stdout, /dev/fd/N: links to a process's open file (a pipe, a terminal, a file the shell opened), which
    // only the kernel can follow: written in place, as `>` would.
    const fd = FD_LINK.exec(path);
    if (fd) {
      const own = fd[1] === "self" || fd[1] === "thread-self" || fd[1] === String(process.pid);
      return { given, path, how: "in-place", ...(own ? { ownFd: Number(fd[2]) } : {}) };
    }
    if (st.isSymbolicLink()) {
      if (links >= MAX_LINKS) throw fail(`too many symbolic links (ELOOP)`);
      path = resolve(dirname(path), readlinkSync(path));
      continue;
    }
    if (st.isDirectory())
      throw fail(
        `${path === resolve(given) ? "it" : `it leads to ${path}, which`} is a folder`,
        "name a file, e.g. connections.json inside it",
      );
    if (st.isFile()) {
      // A file this user may not write is not replaced behind its back (the rename would only need the folder).
      try {
        accessSync(path, constants.W_OK);
      } catch (e) {
        throw fail(errnoText(e));
      }
      return { given, path, how: "replace" };
    }
    return { given, path, how: "in-place" };
  }
}

const parentOf = (path: string): string => {
  // the deepest existing ancestor that is not a folder, for "X is not a folder"
  for (let p = dirname(path); p !== dirname(p); p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      /* keep going up */
    }
  }
  return dirname(path);
};

function checkParent(path: string, fail: (why: string, hint?: string) => UsageError): void {
  const dir = dirname(path);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw fail(`the folder ${dir} does not exist`, `create it first: mkdir -p '${dir}'`);
    if (code === "ENOTDIR") throw fail(`${parentOf(path)} is not a folder`);
    throw fail(`cannot use the folder ${dir}: ${errnoText(e)}`);
  }
  if (!st.isDirectory()) throw fail(`${dir} is not a folder`);
}

export interface AtomicStream {
  /** Resolves when the stream can take more (back-pressure); rejects with the stream's error. */
  write(s: string): Promise<void>;
  /** Finishes the file and, for a replaced file, renames it over the target. */
  commit(): Promise<void>;
  /** Drops the temporary file (the target is untouched); for an in-place target, stops writing. */
  abort(): Promise<void>;
}

export interface OpenOptions extends AtomicOptions {
  /** Turns a write error into the error to throw (default: a one-line "cannot write FILE: why"). */
  wrapError?: (e: NodeJS.ErrnoException, target: OutputTarget) => Error;
}

/** Opens `target` for a streamed write, the way its kind needs (see the top of this file). */
export async function openOutput(target: OutputTarget, o: OpenOptions = {}): Promise<AtomicStream> {
  const wrap = (e: NodeJS.ErrnoException): Error => o.wrapError?.(e, target) ?? new WriteError(target.given, e);
  if (target.how === "in-place") {
    let fd: number;
    try {
      fd = await openInPlace(target.path, o.signal);
    } catch (e) {
      if (o.signal?.aborted) throw e;
      throw new UsageError(`cannot write ${target.given}: ${errnoText(e)}`);
    }
    return streamOver(
      createWriteStream(target.path, { fd }),
      wrap,
      {
        commit: async () => {},
        cleanup: () => {},
      },
      o.signal,
    );
  }
  let tmp: { path: string; fd: number };
  try {
    tmp = createTemp(target.path, o.mode);
  } catch (e) {
    throw new UsageError(
      `cannot write ${target.given}: cannot create a file in ${dirname(target.path)}: ${errnoText(e)}`,
    );
  }
  const cleanup = () => rmSync(tmp.path, { force: true });
  return streamOver(
    createWriteStream(tmp.path, { fd: tmp.fd }),
    wrap,
    {
      commit: async () => {
        try {
          renameSync(tmp.path, target.path);
        } catch (e) {
          throw wrap(e as NodeJS.ErrnoException);
        }
      },
      cleanup,
    },
    o.signal,
  );
}

/** A write error of an output file: exit 1 (the path was fine; the disk, the device or the reader was not). */
export class WriteError extends AirconnError {
  constructor(
    readonly file: string,
    override readonly cause: NodeJS.ErrnoException,
  ) {
    super(`cannot write ${file}: ${errnoText(cause)}`, EXIT.FAILURE);
  }
}

/** The stream with back-pressure, its error as a rejection, and the temporary file removed on abort and at exit. */
function streamOver(
  stream: WriteStream,
  wrap: (e: NodeJS.ErrnoException) => Error,
  h: { commit(): Promise<void>; cleanup(): void },
  signal?: AbortSignal,
): AtomicStream {
  const failed = new Promise<never>((_, reject) => stream.once("error", (e: NodeJS.ErrnoException) => reject(wrap(e))));
  failed.catch(() => {});
  const cleanup = () => h.cleanup();
  const onAbort = () => {
    stream.destroy();
    cleanup();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  process.once("exit", cleanup);
  const release = () => {
    signal?.removeEventListener("abort", onAbort);
    process.removeListener("exit", cleanup);
  };
  return {
    write: (s) =>
      Promise.race([
        failed,
        new Promise<void>((res) => {
          if (stream.write(s)) res();
          else stream.once("drain", () => res());
        }),
      ]),
    commit: async () => {
      try {
        await Promise.race([failed, new Promise<void>((res) => stream.end(() => res()))]);
        if (signal?.aborted) throw signal.reason;
        await h.commit();
      } catch (e) {
        stream.destroy();
        cleanup();
        throw e;
      } finally {
        release();
      }
    },
    abort: async () => {
      stream.destroy();
      cleanup();
      release();
    },
  };
}

/**
 * Opens a device or FIFO for writing. A FIFO's open blocks until a reader opens it: that wait is a poll with
 * O_NONBLOCK (ENXIO while no reader), so it never holds a thread the process would wait for and Ctrl-C ends it.
 */
async function openInPlace(path: string, signal?: AbortSignal): Promise<number> {
  if (!statSync(path).isFIFO()) return openSync(path, "w");
  for (;;) {
    let probe: number | undefined;
    try {
      probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      return openSync(path, "w"); // a reader is there: this open does not block
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENXIO") throw e;
    } finally {
      if (probe !== undefined) closeSync(probe);
    }
    await new Promise<void>((res, rej) => {
      if (signal?.aborted) return rej(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", stop);
        res();
      }, 50);
      const stop = () => {
        clearTimeout(t);
        rej(signal!.reason);
      };
      signal?.addEventListener("abort", stop, { once: true });
    });
  }
}

/** Streamed write of one target given as a path (export FILE): checks, then opens. */
export async function openAtomic(file: string, o: OpenOptions = {}): Promise<AtomicStream> {
  return openOutput(outputTarget(file), o);
}
