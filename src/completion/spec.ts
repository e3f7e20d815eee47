// The command tree as plain data, for shell completion. Written to completions/tree.json by scripts/gen-completions.mjs
// (from the real commander program, see tree.ts) and read back by the completion callback, which so never loads
// commander or the command modules. Types only: no runtime imports.

/** What may follow an option or fill an argument. */
export type ValueSpec =
  | { kind: "choices"; choices: string[]; labels?: string[] }
  | { kind: "conn-types"; choices: string[]; labels?: string[] } // the catalog's types (these: when it has none)
  | { kind: "extra-keys" } // `KEY=` of the line's --type's extra fields (--set-extra)
  | { kind: "profiles" } // profile names from the config file
  | { kind: "connection-ids" } // ids from the server (short timeout, cached)
  | { kind: "files" } // let the shell complete paths
  | { kind: "commands"; topics?: Array<{ name: string; description: string }> } // `help <command>`, and topics
  | { kind: "text" }; // free text: nothing to offer

export interface OptionSpec {
  /** Every spelling, e.g. ["-o", "--output"]. */
  flags: string[];
  description: string;
  /** Present when the option takes a value. */
  value?: ValueSpec;
}

export interface ArgSpec {
  name: string;
  variadic: boolean;
  value: ValueSpec;
}

export interface CommandSpec {
  name: string;
  aliases: string[];
  description: string;
  options: OptionSpec[];
  args: ArgSpec[];
  commands: CommandSpec[];
}
