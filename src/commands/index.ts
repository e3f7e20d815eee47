// The command tree, in the order `airconn --help` lists it. Each entry names the top-level commands (and aliases)
// its module registers, so main() can load just the module of the command being run: command modules are loaded
// with import(), never at start-up.
import type { Command } from "commander";
import type { CommandContext } from "../cli.js";

export type Register = (program: Command, ctx: CommandContext) => void;
export interface CommandModule { names: string[]; load: () => Promise<{ register: Register }> }

export const COMMAND_MODULES: CommandModule[] = [
  { names: ["login", "logout"], load: () => import("./login.js") },
  { names: ["profile"], load: () => import("./profile.js") },
  { names: ["status"], load: () => import("./status.js") }, // issue 12: which Airflow, token state, tests enabled
  { names: ["list", "ls"], load: () => import("./list.js") },
  { names: ["get"], load: () => import("./get.js") },
  { names: ["create"], load: () => import("./create.js") },
  { names: ["patch"], load: () => import("./patch.js") },
  { names: ["delete", "rm"], load: () => import("./delete.js") },
  { names: ["test"], load: () => import("./test.js") },
  { names: ["defaults"], load: () => import("./defaults.js") },
  { names: ["bulk"], load: () => import("./bulk.js") },
  { names: ["import"], load: () => import("./import.js") },
  { names: ["export"], load: () => import("./export.js") },
  { names: ["diff", "apply"], load: () => import("./apply.js") },
  { names: ["completion"], load: () => import("./completion.js") }, // issue 6: shell completion
];
