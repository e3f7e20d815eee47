// The CLI's version, read from package.json (bin/airconn's --version fast path reads the same file).
import { createRequire } from "node:module";

export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
