#!/usr/bin/env node
// The smoke suite (test/smoke/) against what users install:
//   npm run smoke                 `npm pack` (prepack builds), `npm install -g --prefix TMP ./airconn-*.tgz`, then the
//                                 suite on TMP/bin/airconn, run from `/`
//   npm run smoke:exe             the suite on dist/airconn-linux-x64 (`npm run build:exe` first), no node on PATH
//   node scripts/smoke.mjs --bin PATH [--no-node]    the suite on any airconn command
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const say = (s) => console.error(`smoke: ${s}`);
const npm = (argv, cwd, stdout = "ignore") =>
  execFileSync("npm", [...argv, "--no-audit", "--no-fund"], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", stdout, "inherit"],
  });

let bin;
let noNode = args.includes("--no-node");
let tmp;
let man = ""; // where the man page must be installed (checked by the suite; unknown for --bin)
if (args.includes("--exe")) {
  bin = join(root, "dist/airconn-linux-x64");
  man = join(root, "dist/airconn.1");
  noNode = true;
  if (!existsSync(bin)) {
    say("dist/airconn-linux-x64 not found: run `npm run build:exe` first");
    process.exit(2);
  }
} else if (args.includes("--bin")) {
  bin = resolve(args[args.indexOf("--bin") + 1] ?? "");
} else {
  tmp = mkdtempSync(join(tmpdir(), "airconn-smoke-install-"));
  say("npm pack");
  const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", tmp], root, "pipe"));
  const tarball = join(tmp, packed[0].filename);
  say(`${packed[0].filename}: ${packed[0].entryCount} files, ${(packed[0].size / 1024).toFixed(0)} kB`);
  const prefix = join(tmp, "prefix");
  say(`npm install -g --prefix ${prefix} ${tarball}`);
  npm(["install", "-g", "--prefix", prefix, tarball], "/");
  bin = join(prefix, "bin/airconn");
  man = join(prefix, "share/man/man1/airconn.1");
}

let code = 0;
try {
  say(`running test/smoke on ${bin}${noNode ? " (no node on PATH)" : ""}`);
  execFileSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "test/smoke"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, AIRCONN_SMOKE_BIN: bin, AIRCONN_SMOKE_NO_NODE: noNode ? "1" : "", AIRCONN_SMOKE_MAN: man },
  });
} catch {
  code = 1;
} finally {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
