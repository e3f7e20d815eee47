// Turns the commander program into a CommandSpec (completions/tree.json). Everything is derived from the tree:
// commands, aliases, options, `.choices()`; a few options and arguments get richer values by their name:
//   --profile, and the <name> of `profile <sub>`   → profile names from the config file
//   --order-by                                     → ORDER_BY_FIELDS, with and without a leading "-"
//   --type, and the [type] of `types`              → the catalog's types (cached server's, else bundled +
//                                                    COMMON_CONN_TYPES, which tree.json holds for a callback without it)
//   --set-extra                                    → KEY= of the extra fields of the line's --type
//   an argument <connection-id> (not on `create`)  → connection ids from the server
//   a <file> argument or option value              → the shell's own path completion
//   `help`'s words                                 → the commands under the words before; first, also the topics
import type { Argument, Command, Option } from "commander";
import { ORDER_BY_FIELDS } from "../api/types.js";
import { COMMON_CONN_TYPES } from "../connection/conn-types.js";
import type { ArgSpec, CommandSpec, OptionSpec, ValueSpec } from "./spec.js";
import { HELP_TOPICS } from "../help/index.js";

const FILEISH = /file|path/i;
const CONNECTION_ID_ARG = /^conn(ection)?[-_]?ids?$/i;

const connTypes = (): ValueSpec => ({
  kind: "conn-types",
  choices: COMMON_CONN_TYPES.map(([t]) => t),
  labels: COMMON_CONN_TYPES.map(([, l]) => l),
});

function optionValue(o: Option): ValueSpec | undefined {
  if (!o.required && !o.optional) return undefined;
  if (o.argChoices?.length) return { kind: "choices", choices: [...o.argChoices] };
  switch (o.long) {
    case "--profile":
      return { kind: "profiles" };
    case "--order-by":
      return { kind: "choices", choices: [...ORDER_BY_FIELDS, ...ORDER_BY_FIELDS.map((f) => `-${f}`)] };
    case "--type":
      return connTypes();
    case "--set-extra":
      return { kind: "extra-keys" };
  }
  const placeholder = /<([^>]*)>|\[([^\]]*)\]/.exec(o.flags);
  if (placeholder && FILEISH.test(placeholder[1] ?? placeholder[2] ?? "")) return { kind: "files" };
  return { kind: "text" };
}

function argValue(a: Argument, cmd: Command, parent: Command | null): ValueSpec {
  if (a.argChoices?.length) return { kind: "choices", choices: [...a.argChoices] };
  const name = a.name();
  if (cmd.name() === "help")
    return parent?.parent
      ? { kind: "commands" }
      : { kind: "commands", topics: HELP_TOPICS.map((t) => ({ name: t.name, description: t.summary })) };
  if (CONNECTION_ID_ARG.test(name) && cmd.name() !== "create") return { kind: "connection-ids" };
  if (name === "type" && cmd.name() === "types") return connTypes();
  if (name === "name" && parent?.name() === "profile") return { kind: "profiles" };
  if (FILEISH.test(name)) return { kind: "files" };
  return { kind: "text" };
}

const firstLine = (s: string) => s.split("\n")[0]!.trim();

/** The spec of `cmd` and everything under it (hidden commands and options left out). */
export function buildSpec(cmd: Command, parent: Command | null = null): CommandSpec {
  const help = cmd.createHelp();
  const options: OptionSpec[] = help.visibleOptions(cmd).map((o) => {
    const value = optionValue(o);
    return {
      flags: [o.short, o.long].filter((f): f is string => !!f),
      description: firstLine(o.description),
      ...(value ? { value } : {}),
    };
  });
  const args: ArgSpec[] = cmd.registeredArguments.map((a) => ({
    name: a.name(),
    variadic: a.variadic,
    value: argValue(a, cmd, parent),
  }));
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: firstLine(cmd.description()),
    options,
    args,
    commands: help.visibleCommands(cmd).map((c) => buildSpec(c, cmd)),
  };
}
