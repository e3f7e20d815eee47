// `airconn types` (issue 21): the connection types the catalog knows (type, name, provider), and `airconn types TYPE`:
// the form the Airflow UI shows for that type (the standard fields with their labels and placeholders, which are
// hidden, and the provider's extra fields with their kind, default, choices, secret flag and description). The
// catalog is the server's (GET /ui/connections/hook_meta, cached a day) or the one bundled with airconn; a line on
// stderr always says which. The views (types-view.ts) and the catalog load inside the action.
import type { Command } from "commander";
import { Option, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import type { TypesOptions } from "./types-view.js";
import { examples } from "./common.js";

export type { TypesOptions } from "./types-view.js";

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runTypes): void {
  program
    .command("types")
    .description(
      "list the connection types the server's providers define (or airconn's bundled catalog), or show one type's form: its fields, labels and extra fields",
    )
    .argument("[type]", "a connection type (conn_type), e.g. snowflake: show its form")
    .option("--refresh", "ask the server again instead of using its cached catalog (after installing a provider)")
    .addOption(new Option("--bundled", "use the catalog bundled with airconn; sends no request").conflicts("refresh"))
    .addHelpText(
      "after",
      examples([
        "$ airconn types                                  # type, name, provider",
        "$ airconn types snowflake                        # the form: labels, hidden fields, extra fields",
        "$ airconn types aws -o json | jq -r '.extra_fields[].name'",
        "$ airconn types --refresh                        # the server's catalog, not the cached copy",
        "$ airconn types --bundled | cut -f1              # offline: the catalog airconn was built with",
        "",
        "Where the catalog comes from: the Airflow API server's providers (GET /ui/connections/hook_meta, cached for a",
        "day per server and version), else the catalog bundled with airconn (a 401/403/404 or an unknown answer; -v",
        "says why). A line on stderr names the source. Exit 3: the type is in neither.",
      ]),
    )
    .action(async (type: string | undefined, o: Omit<TypesOptions, "type">, cmd: Command) =>
      run({ ...o, type }, ctx.deps(cmd)),
    );
}

/** The catalog and its views load here, inside the action. */
export async function runTypes(o: TypesOptions, d: Deps): Promise<void> {
  const view = await import("./types-view.js");
  return view.runTypes(o, d);
}
