#!/usr/bin/env node
// `npm run build` (after `tsc --noEmit`): bundles the CLI with esbuild into dist/, which bin/airconn loads:
//   dist/airconn.mjs   the command tree and main() (src/cli.ts; exports run() and main())
//   dist/complete.mjs  the `airconn __complete` callback (src/completion/callback.ts), without commander
//   dist/*-HASH.mjs    code both share, and what commands load with import() inside their action (file readers,
//                      bulk engine, prompts, the API client…): start-up parses only what it runs.
// The npm dependencies other than commander stay in node_modules and load lazily where they are used; commander is
// bundled (one file instead of a package's module resolution). Every output file sits directly in dist/, one folder
// below the package root, which src/paths.ts relies on.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/**
 * commander requires node:child_process only to run executable subcommands, which airconn has none of; loading that
 * built-in costs every start several ms. The bundle gets a stand-in that fails loudly if it is ever used.
 */
export const noChildProcessForCommander = {
  name: "no-child-process-for-commander",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) => (/[\\/]node_modules[\\/]commander[\\/]/.test(a.importer) ? { path: "child_process", namespace: "airconn-stub" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "airconn-stub" }, () => ({
      loader: "js",
      contents: "const no = () => { throw new Error('airconn: executable subcommands are not supported'); };\nexport const spawn = no, execSync = no;\n",
    }));
  },
};

/** esbuild options shared by the bundles (a standalone build can start from these). */
export const bundleOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // commander is CommonJS and require()s Node built-ins: an ESM bundle needs a real require for that.
  banner: { js: 'import { createRequire as __airconnCreateRequire } from "node:module"; const require = __airconnCreateRequire(import.meta.url);' },
  external: Object.keys(pkg.dependencies).filter((d) => d !== "commander"),
  plugins: [noChildProcessForCommander],
  legalComments: "none",
  logLevel: "warning",
};

if (import.meta.url === `file://${process.argv[1]}`) {
  rmSync(join(root, "dist"), { recursive: true, force: true });
  await build({
    ...bundleOptions,
    entryPoints: { airconn: join(root, "src/cli.ts"), complete: join(root, "src/completion/callback.ts") },
    outdir: join(root, "dist"),
    splitting: true,
    outExtension: { ".js": ".mjs" },
    chunkNames: "[name]-[hash]",
  });
}
