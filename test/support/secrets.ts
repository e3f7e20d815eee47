// Secret scan for every end-to-end run: the harness checks each captured stdout/stderr against the secret values
// of that run (AIRCONN_TOKEN, AIRCONN_PASSWORD, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, --token/--password values,
// the password of a --uri value and of a --json value, stdin given to --password-stdin or --token-stdin, tokens in
// the run's profile file, and anything passed to registerSecret) and appends one line per run to a log under the OS
// temp folder.
// test/e2e/global-setup.ts prints the totals and fails the run on any hit.
// Fragments count too (issue 19): each line of a value that holds line breaks (a token pasted over two lines), and
// each piece of a URI password between / : @ ? # (what a URI parser cuts out of a password that was not encoded).
import { appendFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Environment variable naming the scan log; set by the global setup, inherited by the test workers. */
export const SCAN_LOG_ENV = "AIRCONN_SECRET_SCAN_LOG";
/** Shorter values (e.g. the fake's "admin") are too common to be recognisable: they are not scanned. */
export const MIN_SECRET_LENGTH = 6;

export const scanLogPath = (): string =>
  process.env[SCAN_LOG_ENV] || join(tmpdir(), `airconn-secret-scan-${process.ppid}.log`);

const registered = new Set<string>();

/** Marks a value as a secret for every later run in this test file (a password written into a file, a minted token...). */
export function registerSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) registered.add(value);
}

export interface Secret {
  label: string;
  value: string;
}

const STDIN_SECRET_FLAGS = ["--password-stdin", "--token-stdin"];

/** The secrets of one run: its environment, secret-bearing flags, secret stdin, its profile file, registered values. */
export function secretsOfRun(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string | Buffer,
): Secret[] {
  const out: Secret[] = [];
  const add = (label: string, value: string | undefined) => {
    if (!value || value.length < MIN_SECRET_LENGTH) return;
    out.push({ label, value });
    // A JWT's signature alone is recognisable too (a message that shows part of the token), also when a line break
    // or another control character was pasted into the token.
    const sig = /^[\w-]+\.[\w-]+\.([\w-]{16,})$/.exec(value.replace(/[\x00-\x20\x7f]+/g, ""))?.[1];
    if (sig) out.push({ label: `${label} (JWT signature)`, value: sig });
    const lines = value.split(/[\x00-\x1f\x7f]+/).filter((l) => l.length >= MIN_SECRET_LENGTH);
    if (lines.length > 1) for (const l of lines) out.push({ label: `${label} (one line of it)`, value: l });
  };
  add("AIRCONN_TOKEN", env.AIRCONN_TOKEN);
  add("AIRCONN_PASSWORD", env.AIRCONN_PASSWORD);
  // MWAA runs (issue 22): the AWS secret key and session token sign every request and are never shown.
  add("AWS_SECRET_ACCESS_KEY", env.AWS_SECRET_ACCESS_KEY);
  add("AWS_SESSION_TOKEN", env.AWS_SESSION_TOKEN);
  args.forEach((a, i) => {
    if (a === "--token" || a === "--password") add(a, args[i + 1]);
    const eq = /^--(token|password)=(.*)$/s.exec(a);
    if (eq) add(`--${eq[1]}`, eq[2]);
    const uri = a === "--uri" ? args[i + 1] : /^--uri=(.*)$/s.exec(a)?.[1];
    for (const piece of uriPasswordPieces(uri)) add("--uri password", piece);
    const json = a === "--json" ? args[i + 1] : /^--json=(.*)$/s.exec(a)?.[1];
    add("--json password", jsonPassword(json));
  });
  if (input !== undefined && args.some((a) => STDIN_SECRET_FLAGS.includes(a))) {
    const text = typeof input === "string" ? input : input.toString("utf8");
    add("stdin secret", text.replace(/\r?\n$/, ""));
    if (text.trim() !== text.replace(/\r?\n$/, "")) add("stdin secret", text.trim());
  }
  for (const token of profileTokens(env.AIRCONN_CONFIG_DIR)) add("profile token", token);
  for (const v of registered) add("registered secret", v);
  return out;
}

/**
 * The password of a connection URI (the user-info after its first ":", up to the last "@"), percent-decoded too,
 * and its pieces between "/", ":", "@", "?" and "#": where the password was not encoded, a parser takes such a piece
 * for the port or the host, and a message may show it.
 */
export function uriPasswordPieces(uri: string | undefined): string[] {
  const m = uri === undefined ? null : /^[^:/?#]*:\/\/(.*)@/s.exec(uri);
  const colon = m ? m[1]!.indexOf(":") : -1;
  if (!m || colon < 0) return [];
  const pw = m[1]!.slice(colon + 1);
  let decoded = pw;
  try {
    decoded = decodeURIComponent(pw);
  } catch {
    /* not encoded */
  }
  return [...new Set([pw, decoded, ...pw.split(/[/:@?#]/)])];
}

/** The password of a --json value ({"password": ...}), if it has one. */
function jsonPassword(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as { password?: unknown };
    return typeof v?.password === "string" ? v.password : undefined;
  } catch {
    return undefined;
  }
}

/** Tokens stored in the profile file of a config folder (a run may use the token a `login` stored). */
export function profileTokens(dir: string | undefined): string[] {
  if (!dir) return [];
  try {
    const data = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as {
      profiles?: Record<string, { token?: unknown }>;
    };
    return Object.values(data.profiles ?? {})
      .map((p) => p?.token)
      .filter((t): t is string => typeof t === "string");
  } catch {
    return [];
  }
}

export interface Hit {
  label: string;
  stream: string;
}

/** Which secrets appear in which captured stream (also percent-encoded). */
export function findSecrets(streams: Record<string, string>, secrets: Secret[]): Hit[] {
  const hits: Hit[] = [];
  for (const [stream, text] of Object.entries(streams)) {
    for (const s of secrets) {
      const forms = new Set([s.value, encodeURIComponent(s.value)]);
      if ([...forms].some((f) => text.includes(f)) && !hits.some((h) => h.label === s.label && h.stream === stream))
        hits.push({ label: s.label, stream });
    }
  }
  return hits;
}

/** Scans one run's output, logs it, and returns an error to fail the test with when a secret leaked. */
export function scanRun(
  args: string[],
  env: Record<string, string | undefined>,
  input: string | Buffer | undefined,
  streams: Record<string, string>,
  before: Secret[] = [],
): Error | undefined {
  // Secrets known before the run (e.g. the token a `logout` removes) and after it (the token a `login` stored).
  const secrets = [...before, ...secretsOfRun(args, env, input)].filter(
    (s, i, all) => all.findIndex((t) => t.value === s.value) === i,
  );
  const hits = findSecrets(streams, secrets);
  // The command word: the first argument that is neither an option nor the value of a global option (`--token X`).
  const command = args.find((a, i) => !a.startsWith("-") && !GLOBAL_VALUE_OPTIONS.has(args[i - 1] ?? "")) ?? "";
  // The log never holds a secret: only the command name, how many values were checked, and the labels of hits.
  const line = { command, secrets: secrets.length, hits: hits.map((h) => `${h.label} in ${h.stream}`) };
  try {
    appendFileSync(scanLogPath(), JSON.stringify(line) + "\n");
  } catch {
    /* the scan still fails the test below */
  }
  if (!hits.length) return undefined;
  return new Error(
    `secret scan: airconn ${command} printed ${hits.map((h) => `the ${h.label} on ${h.stream}`).join(", ")}`,
  );
}

/** The global options that take a value (src/cli.ts): their value is not the command word, and may be a secret. */
const GLOBAL_VALUE_OPTIONS = new Set([
  "-p",
  "--profile",
  "--api-url",
  "--token",
  "--token-command",
  "-o",
  "--output",
  "--timeout",
  "--retries",
  "--concurrency",
  "--ca-cert",
  "--mwaa-environment",
  "--aws-region",
]);

export interface ScanTotals {
  runs: number;
  hits: number;
  lines: string[];
}

export function readScanLog(path = scanLogPath()): ScanTotals {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { runs: 0, hits: 0, lines: [] };
  }
  const totals: ScanTotals = { runs: 0, hits: 0, lines: [] };
  for (const l of text.split("\n")) {
    if (!l.trim()) continue;
    totals.runs++;
    try {
      const o = JSON.parse(l) as { command: string; hits: string[] };
      if (o.hits.length) {
        totals.hits += o.hits.length;
        totals.lines.push(`airconn ${o.command}: ${o.hits.join(", ")}`);
      }
    } catch {
      /* a torn line: counted as a run */
    }
  }
  return totals;
}
