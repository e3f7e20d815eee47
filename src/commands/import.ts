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
import { containsRedacted, extraKeys, unsafeRedacted } from "../connection/secrets.js";
import { pyDumps, pyLoads } from "../util/pyjson.js";
import { REDACTED } from "../connection/model.js";
import type { AirflowApi } from "../api/client.js";

export type OnExistence = "fail" | "skip" | "overwrite";
export interface ImportOptions { file: string; format?: FileFormat; onExistence?: OnExistence; dryRun?: boolean; chunkSize?: number }

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runImport): void {
  program.command("import")
    .description("import the files `airflow connections export` writes (json, yaml, env), airflowctl's json and Astro's airflow_settings.yaml")
    .argument("<file>", "the file, or - for standard input (then --format is required)")
    .addOption(new Option("--format <format>", "file format (default: from the extension)").choices(["json", "yaml", "env", "astro"]))
    .addOption(new Option("--on-existence <mode>", "when an id already exists: fail (write nothing, exit 5), skip it, or overwrite it").choices(["fail", "skip", "overwrite"]).default("fail"))
    .option("--dry-run", "print what would be created, updated and skipped; send no write")
    .option("--chunk-size <n>", `connections per bulk request (default ${DEFAULT_CHUNK_SIZE})`, intArg("--chunk-size", 1, 10000))
    .addHelpText("after", examples([
      "$ airconn import connections.json",
      "$ airconn import airflow_settings.yaml --on-existence skip",
      "$ airconn import connections.env --dry-run",
      "$ airconn import - --format yaml --on-existence overwrite -o json < connections.yaml > report.json   # CI",
      "",
      'Secrets: an exported file holds "***" for passwords and sensitive extra values. For ids that exist,',
      "overwrite keeps the stored secret; new ids are created without it and listed in a warning.",
    ]))
    .action(async (file: string, o: Omit<ImportOptions, "file">, cmd: Command) => run({ ...o, file }, ctx.deps(cmd)));
}

export async function runImport(o: ImportOptions, d: Deps): Promise<void> {
  const mode: OnExistence = o.onExistence ?? "fail";
  const [{ detectFormat, parseConnectionsFile }, { readInput }, { executeActions, existingIds, hasRedacted, overwriteBody, strippedWarning, withoutNullTeam, withoutRedacted }] =
    await Promise.all([import("../files/index.js"), import("../bulk/load.js"), import("../bulk/engine.js")]);
  const { text, name } = await readInput(o.file, d.io, "connections file");
  const format = detectFormat(o.file === "-" ? "-" : o.file, o.format, text);
  const parsed = parseConnectionsFile(text, { format, fileName: name, env: d.env });
  for (const w of parsed.warnings) d.warn(w);
  const conns = parsed.connections;
  if (!conns.length) throw new UsageError(`${name}: no connections in the file`);
  // Ids are unique: parseConnectionsFile refuses a file that repeats one.

  const api = await d.api();
  const ids = conns.map((c) => c.body.connection_id);
  const existing = await existingIds(api, ids, d.concurrency());
  const toCreate = conns.filter((c) => !existing.has(c.body.connection_id));
  const toUpdate = mode === "overwrite" ? conns.filter((c) => existing.has(c.body.connection_id)) : [];
  const toSkip = mode === "skip" ? conns.filter((c) => existing.has(c.body.connection_id)) : [];
  if (mode === "fail" && existing.size) {
    const list = [...existing];
    throw new ConflictError(`${list.length} connection${list.length === 1 ? "" : "s"} already exist, nothing was imported: ${list.slice(0, 20).join(", ")}${list.length > 20 ? ", ..." : ""}`,
      "re-run with --on-existence skip (leave them) or --on-existence overwrite (update them)");
  }
  const stripped = toCreate.filter((c) => hasRedacted(c.body)).map((c) => c.body.connection_id);
  if (toUpdate.length && !o.dryRun) await keepStoredWhereNotSecret(d, api, toUpdate);

  if (o.dryRun) {
    const rows = [
      ...toCreate.map((c) => ({ connection_id: c.body.connection_id, action: "create", note: stripped.includes(c.body.connection_id) ? "without the *** secrets" : "" })),
      ...toUpdate.map((c) => ({ connection_id: c.body.connection_id, action: "update", note: hasRedacted(c.body) ? "keeps the stored secrets" : "" })),
      ...toSkip.map((c) => ({ connection_id: c.body.connection_id, action: "skip", note: "exists" })),
    ];
    await render(d.io, d.output(), {
      kind: "rows", rows,
      columns: [{ header: "ID", value: (r) => r.connection_id }, { header: "ACTION", value: (r) => r.action }, { header: "NOTE", value: (r) => r.note }],
    });
    d.io.err(`dry run: would create ${toCreate.length}, update ${toUpdate.length}, skip ${toSkip.length}; nothing was sent\n`);
    return;
  }

  const report = new Report();
  for (const c of toSkip) report.ok(c.body.connection_id, "skipped", "create");
  const actions: Action[] = [];
  if (toUpdate.length) actions.push({ action: "update", entities: toUpdate.map((c) => overwriteBody(c.body)), action_on_non_existence: "fail" });
  if (toCreate.length) actions.push({ action: "create", entities: toCreate.map((c) => withoutNullTeam(withoutRedacted(c.body))), action_on_existence: "fail" });
  await executeActions(api, actions, {
    report, chunkSize: o.chunkSize ?? DEFAULT_CHUNK_SIZE, concurrency: Math.min(d.concurrency(), 8),
    onChunk: d.io.stderrIsTTY ? (n, of) => d.io.err(`\r${n}/${of} requests`) : undefined,
  });
  if (d.io.stderrIsTTY) d.io.err("\r\x1b[K");
  if (stripped.length) {
    d.warn(strippedWarning(stripped));
  }
  await printReport(d, report, { quietTable: report.total > 1000 });
}

/**
 * Overwrite keeps a stored secret when the file holds "***" for it, because the server puts the stored value back,
 * but only under the keys it treats as secret, and the list depends on its version (3.3 added webhook_url, dsn...).
 * Under any other key "***" would be stored as the value (e.g. a 3.3 export imported into 3.2): there the stored
 * value (which such a server shows in clear) is sent instead.
 */
async function keepStoredWhereNotSecret(d: Deps, api: AirflowApi, conns: ParsedConnection[]): Promise<void> {
  const withStars = conns.filter((c) => typeof c.body.extra === "string" && c.body.extra.includes(REDACTED));
  if (!withStars.length) return;
  const words = await sensitiveWordsForKeys(d, withStars.flatMap((c) => extraKeys(c.body.extra, pyLoads)));
  for (const c of withStars) {
    let m;
    try { m = pyLoads(c.body.extra!); } catch { continue; }
    if (!(m instanceof Map)) continue;
    const keys = [...m].filter(([k, v]) => containsRedacted(v) && unsafeRedacted(v, k, `extra.${k}`, words).length > 0).map(([k]) => k);
    if (!keys.length) continue;
    const current = await api.get(c.body.connection_id);
    let stored: unknown;
    try { stored = current.extra ? pyLoads(current.extra) : undefined; } catch { stored = undefined; }
    for (const k of keys) {
      if (stored instanceof Map && stored.has(k)) m.set(k, stored.get(k)!);
      else m.delete(k);
    }
    c.body.extra = pyDumps(m);
    d.warn(`${c.body.connection_id}: ${keys.map((k) => `extra.${k}`).join(", ")} ${keys.length === 1 ? "is" : "are"} "***" in the file, which this server does not treat as a secret (it would store "***"): the stored value is kept`);
  }
}
