import type { Command } from "commander";
import { intArg, type CommandContext } from "../cli.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { ORDER_BY_FIELDS, type ConnectionResponse } from "../api/types.js";
import { LIST_COLUMNS, renderConnections } from "../output/connections.js";
import { plainRows } from "../output/render.js";
import { examples } from "./common.js";

export interface ListOptions { pattern?: string; orderBy?: string[]; limit?: number; offset?: number }

export function register(program: Command, ctx: CommandContext): void {
  program.command("list").alias("ls")
    .description("list every matching connection (all pages, in the server's order)")
    .option("--pattern <pattern>", "connection id pattern: case-insensitive contains, SQL LIKE wildcards % and _, 'a | b' for either")
    .option("--order-by <field>", `sort by a field (repeatable; prefix - for descending): ${ORDER_BY_FIELDS.join(", ")}`, (v: string, prev: string[] = []) => [...prev, v])
    .option("--limit <n>", "return at most n connections", intArg("--limit", 0, Number.MAX_SAFE_INTEGER))
    .option("--offset <n>", "skip the first n connections", intArg("--offset", 0, Number.MAX_SAFE_INTEGER))
    .addHelpText("after", examples([
      "$ airconn list --pattern %customer_%",
      "$ airconn list --order-by conn_type --order-by -host",
      "$ airconn list -o json --limit 10",
      "$ airconn list | cut -f1                            # piped: tab-separated, id first, no header",
    ]))
    .action(async (o: ListOptions, cmd: Command) => runList(o, ctx.deps(cmd)));
}

export async function runList(o: ListOptions, d: Deps): Promise<void> {
  for (const f of o.orderBy ?? []) {
    if (!f.replace(/^-/, "")) throw new UsageError(`--order-by needs a field name`);
  }
  if ((o.orderBy?.length ?? 0) > 10) throw new UsageError("--order-by can be given at most 10 times (the server's limit)");
  const out = d.output();
  const api = await d.api();
  const query = { pattern: o.pattern, orderBy: o.orderBy, limit: o.limit, offset: o.offset, concurrency: d.concurrency() };
  if (out.format === "plain" || out.format === "json") {
    // Stream page by page: output starts with the first page and memory stays flat for very large lists.
    let first = true;
    if (out.format === "json") d.io.out("[");
    for await (const page of api.pages(query)) {
      if (out.format === "plain") {
        d.io.out(plainRows(page, LIST_COLUMNS));
      } else if (page.length) {
        // One write per page, not per connection: 10,000 small writes to a pipe cost more than the JSON itself.
        // JSON.stringify of the page as an array already indents its items by two spaces: drop the brackets.
        const items = JSON.stringify(page, null, 2);
        d.io.out((first ? "\n" : ",\n") + items.slice(2, -2));
        first = false;
      }
      await d.io.drain();
    }
    if (out.format === "json") d.io.out(first ? "]\n" : "\n]\n");
    return;
  }
  const all: ConnectionResponse[] = await api.list(query);
  await renderConnections(d.io, all, out);
}

