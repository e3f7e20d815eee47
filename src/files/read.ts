// Readers for connection files: Airflow's json / yaml / env (as `airflow connections import` and the
// LocalFilesystemBackend read them), airflowctl's json, Astro's airflow_settings.yaml and airconn's own
// YAML for `apply`. Everything becomes ConnectionBody objects plus where they came from. One module per format
// (read-json.ts, read-yaml.ts, read-env.ts, read-astro.ts, read-airconn.ts) on a shared core (read-core.ts).

import { UsageError } from "../errors.js";
import {
  FILE_FORMATS,
  Reader,
  stripBom,
  type FileFormat,
  type ParsedConnection,
  type ParseOptions,
  type ParseResult,
} from "./read-core.js";
import { readAirconn } from "./read-airconn.js";
import { isAstroShape, readAstro } from "./read-astro.js";
import { readEnv } from "./read-env.js";
import { readJson } from "./read-json.js";
import { readYaml } from "./read-yaml.js";
import { parseYamlTree } from "./tree.js";

export {
  FILE_FORMATS,
  presentFields,
  type BodyField,
  type FileFormat,
  type ParsedConnection,
  type ParseOptions,
  type ParseResult,
} from "./read-core.js";

const READERS: Record<FileFormat, (r: Reader, text: string) => ParsedConnection[]> = {
  json: readJson,
  yaml: readYaml,
  env: readEnv,
  astro: readAstro,
  airconn: readAirconn,
};

/** The file format from the explicit --format value, else the extension (and, for YAML, the content). */
export function detectFormat(fileName: string, explicit?: string, text?: string): FileFormat {
  if (explicit !== undefined && explicit !== "") {
    const f = explicit.toLowerCase() === "yml" ? "yaml" : explicit.toLowerCase();
    if (!(FILE_FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(`unknown format "${explicit}"; use one of: json, yaml, env, astro`);
    }
    return f as FileFormat;
  }
  if (fileName === "-" || fileName === "") {
    throw new UsageError("reading from stdin needs --format (json, yaml, env or astro)");
  }
  const m = /\.([^./\\]+)$/.exec(fileName);
  const ext = m ? m[1]!.toLowerCase() : "";
  if (ext === "json") return "json";
  if (ext === "env") return "env";
  if (ext === "yaml" || ext === "yml") {
    if (/(^|[/\\])airflow_settings\.ya?ml$/i.test(fileName)) return "astro";
    if (text !== undefined && looksLikeAstro(text)) return "astro";
    return "yaml";
  }
  throw new UsageError(
    `${fileName}: unsupported file format. The file must have one of the following extensions: .env .json .yaml .yml`,
    "or give --format",
  );
}

/** A YAML document whose top level has an `airflow:` mapping with connections/pools/variables. */
function looksLikeAstro(text: string): boolean {
  try {
    const t = parseYamlTree(stripBom(text), { version: "1.1" });
    return t !== null && isAstroShape(t);
  } catch {
    return false;
  }
}

/** Parses a connections file. Throws UsageError (only) on bad input. */
export function parseConnectionsFile(text: string, opts: ParseOptions): ParseResult {
  const r = new Reader(opts);
  try {
    return r.run(text, (t) => READERS[opts.format](r, t));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // A bug, not bad input — but the contract is UsageError for anything coming from a file.
    throw new UsageError(`${r.file}: cannot read the file: ${(e as Error)?.message ?? String(e)}`);
  }
}
