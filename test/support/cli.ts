// End-to-end harness: the built bin/airconn spawned against the local fake Airflow, piped or in a pseudo-terminal.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scanRun, secretsOfRun } from "./secrets.js";

export { registerSecret } from "./secrets.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/airconn");
/** The Node that runs the CLI under test: AIRCONN_TEST_NODE (CI runs the e2e suite on Node 22 and 24 too), else this one. */
export const NODE = process.env.AIRCONN_TEST_NODE || process.execPath;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}
export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
  /** Called with the spawned process (e.g. to send it SIGINT mid-run). */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * An `onSpawn` hook that sends the child SIGINT (Ctrl-C) once `cond()` holds (checked every `everyMs`), `afterMs`
 * later. Its timers are cleared when the child closes first, so a run that ends on its own leaves nothing behind.
 */
export function sigintWhen(cond: () => boolean, afterMs = 0, everyMs = 20): NonNullable<RunOptions["onSpawn"]> {
  return signalWhen("SIGINT", cond, { afterMs, everyMs });
}

/**
 * sigintWhen for any signal (SIGTERM from a CI timeout, SIGHUP from a closed terminal...). `onSent` is called right
 * after each signal is sent (with performance.now(), the clock of the local server's records); `again`: a second
 * signal that many ms after the first.
 */
export function signalWhen(
  signal: NodeJS.Signals,
  cond: () => boolean,
  o: { afterMs?: number; everyMs?: number; again?: number; onSent?: (at: number) => void } = {},
): NonNullable<RunOptions["onSpawn"]> {
  return (child) => {
    const timers: NodeJS.Timeout[] = [];
    const send = () => {
      child.kill(signal);
      o.onSent?.(performance.now());
    };
    const fire = () => {
      send();
      if (o.again !== undefined) timers.push(setTimeout(send, o.again));
    };
    const poll = setInterval(() => {
      if (!cond()) return;
      clearInterval(poll);
      if ((o.afterMs ?? 0) > 0) timers.push(setTimeout(fire, o.afterMs));
      else fire();
    }, o.everyMs ?? 20);
    child.on("close", () => {
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
    });
  };
}

/** A fresh config folder; removed by the returned cleanup. */
export function tempDir(prefix = "airconn-test-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The cache folder of runs that name none: one per test process, never the machine user's ~/.cache/airconn (whose
 * version and catalog entries, keyed by API URL, would outlive the local servers and meet their ports again).
 */
let processCache: string | undefined;
const defaultCache = () => {
  if (processCache === undefined) {
    const c = tempDir("airconn-cache-");
    process.once("exit", () => c.cleanup());
    processCache = c.dir;
  }
  return processCache;
};

/** A clean environment: no inherited AIRCONN_*, proxy or colour variables; the cache in a test folder. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { XDG_CACHE_HOME: defaultCache() };
  for (const [k, v] of Object.entries(process.env)) {
    if (
      v === undefined ||
      /^(AIRCONN_|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|NO_COLOR|FORCE_COLOR|NODE_OPTIONS|VITEST|CI$|AIRCONN_TEST_)/.test(
        k,
      )
    )
      continue;
    if (k !== "XDG_CACHE_HOME") env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * Runs the built CLI with piped stdin/stdout/stderr. Every run's stdout and stderr are scanned for the run's secrets
 * (see secrets.ts): a hit rejects, which fails the test.
 */
export function runCli(args: string[], o: RunOptions = {}): Promise<CliResult> {
  const before = secretsOfRun(args, o.env ?? {}, o.input);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(NODE, [BIN, ...args], {
      env: baseEnv(o.env),
      cwd: o.cwd ?? ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    o.onSpawn?.(child);
    let stdout = "",
      stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`airconn ${args.join(" ")} timed out\n${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const leak = scanRun(args, o.env ?? {}, o.input, { stdout, stderr }, before);
      if (leak) reject(leak);
      else resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    child.stdin.on("error", () => {});
    if (o.input !== undefined) child.stdin.end(o.input);
    else child.stdin.end();
  });
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TtyResult extends CliResult {
  /**
   * The lines as the terminal shows them once the command ends: a line redrawn in place ("\r\x1b[K", how the
   * progress line draws and erases itself) keeps only its last drawing. A slow run (a loaded machine) shows a
   * progress line on stderr, which shares the terminal with the table.
   */
  screen: string;
}

/** What a terminal shows of `out`: each line keeps the text after its last carriage return, without the erase. */
export const onScreen = (out: string) =>
  out
    .split("\n")
    .map((l) => l.slice(l.lastIndexOf("\r") + 1).replace(/^\x1b\[K/, ""))
    .join("\n");

/**
 * Runs the built CLI in a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are a TTY.
 * Returns the terminal's output (stdout and stderr together, with \r\n line ends turned into \n), scanned for secrets,
 * and `screen`, the same as the terminal shows it at the end.
 */
export function runCliTty(
  args: string[],
  o: RunOptions & { cols?: number; inputAfter?: RegExp } = {},
): Promise<TtyResult> {
  const before = secretsOfRun(args, o.env ?? {});
  const cmd = `stty cols ${o.cols ?? 160} rows 50 2>/dev/null; exec ${shq(NODE)} ${shq(BIN)} ${args.map(shq).join(" ")}`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn("script", ["-qefc", cmd, "/dev/null"], {
      env: baseEnv({ TERM: "xterm-256color", ...o.env }),
      cwd: o.cwd ?? ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    o.onSpawn?.(child);
    let out = "";
    // Keys typed before the program reads its terminal can be lost (seen with Node 22's readline): with
    // `inputAfter`, the input is typed once the output shows that text (the prompt).
    let pending = o.inputAfter && o.input !== undefined ? o.input : undefined;
    const onOutput = (d: string) => {
      out += d;
      if (pending !== undefined && o.inputAfter!.test(plain(out))) {
        child.stdin.write(pending);
        pending = undefined;
      }
    };
    child.stdout.setEncoding("utf8").on("data", onOutput);
    child.stderr.setEncoding("utf8").on("data", onOutput);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tty airconn ${args.join(" ")} timed out\n${out}`));
    }, o.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const leak = scanRun(args, o.env ?? {}, undefined, { terminal: out }, before);
      if (leak) reject(leak);
      else {
        const stdout = out.replace(/\r\n/g, "\n");
        resolvePromise({ code: code ?? -1, stdout, stderr: "", screen: onScreen(stdout) });
      }
    });
    if (o.input !== undefined && !o.inputAfter) child.stdin.write(o.input);
    // keep stdin open: closing it would hang up the terminal before the command finishes
  });
}

/** Strips ANSI escape sequences. */
export const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\x1b\][^\x07]*\x07/g, "");

export function haveCommand(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
