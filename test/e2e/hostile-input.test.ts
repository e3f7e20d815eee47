// Issue 19, items 1 and 2: hostile input. The built CLI against the local server with
// - tokens a header cannot carry (a line break, a NUL, non-Latin-1) from every source: exit 2 before any request, the
//   source named, never the token (the secret scan checks each line of it and its JWT signature);
// - URIs whose password holds an unencoded "/": the messages never show a piece of it (the scan checks the pieces);
// - inputs that never end (/dev/zero, a FIFO, an endless pipe on stdin), YAML alias bombs and deep nesting: exit 2
//   with the limit or the place in the message, quickly, in bounded memory.
// The memory cases run under a hard cap, so a regression fails instead of swapping: node --max-old-space-size=256,
// and a watchdog that reads the child's resident memory from /proc and kills it past 300 MB (the target).
import { beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import {
  closeSync,
  constants,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { startFakeAirflow } from "@airconn/fake-airflow";
import { BIN, NODE, ROOT, baseEnv, registerSecret, tempDir, type CliResult } from "../support/cli.js";
import { scanRun, secretsOfRun } from "../support/secrets.js";
import { useFakeAirflow } from "../support/fake.js";

const fake = useFakeAirflow({ seed: 3 }, { prefix: "airconn-hostile-" });
const run = (
  args: string[],
  o: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CliResult> => fake.run(args, o);
/** Requests that reached the connections API since `from`. */
const apiRequests = (from: number) => fake.since(from).filter((r) => r.path.startsWith("/api/v2/connections"));
const lastLine = (s: string) =>
  s
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("airconn:"))
    .at(-1) ?? "";

// ------------------------------------------------------------------------------------------------ item 1: tokens

describe("a token a header cannot carry is refused before any request, and never printed", () => {
  /** The admin token with a line break pasted into its middle (the scan checks both halves and the signature). */
  const broken = () => fake.server.adminToken.slice(0, 40) + "\n" + fake.server.adminToken.slice(40);

  it("from AIRCONN_TOKEN: exit 2, the source named, no request", async () => {
    const from = fake.since().length;
    const r = await run(["list"], { env: { AIRCONN_TOKEN: broken() } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      "airconn: the token from AIRCONN_TOKEN contains a line break at character 41\n" +
        "hint: a token is one line of printable characters: check how it was set (a line break pasted into a variable or a file, a token split over lines)\n",
    );
    expect(apiRequests(from)).toHaveLength(0);
  });

  it("from --token: a carriage return, a NUL, a control character, a character outside Latin-1", async () => {
    const t = fake.server.adminToken;
    for (const [bad, what] of [
      [`${t.slice(0, 20)}\r${t.slice(20)}`, "a line break at character 21"],
      [`${t.slice(0, 20)}\x01${t.slice(20)}`, "a control character at character 21"],
      [
        `${t.slice(0, 20)}\u20ac${t.slice(20)}`,
        "a character an HTTP header cannot carry (outside Latin-1) at character 21",
      ],
    ] as const) {
      registerSecret(t.slice(20));
      const from = fake.since().length;
      const r = await run(["--token", bad, "get", "conn_00001"], { env: { AIRCONN_TOKEN: undefined } });
      expect(r.code, r.stderr).toBe(2);
      expect(lastLine(r.stderr)).toBe(`airconn: the token from --token contains ${what}`);
      expect(apiRequests(from)).toHaveLength(0);
    }
  });

  it("a trailing line break is not a problem: it is dropped, as the header would drop it", async () => {
    const r = await run(["get", "conn_00001", "-o", "json"], { env: { AIRCONN_TOKEN: `${fake.server.adminToken}\n` } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).connection_id).toBe("conn_00001");
  });

  it("from the profile", async () => {
    const cfg = tempDir();
    try {
      writeFileSync(
        join(cfg.dir, "config.json"),
        JSON.stringify({ current_profile: "p", profiles: { p: { api_url: fake.server.url, token: broken() } } }),
        { mode: 0o600 },
      );
      const from = fake.since().length;
      const r = await run(["list"], {
        env: { AIRCONN_TOKEN: undefined, AIRCONN_API_URL: undefined, AIRCONN_CONFIG_DIR: cfg.dir },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(lastLine(r.stderr)).toBe("airconn: the token from profile p contains a line break at character 41");
      expect(apiRequests(from)).toHaveLength(0);
    } finally {
      cfg.cleanup();
    }
  });

  it("from login --token-stdin: refused, nothing stored", async () => {
    const cfg = tempDir();
    try {
      const from = fake.since().length;
      const r = await run(["login", "--token-stdin"], {
        input: `${broken()}\n`,
        env: { AIRCONN_TOKEN: undefined, AIRCONN_CONFIG_DIR: cfg.dir },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(lastLine(r.stderr)).toBe(
        "airconn: the token from standard input (--token-stdin) contains a line break at character 41",
      );
      expect(apiRequests(from)).toHaveLength(0);
      expect(
        existsSync(join(cfg.dir, "config.json")) ? readFileSync(join(cfg.dir, "config.json"), "utf8") : "",
      ).not.toContain(fake.server.adminToken.slice(0, 40));
    } finally {
      cfg.cleanup();
    }
  });

  it("from a token command (outside Latin-1) and from a login answer (a line break)", async () => {
    const t = fake.server.adminToken;
    for (const piece of [t.slice(10), t.slice(0, 30), t.slice(30)]) registerSecret(piece);
    const cmd = await run(
      ["--token-command", `printf '%s\\342\\202\\254%s' '${t.slice(0, 10)}' '${t.slice(10)}'`, "list"],
      { env: { AIRCONN_TOKEN: undefined } },
    );
    expect(cmd.code, cmd.stderr).toBe(2);
    expect(lastLine(cmd.stderr)).toBe(
      "airconn: the token from the token command (from --token-command) contains a character an HTTP header cannot carry (outside Latin-1) at character 11",
    );

    // A server whose login answers with a token that holds a line break.
    const odd = await startFakeAirflow({
      seed: 1,
      intercept: (req) =>
        req.path === "/auth/token"
          ? { status: 201, json: { access_token: `${t.slice(0, 30)}\n${t.slice(30)}` } }
          : undefined,
    });
    try {
      const env = {
        AIRCONN_TOKEN: undefined,
        AIRCONN_API_URL: odd.url,
        AIRCONN_USERNAME: "admin",
        AIRCONN_PASSWORD: "admin-password-1",
      };
      const r = await run(["list"], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(lastLine(r.stderr)).toBe(
        "airconn: the token from AIRCONN_USERNAME/AIRCONN_PASSWORD contains a line break at character 31",
      );
      expect(odd.requests.filter((q) => q.path.startsWith("/api/v2/connections"))).toHaveLength(0);
      const cfg = tempDir();
      try {
        const l = await run(["login", "--username", "admin", "--password-stdin"], {
          input: "admin\n",
          env: { ...env, AIRCONN_USERNAME: undefined, AIRCONN_PASSWORD: undefined, AIRCONN_CONFIG_DIR: cfg.dir },
        });
        expect(l.code, l.stderr).toBe(2);
        expect(lastLine(l.stderr)).toBe(
          `airconn: the token ${odd.url} answered to the login contains a line break at character 31`,
        );
      } finally {
        cfg.cleanup();
      }
    } finally {
      await odd.close();
    }
  });

  it("status says what is wrong with it, without the token (exit 4: the token does not work)", async () => {
    const r = await run(["status"], { env: { AIRCONN_TOKEN: broken() } });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/^auth\tunknown: the token from AIRCONN_TOKEN contains a line break at character 41 /m);
  });
});

// ------------------------------------------------------------------------------------------------ item 1: URIs

describe("a URI whose password holds an unencoded / : the messages show no piece of it", () => {
  // Registered by hand as well as by the scan's own reading of --uri: the file cases carry the URI in a file.
  beforeAll(() => {
    for (const s of ["PWSECRET-bad", "PWSECRET-bad/777", "PWSECRET", "sec:ret-PW", "ret-PW://x"]) registerSecret(s);
  });

  it("create --uri: the port the parser sees is the password's start; the message says how to encode it", async () => {
    const from = fake.since().length;
    const r = await run(["create", "pw_uri", "--uri", "postgres://bob:PWSECRET-bad/777@db.example.com:5432/x"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      "airconn: Invalid connection URI: the port is not a number (digits only).\n" +
        "hint: if the login or password contains / : @ ? # [ ] or %, it must be percent-encoded (/ as %2F, : as %3A, @ as %40, ? as %3F, # as %23, % as %25): an unencoded / in the password ends the host part early, and the rest is read as the port\n",
    );
    expect(r.stderr).not.toContain("PWSECRET");
    expect(fake.writes(from)).toHaveLength(0);
  });

  it("digits, a ':' and '://' in a password: nothing of it in the message", async () => {
    registerSecret("654321987");
    const digits = await run(["create", "pw_uri", "--uri", "postgres://bob:654321987/77@db.example.com/x"]);
    expect(digits.code).toBe(2);
    expect(lastLine(digits.stderr)).toBe("airconn: Invalid connection URI: the port is out of range 0-65535.");
    const schemes = await run(["create", "pw_uri", "--uri", "postgres://bob:sec:ret-PW://x@db://h"]);
    expect(schemes.code).toBe(2);
    expect(lastLine(schemes.stderr)).toMatch(/^airconn: Invalid connection string: "(:\/\/)" appears 3 times/);
  });

  it("import of a file with such a URI, and a bulk entity with a number as its password", async () => {
    const file = fake.file(
      "pw-uri.json",
      JSON.stringify({ pg: "postgres://bob:PWSECRET-bad/777@db.example.com:5432/x" }),
    );
    const r = await run(["import", file]);
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/pw-uri\.json:1: pg\.uri: Invalid connection URI: the port is not a number/);
    registerSecret("918273645");
    const bulk = fake.file(
      "pw-number.json",
      JSON.stringify({
        actions: [
          {
            action: "create",
            entities: [
              { connection_id: "pw_num", conn_type: "http", password: 918273645 },
              "postgres://bob:PWSECRET@db/x",
            ],
          },
        ],
      }),
    );
    const b = await run(["bulk", bulk]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("actions[0].entities[0].password: must be a string or null, got a number");
    expect(b.stderr).toContain(
      "actions[0].entities[1]: must be an object with connection_id and conn_type, got a string",
    );
  });
});

describe("other messages that quote input that may be a secret", () => {
  it("a config file that is not JSON: the place and the problem, not V8's excerpt of the text (it holds tokens)", async () => {
    const cfg = tempDir();
    try {
      registerSecret("tok-in-config-7f3e");
      writeFileSync(join(cfg.dir, "config.json"), '{"profiles": {"p": {"token": tok-in-config-7f3e}}}', {
        mode: 0o600,
      });
      const r = await run(["list"], { env: { AIRCONN_CONFIG_DIR: cfg.dir } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `the config file ${join(cfg.dir, "config.json")} is not valid JSON (line 1 column 30: Expecting value)`,
      );
    } finally {
      cfg.cleanup();
    }
  });

  it("patch --set-extra without '=' does not repeat the item (a key and its secret run together)", async () => {
    registerSecret("sekret-value-1");
    const r = await run(["patch", "conn_00001", "--set-extra", "token:sekret-value-1"]);
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toBe('airconn: --set-extra: expected KEY=VALUE, got no "="');
    const eq = await run(["patch", "conn_00001", "--set-extra", "=sekret-value-1"]);
    expect(lastLine(eq.stderr)).toBe('airconn: --set-extra: expected KEY=VALUE, got nothing before the "="');
  });
});

// ------------------------------------------------------------------------------------------------ item 2: memory

const CAP_MB = 300;
interface CappedResult extends CliResult {
  peakMb: number;
  ms: number;
  killed: boolean;
}

/**
 * Runs the built CLI with the V8 heap capped at 256 MB (node --max-old-space-size, on the node command line: the
 * CLI may ignore NODE_OPTIONS) and a watchdog on its resident memory: past CAP_MB it is killed (the test fails on
 * `killed`). `endless`: stdin is fed this chunk until the child exits; `fifo`: the same, into a named pipe.
 */
function runCapped(
  args: string[],
  o: { env?: Record<string, string | undefined>; endless?: Buffer; fifo?: string } = {},
): Promise<CappedResult> {
  const env = { ...fake.env, ...o.env };
  const before = secretsOfRun(args, env);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ["--max-old-space-size=256", BIN, ...args], {
      env: baseEnv(env),
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "",
      peakMb = 0,
      killed = false,
      exited = false;
    child.stdout.setEncoding("utf8").on("data", (d) => {
      if (stdout.length < 1e6) stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      if (stderr.length < 1e6) stderr += d;
    });
    const watch = setInterval(() => {
      let status = "";
      try {
        status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      } catch {
        return;
      }
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      peakMb = Math.max(peakMb, kb("VmHWM") / 1024, kb("VmRSS") / 1024);
      if (peakMb > CAP_MB && !killed) {
        killed = true;
        child.kill("SIGKILL");
      }
    }, 10);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`airconn ${args.join(" ")} timed out\n${stderr}`));
    }, 60_000);
    const feed = (sink: NodeJS.WritableStream, chunk: Buffer) => {
      sink.on("error", () => {}); // EPIPE once the child stopped reading: expected
      const more = () => {
        while (!exited && sink.write(chunk));
        if (!exited) sink.once("drain", more);
      };
      more();
    };
    if (o.endless) feed(child.stdin, o.endless);
    else child.stdin.end();
    let fifo: NodeJS.WritableStream | undefined;
    if (o.fifo) {
      fifo = createWriteStream(o.fifo);
      feed(fifo, Buffer.from('{"a": "b", '.repeat(6000)));
    }
    child.on("exit", () => {
      exited = true;
      if (!o.fifo || !fifo) return;
      // A writer still waiting for a reader (the child failed before opening the FIFO) is released by opening it here.
      try {
        closeSync(openSync(o.fifo, constants.O_RDONLY | constants.O_NONBLOCK));
      } catch {
        /* gone */
      }
      (fifo as unknown as { destroy(): void }).destroy();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      const leak = scanRun(args, env, undefined, { stdout, stderr }, before);
      if (leak) reject(leak);
      else
        resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, peakMb, ms: performance.now() - started, killed });
    });
  });
}

/** The common expectations of a refused hostile input: exit 2, quick, within the memory cap. */
function refused(r: CappedResult, message: RegExp, maxMs = 15_000): void {
  expect(r.killed, `killed past ${CAP_MB} MB: ${r.stderr}`).toBe(false);
  expect(r.code, r.stderr).toBe(2);
  expect(lastLine(r.stderr)).toMatch(message);
  expect(r.stderr).not.toMatch(/unexpected error|Maximum call stack|heap out of memory|FATAL/);
  if (existsSync("/proc/self/status")) expect(r.peakMb).toBeLessThan(CAP_MB);
  expect(r.ms).toBeLessThan(maxMs);
}

const endlessText = Buffer.from('{"a": "b", '.repeat(6000));
const big = "x".repeat(100_000);
/** Airflow's YAML: one connection's password anchored (100 KB), used by `uses` more connections. */
const aliasBomb = (uses: number) =>
  [
    "c0: {conn_type: http, password: &a " + big + "}",
    ...Array.from({ length: uses }, (_, i) => `c${i + 1}: {conn_type: http, password: *a}`),
  ].join("\n") + "\n";
const bulkAliasBomb = (uses: number) =>
  [
    "actions:",
    "- action: create",
    "  entities:",
    `  - {connection_id: c0, conn_type: http, password: &a ${big}}`,
    ...Array.from({ length: uses }, (_, i) => `  - {connection_id: c${i + 1}, conn_type: http, password: *a}`),
  ].join("\n") + "\n";
const ALIASES =
  /invalid YAML(?: at line \d+ column \d+)?: aliases expand the document by more than 16 MiB \(the most allowed: 16 MiB, or 4 times the size of the file\); the alias \*a here goes past it$/;

describe("inputs that never end stop at the limit, in bounded memory", () => {
  it("import /dev/zero: refused at its first bytes (not text)", async () => {
    refused(
      await runCapped(["import", "/dev/zero", "--format", "json"]),
      /^airconn: \/dev\/zero is a binary file \(it contains NUL bytes\), not text$/,
      5_000,
    );
  });

  it("import of a FIFO that never ends: refused at the limit, the limit in the message", async () => {
    const fifo = join(fake.workDir, "endless.fifo");
    execFileSync("mkfifo", [fifo]);
    const r = await runCapped(["import", fifo, "--format", "json"], { fifo, env: { AIRCONN_MAX_INPUT_BYTES: "4M" } });
    refused(r, /endless\.fifo is larger than the 4 MiB airconn reads$/);
    expect(r.stderr).toMatch(
      /^hint: set AIRCONN_MAX_INPUT_BYTES to read more \(now 4194304 bytes; at most 512 MiB\)$/m,
    );
  });

  it("import - fed an endless stream: refused at the default limit (128 MiB)", async () => {
    const from = fake.since().length;
    refused(
      await runCapped(["import", "-", "--format", "json"], { endless: endlessText }),
      /^airconn: stdin is larger than the 128 MiB airconn reads$/,
    );
    expect(fake.writes(from)).toHaveLength(0);
  });

  it("bulk - and create --json - fed an endless stream", async () => {
    refused(
      await runCapped(["bulk", "-", "--format", "json"], {
        endless: endlessText,
        env: { AIRCONN_MAX_INPUT_BYTES: "8MiB" },
      }),
      /^airconn: stdin is larger than the 8 MiB airconn reads$/,
    );
    refused(
      await runCapped(["create", "endless_json", "--json", "-"], {
        endless: endlessText,
        env: { AIRCONN_MAX_INPUT_BYTES: "1048576" },
      }),
      /^airconn: stdin is larger than the 1 MiB airconn reads$/,
    );
  });

  it("--password-stdin and --token-stdin fed an endless stream: refused at 1 MiB", async () => {
    const from = fake.since().length;
    refused(
      await runCapped(["create", "endless_pw", "--type", "http", "--password-stdin"], {
        endless: Buffer.from("password ".repeat(7000)),
      }),
      /^airconn: standard input \(--password-stdin\) is larger than the 1 MiB airconn reads$/,
      5_000,
    );
    const cfg = tempDir();
    try {
      refused(
        await runCapped(["login", "--token-stdin"], {
          endless: Buffer.from("tokentoken".repeat(6000)),
          env: { AIRCONN_CONFIG_DIR: cfg.dir },
        }),
        /^airconn: standard input \(--token-stdin\) is larger than the 1 MiB airconn reads$/,
        5_000,
      );
    } finally {
      cfg.cleanup();
    }
    expect(fake.writes(from)).toHaveLength(0);
  });

  it("--ca-cert /dev/zero and a CA file over 4 MiB are refused before any request", async () => {
    const from = fake.since().length;
    refused(
      await runCapped(["--ca-cert", "/dev/zero", "list"]),
      /^airconn: --ca-cert \/dev\/zero holds no PEM certificate \(-----BEGIN CERTIFICATE-----\)$/,
      5_000,
    );
    const big = fake.file("big-ca.pem", "-----BEGIN CERTIFICATE-----\n" + "A".repeat(5 * 1024 * 1024));
    refused(
      await runCapped(["--ca-cert", big, "list"]),
      /big-ca\.pem is 5 MiB: larger than the 4 MiB airconn reads$/,
      5_000,
    );
    expect(fake.since(from)).toHaveLength(0);
  });

  it("AIRCONN_MAX_INPUT_BYTES: a file over it is refused before reading; a bad value is exit 2", async () => {
    const file = fake.file("two-kib.json", JSON.stringify({ a: { conn_type: "http", description: "d".repeat(2000) } }));
    const r = await run(["import", file, "--dry-run"], { env: { AIRCONN_MAX_INPUT_BYTES: "1K" } });
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/two-kib\.json is 2 KiB: larger than the 1 KiB airconn reads$/);
    expect((await run(["import", file, "--dry-run"], { env: { AIRCONN_MAX_INPUT_BYTES: "3K" } })).code).toBe(0);
    const bad = await run(["import", file, "--dry-run"], { env: { AIRCONN_MAX_INPUT_BYTES: "lots" } });
    expect(bad.code).toBe(2);
    expect(lastLine(bad.stderr)).toBe(
      'airconn: AIRCONN_MAX_INPUT_BYTES takes a size between 1 byte and 512 MiB (e.g. 1048576, 64M or 256MiB), got "lots"',
    );
  });
});

describe("YAML alias bombs are measured by what they expand to", () => {
  let dir: string;
  beforeAll(() => {
    dir = join(fake.workDir, "bombs");
    mkdirSync(dir, { recursive: true });
    for (const n of [1000, 6000]) {
      writeFileSync(join(dir, `bomb${n}.yaml`), aliasBomb(n));
      writeFileSync(join(dir, `bulk-bomb${n}.yaml`), bulkAliasBomb(n));
    }
  });

  for (const n of [1000, 6000]) {
    it(`${n} uses of a 100 KB anchor: import --dry-run, diff and bulk refuse it at once`, async () => {
      const from = fake.since().length;
      // The place: the alias that goes past the allowance (line 169: 168 aliases of 100 KB are past 16 MiB).
      // Before: 1,000 uses took 11-15 s and exited 0; 6,000 ran out of memory or past 40 s. Now about 1-3 s each
      // (the yaml package's own parse of 6,000 flow maps is most of it); the limit leaves room for a busy machine.
      refused(
        await runCapped(["import", join(dir, `bomb${n}.yaml`), "--dry-run"]),
        new RegExp(`bomb${n}\\.yaml:169:35: ${ALIASES.source}`),
        20_000,
      );
      refused(
        await runCapped(["diff", join(dir, `bomb${n}.yaml`)]),
        new RegExp(`bomb${n}\\.yaml:169:35: ${ALIASES.source}`),
        20_000,
      );
      refused(
        await runCapped(["bulk", join(dir, `bulk-bomb${n}.yaml`), "--dry-run"]),
        new RegExp(`bulk-bomb${n}\\.yaml: ${ALIASES.source}`),
        20_000,
      );
      expect(fake.writes(from)).toHaveLength(0);
    }, 90_000);
  }

  it("a file that merges defaults into each connection (<<: *defaults) is read as before", async () => {
    // airconn's own format: the first entry holds the anchor, 1,999 more merge it (about 600 KB expanded).
    const file = fake.file(
      "merged.yaml",
      [
        "connections:",
        `  - {<<: &d {conn_type: http, host: h.example.com, description: ${"d".repeat(200)}}, connection_id: merged_0}`,
        ...Array.from({ length: 1999 }, (_, i) => `  - {<<: *d, connection_id: merged_${i + 1}}`),
      ].join("\n") + "\n",
    );
    const r = await run(["apply", file, "--dry-run", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain("merged_1999");
  }, 60_000);
});

describe("deep nesting is refused with its place, before any recursion can overflow", () => {
  const deepExtra = (n: number) =>
    '{"actions": [{"action": "create", "entities": [{"connection_id": "deep", "conn_type": "http", "extra": ' +
    '{"a": '.repeat(n) +
    "1" +
    "}".repeat(n) +
    "}]}]}";

  it("a bulk JSON whose extra is nested 100,000 deep (was: unexpected error, exit 1)", async () => {
    const file = fake.file("deep-extra.json", deepExtra(100_000));
    // The column of the 501st "{" or "[" (no string in the file holds one).
    let opened = 0;
    const col =
      [...deepExtra(100_000).slice(0, 10_000)].findIndex((c) => (c === "{" || c === "[") && ++opened === 501) + 1;
    refused(
      await runCapped(["bulk", file, "--dry-run"]),
      new RegExp(
        `deep-extra\\.json: invalid JSON at line 1 column ${col}: Nesting too deep \\(more than 500 levels\\)$`,
      ),
      10_000,
    );
    const flat = fake.file("deep-list.json", '{"actions": ' + "[".repeat(100_000) + "]".repeat(100_000) + "}");
    refused(
      await runCapped(["bulk", flat, "--dry-run"]),
      /deep-list\.json: invalid JSON at line 1 column 512: Nesting too deep/,
      10_000,
    );
  });

  it("a bulk JSON nested 500 deep is still read", async () => {
    const r = await run(["bulk", fake.file("deep-ok.json", deepExtra(495)), "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("YAML nested 100,000 deep, for import and bulk", async () => {
    const file = fake.file("deep.yaml", "a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n");
    refused(
      await runCapped(["import", file, "--dry-run"]),
      /deep\.yaml:1:\d+: invalid YAML: Nesting too deep \(more than 500 levels\)$/,
      10_000,
    );
    refused(
      await runCapped(["bulk", file, "--dry-run"]),
      /deep\.yaml: invalid YAML at line 1 column \d+: Nesting too deep \(more than 500 levels\)$/,
      10_000,
    );
    // Deep through aliases: each level an alias of the one before.
    const levels =
      ["l0: &l0 [x]", ...Array.from({ length: 600 }, (_, i) => `l${i + 1}: &l${i + 1} [*l${i}]`)].join("\n") + "\n";
    refused(
      await runCapped(["import", fake.file("deep-alias.yaml", levels), "--dry-run"]),
      /deep-alias\.yaml:\d+:\d+: invalid YAML: Nesting too deep \(more than 500 levels, with aliases expanded\)$/,
      10_000,
    );
  });
});
