// `airconn __complete <words…>`: what the shell scripts call on every TAB. bin/airconn routes here before the command
// tree loads, so this path imports only the engine, the config reader and node: built-ins (no commander, undici,
// yaml…), and reads the command tree from the generated completions/tree.json.
// Always silent on errors and always exit 0: a broken completion must never print into the user's command line.
import { readFileSync } from "node:fs";
import { ConfigStore } from "../config/store.js";
import { complete, formatCompletion, type Sources } from "./engine.js";
import { connectionIds } from "./ids.js";
import type { CommandSpec } from "./spec.js";
import { packageFile } from "../paths.js";

export const TREE_URL = packageFile("completions/tree.json");

export function systemSources(env: NodeJS.ProcessEnv): Sources {
  return {
    profiles: () => {
      try {
        return Object.keys(new ConfigStore(env).read().profiles);
      } catch {
        return [];
      }
    },
    connectionIds: async (prefix, globals) => {
      try {
        return await connectionIds(prefix, { env, globals });
      } catch {
        return [];
      }
    },
    // The catalog loads only for these values (its bundled JSON is not parsed on other TABs).
    connTypes: async (globals) => {
      try {
        const c = await import("./catalog.js");
        return c.typeCandidates(c.completionCatalog(env, globals));
      } catch {
        return undefined;
      }
    },
    extraKeys: async (connType, globals) => {
      try {
        const c = await import("./catalog.js");
        return c.extraKeySpecs(c.completionCatalog(env, globals), connType);
      } catch {
        return [];
      }
    },
  };
}

/** Reads completions/tree.json beside the code (the standalone executable passes its built-in copy instead). */
export const readTreeFile = (): string => readFileSync(TREE_URL, "utf8");

export async function completionOutput(
  words: string[],
  env: NodeJS.ProcessEnv,
  readTree: () => string = readTreeFile,
): Promise<string> {
  try {
    const tree = JSON.parse(readTree()) as CommandSpec;
    return formatCompletion(await complete(tree, words, systemSources(env)));
  } catch {
    return "";
  }
}

/** Entry point used by bin/airconn (and src/sea-main.ts, with its built-in tree); exits the process. */
export async function runComplete(words: string[], readTree: () => string = readTreeFile): Promise<never> {
  const out = await completionOutput(words, process.env, readTree);
  process.stdout.on("error", () => process.exit(0));
  // Exit as soon as the answer is written: don't wait for V8 to finish optimising fetch's WebAssembly parser.
  if (!out) process.exit(0);
  process.stdout.write(out, () => process.exit(0));
  return new Promise<never>(() => {});
}
