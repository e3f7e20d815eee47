// The command tree, in the order `airconn --help` lists it. Adding a command: write its module (a `register` that
// adds flags, help and an action) and add its `register` here; nothing else decides what is loaded or parsed.
// Registration is cheap: a command's heavy dependencies (undici, yaml, cli-table3, prompts, file readers…) load
// inside its action, with import().
import type { Register } from "./kit.js";
import { register as login } from "./login.js";
import { register as profile } from "./profile.js";
import { register as status } from "./status.js";
import { register as list } from "./list.js";
import { register as get } from "./get.js";
import { register as create } from "./create.js";
import { register as patch } from "./patch.js";
import { register as del } from "./delete.js";
import { register as test } from "./test.js";
import { register as defaults } from "./defaults.js";
import { register as bulk } from "./bulk.js";
import { register as importCmd } from "./import.js";
import { register as exportCmd } from "./export.js";
import { register as apply } from "./apply.js";
import { register as types } from "./types.js";
import { register as completion } from "./completion.js";
import { register as help } from "./help.js";

export const COMMANDS: Register[] = [
  login, // login, logout
  profile,
  status, // issue 12: which Airflow, token state, tests enabled
  list, // list, ls
  get,
  create,
  patch,
  del, // delete, rm
  test,
  defaults,
  bulk,
  importCmd,
  exportCmd,
  apply, // diff, apply
  types, // issue 21: the connection-type catalog and each type's form
  completion, // issue 6: shell completion
  help, // issue 22: a command's help or a help topic (replaces commander's help command)
];
