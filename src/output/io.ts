// The process's streams and terminal facts, decided once. Commands receive an IO and never touch process.*.
import { escapeStderr } from "./sanitize.js";
import { CancelledError, EXIT } from "../errors.js";
import { errnoText } from "../util/errno.js";
import { readStreamLimited, secretStdinLimit, type ReadLimit } from "../util/read-limited.js";

export interface IO {
  out(s: string): void;
  err(s: string): void;
  /** Resolves once everything written to stdout has been flushed (or stdout closed). */
  drain(): Promise<void>;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** The terminal's width when stdout is a terminal (tables fit it); undefined when piped or unknown. */
  readonly columns?: number;
  /**
   * Reads all of standard input as UTF-8 text: a secret (--password-stdin, --token-stdin), so at most 1 MiB unless
   * `limit` says otherwise; the limit holds while reading.
   */
  readStdin(limit?: Partial<ReadLimit>): Promise<string>;
  /** Reads all of standard input as bytes; past `limit.maxBytes` it stops reading and throws InputTooLargeError. */
  readStdinBytes(limit: ReadLimit): Promise<Buffer>;
  /** The input/output streams prompts should use (prompts draw on stderr). */
  promptStreams(): { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
}

/** The reason a run stops when nobody reads stdout any more (`airconn list | head -1`): not a failure. */
export class StdoutClosed extends Error {
  constructor() {
    super("standard output was closed");
    this.name = "StdoutClosed";
  }
}

export interface SystemIOOptions {
  /**
   * Called once, when the reader of stdout has gone away (EPIPE): nothing printed from then on can be read, so the
   * CLI aborts the requests in flight and sends no more.
   */
  onStdoutClosed?: () => void;
}

export function systemIO(o: SystemIOOptions = {}): IO {
  // Read under a limit that holds while reading: an endless pipe or /dev/zero stops there (read-limited.ts).
  const stdinBytes = (limit: ReadLimit): Promise<Buffer> => readStreamLimited(process.stdin, limit);
  let broken = false;
  let stdinTTY: boolean | undefined;
  const closed = () => {
    if (broken) return;
    broken = true;
    o.onStdoutClosed?.();
  };
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") {
      closed();
      return;
    } // reader went away (`| head`): stop quietly
    // Any other write error (ENOSPC on `> /dev/full` or a full disk, EIO): nothing more can reach stdout. One line,
    // exit 1 at once, as a second Ctrl-C does ('exit' listeners remove temporary files); never a stack trace.
    broken = true;
    process.stderr.write(`airconn: cannot write to standard output: ${errnoText(e)}\n`);
    process.exit(EXIT.FAILURE);
  });
  return {
    out: (s) => {
      if (broken) return;
      process.stdout.write(s);
      // A write to a pipe is synchronous (Linux, macOS): its EPIPE is known now, the "error" event comes a tick later.
      // Known now, the caller stops before it asks the server for anything more.
      if ((process.stdout.errored as NodeJS.ErrnoException | null)?.code === "EPIPE") closed();
    },
    // Messages for people: control characters in them (a server's detail, an id) are shown as escapes (issue 18).
    err: (s) => void process.stderr.write(escapeStderr(s)),
    drain: () =>
      new Promise((resolve) => {
        if (broken) return resolve();
        // A write that failed at once (a file or device: synchronous) has its 'error' still to come: wait for it.
        if (process.stdout.errored) return void process.stdout.once("error", () => resolve());
        if (!process.stdout.writableNeedDrain) return resolve();
        process.stdout.once("drain", () => resolve());
        process.stdout.once("error", () => resolve());
      }),
    stdoutIsTTY: process.stdout.isTTY === true,
    // Asked only when a command may prompt: touching process.stdin builds its stream (fs or net and their modules).
    get stdinIsTTY() {
      return (stdinTTY ??= process.stdin.isTTY === true);
    },
    stderrIsTTY: process.stderr.isTTY === true,
    get columns() {
      return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined;
    },
    readStdin: async (limit) => (await stdinBytes(secretStdinLimit(limit))).toString("utf8"),
    readStdinBytes: stdinBytes,
    promptStreams: () => ({ input: process.stdin, output: process.stderr }),
  };
}

/** An IO over string buffers, for tests. Every TTY flag is false unless given. */
export interface TestIO extends IO {
  stdout(): string;
  stderr(): string;
}
export function testIO(
  o: { stdoutTTY?: boolean; stdinTTY?: boolean; stderrTTY?: boolean; stdin?: string; columns?: number } = {},
): TestIO {
  let out = "",
    err = "";
  return {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += escapeStderr(s);
    },
    drain: async () => {},
    stdoutIsTTY: o.stdoutTTY ?? false,
    stdinIsTTY: o.stdinTTY ?? false,
    stderrIsTTY: o.stderrTTY ?? false,
    columns: o.columns,
    readStdin: async (limit) =>
      (await readStreamLimited([Buffer.from(o.stdin ?? "")], secretStdinLimit(limit))).toString("utf8"),
    readStdinBytes: (limit) => readStreamLimited([Buffer.from(o.stdin ?? "")], limit),
    promptStreams: () => {
      throw new CancelledError("no terminal in tests");
    },
    stdout: () => out,
    stderr: () => err,
  };
}
