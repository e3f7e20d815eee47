import type { Command } from "commander";
import { intArg, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { ORDER_BY_FIELDS } from "../api/types.js";
import { LIST_COLUMNS } from "../output/connections.js";
import { renderPaged } from "../output/render.js";
import { examples, listScope } from "./common.js";

export interface ListOptions { pattern?: string; prefix?: string; orderBy?: string[]; limit?: number; offset?: number }

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runList): void {
  program.command("list").alias("ls")
    .description("list every matching connection (all pages, in the server's order)")
    .option("--pattern <pattern>", "connection id pattern: case-insensitive contains, SQL LIKE wildcards % and _, 'a | b' for either")
    .option("--prefix <prefix>", "ids starting with this (case-sensitive; 'a|b' for either; trailing non-alphanumerics ignored); with --pattern: both")
    .option("--order-by <field>", `sort by a field (repeatable; prefix - for descending): ${ORDER_BY_FIELDS.join(", ")}`, (v: string, prev: string[] = []) => [...prev, v])
    .option("--limit <n>", "return at most n connections", intArg("--limit", 0, Number.MAX_SAFE_INTEGER))
    .option("--offset <n>", "skip the first n connections", intArg("--offset", 0, Number.MAX_SAFE_INTEGER))
    .addHelpText("after", examples([
      "$ airconn list --pattern %customer_%",
      "$ airconn list --prefix 'prod_|stage_'                  # Airflow 3.3 filters on the server; airconn does on 3.2",
      "$ airconn list --order-by conn_type --order-by -host",
      "$ airconn list -o json --limit 10",
      "$ airconn list | cut -f1                            # piped: tab-separated, id first, no header",
    ]))
    .action(async (o: ListOptions, cmd: Command) => run(o, ctx.deps(cmd)));
}

export async function runList(o: ListOptions, d: Deps): Promise<void> {
  for (const f of o.orderBy ?? []) {
    if (!f.replace(/^-/, "")) throw new UsageError(`--order-by needs a field name`);
  }
  if ((o.orderBy?.length ?? 0) > 10) throw new UsageError("--order-by can be given at most 10 times (the server's limit)");
  const out = d.output();
  const api = await d.api();
  const query = { ...(await listScope(d, o)), orderBy: o.orderBy, limit: o.limit, offset: o.offset, concurrency: d.concurrency() };
  await renderPaged(d.io, out, LIST_COLUMNS, () => api.pages(query), () => api.list(query));
}

