// The interactive `create` through a real pseudo-terminal: tmux runs the built CLI, the test types keys and reads
// the screen. Then a second run is interrupted with Ctrl-C at a prompt: exit 130, nothing created.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { BIN, ROOT, baseEnv, haveCommand, tempDir } from "../support/cli.js";

function ensureTmux(): string | undefined {
  if (haveCommand("tmux")) return undefined;
  if (process.getuid?.() === 0) {
    try {
      execFileSync("apt-get", ["install", "-y", "tmux"], { stdio: "ignore", timeout: 120_000 });
    } catch {
      /* reported below */
    }
    if (haveCommand("tmux")) return undefined;
  }
  return "tmux is not installed (apt-get install -y tmux): skipping the interactive create tests";
}
const missing = ensureTmux();
if (missing) console.warn(`airconn e2e: ${missing}`);

const SOCKET = `airconn-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const screen = (session: string) => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", session);

async function waitFor(session: string, re: RegExp, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    last = screen(session);
    if (re.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${re} on the screen:\n${last}`);
}
const keys = (session: string, ...k: string[]) => tmux("send-keys", "-t", session, ...k);
const type = (session: string, text: string) => tmux("send-keys", "-t", session, "-l", text);

let server: FakeAirflow;
let cfg: ReturnType<typeof tempDir>;
const sessions: string[] = [];

/** Starts `airconn <args>` in a new tmux session; the shell prints EXIT=<code> when it ends and keeps the pane. */
function start(name: string, args: string[]): string {
  const env = baseEnv({
    AIRCONN_API_URL: server.url,
    AIRCONN_TOKEN: server.adminToken,
    AIRCONN_CONFIG_DIR: cfg.dir,
    TERM: "xterm-256color",
  });
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = join(cfg.dir, `${name}.sh`);
  writeFileSync(
    script,
    [
      ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`),
      `cd ${q(ROOT)}`,
      `${q(process.execPath)} ${q(BIN)} ${args.map(q).join(" ")}; echo EXIT=$?`,
      "sleep 600",
    ].join("\n"),
  );
  tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "50", `sh ${q(script)}`);
  sessions.push(name);
  return name;
}

describe.skipIf(missing !== undefined)("interactive create in a real terminal (tmux)", () => {
  beforeAll(async () => {
    server = await startFakeAirflow({});
    cfg = tempDir();
  });
  afterAll(async () => {
    for (const s of sessions) {
      try {
        tmux("kill-session", "-t", s);
      } catch {
        /* already gone */
      }
    }
    try {
      tmux("kill-server");
    } catch {
      /* no server left */
    }
    await server?.close();
    cfg?.cleanup();
  });

  it("choose a type, fill the fields, bad extra is re-asked, confirm: the server stores it", async () => {
    const s = start("create1", ["create", "tmux_new"]);
    await waitFor(s, /Connection type/);
    keys(s, "Down"); // postgres → mysql
    await waitFor(s, /❯ mysql/);
    keys(s, "Enter");
    await waitFor(s, /Host/);
    type(s, "db.example.com");
    keys(s, "Enter");
    await waitFor(s, /Port/);
    type(s, "33o6");
    keys(s, "Enter"); // not a number: the prompt says so and stays
    await waitFor(s, /the port must be a whole number/);
    keys(s, "BSpace", "BSpace", "BSpace", "BSpace");
    type(s, "3306");
    keys(s, "Enter");
    await waitFor(s, /Login/);
    type(s, "app");
    keys(s, "Enter");
    await waitFor(s, /Password/);
    type(s, "s3cret-pw");
    keys(s, "Enter");
    await waitFor(s, /Schema/);
    type(s, "shop");
    keys(s, "Enter");
    await waitFor(s, /Extra \(JSON\)/);
    type(s, "{bad");
    keys(s, "Enter");
    await waitFor(s, /Extra must be a JSON object/);
    keys(s, "BSpace", "BSpace", "BSpace", "BSpace");
    type(s, '{"charset": "utf8"}');
    keys(s, "Enter");
    await waitFor(s, /Description/);
    type(s, "made in tmux");
    keys(s, "Enter");
    const summary = await waitFor(s, /Create connection tmux_new\?/);
    expect(summary).toMatch(/About to create:/);
    expect(summary).toMatch(/password\s+\*\*\*/);
    expect(summary).not.toContain("s3cret-pw");
    type(s, "y");
    keys(s, "Enter");
    const end = await waitFor(s, /EXIT=\d+/);
    if (process.env.AIRCONN_SHOW_SCREEN) console.log(end);
    expect(end).toMatch(/EXIT=0/);
    expect(end).toMatch(/connection_id\s+tmux_new/);
    // The whole terminal session (prompts, summary, output) shows neither the typed password nor the token.
    expect(end).not.toContain("s3cret-pw");
    expect(end).not.toContain(server.adminToken.split(".")[2]!);
    expect(server.stored("tmux_new")).toMatchObject({
      conn_type: "mysql",
      host: "db.example.com",
      port: 3306,
      login: "app",
      password: "s3cret-pw",
      schema: "shop",
      extra: '{"charset": "utf8"}',
      description: "made in tmux",
    });
  });

  it("Ctrl-C at a prompt: exit 130, nothing created", async () => {
    const before = server.requests.length;
    const s = start("create2", ["create", "tmux_cancel"]);
    await waitFor(s, /Connection type/);
    keys(s, "Enter");
    await waitFor(s, /Host/);
    type(s, "half-typed");
    keys(s, "C-c");
    const end = await waitFor(s, /EXIT=\d+/);
    expect(end).toMatch(/EXIT=130/);
    expect(server.stored("tmux_cancel")).toBeUndefined();
    expect(server.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("answering no to the confirmation: exit 130, nothing created", async () => {
    const s = start("create3", ["create", "tmux_no", "--host", "h", "--login", "l", "--description", "d"]);
    await waitFor(s, /Connection type/);
    keys(s, "Enter");
    for (const label of [/Port/, /Password/, /Schema/, /Extra \(JSON\)/]) {
      await waitFor(s, label);
      keys(s, "Enter");
    }
    await waitFor(s, /Create connection tmux_no\?/);
    type(s, "n");
    keys(s, "Enter");
    expect(await waitFor(s, /EXIT=\d+/)).toMatch(/EXIT=130/);
    expect(server.stored("tmux_no")).toBeUndefined();
  });
});
