// Reading a user's file (or stdin) and parsing JSON or YAML with errors that name the line.
import type { IO } from "../output/io.js";
import { UsageError } from "../errors.js";
import { jsonTooDeepAt, MAX_JSON_DEPTH, toJs } from "../util/pyjson.js";
import {
  lineCol,
  parseJsonTree,
  parseYamlTree,
  SyntaxProblem,
  toPy,
  yamlErrorText,
  yamlFlowTooDeepAt,
  yamlLimits,
  type TNode,
} from "../files/tree.js";
import { inputLimitHint, maxInputBytes, readFileLimited, type ReadLimit } from "../util/read-limited.js";

/**
 * Reads FILE or `-` (stdin) as UTF-8 text; refuses missing, empty, binary and huge inputs with a clear message.
 * The size limit (AIRCONN_MAX_INPUT_BYTES in `env`, default 128 MiB) holds while reading, so a device (/dev/zero), a
 * FIFO or an endless pipe stops at the limit; a NUL byte stops the reading at once (not text).
 */
export async function readInput(
  file: string,
  io: IO,
  what: string,
  env: NodeJS.ProcessEnv,
): Promise<{ text: string; name: string }> {
  let buf: Buffer;
  const name = file === "-" ? "stdin" : file;
  const maxBytes = maxInputBytes(env);
  const limit: ReadLimit = {
    maxBytes,
    what: name,
    hint: inputLimitHint(maxBytes),
    check: (chunk) => {
      if (chunk.includes(0)) throw new UsageError(`${name} is a binary file (it contains NUL bytes), not text`);
    },
  };
  try {
    if (file === "-") {
      if (io.stdinIsTTY)
        throw new UsageError(
          `reading the ${what} from standard input, but it is a terminal`,
          `pipe it in: airconn ... - < ${what}.json`,
        );
      buf = await io.readStdinBytes(limit);
    } else {
      buf = await readFileLimited(file, limit);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e; // too large, binary, a terminal
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EISDIR") throw new UsageError(`${file} is a directory, not a ${what}`);
    throw new UsageError(
      code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${code ?? (e as Error).message}`,
    );
  }
  if (buf.length === 0) throw new UsageError(`${name} is empty`);
  let text = buf.toString("utf8"); // decoded once: a large file is several MB
  if (text.trim() === "") throw new UsageError(`${name} is empty`);
  if (text.includes("\uFFFD") && !Buffer.from(text, "utf8").equals(buf))
    throw new UsageError(`${name} is not valid UTF-8 text`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, name };
}

export function parseJsonText(text: string, name: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Python's json (Airflow's) reads NaN, Infinity and -Infinity, JSON.parse does not: the project's own parser,
    // Python's grammar, reads them (one rule everywhere: README "NaN and Infinity"). For anything else it says where
    // the text is wrong (V8's messages differ between Node versions and some name no position).
    let where = "",
      reason = "";
    try {
      return toJs(toPy(parseJsonTree(text, { duplicateKeys: "last" })));
    } catch (p) {
      if (p instanceof SyntaxProblem) {
        where = `line ${p.line} column ${p.col}`;
        reason = p.message;
      }
    }
    throw new UsageError(`${name}: invalid JSON${where ? ` at ${where}` : ""}: ${reason || "not valid JSON"}`);
  }
  // JSON.parse reads any depth, but everything that walks the document afterwards recurses: refused here, with the
  // place, before a stack overflow can happen.
  const deep = jsonTooDeepAt(text);
  if (deep >= 0) {
    const { line, col } = lineCol(text, deep);
    throw new UsageError(
      `${name}: invalid JSON at line ${line} column ${col}: Nesting too deep (more than ${MAX_JSON_DEPTH} levels)`,
    );
  }
  return doc;
}

export async function parseYamlText(text: string, name: string): Promise<unknown> {
  const deep = yamlFlowTooDeepAt(text);
  if (deep >= 0) {
    const { line, col } = lineCol(text, deep);
    throw new UsageError(
      `${name}: invalid YAML at line ${line} column ${col}: Nesting too deep (more than ${MAX_JSON_DEPTH} levels)`,
    );
  }
  const { LineCounter, parseDocument } = await import("yaml");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0];
    throw new UsageError(
      `${name}: invalid YAML${line ? ` at line ${line.line} column ${line.col}` : ""}: ${yamlErrorText(err.message)}`,
    );
  }
  // Aliases may expand a small file into gigabytes, and nesting may be deeper than any walk of it can recurse:
  // both are measured on the parsed document, before it is turned into values.
  try {
    yamlLimits(doc, text.length, (pos) => lineCounter.linePos(pos));
  } catch (e) {
    if (e instanceof SyntaxProblem)
      throw new UsageError(`${name}: invalid YAML at line ${e.line}${e.col ? ` column ${e.col}` : ""}: ${e.message}`);
    throw e;
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
  return structuredFormat(text, name, format) === "json" ? parseJsonText(text, name) : parseYamlText(text, name);
}

const structuredFormat = (text: string, name: string, format?: "json" | "yaml"): "json" | "yaml" =>
  format ??
  (/\.json$/i.test(name) ? "json" : /\.ya?ml$/i.test(name) ? "yaml" : /^\s*[[{]/.test(text) ? "json" : "yaml");

/**
 * The document parseStructured read, as a tree with line numbers: for messages that point into the file (the
 * problems of a bulk file). undefined when it cannot be read so.
 */
export function structuredTree(text: string, name: string, format?: "json" | "yaml"): TNode | undefined {
  try {
    if (structuredFormat(text, name, format) === "json") return parseJsonTree(text, { duplicateKeys: "last" });
    return parseYamlTree(text, { version: "1.2" }) ?? undefined;
  } catch {
    return undefined;
  }
}
