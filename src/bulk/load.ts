// Reading a user's file (or stdin) and parsing JSON or YAML with errors that name the line.
import { readFile, stat } from "node:fs/promises";
import type { IO } from "../output/io.js";
import { UsageError } from "../errors.js";
import { parseJsonTree, SyntaxProblem } from "../util/pyjson.js";
import { lineCol } from "../files/tree.js";

export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** Reads FILE or `-` (stdin) as UTF-8 text; refuses missing, empty, binary and huge inputs with a clear message. */
export async function readInput(file: string, io: IO, what = "file"): Promise<{ text: string; name: string }> {
  let buf: Buffer;
  const name = file === "-" ? "stdin" : file;
  if (file === "-") {
    if (io.stdinIsTTY) throw new UsageError(`reading the ${what} from standard input, but it is a terminal`, `pipe it in: airconn ... - < ${what}.json`);
    buf = await io.readStdinBytes();
  } else {
    let size: number;
    try {
      const s = await stat(file);
      if (s.isDirectory()) throw new UsageError(`${file} is a directory, not a ${what}`);
      size = s.size;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${code ?? (e as Error).message}`);
    }
    if (size > MAX_INPUT_BYTES) throw new UsageError(`${file} is ${Math.round(size / 1048576)} MiB: larger than the ${MAX_INPUT_BYTES / 1048576} MiB airconn reads`);
    try { buf = await readFile(file); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  }
  if (buf.length > MAX_INPUT_BYTES) throw new UsageError(`${name} is larger than the ${MAX_INPUT_BYTES / 1048576} MiB airconn reads`);
  if (buf.length === 0) throw new UsageError(`${name} is empty`);
  if (buf.includes(0)) throw new UsageError(`${name} is a binary file (it contains NUL bytes), not text`);
  let text = buf.toString("utf8"); // decoded once: a large file is several MB
  if (text.trim() === "") throw new UsageError(`${name} is empty`);
  if (text.includes("\uFFFD") && !Buffer.from(text, "utf8").equals(buf)) throw new UsageError(`${name} is not valid UTF-8 text`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, name };
}


export function parseJsonText(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // V8's messages differ between Node versions and some name no position: the project's own parser says where.
    let where = "", reason = "";
    try { parseJsonTree(text, { duplicateKeys: "last" }); } catch (p) {
      if (p instanceof SyntaxProblem) { where = `line ${p.line} column ${p.col}`; reason = p.message; }
    }
    if (!reason) {
      // Python's json reads NaN and Infinity, JSON.parse does not (V8's message would quote the file: not used).
      const at = pythonOnlyConstant(text);
      if (at) { const { line, col } = lineCol(text, at.pos); where = `line ${line} column ${col}`; }
      reason = at ? `${at.word} is not a JSON value` : "not valid JSON";
    }
    throw new UsageError(`${name}: invalid JSON${where ? ` at ${where}` : ""}: ${reason}`);
  }
}

/** Where NaN, Infinity or -Infinity stands outside a string. */
function pythonOnlyConstant(text: string): { pos: number; word: string } | undefined {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) { if (c === "\\") i++; else if (c === '"') inString = false; continue; }
    if (c === '"') { inString = true; continue; }
    const word = ["NaN", "Infinity", "-Infinity"].find((w) => text.startsWith(w, i));
    if (word) return { pos: i, word };
  }
  return undefined;
}

export async function parseYamlText(text: string, name: string): Promise<unknown> {
  const { parseDocument } = await import("yaml");
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0];
    throw new UsageError(`${name}: invalid YAML${line ? ` at line ${line.line} column ${line.col}` : ""}: ${err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // An alias without its anchor, or too many aliases (a "billion laughs" file): the yaml package throws here.
    throw new UsageError(`${name}: invalid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** JSON when the file says so (extension, or content starting with { or [), YAML otherwise. */
export async function parseStructured(text: string, name: string, format?: "json" | "yaml"): Promise<unknown> {
  const fmt = format ?? (/\.json$/i.test(name) ? "json" : /\.ya?ml$/i.test(name) ? "yaml" : /^\s*[[{]/.test(text) ? "json" : "yaml");
  return fmt === "json" ? parseJsonText(text, name) : parseYamlText(text, name);
}
