#!/usr/bin/env node
// Regenerates data/catalog.json (the connection-type catalog bundled with airconn) from
// data/providers/*.yaml and data/legacy-hooks.json (see scripts/catalog-source.mjs for the mapping):
//   npm run gen:catalog                          write the file
//   node scripts/gen-catalog.mjs --check         exit 1 when the committed file is stale (the test runs the same)
// It parses with src/catalog/parse.ts (through tsx), so it needs no build.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCatalog, TARGET } from "./catalog-source.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { tsImport } = await import("tsx/esm/api");
const { parseHookMeta } = await tsImport(join(root, "src/catalog/parse.ts"), import.meta.url);

const current = (() => {
  try {
    return readFileSync(TARGET, "utf8");
  } catch {
    return "";
  }
})();
const fresh = generateCatalog(parseHookMeta);
if (process.argv.includes("--check")) {
  if (current !== fresh) {
    console.error(`${TARGET} is stale: run npm run gen:catalog`);
    process.exit(1);
  }
  console.error(`${TARGET} is up to date`);
} else if (current === fresh) {
  console.error(`${TARGET} is up to date`);
} else {
  writeFileSync(TARGET, fresh);
  console.error(`wrote ${TARGET}`);
}
