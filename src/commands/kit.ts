// What every command's `register` needs from commander, and the context it gets: a leaf module (it imports only
// commander and types), so the command modules never import src/cli.ts, which imports them.
import { Command, CommanderError, Help, InvalidArgumentError, Option } from "commander";
import type { Deps } from "../deps.js";

export { Command, CommanderError, Help, InvalidArgumentError, Option };

export interface CommandContext {
  /** Builds the dependencies for a command from its parsed (global + own) options. Only inside an action. */
  deps(cmd: Command): Deps;
}

/** A command module: adds its command(s), each with flags, help and an action, to the program. */
export type Register = (program: Command, ctx: CommandContext) => void;

/**
 * The options in effect for a command: its own and its ancestors'. A value given on the command line (or by env)
 * wins over a default, and the one given last (deepest command) wins over an earlier one: `-o yaml list -o json`.
 */
export function optionsOf<T extends object>(cmd: Command): T {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const out: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [k, v] of Object.entries(c.opts())) {
      if (v === undefined) continue;
      const source = c.getOptionValueSource(k);
      if (source === "default" || source === "implied") {
        if (!(k in out)) out[k] = v;
      } else out[k] = v;
    }
  }
  return out as T;
}

/** An option parser for an integer between min and max (inclusive). */
export const intArg =
  (name: string, min: number, max: number) =>
  (v: string): number => {
    if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };

/** The "Examples:" block every command's help ends with. */
export const examples = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
