// The CLI's version, read from package.json (bin/airconn's --version fast path reads the same file).
import { readFileSync } from "node:fs";
import { packageFile } from "./paths.js";

export const VERSION: string = (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;
