// Reading an input whose size nobody promised: a file, a device (/dev/zero), a FIFO, stdin. The limit is enforced
// while reading, chunk by chunk, so an endless input stops at the limit instead of growing until memory runs out
// (a file's size says nothing for a device or a pipe: 0). Every reader of user input goes through here.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UsageError } from "../errors.js";

/** The most bytes a file or stdin may have, unless AIRCONN_MAX_INPUT_BYTES says otherwise. */
export const DEFAULT_MAX_INPUT_BYTES = 128 * 1024 * 1024;
/**
 * The most AIRCONN_MAX_INPUT_BYTES may allow: the text is decoded into one string, and V8's strings end at
 * 2^29 - 24 characters (~512 MiB).
 */
export const MAX_INPUT_BYTES_CAP = 512 * 1024 * 1024;
/** A secret read from stdin (--password-stdin, --token-stdin): nobody's password is a megabyte. */
export const MAX_SECRET_BYTES = 1024 * 1024;
export const INPUT_LIMIT_ENV = "AIRCONN_MAX_INPUT_BYTES";

export interface ReadLimit {
  /** The most bytes to read: one byte more is an error, and reading stops there. */
  maxBytes: number;
  /** Names the input in the error: "standard input", "connections.json", "--password-stdin". */
  what?: string;
  /** The error's hint (how to raise the limit). */
  hint?: string;
  /** Sees each chunk as it arrives and may throw (e.g. refuse a binary input at its first NUL byte). */
  check?: (chunk: Buffer) => void;
}

/** "128 MiB", "1 MiB", "1000 bytes": a limit as a person reads it. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** A size rounded to whole MiB, KiB or bytes: "600 MiB", "2 KiB". */
const roughBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;

/** The input limit from AIRCONN_MAX_INPUT_BYTES (bytes, or with K/M/G = KiB/MiB/GiB), else the default. */
export function maxInputBytes(env: NodeJS.ProcessEnv): number {
  const raw = env[INPUT_LIMIT_ENV]?.trim();
  if (raw === undefined || raw === "") return DEFAULT_MAX_INPUT_BYTES;
  const m = /^(\d+)\s*(?:([kmg])i?b?|b)?$/i.exec(raw);
  const n = m ? Number(m[1]) * 1024 ** (m[2] ? "kmg".indexOf(m[2].toLowerCase()) + 1 : 0) : NaN;
  if (!(n >= 1 && n <= MAX_INPUT_BYTES_CAP)) {
    throw new UsageError(
      `${INPUT_LIMIT_ENV} takes a size between 1 byte and ${formatBytes(MAX_INPUT_BYTES_CAP)} (e.g. 1048576, 64M or 256MiB), got "${raw}"`,
    );
  }
  return n;
}

/** The hint of a limit error: how to change the limit that was hit. */
export function inputLimitHint(maxBytes: number): string {
  return maxBytes < MAX_INPUT_BYTES_CAP
    ? `set ${INPUT_LIMIT_ENV} to read more (now ${maxBytes} bytes; at most ${formatBytes(MAX_INPUT_BYTES_CAP)})`
    : `${formatBytes(MAX_INPUT_BYTES_CAP)} is the most airconn reads`;
}

/**
 * Refused because it is larger than the limit: "stdin is larger than the 128 MiB airconn reads". The message names the
 * input and the limit (and the size of a regular file, known before reading), never anything of its content.
 */
export class InputTooLargeError extends UsageError {
  constructor(
    readonly what: string,
    readonly maxBytes: number,
    hint?: string,
    readonly size?: number,
  ) {
    super(
      `${what} ${size === undefined ? "is" : `is ${roughBytes(size)}:`} larger than the ${formatBytes(maxBytes)} airconn reads`,
      hint,
    );
  }
}

/**
 * The limit for a secret read from stdin (--password-stdin, --token-stdin): 1 MiB; `given` names the flag or
 * overrides the rest.
 */
export function secretStdinLimit(given: Partial<ReadLimit> = {}): ReadLimit {
  return {
    maxBytes: MAX_SECRET_BYTES,
    what: "standard input",
    hint: `a password or token read from standard input is at most ${formatBytes(MAX_SECRET_BYTES)}: check what is piped in`,
    ...given,
  };
}

/**
 * Reads a stream to its end as one Buffer, refusing it (InputTooLargeError) as soon as it passes `maxBytes`.
 * A stream that is stopped early is destroyed (a pipe's writer gets EPIPE; a device is closed).
 */
export async function readStreamLimited(
  stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  limit: ReadLimit,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  // `for await` returns (destroys) the stream when the loop is left by a throw.
  for await (const c of stream) {
    const chunk = typeof c === "string" ? Buffer.from(c) : c;
    total += chunk.length;
    if (total > limit.maxBytes) {
      chunks.length = 0;
      throw new InputTooLargeError(limit.what ?? "the input", limit.maxBytes, limit.hint);
    }
    limit.check?.(chunk);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/**
 * Reads a file, device or FIFO as one Buffer under the limit. A regular file larger than the limit is refused before
 * reading; anything else (a device's or a pipe's size is 0) is refused once the limit is passed.
 * Errors from the file system are thrown as they come (the caller words them).
 */
export async function readFileLimited(path: string, limit: ReadLimit): Promise<Buffer> {
  const { open } = await import("node:fs/promises");
  const fh = await open(path, "r");
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
    if (st.isFile() && st.size > limit.maxBytes)
      throw new InputTooLargeError(limit.what ?? path, limit.maxBytes, limit.hint, st.size);
    // 1 MiB chunks: a large file in few reads; never more than the limit is held.
    const stream = fh.createReadStream({ highWaterMark: Math.min(1024 * 1024, limit.maxBytes + 1), autoClose: false });
    try {
      return await readStreamLimited(stream, limit);
    } finally {
      stream.destroy();
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * readFileLimited for the few readers that must stay synchronous (the CA file, read while the HTTP client is set up).
 * The same rules: a regular file over the limit is refused from its size, anything else once it passes the limit.
 */
export function readFileLimitedSync(path: string, limit: ReadLimit): Buffer {
  const fd = openSync(path, "r");
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
    if (st.isFile() && st.size > limit.maxBytes)
      throw new InputTooLargeError(limit.what ?? path, limit.maxBytes, limit.hint, st.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit.maxBytes + 1));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > limit.maxBytes) throw new InputTooLargeError(limit.what ?? path, limit.maxBytes, limit.hint);
      const got = chunk.subarray(0, n);
      limit.check?.(got);
      chunks.push(got);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
