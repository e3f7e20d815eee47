import type { Command } from "commander";
import { intArg, Option, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { ProblemsError, UsageError } from "../errors.js";
import { Report, printReport } from "../output/report.js";
import { toJson } from "../output/render.js";
import type { Action } from "../bulk/engine.js";
import { DEFAULT_CHUNK_SIZE } from "../bulk/chunk.js";
import type { ConnectionBody } from "../api/types.js";
import { examples } from "./common.js";
import { addStrictOption, checkInputExtras, type ExtrasInput, type StrictOption } from "./extras.js";
import type { MissingSecret } from "../connection/keep.js";

export interface BulkOptions extends StrictOption {
  file: string;
  dryRun?: boolean;
  chunkSize?: number;
  format?: "json" | "yaml";
}

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runBulk): void {
  const cmd = program
    .command("bulk")
    .description(
      "send create/update/delete actions written in the API's BulkBody shape (JSON or YAML); validates first, splits large actions, reports every id",
    )
    .argument("<file>", "the BulkBody file, or - for standard input")
    .option("--dry-run", "validate and print the requests that would be sent, send nothing")
    .option(
      "--chunk-size <n>",
      `entities per request (default ${DEFAULT_CHUNK_SIZE})`,
      intArg("--chunk-size", 1, 10000),
    )
    .addOption(
      new Option("--format <format>", "file format (default: from the extension or the content)").choices([
        "json",
        "yaml",
      ]),
    );
  addStrictOption(cmd)
    .addHelpText(
      "after",
      examples([
        "$ airconn bulk changes.yaml",
        "$ airconn bulk changes.json --dry-run",
        "$ airconn bulk - -o json < changes.json > report.json      # CI: machine-readable report, exit 1 if any id failed",
        "$ airconn bulk changes.yaml --strict      # exit 2, nothing sent, on an extra the provider's form flags",
        "",
        "A bulk file:",
        '  {"actions": [',
        '    {"action": "create", "action_on_existence": "skip", "entities": [{"connection_id": "pg", "conn_type": "postgres", "host": "db"}]},',
        '    {"action": "update", "update_mask": ["host"], "entities": [{"connection_id": "web", "conn_type": "http", "host": "new"}]},',
        '    {"action": "delete", "action_on_non_existence": "skip", "entities": ["old_conn"]}]}',
      ]),
    )
    .action(async (file: string, o: Omit<BulkOptions, "file">, cmd: Command) => run({ ...o, file }, ctx.deps(cmd)));
}

export async function runBulk(o: BulkOptions, d: Deps): Promise<void> {
  const [
    { checkBulkBody, problemLines },
    { parseStructured, readInput, structuredTree },
    { chunk, executeActions, maskedRequests, maskedUpdate, plannedIds },
  ] = await Promise.all([import("../bulk/validate.js"), import("../bulk/load.js"), import("../bulk/engine.js")]);
  const { text, name } = await readInput(o.file, d.io, "bulk file", d.env);
  const doc = await parseStructured(text, name, o.format);
  const { actions, problems } = checkBulkBody(doc);
  if (problems.length) {
    // Every problem with its line (the first 20 shown, then the count), as import reports a connections file.
    const lines = problemLines(problems, name, structuredTree(text, name, o.format));
    if (lines.length === 1) throw new UsageError(`${lines[0]}; nothing was sent`);
    throw new ProblemsError(lines, `${name}: ${lines.length} problems, nothing was sent`);
  }
  const total = actions.reduce((n, a) => n + a.entities.length, 0);
  if (total === 0) throw new UsageError(`${name}: no entities in any action, nothing to do`);
  await checkInputExtras(d, extrasOf(actions, name), { ...o, offline: o.dryRun });
  const chunkSize = o.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const report = new Report();

  // Airflow ignores update_mask in a bulk update (every field of an entity would be written): such actions go as
  // single PATCH requests with the mask, which the server honours. Say so wherever requests are shown.
  const maskedNote = (a: Action, i: number) => {
    const m = maskedUpdate(a);
    return (
      m &&
      `actions[${i}]: Airflow ignores update_mask in bulk updates, so its ${m.entities.length} entit${m.entities.length === 1 ? "y goes" : "ies go"} as single PATCH requests with update_mask=${m.update_mask.join(",")}\n`
    );
  };
  if (o.dryRun) {
    const requests = actions.flatMap((a): Array<{ method: "PATCH"; path: string; body: unknown }> => {
      const m = maskedUpdate(a);
      if (m) return maskedRequests(m);
      return chunk<ConnectionBody | string>(a.entities, chunkSize).map((entities) => ({
        method: "PATCH" as const,
        path: "/api/v2/connections",
        body: { actions: [{ ...a, entities }] },
      }));
    });
    d.io.out(toJson({ requests }));
    actions.forEach((a, i) => {
      const n = maskedNote(a, i);
      if (n) d.io.err(n);
    });
    d.io.err(
      `dry run: ${total} id${total === 1 ? "" : "s"} in ${requests.length} request${requests.length === 1 ? "" : "s"}; nothing was sent\n`,
    );
    return;
  }
  if (d.globals.verbose)
    actions.forEach((a, i) => {
      const n = maskedNote(a, i);
      if (n) d.io.err(`* ${n}`);
    });

  const api = await d.api();
  const planned = await keepRedactedSecrets(d, actions);
  // From here a signal stops sending: the chunks in flight finish, the report lists what was never sent (issue 19).
  const stop = d.stopGracefully();
  // A fatal error (isFatal: a token refused, a wrong URL) stops it too, and is the command's error.
  try {
    await executeActions(api, planned.actions, {
      report,
      chunkSize,
      concurrency: Math.min(d.concurrency(), 8),
      existing: planned.existing,
      stop,
      onChunk: d.io.stderrIsTTY ? (n, of) => d.io.err(`\r${n}/${of} requests`) : undefined,
    });
  } catch (e) {
    report.stoppedBy(e, plannedIds(planned.actions));
  } finally {
    if (d.io.stderrIsTTY) d.io.err("\r\x1b[K");
  }
  if (stop.aborted && !report.interrupted) report.stopped(plannedIds(planned.actions));
  if (planned.missing.length) {
    const { missingSecretsWarning } = await import("../connection/keep.js");
    d.warn(missingSecretsWarning(planned.missing));
  }
  await printReport(d, report);
}

/** The extras a bulk file sends: of create and update entities (an update's only when its mask, if any, names extra). */
function extrasOf(actions: Action[], name: string): ExtrasInput[] {
  return actions.flatMap((a, i) => {
    if (a.action === "delete") return [];
    if (
      a.action === "update" &&
      Array.isArray(a.update_mask) &&
      a.update_mask.length &&
      !a.update_mask.includes("extra")
    )
      return [];
    return a.entities.map((e, j) => ({
      who: `${name}: actions[${i}].entities[${j}] (${e.connection_id})`,
      connType: e.conn_type,
      extra: e.extra,
    }));
  });
}

/**
 * "***" means "keep what the server has", and Airflow merges it back only where the stored connection has a value
 * (connection/keep.ts). So, checked against the connections as the server shows them:
 * - a create entity whose id exists and is overwritten goes as an update (bulk create stores "***" literally, even
 *   with overwrite; the PATCH rules of an update merge it), with "***" only where the server has the value;
 * - a create entity of a new id goes without its "***" (a create stores them literally), and so does one of an
 *   existing id that is not overwritten (it is not written at all);
 * - an update entity keeps "***" only where the server has the value (for a masked update: in the masked fields).
 * Every "***" left out of a connection that is written is listed in `missing`.
 */
async function keepRedactedSecrets(
  d: Deps,
  actions: Action[],
): Promise<{ actions: Action[]; existing?: Set<string>; missing: MissingSecret[] }> {
  const [
    { hasRedacted, overwriteBody, storedConnections, withoutRedacted },
    { keepStoredBody, redactedOfNew },
    { extraKeys },
    { sensitiveWordsForKeys },
  ] = await Promise.all([
    import("../bulk/engine.js"),
    import("../connection/keep.js"),
    import("../connection/secrets.js"),
    import("./common.js"),
  ]);
  const withStars = actions.flatMap((a) => (a.action === "delete" ? [] : a.entities.filter(hasRedacted)));
  if (!withStars.length) return { actions, missing: [] };
  const stored = await storedConnections(
    await d.api(),
    [...new Set(withStars.map((e) => e.connection_id))],
    d.concurrency(),
  );
  const words = await sensitiveWordsForKeys(d, [
    ...withStars.flatMap((e) => extraKeys(e.extra)),
    ...[...stored.values()].flatMap((c) => extraKeys(c.extra)),
  ]);
  const missing: MissingSecret[] = [];
  const note = (id: string, fields: string[]) => {
    for (const field of fields) missing.push({ id, field });
  };
  /** The body for a connection the server holds, "***" only where it has the value. */
  const kept = (e: ConnectionBody, fields?: { password: boolean; extra: boolean }): ConnectionBody => {
    const r = keepStoredBody(e, stored.get(e.connection_id)!, words, fields);
    note(e.connection_id, r.missing);
    for (const p of r.clear)
      d.warn(
        `${e.connection_id}: ${p} is "***" in the file, which this server does not treat as a secret (it would store "***"): the stored value is kept`,
      );
    return r.body;
  };
  const created = new Set(
    actions.flatMap((a) => (a.action === "create" ? a.entities.map((e) => e.connection_id) : [])),
  );
  const overwritten: string[] = [];
  const out: Action[] = [];
  for (const a of actions) {
    if (a.action === "delete" || !a.entities.some(hasRedacted)) {
      out.push(a);
      continue;
    }
    if (a.action === "update") {
      const mask = Array.isArray(a.update_mask) && a.update_mask.length ? new Set(a.update_mask) : undefined;
      const fields = mask && { password: mask.has("password"), extra: mask.has("extra") };
      // An id the server lacks is not written by an update (404, or skipped), unless a create of this file makes it
      // first, without its "***": either way the server has nothing to keep for it.
      out.push({
        ...a,
        entities: a.entities.map((e) => {
          if (!hasRedacted(e)) return e;
          if (stored.has(e.connection_id)) return kept(e, fields);
          if (created.has(e.connection_id)) note(e.connection_id, redactedOfNew(e));
          return withoutRedacted(e);
        }),
      });
      continue;
    }
    const mode = a.action_on_existence ?? "fail";
    const toUpdate =
      mode === "overwrite" ? a.entities.filter((e) => hasRedacted(e) && stored.has(e.connection_id)) : [];
    const rest = a.entities
      .filter((e) => !toUpdate.includes(e))
      .map((e) => {
        if (!hasRedacted(e)) return e;
        if (!stored.has(e.connection_id)) note(e.connection_id, redactedOfNew(e));
        return withoutRedacted(e);
      });
    if (toUpdate.length) {
      out.push({
        action: "update",
        entities: toUpdate.map((e) => overwriteBody(kept(e))),
        action_on_non_existence: "fail",
      });
      overwritten.push(...toUpdate.map((e) => e.connection_id));
    }
    if (rest.length) out.push({ ...a, entities: rest });
  }
  // ids sent as updates are reported as updated; the rest of the create action keeps its own reporting.
  return { actions: out, existing: new Set(overwritten), missing };
}
