import type { Command } from "commander";
import { intArg, Option, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { ConflictError, UsageError } from "../errors.js";
import type { FileFormat, ParsedConnection } from "../files/index.js";
import type { Action } from "../bulk/engine.js";
import { DEFAULT_CHUNK_SIZE } from "../bulk/chunk.js";
import { Report, printReport } from "../output/report.js";
import { render } from "../output/render.js";
import { examples, sensitiveWordsForKeys } from "./common.js";
import { addStrictOption, checkInputExtras, type StrictOption } from "./extras.js";
import { extraKeys } from "../connection/secrets.js";
import { keepStoredBody, missingSecretsWarning, redactedOfNew, type MissingSecret } from "../connection/keep.js";
import { pyLoads } from "../util/pyjson.js";
import type { ConnectionResponse } from "../api/types.js";

export type OnExistence = "fail" | "skip" | "overwrite";
export interface ImportOptions extends StrictOption {
  file: string;
  format?: FileFormat;
  onExistence?: OnExistence;
  dryRun?: boolean;
  chunkSize?: number;
}

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runImport): void {
  const cmd = program
    .command("import")
    .description(
      "import the files `airflow connections export` writes (json, yaml, env), airflowctl's json and Astro's airflow_settings.yaml",
    )
    .argument("<file>", "the file, or - for standard input (then --format is required)")
    .addOption(
      new Option("--format <format>", "file format (default: from the extension)").choices([
        "json",
        "yaml",
        "env",
        "astro",
      ]),
    )
    .addOption(
      new Option(
        "--on-existence <mode>",
        "when an id already exists: fail (write nothing, exit 5), skip it, or overwrite it",
      )
        .choices(["fail", "skip", "overwrite"])
        .default("fail"),
    )
    .option("--dry-run", "print what would be created, updated and skipped; send no write")
    .option(
      "--chunk-size <n>",
      `connections per bulk request (default ${DEFAULT_CHUNK_SIZE})`,
      intArg("--chunk-size", 1, 10000),
    );
  addStrictOption(cmd)
    .addHelpText(
      "after",
      examples([
        "$ airconn import connections.json",
        "$ airconn import airflow_settings.yaml --on-existence skip",
        "$ airconn import connections.env --dry-run",
        "$ airconn import - --format yaml --on-existence overwrite -o json < connections.yaml > report.json   # CI",
        "$ airconn import connections.json --strict   # exit 2, nothing sent, on an extra the provider's form flags",
        "",
        'Secrets: an exported file holds "***" for passwords and sensitive extra values. For ids that exist,',
        "overwrite keeps the stored secret; new ids are created without it and listed in a warning.",
      ]),
    )
    .action(async (file: string, o: Omit<ImportOptions, "file">, cmd: Command) => run({ ...o, file }, ctx.deps(cmd)));
}

export async function runImport(o: ImportOptions, d: Deps): Promise<void> {
  const mode: OnExistence = o.onExistence ?? "fail";
  const [
    { detectFormat, parseConnectionsFile },
    { readInput },
    { executeActions, overwriteBody, plannedIds, storedConnections, withoutNullTeam, withoutRedacted },
  ] = await Promise.all([import("../files/index.js"), import("../bulk/load.js"), import("../bulk/engine.js")]);
  const { text, name } = await readInput(o.file, d.io, "connections file", d.env);
  const format = detectFormat(o.file === "-" ? "-" : o.file, o.format, text);
  const parsed = parseConnectionsFile(text, { format, fileName: name, env: d.env });
  for (const w of parsed.warnings) d.warn(w);
  const conns = parsed.connections;
  if (!conns.length) throw new UsageError(`${name}: no connections in the file`);
  // Ids are unique: parseConnectionsFile refuses a file that repeats one.
  await checkInputExtras(
    d,
    conns.map((c) => ({ who: c.where, connType: c.body.conn_type, extra: c.body.extra })),
    o,
  );

  const api = await d.api();
  const ids = conns.map((c) => c.body.connection_id);
  const stored = await storedConnections(api, ids, d.concurrency());
  const existing = new Set(stored.keys());
  const toCreate = conns.filter((c) => !existing.has(c.body.connection_id));
  const toUpdate = mode === "overwrite" ? conns.filter((c) => existing.has(c.body.connection_id)) : [];
  const toSkip = mode === "skip" ? conns.filter((c) => existing.has(c.body.connection_id)) : [];
  if (mode === "fail" && existing.size) {
    const list = [...existing];
    throw new ConflictError(
      `${list.length} connection${list.length === 1 ? "" : "s"} already exist, nothing was imported: ${list.slice(0, 20).join(", ")}${list.length > 20 ? ", ..." : ""}`,
      "re-run with --on-existence skip (leave them) or --on-existence overwrite (update them)",
    );
  }
  // "***" means "keep what the server has": sent only where the stored connection has a value (connection/keep.ts).
  const missing = new Map<string, string[]>();
  for (const c of toCreate) {
    const m = redactedOfNew(c.body);
    if (m.length) missing.set(c.body.connection_id, m);
  }
  if (toUpdate.length) await keepStoredSecrets(d, toUpdate, stored, missing);
  const missingList: MissingSecret[] = [...missing].flatMap(([id, fields]) => fields.map((field) => ({ id, field })));

  if (o.dryRun) {
    const note = (c: ParsedConnection, kept: string) => {
      const m = missing.get(c.body.connection_id);
      if (m) return `secret missing on the server, left out: ${m.join(", ")}`;
      return hasRedacted(c.body) ? kept : "";
    };
    const rows = [
      ...toCreate.map((c) => ({ connection_id: c.body.connection_id, action: "create", note: note(c, "") })),
      ...toUpdate.map((c) => ({
        connection_id: c.body.connection_id,
        action: "update",
        note: note(c, "keeps the stored secrets"),
      })),
      ...toSkip.map((c) => ({ connection_id: c.body.connection_id, action: "skip", note: "exists" })),
    ];
    await render(d.io, d.output(), {
      kind: "rows",
      rows,
      columns: [
        { header: "ID", value: (r) => r.connection_id },
        { header: "ACTION", value: (r) => r.action },
        { header: "NOTE", value: (r) => r.note },
      ],
    });
    d.io.err(
      `dry run: would create ${toCreate.length}, update ${toUpdate.length}, skip ${toSkip.length}; nothing was sent\n`,
    );
    return;
  }

  const report = new Report();
  for (const c of toSkip) report.ok(c.body.connection_id, "skipped", "create");
  const actions: Action[] = [];
  if (toUpdate.length)
    actions.push({
      action: "update",
      entities: toUpdate.map((c) => overwriteBody(c.body)),
      action_on_non_existence: "fail",
    });
  if (toCreate.length)
    actions.push({
      action: "create",
      entities: toCreate.map((c) => withoutNullTeam(withoutRedacted(c.body))),
      action_on_existence: "fail",
    });
  // From here a signal stops sending: the chunks in flight finish, the report lists what was never sent (issue 19).
  const stop = d.stopGracefully();
  // A fatal error (isFatal: a token refused, a wrong URL) stops it too, and is the command's error.
  try {
    await executeActions(api, actions, {
      report,
      chunkSize: o.chunkSize ?? DEFAULT_CHUNK_SIZE,
      concurrency: Math.min(d.concurrency(), 8),
      stop,
      onChunk: d.io.stderrIsTTY ? (n, of) => d.io.err(`\r${n}/${of} requests`) : undefined,
    });
  } catch (e) {
    report.stoppedBy(e, plannedIds(actions));
  } finally {
    if (d.io.stderrIsTTY) d.io.err("\r\x1b[K");
  }
  if (stop.aborted && !report.interrupted) report.stopped(plannedIds(actions));
  if (missingList.length) d.warn(missingSecretsWarning(missingList));
  await printReport(d, report, { quietTable: report.total > 1000 });
}

/** True when the password or any extra value is "***". */
const hasRedacted = (b: ParsedConnection["body"]): boolean => redactedOfNew(b).length > 0;

/**
 * Overwrite of existing ids goes as an update, whose PATCH rules merge "***" with the stored value, but only where
 * the stored connection has one: each "***" is checked against the connection as the server shows it. Where the
 * server has no value the "***" is left out (listed in `missing`); where it shows the value in clear (a key its
 * version does not hide, e.g. a 3.3 export imported into 3.2) that value is sent, so the stored one is kept.
 */
async function keepStoredSecrets(
  d: Deps,
  conns: ParsedConnection[],
  stored: Map<string, ConnectionResponse>,
  missing: Map<string, string[]>,
): Promise<void> {
  const withStars = conns.filter((c) => hasRedacted(c.body));
  if (!withStars.length) return;
  const words = await sensitiveWordsForKeys(
    d,
    withStars.flatMap((c) => extraKeys(c.body.extra, pyLoads)),
  );
  for (const c of withStars) {
    const id = c.body.connection_id;
    const have = stored.get(id);
    if (!have) continue;
    const r = keepStoredBody(c.body, have, words);
    c.body = r.body;
    if (r.missing.length) missing.set(id, r.missing);
    if (r.clear.length) {
      d.warn(
        `${id}: ${r.clear.join(", ")} ${r.clear.length === 1 ? "is" : "are"} "***" in the file, which this server does not treat as a secret (it would store "***"): the stored value is kept`,
      );
    }
  }
}
