// Issue 14, end to end: tokens that renew themselves. The built CLI runs against the local server issuing
// short-lived tokens. A token command (a tiny shell script) hands out tokens the test minted, one per run of the
// script, and counts its runs; every minted token is registered with the secret scan, so a token in any output
// fails the test. AIRCONN_USERNAME/AIRCONN_PASSWORD renew an expired token mid-run the same way.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { registerSecret, runCli, tempDir, type CliResult } from "../support/cli.js";

const TTL = 3; // seconds: every token the server issues expires this soon
let server: FakeAirflow;
let cfg: ReturnType<typeof tempDir>;
let work: ReturnType<typeof tempDir>;
let script: string, queue: string, runs: string, stdinSeen: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startFakeAirflow({ seed: 30, tokenTtlSeconds: TTL });
  cfg = tempDir();
  work = tempDir("airconn-tokens-");
  script = join(work.dir, "token.sh");
  queue = join(work.dir, "queue");
  runs = join(work.dir, "runs");
  stdinSeen = join(work.dir, "stdin-seen");
  // Prints the next queued token (one line per run), counts its runs, says something on stderr, and records
  // whatever it can read on stdin (it must be nothing: airconn's stdin carries data for airconn).
  writeFileSync(
    script,
    [
      "#!/bin/sh",
      `echo run >> '${runs}'`,
      `cat >> '${stdinSeen}'`,
      `[ -s '${queue}' ] || { echo 'token.sh: queue empty' >&2; exit 1; }`,
      `tok=$(head -n 1 '${queue}')`,
      `tail -n +2 '${queue}' > '${queue}.next' && mv '${queue}.next' '${queue}'`,
      "echo 'token.sh: minted a token' >&2",
      "printf '%s\\n' \"$tok\"",
    ].join("\n") + "\n",
    { mode: 0o755 },
  );
  env = { AIRCONN_CONFIG_DIR: cfg.dir, SHELL: "/bin/sh" };
  const r = await runCli(["profile", "set", "tc", "--api-url", server.url, "--token-command", `sh ${script}`], { env });
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await server?.close();
  cfg?.cleanup();
  work?.cleanup();
});

/** Queues tokens for the script: "valid" (120 s) or "expired" (a minute ago); each is a registered secret. */
function enqueue(...kinds: Array<"valid" | "expired" | "short">): string[] {
  const tokens = kinds.map((k) =>
    server.mintToken({ expiresInSeconds: k === "valid" ? 120 : k === "short" ? TTL : -60 }),
  );
  tokens.forEach(registerSecret);
  writeFileSync(queue, tokens.join("\n") + "\n");
  return tokens;
}
const runCount = () => (existsSync(runs) ? readFileSync(runs, "utf8").split("\n").filter(Boolean).length : 0);
const api = () => server.requests.filter((r) => r.path.startsWith("/api/v2/"));
const bearer = (r: { headers: Record<string, unknown> }) =>
  String(r.headers.authorization ?? "").replace(/^Bearer /, "");
const tc = (args: string[], o: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> =>
  runCli(["-p", "tc", ...args], { env: { ...env, ...o.env }, input: o.input });

beforeEach(() => {
  writeFileSync(runs, "");
  writeFileSync(stdinSeen, "");
  server.requests.length = 0;
});

describe("token command", () => {
  it("a command printing a valid token gives a working list; the command runs once; its stderr passes through", async () => {
    const [tok] = enqueue("valid");
    const r = await tc(["list", "-o", "json"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(30);
    expect(runCount()).toBe(1);
    expect(r.stderr).toContain("token.sh: minted a token");
    expect(api().length).toBeGreaterThan(0);
    expect(api().every((q) => bearer(q) === tok)).toBe(true);
  });

  it("a first token that has expired: exactly one re-run of the command, one 401, then success (read)", async () => {
    const [expired, fresh] = enqueue("expired", "valid");
    const r = await tc(["list", "-o", "json", "--verbose"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(30);
    expect(runCount()).toBe(2);
    const refused = api().filter((q) => q.status === 401);
    expect(refused.length).toBe(1);
    expect(bearer(refused[0]!)).toBe(expired);
    expect(
      api()
        .filter((q) => q.status === 200)
        .every((q) => bearer(q) === fresh),
    ).toBe(true);
    expect(r.stderr).toMatch(/\* GET \S+\/api\/v2\/connections\S* 401/);
    expect(r.stderr).toContain('running the token command of profile "tc" again after a 401');
  });

  it("the same for a write: the POST refused with 401 is sent once more and the connection is created once", async () => {
    enqueue("expired", "valid");
    const r = await tc(["create", "tok_write_1", "--type", "http", "--host", "h.example"]);
    expect(r.code).toBe(0);
    expect(runCount()).toBe(2);
    const posts = api().filter((q) => q.method === "POST");
    expect(posts.map((q) => q.status)).toEqual([401, 201]);
    expect(server.stored("tok_write_1")?.host).toBe("h.example");
  });

  it("re-runs the command only once: a second 401 is exit 4", async () => {
    enqueue("expired", "expired", "valid");
    const r = await tc(["get", "conn_00001"]);
    expect(r.code).toBe(4);
    expect(runCount()).toBe(2);
    expect(r.stderr.replace(/^token\.sh: .*\n/gm, "")).toBe(
      'airconn: Token Expired\nhint: the token command of profile "tc" gave a new token and the server refused it too\n',
    );
  });

  it("a command that exits 1 gives exit 4 and a one-line message naming the profile and the exit status; nothing is sent", async () => {
    writeFileSync(queue, "");
    const r = await tc(["list"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("airconn:"));
    expect(lines).toEqual(['airconn: the token command of profile "tc" failed with exit status 1']);
    expect(api().length).toBe(0);
  });

  it("a command that prints nothing is exit 4", async () => {
    const r = await runCli(["list"], { env: { ...env, AIRCONN_API_URL: server.url, AIRCONN_TOKEN_COMMAND: "true" } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'airconn: the token command (from AIRCONN_TOKEN_COMMAND) for profile "tc" printed no token (exit status 0)',
    );
  });

  it("the command does not read airconn's stdin: a JSON body piped to create reaches airconn", async () => {
    enqueue("valid");
    const r = await tc(["create", "tok_stdin_1", "--json", "-"], {
      input: JSON.stringify({ conn_type: "http", host: "from-stdin.example" }),
    });
    expect(r.code).toBe(0);
    expect(server.stored("tok_stdin_1")?.host).toBe("from-stdin.example");
    expect(readFileSync(stdinSeen, "utf8")).toBe("");
  });

  it("--token-command and AIRCONN_TOKEN_COMMAND rank above the profile's; --token with --token-command is refused", async () => {
    const [tok] = enqueue("valid");
    const flag = await runCli(["-p", "tc", "--token-command", `sh ${script}`, "get", "conn_00002", "-o", "json"], {
      env,
    });
    expect(flag.code).toBe(0);
    expect(bearer(api().at(-1)!)).toBe(tok);
    const envCmd = await tc(["get", "conn_00002"], { env: { AIRCONN_TOKEN_COMMAND: "exit 7" } });
    expect(envCmd.code).toBe(4);
    expect(envCmd.stderr).toContain('(from AIRCONN_TOKEN_COMMAND) for profile "tc" failed with exit status 7');
    const both = await tc(["--token", "x".repeat(20), "--token-command", "echo y", "list"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("airconn: --token and --token-command cannot be used together");
  });

  it("profile show and profile list say a token command is configured, never run it, never show a token", async () => {
    enqueue("valid");
    const show = await tc(["profile", "show", "-o", "json"]);
    expect(show.code).toBe(0);
    const info = JSON.parse(show.stdout) as Record<string, unknown>;
    expect(info).toMatchObject({
      profile: "tc",
      token: "command",
      token_source: "profile tc",
      token_command: `sh ${script}`,
      token_expires: null,
    });
    const text = await tc(["profile", "show"]);
    expect(text.stdout).toMatch(/^token\s+from a token command \(from profile tc\)/m);
    const list = await tc(["profile", "list", "-o", "json"]);
    expect(
      (JSON.parse(list.stdout) as Array<{ name: string; token: string }>).find((p) => p.name === "tc")?.token,
    ).toBe("command");
    expect(runCount()).toBe(0);
  });

  it("profile set --token-command replaces a stored token; '' removes the command", async () => {
    const e2 = { ...env };
    const tok = server.mintToken({ expiresInSeconds: 120 });
    registerSecret(tok);
    expect(
      (await runCli(["-p", "tc2", "login", "--api-url", server.url, "--token-stdin"], { env: e2, input: tok })).code,
    ).toBe(0);
    const set = await runCli(["profile", "set", "tc2", "--token-command", "echo none"], { env: e2 });
    expect(set.stderr).toContain(
      "Profile tc2: token command set; removed the stored token (the token command replaces it).",
    );
    const data = JSON.parse(readFileSync(join(cfg.dir, "config.json"), "utf8")) as {
      profiles: Record<string, Record<string, string>>;
    };
    expect(data.profiles.tc2).toEqual({ api_url: server.url, token_command: "echo none" });
    const rm = await runCli(["profile", "set", "tc2", "--token-command", ""], { env: e2 });
    expect(rm.stderr).toContain("Profile tc2: removed the token command.");
  });

  it("a token that expires during a long run: exactly one re-run of the command, one 401, and the run succeeds", async () => {
    const slow = await startFakeAirflow({ seed: 800, tokenTtlSeconds: TTL, latencyMs: 500 });
    try {
      // The first token lives 2 s; with --concurrency 1 the 8 pages take at least 8 x 0.5 s, so it expires before
      // the end (at the first request already on a very slow machine): either way one 401, one re-run.
      const tokens = [slow.mintToken({ expiresInSeconds: 2 }), slow.mintToken({ expiresInSeconds: 300 })];
      tokens.forEach(registerSecret);
      writeFileSync(queue, tokens.join("\n") + "\n");
      const r = await runCli(["list", "-o", "json", "--concurrency", "1"], {
        env: { ...env, AIRCONN_API_URL: slow.url, AIRCONN_TOKEN_COMMAND: `sh ${script}` },
        timeoutMs: 60_000,
      });
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as unknown[]).length).toBe(800);
      const calls = slow.requests.filter((q) => q.path.startsWith("/api/v2/"));
      expect(calls.filter((q) => q.status === 401).map(bearer)).toEqual([tokens[0]]);
      expect(runCount()).toBe(2);
      expect(calls.filter((q) => q.status === 200).length).toBe(8);
    } finally {
      await slow.close();
    }
  }, 90_000);
});

describe("AIRCONN_USERNAME/AIRCONN_PASSWORD", () => {
  it("a run longer than a token's life gets a new token after each 401 Token Expired and succeeds", async () => {
    // Tokens live 4 s here, the 10 pages take at least 10 x 0.5 s: at least one expires mid-run.
    const slow = await startFakeAirflow({ seed: 1000, tokenTtlSeconds: 4, latencyMs: 500 });
    try {
      const r = await runCli(["list", "-o", "json", "--concurrency", "1"], {
        env: {
          AIRCONN_CONFIG_DIR: cfg.dir,
          AIRCONN_API_URL: slow.url,
          AIRCONN_USERNAME: "admin",
          AIRCONN_PASSWORD: "admin",
        },
        timeoutMs: 60_000,
      });
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as unknown[]).length).toBe(1000);
      const refused = slow.requests.filter((q) => q.path.startsWith("/api/v2/") && q.status === 401);
      const logins = slow.requests.filter((q) => q.method === "POST" && q.path === "/auth/token");
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(logins.length).toBe(1 + refused.length);
    } finally {
      await slow.close();
    }
  }, 90_000);

  it("tokens that are expired when issued: one new token, one retry, then exit 4", async () => {
    const dead = await startFakeAirflow({ seed: 3, tokenTtlSeconds: -60 });
    try {
      const r = await runCli(["list"], {
        env: {
          AIRCONN_CONFIG_DIR: cfg.dir,
          AIRCONN_API_URL: dead.url,
          AIRCONN_USERNAME: "admin",
          AIRCONN_PASSWORD: "admin",
        },
      });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("airconn: Token Expired");
      expect(dead.requests.filter((q) => q.path === "/auth/token").length).toBe(2);
      expect(dead.requests.filter((q) => q.path.startsWith("/api/v2/")).map((q) => q.status)).toEqual([401, 401]);
    } finally {
      await dead.close();
    }
  });
});
