#!/usr/bin/env node
// Part of `npm run build`: writes dist/commands.json, each top-level command as `airconn --help` lists it.
// main() loads only the module of the command being run and lists the others from this file (src/cli.ts).
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { loadProgram, manifestOf } = await import(join(root, "dist/cli.js"));
const io = { out() {}, err() {}, drain: async () => {}, stdoutIsTTY: false, stdinIsTTY: false, stderrIsTTY: false };
writeFileSync(join(root, "dist/commands.json"), JSON.stringify(manifestOf(await loadProgram({ io, env: {} })), null, 1) + "\n");
