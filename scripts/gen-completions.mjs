#!/usr/bin/env node
// Regenerates completions/ (tree.json + the bash, zsh and fish scripts) from the built program:
//   npm run gen:completions                           write the files
//   node scripts/gen-completions.mjs --check          exit 1 and list the stale files (what the test runs)
// It reads the command tree from src/ (through tsx), so it needs no build.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { tsImport } = await import("tsx/esm/api");
const { buildProgram } = await tsImport(join(root, "src/cli.ts"), import.meta.url);
const { completionFiles } = await tsImport(join(root, "src/completion/generate.ts"), import.meta.url);

const io = { out() {}, err() {}, drain: async () => {}, stdoutIsTTY: false, stdinIsTTY: false, stderrIsTTY: false };
const files = completionFiles(buildProgram({ io, env: {} }));
const dir = join(root, "completions");
const check = process.argv.includes("--check");
const stale = [];
mkdirSync(dir, { recursive: true });
for (const [name, content] of Object.entries(files)) {
  const path = join(dir, name);
  let old;
  try {
    old = readFileSync(path, "utf8");
  } catch {
    old = undefined;
  }
  if (old === content) continue;
  stale.push(`completions/${name}`);
  if (!check) writeFileSync(path, content);
}
if (check && stale.length) {
  console.error(`stale: ${stale.join(", ")}\nrun: npm run gen:completions`);
  process.exit(1);
}
console.error(stale.length ? `wrote ${stale.join(", ")}` : "completions/ is up to date");
