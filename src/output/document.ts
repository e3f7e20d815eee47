// A document for stdout that is written only once it is complete (issue 11): `list -o json`, `export -`. A command
// that fails part way (the first page, a later page, Ctrl-C) leaves stdout empty instead of a broken document.
// The text is kept in memory; past `spillChars` it moves to a temporary file (mode 0600, removed in every case), so
// a 100,000-connection export to stdout needs no more memory than one to a file.
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { IO } from "./io.js";

export interface DocumentBuffer {
  /** Appends text to the document (nothing is written to stdout yet). */
  add(text: string): void;
  /** Writes the whole document to stdout, then frees it. */
  commit(): Promise<void>;
  /** Drops the document: nothing reaches stdout. Safe to call more than once, and after commit. */
  discard(): void;
}

// Held text is mostly many small concatenated strings (a page's items), which cost several times their length on the
// heap: past 1M characters it goes to the file. Read back in small pieces, so the strings and buffers of the copy to
// stdout die young. Measured (BENCHMARKS.md, "Export to stdout after whole documents"): 100,000 connections to stdout
// peaked at 205 MB (json) and 419 MB (yaml) with 16M characters and 1 MiB reads; 130-136 MB and 133 MB with these,
// against 110-123 MB to a file.
export const SPILL_CHARS = 1024 * 1024;
const READ_BYTES = 64 * 1024;

export function documentBuffer(io: IO, o: { spillChars?: number; dir?: string } = {}): DocumentBuffer {
  const spillChars = o.spillChars ?? SPILL_CHARS;
  let chunks: string[] = [];
  let chars = 0;
  let file: { path: string; fd: number } | undefined;
  let closed = false;

  const removeFile = () => {
    if (!file) return;
    try {
      closeSync(file.fd);
    } catch {
      /* already closed */
    }
    rmSync(file.path, { force: true });
    process.removeListener("exit", removeFile);
    file = undefined;
  };
  const spill = () => {
    // A random name (Web Crypto: no node:crypto import), created with O_EXCL ("wx"): never a planted file or link.
    const random = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(8))).toString("hex");
    const path = join(o.dir ?? tmpdir(), `airconn-${process.pid}-${random}.tmp`);
    file = { path, fd: openSync(path, "wx+", 0o600) };
    process.once("exit", removeFile); // a second Ctrl-C exits at once: the file still goes
    for (const c of chunks) writeSync(file.fd, c);
    chunks = [];
  };

  return {
    add(text) {
      if (closed) throw new Error("document already written or discarded");
      if (file) {
        writeSync(file.fd, text);
        return;
      }
      chunks.push(text);
      chars += text.length;
      if (chars > spillChars) spill();
    },
    async commit() {
      if (closed) throw new Error("document already written or discarded");
      closed = true;
      if (!file) {
        const text = chunks.join("");
        chunks = [];
        io.out(text);
        await io.drain();
        return;
      }
      try {
        const buf = Buffer.allocUnsafe(READ_BYTES);
        const decoder = new StringDecoder("utf8"); // a read may end inside a multi-byte character
        for (let pos = 0; ; ) {
          const n = readSync(file.fd, buf, 0, READ_BYTES, pos);
          if (n === 0) break;
          pos += n;
          io.out(decoder.write(buf.subarray(0, n)));
          await io.drain();
        }
        const rest = decoder.end();
        if (rest) io.out(rest);
        await io.drain();
      } finally {
        removeFile();
      }
    },
    discard() {
      closed = true;
      chunks = [];
      removeFile();
    },
  };
}
