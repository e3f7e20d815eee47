// Runs a token command (`token_command`, AIRCONN_TOKEN_COMMAND, --token-command) through the user's shell: trimmed
// stdout is the token, stderr passes through, stdin is the terminal or nothing, and it has a time limit.
import { spawn } from "node:child_process";
import { AuthError } from "../errors.js";

export interface TokenCommandOptions {
  command: string;
  /** The command in errors, with where it comes from and the profile (describeAuth's commandName). */
  who: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Inherit the terminal's stdin (a command may prompt); otherwise stdin is /dev/null, never airconn's data. */
  stdinIsTTY: boolean;
  /** The command's stderr: passed through as it comes. "inherit" hands it the terminal itself. */
  stderr: "inherit" | ((chunk: string) => void);
  signal?: AbortSignal;
}

export const DEFAULT_TOKEN_COMMAND_TIMEOUT_S = 30;

/** Runs the token command through the user's shell and returns its trimmed stdout. Every failure is an AuthError (exit 4). */
export function runTokenCommand(o: TokenCommandOptions): Promise<string> {
  const shell = o.env.SHELL?.startsWith("/") ? o.env.SHELL : "/bin/sh";
  const { who } = o;
  const hint = "run the command yourself to see what it prints (`airconn profile show` shows it)";
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(shell, ["-c", o.command], {
        env: o.env,
        stdio: [o.stdinIsTTY ? "inherit" : "ignore", "pipe", o.stderr === "inherit" ? "inherit" : "pipe"],
      });
    } catch (e) {
      reject(
        new AuthError(
          `${who} could not be started: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          hint,
        ),
      );
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let timedOut = false;
    let settled = false;
    child.stdout!.on("data", (b: Buffer) => {
      outBytes += b.length;
      if (outBytes <= 1 << 20) out.push(b);
    });
    if (o.stderr !== "inherit") {
      const forward = o.stderr;
      child.stderr!.setEncoding("utf8").on("data", (s: string) => forward(s));
    }
    const kill = () => {
      try {
        child.kill("SIGTERM");
      } catch {
        /* gone */
      }
    };
    // A timed-out or cancelled command is abandoned at once: something it started may still hold its pipes open.
    const abandon = (e: Error) => {
      kill();
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      done(e);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      abandon(
        new AuthError(
          `${who} did not finish within ${o.timeoutMs / 1000} s`,
          "raise the limit with AIRCONN_TOKEN_COMMAND_TIMEOUT=<seconds>, or check the command",
        ),
      );
    }, o.timeoutMs);
    const onAbort = () => abandon(new AuthError(`${who} was interrupted`));
    o.signal?.addEventListener("abort", onAbort, { once: true });
    const done = (e?: Error, token?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      if (e) reject(e);
      else resolve(token!);
    };
    child.on("error", (e: NodeJS.ErrnoException) =>
      done(new AuthError(`${who} could not be started: ${e.code ?? e.message}`, hint)),
    );
    child.on("close", (code, signal) => {
      if (timedOut) return;
      if (signal) return done(new AuthError(`${who} was stopped by ${signal}`, hint));
      if (code !== 0) return done(new AuthError(`${who} failed with exit status ${code}`, hint));
      if (outBytes > 1 << 20) return done(new AuthError(`${who} printed more than 1 MiB, not a token`, hint));
      const token = Buffer.concat(out).toString("utf8").trim();
      if (!token) return done(new AuthError(`${who} printed no token (exit status 0)`, hint));
      if (/[\s\x00-\x1f\x7f]/.test(token)) {
        const lines = token.split(/\r?\n/).length;
        return done(
          new AuthError(
            `${who} printed ${lines > 1 ? `${lines} lines` : "text with spaces or control characters"}, not one token (exit status 0)`,
            "the command must print only the token on stdout (messages go to stderr)",
          ),
        );
      }
      done(undefined, token);
    });
  });
}
