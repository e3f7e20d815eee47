// Entry of the standalone executable (dist/airconn-linux-x64, Node's single executable applications). It does what
// bin/airconn does: scripts/build-exe.mjs bundles it with every dependency into one CommonJS file and injects that
// into a Node binary. Files bin/airconn reads beside the code are built in: package.json is bundled (src/version.ts)
// and completions/tree.json is a SEA asset. Not used by the npm package.
import { getAsset } from "node:sea";
import { setFlagsFromString } from "node:v8";

// As in bin/airconn: fetch's WebAssembly parser stays on V8's baseline tier (a short process does not wait for it).
setFlagsFromString("--liftoff-only");

// A shipped binary runs as it was built (issue 19). NODE_OPTIONS is never read (the SEA config's
// "execArgvExtension": "none", scripts/build-exe.mjs) and SIGUSR1 opens no inspector (--disable-sigusr1). The one
// NODE_* variable Node reads later, at each TLS connection, is dropped too: NODE_TLS_REJECT_UNAUTHORIZED=0 would turn
// certificate checks off without a word from airconn (use --insecure or --ca-cert). NODE_EXTRA_CA_CERTS still adds CAs.
delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // Each path loads only the modules it needs (esbuild keeps a dynamically imported module's code unrun until then).
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    process.stdout.write((await import("./version.js")).VERSION + "\n");
    return;
  }
  if (args[0] === "__complete") {
    const { runComplete } = await import("./completion/callback.js");
    await runComplete(args.slice(1), () => getAsset("completions/tree.json", "utf8"));
  }
  const { run } = await import("./cli.js");
  await run();
}

void main();
