import type { Command } from "commander";
import { Option, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import type { ExportFormat } from "../files/index.js";
import { examples } from "./common.js";
import { openOutput, outputTarget } from "../util/atomic.js";

export interface ExportOptions {
  file?: string;
  format?: ExportFormat | "airconn";
  serializationFormat?: "uri" | "json";
  pattern?: string;
  prefix?: string;
}

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runExport): void {
  program
    .command("export")
    .description(
      "write connections in the formats `airflow connections export` writes (json, yaml, env), or as airconn YAML for apply (--format airconn)",
    )
    .argument(
      "[file]",
      "output file (format from its extension: .json, .yaml, .env), or - for standard output (default)",
    )
    .addOption(
      new Option(
        "--format <format>",
        "file format (default: from the extension, else json); airconn: the YAML diff/apply read, secrets as ${VAR}",
      ).choices(["json", "yaml", "env", "airconn"]),
    )
    .addOption(
      new Option("--serialization-format <format>", "env files: a URI (default) or JSON per connection").choices([
        "uri",
        "json",
      ]),
    )
    .option("--pattern <pattern>", "only connection ids matching this pattern (as in list)")
    .option("--prefix <prefix>", "only connection ids starting with this (as in list; with --pattern: both)")
    .addHelpText(
      "after",
      examples([
        "$ airconn export connections.json",
        "$ airconn export connections.yaml --pattern %customer_%",
        "$ airconn export team_a.json --prefix team_a_",
        "$ airconn export - --format env > connections.env",
        "$ airconn -p prod export - | airconn -p staging import - --format json --on-existence skip   # copy prod to staging",
        "$ airconn -p prod export --format airconn prod.yaml     # as code: secrets become ${AIRCONN_<ID>_PASSWORD}...",
        "$ AIRCONN_MY_PG_PASSWORD=... airconn -p staging apply prod.yaml   # recreate them elsewhere",
      ]),
    )
    .action(async (file: string | undefined, o: Omit<ExportOptions, "file">, cmd: Command) =>
      run({ ...o, file }, ctx.deps(cmd)),
    );
}

export async function runExport(o: ExportOptions, d: Deps): Promise<void> {
  const { exportFormatFromFileName, exportWriter } = await import("../files/index.js");
  const toStdout = isStdout(o.file);
  let format: ExportFormat | "airconn" = o.format ?? "json";
  if (!o.format && !toStdout) {
    const f = exportFormatFromFileName(o.file!);
    if (!f)
      throw new UsageError(
        `cannot tell the format of ${o.file} from its extension`,
        "use .json, .yaml or .env, or pass --format",
      );
    format = f;
  }
  if (o.serializationFormat && format !== "env")
    throw new UsageError("--serialization-format applies to env files only");
  if (o.format === "airconn") return exportAirconn(o, d);
  const writer = exportWriter(format as ExportFormat, { serialization: o.serializationFormat ?? "uri" });
  // The target is checked and opened before any request: a folder or a missing folder is refused at once.
  const sink = await openSink(o.file, d);
  let count = 0;
  try {
    const api = await d.api();
    await sink.write(writer.begin());
    for await (const page of api.pages({
      pattern: o.pattern,
      prefix: o.prefix,
      orderBy: ["connection_id"],
      concurrency: d.concurrency(),
    })) {
      let chunk = "";
      for (const c of page) {
        chunk += writer.item(c);
        count++;
      }
      await sink.write(chunk);
    }
    await sink.write(writer.end());
    await sink.done();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  d.warn(
    "the Airflow API returns passwords and sensitive extra values redacted: the export holds *** in their place (import keeps the stored secrets for them)",
  );
  d.note(`exported ${count} connection${count === 1 ? "" : "s"}${toStdout ? "" : ` to ${o.file}`}`);
}

interface Sink {
  write(s: string): Promise<void>;
  done(): Promise<void>;
  abort(): Promise<void>;
}
const isStdout = (file: string | undefined) => file === undefined || file === "-";

/**
 * Standard output, or the file (src/util/atomic.ts): a regular file or a new path through a temporary file beside it
 * renamed at the end (an interrupted export leaves no partial file), a device or FIFO written in place, a symbolic
 * link followed to its file; a folder or a missing folder refused (exit 2).
 */
async function openSink(file: string | undefined, d: Deps): Promise<Sink> {
  // /dev/stdout (a link to this process's own stdout, which may be a socket that cannot be opened again) is `-`.
  const target = isStdout(file) ? undefined : outputTarget(file!);
  if (!target || target.ownFd === 1) {
    // Like a file: the export reaches stdout whole or not at all (a failed page leaves stdout empty).
    const { documentBuffer } = await import("../output/document.js");
    const doc = documentBuffer(d.io);
    return { write: async (s) => doc.add(s), done: () => doc.commit(), abort: async () => doc.discard() };
  }
  const f = await openOutput(target, { mode: 0o600, signal: d.signal });
  return { write: f.write, done: f.commit, abort: f.abort };
}

/** `--format airconn`: every connection in memory (the header lists the variables), then one write. */
async function exportAirconn(o: ExportOptions, d: Deps): Promise<void> {
  const { formatAirconn } = await import("../files/airconn-write.js");
  const sink = await openSink(o.file, d);
  let conns, out;
  try {
    const api = await d.api();
    conns = await api.list({
      pattern: o.pattern,
      prefix: o.prefix,
      orderBy: ["connection_id"],
      concurrency: d.concurrency(),
    });
    out = formatAirconn(conns, { source: api.baseUrl });
    await sink.write(out.text);
    await sink.done();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  for (const w of out.warnings) d.warn(w);
  const n = out.variables.length;
  d.note(
    `exported ${conns.length} connection${conns.length === 1 ? "" : "s"}${isStdout(o.file) ? "" : ` to ${o.file}`}` +
      (n
        ? `; set the ${n} environment variable${n === 1 ? "" : "s"} listed at its top to the real secrets before apply`
        : "; no secrets to set"),
  );
}
