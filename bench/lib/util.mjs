// Bench helpers: child tracking and cleanup, timed runs, interleaving, statistics, peak memory, the fake server.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const ROOT = resolve(import.meta.dirname, "../..");
// airconn runs from a snapshot of bin/, dist/, completions/ and package.json in the temp dir (node_modules linked):
// other people's `npm test` rebuilds dist/ (pretest) while the bench runs, and a half-written dist/ fails a run.
export function snapshotApp(root = ROOT, name = "app") {
  const app = join(tempDir(), name);
  for (const d of ["bin", "dist", "completions"])
    if (existsSync(join(root, d))) cpSync(join(root, d), join(app, d), { recursive: true });
  cpSync(join(root, "package.json"), join(app, "package.json"));
  symlinkSync(
    join(existsSync(join(root, "node_modules")) ? root : ROOT, "node_modules"),
    join(app, "node_modules"),
    "dir",
  );
  return join(app, "bin/airconn");
}
export const BIN_IN_ROOT = join(ROOT, "bin/airconn");
export const NODE = process.execPath;

// ---- cleanup: every child and the temp dir go away on normal exit, failure, Ctrl-C and SIGTERM -------------------
const children = new Set();
let tempRoot;
export function tempDir() {
  tempRoot ??= mkdtempSync(join(tmpdir(), "airconn-bench-"));
  return tempRoot;
}
function cleanup() {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }
  children.clear();
  if (tempRoot) {
    try {
      rmSync(tempRoot, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
    tempRoot = undefined;
  }
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(sig, () => {
    console.error(`\nbench: ${sig}, cleaning up`);
    cleanup();
    process.exit(130);
  });
process.on("uncaughtException", (e) => {
  console.error(e);
  cleanup();
  process.exit(1);
});
process.on("unhandledRejection", (e) => {
  console.error(e);
  cleanup();
  process.exit(1);
});

/** A clean environment for every timed command (both sides of a comparison get the same one). */
export function benchEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      v === undefined ||
      /^(AIRCONN_|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|NODE_OPTIONS$|FORCE_COLOR|NO_COLOR)/.test(k)
    )
      continue;
    env[k] = v;
  }
  const dir = tempDir();
  return { ...env, XDG_CONFIG_HOME: join(dir, "config"), XDG_CACHE_HOME: join(dir, "cache"), NO_COLOR: "1", ...extra };
}

/**
 * Runs a command once; resolves with wall-clock ms (spawn to exit), exit code, and stdout when capture is set.
 * stdout goes to /dev/null otherwise (the CLI still formats everything: a pipe would only add the reader's cost).
 */
export function runOnce(cmd, args, { env, capture = false, timeoutMs = 120_000 } = {}) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ["ignore", capture ? "pipe" : "ignore", "pipe"] });
    children.add(child);
    const out = [];
    let err = "";
    child.stdout?.on("data", (d) => out.push(d));
    child.stderr.setEncoding("utf8").on("data", (d) => {
      if (err.length < 4000) err += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      children.delete(child);
      rej(e);
    });
    child.on("close", (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      children.delete(child);
      res({
        ms,
        code: code ?? (signal ? 128 : -1),
        stdout: capture ? Buffer.concat(out).toString("utf8") : "",
        stderr: err,
      });
    });
  });
}

/**
 * Times several commands side by side: each round runs every command once, in alternating order (ABC, CBA, …), so
 * that a noisy neighbour slows both sides alike. `before(name)` runs untimed before each run (e.g. a server reset).
 * Returns { name: { runs: number[], stats } }. Fails loudly on a non-zero exit.
 */
export async function interleave(cases, { runs, warmup = 1, before } = {}) {
  const times = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let r = -warmup; r < runs; r++) {
    const order = r & 1 ? [...cases].reverse() : cases;
    for (const c of order) {
      if (before) await before(c.name);
      if (c.before) await c.before();
      const res = await runOnce(c.cmd, c.args, { env: c.env });
      if (res.code !== 0) throw new Error(`${c.name}: exit ${res.code}\n${res.stderr}`);
      if (r >= 0) times[c.name].push(res.ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { runs: v, ...stats(v) }]));
}

export function stats(v) {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

export const fmtMs = (x) =>
  x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`;
export const fmtStat = (s) => `${fmtMs(s.median)} (${fmtMs(s.min)}–${fmtMs(s.max)}, n=${s.n})`;

/** Peak resident memory (max RSS) of a command in MB: GNU time when installed, else polling /proc/<pid>/status. */
export async function maxRss(cmd, args, { env } = {}) {
  const timeBin = "/usr/bin/time";
  if (existsSync(timeBin)) {
    const out = join(tempDir(), `time-${process.pid}-${Date.now()}.txt`);
    const r = await runOnce(timeBin, ["-f", "%M", "-o", out, cmd, ...args], { env });
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    const kb = Number(readFileSync(out, "utf8").trim().split("\n").pop());
    rmSync(out, { force: true });
    return { mb: kb / 1024, ms: r.ms, how: "GNU time %M" };
  }
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    children.add(child);
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 10);
    child.on("error", rej);
    child.on("close", (code) => {
      clearInterval(poll);
      children.delete(child);
      if (code !== 0) return rej(new Error(`${cmd}: exit ${code}`));
      res({ mb: peak / 1024, ms: Number(process.hrtime.bigint() - t0) / 1e6, how: "VmHWM polled every 10 ms" });
    });
  });
}

/** The fake Airflow in a child process (bench/lib/fake-control.ts), with reset and a request log. */
export async function startFake(opts) {
  const child = spawn(NODE, ["--import", "tsx", join(ROOT, "bench/lib/fake-control.ts")], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
    env: benchEnv(),
  });
  children.add(child);
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (l) => waiting.shift()?.(JSON.parse(l)));
  const send = (msg) =>
    new Promise((res, rej) => {
      waiting.push((m) => (m.error ? rej(new Error(`fake: ${m.error}`)) : res(m)));
      child.stdin.write(JSON.stringify(msg) + "\n");
    });
  const started = await send({ cmd: "start", opts });
  return {
    ...started,
    reset: (seed = 0) => send({ cmd: "reset", seed }),
    count: async () => (await send({ cmd: "count" })).count,
    requests: async () => (await send({ cmd: "requests" })).requests,
    close: () =>
      new Promise((res) => {
        child.once("close", () => {
          children.delete(child);
          res();
        });
        child.stdin.end();
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

export function machine() {
  const cpus = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  const model = /model name\s*:\s*(.*)/.exec(cpus)?.[1]?.trim() ?? "unknown";
  const cores = (cpus.match(/^processor\s*:/gm) ?? []).length;
  const mem = (() => {
    try {
      return Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))[1]) / 1024 / 1024;
    } catch {
      return NaN;
    }
  })();
  const load = () => {
    try {
      return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    } catch {
      return "?";
    }
  };
  let kernel = "";
  try {
    kernel = execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim();
  } catch {
    /* no uname */
  }
  return { model, cores, memGb: mem, kernel, load };
}
