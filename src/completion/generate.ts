// Everything in completions/, generated from the commander program: the tree the callback reads and the three scripts.
// Used by scripts/gen-completions.mjs and by the test that fails when completions/ is stale.
import type { Command } from "commander";
import { buildSpec } from "./tree.js";
import { completionScript, SCRIPT_FILES, SHELLS } from "./scripts.js";

export const TREE_FILE = "tree.json";

/** File name (inside completions/) → content. */
export function completionFiles(program: Command): Record<string, string> {
  const files: Record<string, string> = { [TREE_FILE]: JSON.stringify(buildSpec(program), null, 1) + "\n" };
  for (const shell of SHELLS) files[SCRIPT_FILES[shell]] = completionScript(shell);
  return files;
}
