#!/usr/bin/env node
// Regenerates the command reference from the command tree and the help topics (src/help/reference.ts):
// docs/commands/*.md (a page per command and per help topic, and README.md, the index) and the man page airconn.1.
//   npm run gen:docs                        write the files (and remove pages of commands that are gone)
//   node scripts/gen-docs.mjs --check       exit 1 and list the stale files (test/unit/docs-generated.test.ts checks the same)
// It reads the command tree from src/ (through tsx), so it needs no build.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { tsImport } = await import("tsx/esm/api");
const { buildProgram } = await tsImport(join(root, "src/cli.ts"), import.meta.url);
const { VERSION } = await tsImport(join(root, "src/version.ts"), import.meta.url);
const { referenceFiles, staleFiles } = await tsImport(join(root, "src/help/reference.ts"), import.meta.url);

const io = { out() {}, err() {}, drain: async () => {}, stdoutIsTTY: false, stdinIsTTY: false, stderrIsTTY: false };
const files = referenceFiles(buildProgram({ io, env: {} }), VERSION);
const stale = staleFiles(files, root);
if (process.argv.includes("--check")) {
  if (stale.length) {
    console.error(`stale: ${stale.join(", ")}\nrun: npm run gen:docs`);
    process.exit(1);
  }
  console.error("docs/commands/ and airconn.1 are up to date");
} else {
  for (const path of stale) {
    if (path in files) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), files[path]);
    } else rmSync(join(root, path));
  }
  console.error(stale.length ? `wrote ${stale.join(", ")}` : "docs/commands/ and airconn.1 are up to date");
}
