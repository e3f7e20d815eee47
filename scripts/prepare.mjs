#!/usr/bin/env node
// npm lifecycle builds (package.json):
//   prepack  (`npm pack`, `npm publish`): removes the compiled files of an earlier build, so that nothing stale is
//            packed, then `npm run build`. The standalone executable in dist/ is kept (it is not packed).
//   prepare  (`npm install`/`npm ci` in a checkout, and installs from git, which run it in a clone with the
//            devDependencies): `npm run build` when the sources and TypeScript are there; nothing otherwise.
//            npm also runs prepare during pack and publish, right after prepack built: skipped then.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];
const say = (s) => console.error(`airconn ${mode}: ${s}`);

if (mode !== "prepack" && mode !== "prepare") {
  console.error("usage: node scripts/prepare.mjs prepack|prepare");
  process.exit(2);
}
if (mode === "prepare") {
  if (process.env.npm_command === "pack" || process.env.npm_command === "publish") process.exit(0); // prepack built
  if (!existsSync(join(root, "src")) || !existsSync(join(root, "node_modules/typescript/package.json"))) {
    say("no src/ or no TypeScript here: nothing to build");
    process.exit(0);
  }
}
if (mode === "prepack") {
  const dist = join(root, "dist");
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
        continue;
      }
      if (/\.(js|mjs|cjs|json|map)$/.test(e.name)) rmSync(p);
    }
  };
  if (existsSync(dist)) walk(dist);
}
execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], {
  cwd: root,
  stdio: ["ignore", 2, 2],
}); // stdout stays clean for `npm pack --json`
