// The one atomic file writer: the content goes to a temporary file beside the target, which is renamed over the
// target only when complete. An interrupted run (the signal, an error) removes the temporary file, so the target
// is either the old file or the whole new one, never a part.
import { createWriteStream, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export interface AtomicOptions {
  /** Mode of the new file (e.g. 0o600 for files holding tokens). */
  mode?: number;
  /** Ctrl-C: remove the temporary file at once. */
  signal?: AbortSignal;
}

/** The temporary file for a target: hidden, beside it (same file system, so rename is atomic), one per process. */
export const tempFileFor = (target: string): string => join(dirname(target), `.${basename(target)}.airconn-${process.pid}.tmp`);

/** Writes `data` to `target` atomically (synchronously). */
export function writeFileAtomic(target: string, data: string, o: AtomicOptions = {}): void {
  const tmp = tempFileFor(target);
  try {
    writeFileSync(tmp, data, o.mode !== undefined ? { mode: o.mode } : {});
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export interface AtomicStream {
  /** Resolves when the stream can take more (back-pressure); rejects with the stream's error. */
  write(s: string): Promise<void>;
  /** Finishes the file and renames it over the target. */
  commit(): Promise<void>;
  /** Drops the temporary file; the target is untouched. */
  abort(): Promise<void>;
}

/** A streamed atomic write, for output too large to hold. `wrapError` turns a write error into the error to throw. */
export function openAtomic(target: string, o: AtomicOptions & { wrapError?: (e: NodeJS.ErrnoException) => Error } = {}): AtomicStream {
  const tmp = tempFileFor(target);
  const stream = createWriteStream(tmp, o.mode !== undefined ? { mode: o.mode } : {});
  const failed = new Promise<never>((_, reject) => stream.once("error", (e: NodeJS.ErrnoException) => reject(o.wrapError ? o.wrapError(e) : e)));
  failed.catch(() => {});
  const cleanup = () => rmSync(tmp, { force: true });
  o.signal?.addEventListener("abort", cleanup, { once: true });
  return {
    write: (s) => Promise.race([failed, new Promise<void>((res) => { if (stream.write(s)) res(); else stream.once("drain", () => res()); })]),
    commit: async () => {
      await Promise.race([failed, new Promise<void>((res) => stream.end(() => res()))]);
      renameSync(tmp, target);
      o.signal?.removeEventListener("abort", cleanup);
    },
    abort: async () => {
      stream.destroy();
      cleanup();
      o.signal?.removeEventListener("abort", cleanup);
    },
  };
}
