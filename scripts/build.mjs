#!/usr/bin/env node
// `npm run build` (after `tsc --noEmit`): bundles the CLI with esbuild into dist/, which bin/airconn loads:
//   dist/airconn.cjs   the command tree and main() (src/cli.ts; exports run() and main())
//   dist/complete.cjs  the `airconn __complete` callback (src/completion/callback.ts), without commander
// CommonJS, one file each: loading them needs no ES module loader and no module resolution (several ms per start).
// The code commands load with import() inside their action (file readers, bulk engine, prompts, the API client…) is
// in the same file but only compiled and run when imported. The npm dependencies other than commander stay in
// node_modules and load lazily where they are used (with import(): several are ES modules); commander is bundled.
// import.meta.url is the bundle's own file URL; dist/ is one folder below the package root, as src/ is
// (src/paths.ts relies on that).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
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
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(a.importer)
        ? { path: "child_process", namespace: "airconn-stub" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "airconn-stub" }, () => ({
      loader: "js",
      contents:
        "const no = () => { throw new Error('airconn: executable subcommands are not supported'); };\nexport const spawn = no, execSync = no;\n",
    }));
  },
};

/**
 * esbuild options shared by the bundles (a standalone build can start from these). Whitespace and syntax are minified
 * (names are kept, so stack traces still name functions): Node 20 compiles the whole file at every start (Node 22+
 * caches it), and the compile time follows the file's size (660 KB unminified, 452 KB minified: --help 97 ms
 * against 93 ms, paired, see BENCHMARKS.md).
 */
export const bundleOptions = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  banner: { js: 'const __airconnModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { "import.meta.url": "__airconnModuleUrl" },
  external: Object.keys(pkg.dependencies).filter((d) => d !== "commander"),
  plugins: [noChildProcessForCommander],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
};

export const entryPoints = { airconn: join(root, "src/cli.ts"), complete: join(root, "src/completion/callback.ts") };

if (import.meta.url === `file://${process.argv[1]}`) {
  // Only the two bundles are written (and overwritten); the rest of dist/ (the standalone executable) stays.
  await build({ ...bundleOptions, entryPoints, outdir: join(root, "dist"), outExtension: { ".js": ".cjs" } });
}
