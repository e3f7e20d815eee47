import type { Command } from "commander";
import { intArg, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { ORDER_BY_FIELDS } from "../api/types.js";
import { LIST_COLUMNS } from "../output/connections.js";
import { renderPaged } from "../output/render.js";
import { progressLine } from "../output/progress.js";
import type { ConnectionResponse } from "../api/types.js";
import { examples } from "./common.js";

export interface ListOptions {
  pattern?: string;
  prefix?: string;
  orderBy?: string[];
  limit?: number;
  offset?: number;
}

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runList): void {
  program
    .command("list")
    .alias("ls")
    .description("list every matching connection (all pages, in the server's order)")
    .option(
      "--pattern <pattern>",
      "connection id pattern: case-insensitive contains, SQL LIKE wildcards % and _, 'a | b' for either",
    )
    .option(
      "--prefix <prefix>",
      "ids starting with this (case-sensitive; 'a|b' for either; trailing non-alphanumerics ignored); with --pattern: both",
    )
    .option(
      "--order-by <field>",
      `sort by a field (repeatable; prefix - for descending): ${ORDER_BY_FIELDS.join(", ")}`,
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--limit <n>", "return at most n connections", intArg("--limit", 0, Number.MAX_SAFE_INTEGER))
    .option("--offset <n>", "skip the first n connections", intArg("--offset", 0, Number.MAX_SAFE_INTEGER))
    .addHelpText(
      "after",
      examples([
        "$ airconn list --pattern %customer_%",
        "$ airconn list --prefix 'prod_|stage_'                  # Airflow 3.3 filters on the server; airconn does on 3.2",
        "$ airconn list --order-by conn_type --order-by -host",
        "$ airconn list -o json --limit 10",
        "$ airconn list | cut -f1                            # piped: tab-separated, id first, no header",
      ]),
    )
    .action(async (o: ListOptions, cmd: Command) => run(o, ctx.deps(cmd)));
}

export async function runList(o: ListOptions, d: Deps): Promise<void> {
  for (const f of o.orderBy ?? []) {
    if (!f.replace(/^-/, "")) throw new UsageError(`--order-by needs a field name`);
  }
  if ((o.orderBy?.length ?? 0) > 10)
    throw new UsageError("--order-by can be given at most 10 times (the server's limit)");
  const out = d.output();
  const api = await d.api();
  // At a terminal, a list slower than a second says how far it is on stderr (not when plain rows go to the same
  // terminal: they show it themselves), erased before the table or document is written.
  const progress = progressLine(d.io, {
    enabled: d.io.stderrIsTTY && !d.globals.verbose && !(out.format === "plain" && d.io.stdoutIsTTY),
    text: "fetching connections…",
  });
  let total: number | undefined;
  let got = 0;
  const query = {
    pattern: o.pattern,
    prefix: o.prefix,
    orderBy: o.orderBy,
    limit: o.limit,
    offset: o.offset,
    concurrency: d.concurrency(),
    onTotal: (n: number) => {
      total = n;
    },
  };
  async function* pages(): AsyncGenerator<ConnectionResponse[]> {
    try {
      for await (const page of api.pages(query)) {
        got += page.length;
        progress.update(`fetching connections… ${got}${total === undefined ? "" : `/${total}`}`);
        yield page;
      }
    } finally {
      progress.done();
    }
  }
  const all = async () => {
    const rows: ConnectionResponse[] = [];
    for await (const p of pages()) rows.push(...p);
    return rows;
  };
  try {
    await renderPaged(d.io, out, LIST_COLUMNS, pages, all, { emptyTable: () => d.note(nothingMatches(o, d)) });
  } finally {
    progress.done();
  }
}

/** What an empty table says on stderr: which flags matched nothing, or that the server has no connections. */
function nothingMatches(o: ListOptions, d: Deps): string {
  const scope = [
    o.pattern !== undefined && `--pattern ${o.pattern}`,
    o.prefix !== undefined && `--prefix ${o.prefix}`,
  ].filter(Boolean);
  const at = o.offset ? ` at --offset ${o.offset}` : "";
  return scope.length
    ? `no connections match ${scope.join(" and ")}${at}`
    : `no connections${at || ` at ${d.settings().apiUrl.value}`}`;
}
