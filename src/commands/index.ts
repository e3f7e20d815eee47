// The command tree, in the order `airconn --help` lists it.
import type { Command } from "commander";
import type { CommandContext } from "../cli.js";
import * as login from "./login.js";
import * as profile from "./profile.js";
import * as list from "./list.js";
import * as get from "./get.js";
import * as create from "./create.js";
import * as patch from "./patch.js";
import * as del from "./delete.js";
import * as test from "./test.js";
import * as defaults from "./defaults.js";
import * as bulk from "./bulk.js";
import * as importCmd from "./import.js";
import * as exportCmd from "./export.js";
import * as apply from "./apply.js";
import * as completion from "./completion.js"; // issue 6: shell completion

export type Register = (program: Command, ctx: CommandContext) => void;
export const COMMANDS: Register[] = [login.register, profile.register, list.register, get.register, create.register, patch.register, del.register, test.register, defaults.register, bulk.register, importCmd.register, exportCmd.register, apply.register, completion.register];
