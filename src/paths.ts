// Where airconn's files are: those of the installed package (package.json, completions/), found from this module's own
// location, and the user's cache folder. This module sits one folder below the package root however it runs:
// src/paths.ts (tests, tsx) or bundled into dist/*.cjs (the CLI).
import { homedir } from "node:os";
import { join } from "node:path";

export const packageFile = (relative: string): URL => new URL(`../${relative}`, import.meta.url);

/** $XDG_CACHE_HOME/airconn (an absolute XDG_CACHE_HOME only), else ~/.cache/airconn: completion ids, server versions. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME?.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), ".cache");
  return join(base, "airconn");
}
