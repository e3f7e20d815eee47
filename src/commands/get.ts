import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { renderConnection } from "../output/connections.js";
import { checkPathId, examples } from "./common.js";

export interface GetOptions {
  id: string;
}

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runGet): void {
  program
    .command("get")
    .description("show one connection (passwords and sensitive extra keys come back as *** from the server)")
    .argument("<connection-id>", "the connection id")
    .addHelpText(
      "after",
      examples([
        "$ airconn get my_postgres",
        "$ airconn get my_postgres -o json | jq -r .host      # in scripts",
        "$ airconn get my_postgres -o plain | awk -F'\\t' '$1==\"port\"{print $2}'",
      ]),
    )
    .action(async (id: string, _o: unknown, cmd: Command) => run({ id }, ctx.deps(cmd)));
}

export async function runGet(o: GetOptions, d: Deps): Promise<void> {
  const id = checkPathId(o.id);
  const out = d.output();
  const conn = await (await d.api()).get(id);
  await renderConnection(d.io, conn, out);
}
