#!/usr/bin/env node
// `node bench/hostile-input.mjs [APP_DIR]`: exit code, time and peak memory of airconn on hostile inputs (issue 19):
// endless devices and streams, YAML alias bombs, deep nesting. APP_DIR is a built checkout (bin/ and dist/; default
// this one), so an older build can be measured the same way. Needs a local fake Airflow: AIRCONN_API_URL and
// AIRCONN_TOKEN in the environment (npx tsx packages/fake-airflow/src/main.ts prints both).
// Each run is watched: over WATCH_MB of resident memory or WATCH_S seconds it is killed and shown as such, so an old
// build that grows without bound does not take the machine with it. Peak RSS comes from /usr/bin/time -v.
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  constants,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const APP = resolve(process.argv[2] ?? join(import.meta.dirname, ".."));
const BIN = join(APP, "bin/airconn");
const WATCH_MB = Number(process.env.WATCH_MB ?? 4096);
const WATCH_S = Number(process.env.WATCH_S ?? 40);
const dir = mkdtempSync(join(tmpdir(), "airconn-hostile-"));

const big = "x".repeat(100_000);
const bomb = (uses) =>
  [
    "c0: {conn_type: http, password: &a " + big + "}",
    ...Array.from({ length: uses }, (_, i) => `c${i + 1}: {conn_type: http, password: *a}`),
  ].join("\n") + "\n";
const bulkBomb = (uses) =>
  [
    "actions:",
    "- action: create",
    "  entities:",
    `  - {connection_id: c0, conn_type: http, password: &a ${big}}`,
    ...Array.from({ length: uses }, (_, i) => `  - {connection_id: c${i + 1}, conn_type: http, password: *a}`),
  ].join("\n") + "\n";
const file = (name, text) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const bomb1k = file("bomb1000.yaml", bomb(1000));
const bomb6k = file("bomb6000.yaml", bomb(6000));
const bbomb999 = file("bulk-bomb999.yaml", bulkBomb(999));
const bbomb1k = file("bulk-bomb1000.yaml", bulkBomb(1000));
const bbomb6k = file("bulk-bomb6000.yaml", bulkBomb(6000));
const deep = file(
  "deep.json",
  '{"actions": [{"action": "create", "entities": [{"connection_id": "deep", "conn_type": "http", "extra": ' +
    '{"a": '.repeat(100_000) +
    "1" +
    "}".repeat(100_000) +
    "}]}]}",
);
const deepYaml = file("deep.yaml", "a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n");
const fifo = join(dir, "endless.fifo");
execFileSync("mkfifo", [fifo]);
const endless = (line) => ({ endless: Buffer.from(line.repeat(Math.ceil(65536 / line.length))) });
const token = process.env.AIRCONN_TOKEN ?? "";
const broken = token.slice(0, 40) + "\n" + token.slice(40);

const CASES = [
  ["import /dev/zero", ["import", "/dev/zero", "--format", "json"]],
  [
    "import FIFO fed endless text",
    ["import", fifo, "--format", "json"],
    { fifo: Buffer.from('{"a": "b", '.repeat(6000)) },
  ],
  ["import - < endless text", ["import", "-", "--format", "json"], endless('{"a": "b", ')],
  ["create --password-stdin < endless", ["create", "hx", "--type", "http", "--password-stdin"], endless("password ")],
  ["login --token-stdin < endless", ["login", "--token-stdin"], endless("tokentoken")],
  ["bulk - < endless", ["bulk", "-", "--format", "json"], endless('{"a": "b", ')],
  ["create ID --json - < endless", ["create", "hj", "--json", "-"], endless('{"a": "b", ')],
  ["import --dry-run, alias bomb x1000", ["import", bomb1k, "--dry-run"]],
  ["import --dry-run, alias bomb x6000", ["import", bomb6k, "--dry-run"]],
  ["diff, alias bomb x1000", ["diff", bomb1k]],
  ["diff, alias bomb x6000", ["diff", bomb6k]],
  ["bulk --dry-run, alias bomb x999", ["bulk", bbomb999, "--dry-run"]],
  ["bulk --dry-run, alias bomb x1000", ["bulk", bbomb1k, "--dry-run"]],
  ["bulk --dry-run, alias bomb x6000", ["bulk", bbomb6k, "--dry-run"]],
  ["bulk --dry-run, JSON extra nested 100,000 deep", ["bulk", deep, "--dry-run"]],
  ["import --dry-run, YAML nested 100,000 deep", ["import", deepYaml, "--dry-run"]],
  ["list, token with a line break", ["list"], undefined, { AIRCONN_TOKEN: broken }],
];

function runCase([label, args, input, env]) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-v", process.execPath, BIN, ...args], {
      env: { ...process.env, AIRCONN_CONFIG_DIR: dir, ...env },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let err = "",
      killed = "",
      seen = 0;
    child.stderr.setEncoding("utf8").on("data", (d) => {
      if (err.length < 1e6) err += d;
    });
    const watch = setInterval(() => {
      let kids = "";
      try {
        kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim();
      } catch {
        return;
      }
      for (const pid of kids.split(/\s+/).filter(Boolean)) {
        let rss = 0;
        try {
          rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
        } catch {
          continue;
        }
        const secs = (performance.now() - started) / 1000;
        seen = Math.max(seen, rss);
        if (rss > WATCH_MB || secs > WATCH_S) {
          killed = rss > WATCH_MB ? `killed at ${Math.round(rss)} MB` : `killed after ${WATCH_S} s`;
          try {
            process.kill(Number(pid), "SIGKILL");
          } catch {
            /* gone */
          }
        }
      }
    }, 50);
    child.stdin.on("error", () => {});
    if (input?.endless) {
      let open = true;
      child.on("exit", () => {
        open = false;
      });
      const feed = () => {
        while (open && child.stdin.write(input.endless));
        if (open) child.stdin.once("drain", feed);
      };
      feed();
    } else child.stdin.end();
    if (input?.fifo) {
      const w = createWriteStream(fifo);
      let open = true;
      w.on("error", () => {});
      child.on("exit", () => {
        open = false;
        try {
          closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
        } catch {
          /* gone */
        }
        w.destroy();
      });
      const feed = () => {
        while (open && w.write(input.fifo));
        if (open) w.once("drain", feed);
      };
      feed();
    }
    child.on("close", () => {
      clearInterval(watch);
      const secs = (performance.now() - started) / 1000;
      const sig = /Command terminated by signal (\d+)/.exec(err)?.[1];
      const status = /Exit status: (\d+)/.exec(err)?.[1] ?? (sig ? `signal ${sig}` : "?");
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) / 1024;
      const first = (err.split("\n").find((l) => l.startsWith("airconn:") || /Error|error/.test(l)) ?? "")
        .split(token.slice(0, 40))
        .join("<token>")
        .split(token.slice(40))
        .join("<token>"); // never print the token
      done({ label, code: killed || status, secs, rss: Math.max(rss, seen), first: first.slice(0, 160) });
    });
  });
}

console.log(`| input | exit | time | peak RSS | first line |`);
console.log(`|---|---|---|---|---|`);
try {
  for (const c of CASES) {
    const r = await runCase(c);
    console.log(
      `| ${r.label} | ${r.code} | ${r.secs.toFixed(1)} s | ${Math.round(r.rss)} MB | ${r.first.replace(/\|/g, "\\|")} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
