#!/usr/bin/env node
// npm run demo: starts the bundled Airflow-compatible API server with sample connections, then runs airconn
// against it the way a user would (login, list, get, ...), printing each command and what it printed.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/airconn");
const config = mkdtempSync(join(tmpdir(), "airconn-demo-"));

const server = spawn(
  process.execPath,
  ["--import", "tsx", join(root, "packages/fake-airflow/src/main.ts"), "--seed", "250", "--test-connection", "Enabled"],
  {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const { url } = await new Promise((ok, fail) => {
  const rl = createInterface({ input: server.stdout });
  rl.once("line", (line) => {
    try {
      ok(JSON.parse(line));
    } catch (e) {
      fail(e);
    }
  });
  server.once("exit", (code) => fail(new Error(`the demo server exited (${code})`)));
});

const env = { ...process.env, AIRCONN_CONFIG_DIR: config, NO_COLOR: process.env.NO_COLOR };
delete env.AIRCONN_TOKEN;
delete env.AIRCONN_API_URL;
delete env.AIRCONN_PROFILE;
let failures = 0;
function step(title, args, { input, expect = 0, pipe } = {}) {
  const shown = `${input !== undefined ? `printf '***' | ` : ""}airconn ${args.join(" ")}${pipe ? ` | ${pipe}` : ""}`;
  console.log(`\n\x1b[1m# ${title}\x1b[0m\n$ ${shown}`);
  const r = spawnSync(process.execPath, [bin, ...args], { env, input, encoding: "utf8" });
  let out = r.stdout;
  if (pipe === "head -5") out = out.split("\n").slice(0, 5).join("\n") + "\n";
  process.stdout.write(out);
  process.stdout.write(r.stderr);
  if (r.status !== expect) {
    failures++;
    console.log(`!! exit ${r.status}, expected ${expect}`);
  } else if (expect !== 0) console.log(`(exit ${r.status}, as expected)`);
}

try {
  step(
    "log in (the bundled server's user is admin/admin)",
    ["login", "--api-url", url, "--username", "admin", "--password-stdin"],
    { input: "admin\n" },
  );
  step("where the settings come from (never the token)", ["profile", "show"]);
  step("list: all 250 connections across pages, piped output is tab-separated", ["list", "--order-by", "-conn_type"], {
    pipe: "head -5",
  });
  step("a pattern: LIKE wildcards, case-insensitive", ["list", "--pattern", "conn_0001_", "-o", "table"]);
  step("get one connection as JSON (secrets come back as ***)", ["get", "conn_00007", "-o", "json"]);
  step("a missing id exits 3 with the server's message", ["get", "no_such_conn"], { expect: 3 });
  const more = spawnSync(process.execPath, [bin, "help"], { env, encoding: "utf8" }).stdout;
  if (/\bcreate\b/.test(more)) {
    step("create from a URI", [
      "create",
      "demo_pg",
      "--uri",
      "postgresql://app:s3cr%2Ft@db.example.com:5432/app?sslmode=require",
      "-o",
      "json",
    ]);
    step("patch one field (only host is sent, in update_mask)", [
      "patch",
      "demo_pg",
      "--host",
      "db2.example.com",
      "-o",
      "plain",
    ]);
    step("test it on the server", ["test", "demo_pg"]);
    step("delete it (scripts pass --yes)", ["delete", "demo_pg", "--yes"]);
    step("the connection types the server's providers define (the Airflow UI's form)", [
      "types",
      "snowflake",
      "-o",
      "table",
    ]);
    step(
      "an extra checked against the provider's form: --strict refuses a near miss, nothing is sent",
      ["create", "demo_sf", "--type", "snowflake", "--set-extra", "warehose=reporting", "--strict"],
      { expect: 2 },
    );
  }
} finally {
  server.kill("SIGTERM");
  rmSync(config, { recursive: true, force: true });
}
console.log(
  failures
    ? `\n${failures} demo step(s) did not behave as expected`
    : "\nDemo finished: every step behaved as expected.",
);
process.exitCode = failures ? 1 : 0;
