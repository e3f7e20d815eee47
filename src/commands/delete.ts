import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { AirconnError, ApiError, CancelledError, UsageError } from "../errors.js";
import { Report, printReport } from "../output/report.js";
import { runPool } from "../util/pool.js";
import { checkPathId, examples } from "./common.js";

export interface DeleteOptions {
  ids: string[];
  yes?: boolean;
  ifExists?: boolean;
}

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runDelete): void {
  program
    .command("delete")
    .alias("rm")
    .description("delete connections; asks first on a terminal, needs --yes without one")
    .argument("<connection-id...>", "the connections to delete")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal)")
    .option("--if-exists", "a connection that does not exist is skipped, not an error (for scripts that run twice)")
    .addHelpText(
      "after",
      examples([
        "$ airconn delete my_postgres                          # asks: Delete connection my_postgres?",
        "$ airconn delete old_a old_b old_c                    # one question, then one line per id",
        "",
        "In CI:",
        "$ airconn delete my_postgres --yes --if-exists",
        "$ airconn list --pattern tmp_ | cut -f1 | xargs airconn delete --yes -o json",
        "",
        "Exit codes: 0 deleted (or absent with --if-exists), 2 no --yes without a terminal, 3 not found (one id),",
        "1 any id failed (several ids), 4 not allowed, 130 answered no.",
      ]),
    )
    .action(async (ids: string[], o: Omit<DeleteOptions, "ids">, c: Command) => run({ ...o, ids }, ctx.deps(c)));
}

export async function runDelete(o: DeleteOptions, d: Deps): Promise<void> {
  const ids = [...new Set(o.ids.map(checkPathId))];
  if (ids.length === 0) throw new UsageError("no connection id given");
  if (!o.yes) {
    if (!d.canPrompt()) {
      throw new UsageError(
        `refusing to delete ${ids.length === 1 ? ids[0] : `${ids.length} connections`} without confirmation: pass --yes`,
        "on a terminal airconn asks first; in scripts add --yes (and --if-exists to accept ids that are already gone)",
      );
    }
    const list = ids.length <= 20 ? ids.join(", ") : `${ids.slice(0, 20).join(", ")} and ${ids.length - 20} more`;
    const ok = await d.prompter().confirm({
      message: `Delete ${ids.length === 1 ? "connection" : `${ids.length} connections:`} ${list}?`,
      default: false,
    });
    if (!ok) throw new CancelledError("nothing deleted (answered no)");
  }
  const api = await d.api();

  if (ids.length === 1) {
    const id = ids[0]!;
    try {
      await api.delete(id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && o.ifExists) {
        d.note(`connection ${id} does not exist; nothing deleted (--if-exists)`);
        return;
      }
      throw e;
    }
    d.note(`Deleted connection ${id}.`);
    return;
  }

  const report = new Report();
  const outcome = new Map<string, () => void>();
  // A signal stops sending: the deletes in flight finish, the report lists the ids never sent (issue 19). So does a
  // fatal error (a token refused, a wrong URL: every id would fail alike; see isFatal): that error, after the report
  // when something was deleted.
  const stop = d.stopGracefully();
  let fatal: { error: unknown } | undefined;
  await runPool(
    ids,
    d.concurrency(),
    async (id) => {
      await api.delete(id);
      outcome.set(id, () => report.ok(id, "deleted"));
    },
    {
      signal: AbortSignal.any([stop, d.signal]),
      failed: (e, id) => {
        if (!(e instanceof AirconnError)) return;
        if (e instanceof ApiError && e.status === 404 && o.ifExists)
          outcome.set(id, () => report.ok(id, "skipped", "delete"));
        else outcome.set(id, () => report.fail(id, "delete", e.message, e instanceof ApiError ? e.status : null));
      },
    },
  ).catch((error: unknown) => {
    fatal = { error };
  });
  if (d.signal.aborted) throw new CancelledError("interrupted");
  for (const id of ids) outcome.get(id)?.(); // report in the order given, whatever order the answers came in
  const planned = ids.map((id) => ({ id, action: "delete" }));
  if (fatal) report.stoppedBy(fatal.error, planned);
  else if (stop.aborted) report.stopped(planned);
  await printReport(d, report);
}
