// `airconn login` and `logout`: a token from POST /auth/token (user and password from flags, stdin, the environment
// or prompts) or from stdin, checked with one authenticated request before it is stored in the profile; what is
// stored, what is said on stderr (never the token), and the exit codes of what goes wrong.
import { afterEach, describe, expect, it } from "vitest";
import { runLogin, runLogout } from "../../../src/commands/login.js";
import { runGet } from "../../../src/commands/get.js";
import {
  closeAirflows,
  configFolder,
  fakeAirflow,
  fakePrompter,
  inConfig,
  readConfig,
  tempFolder,
  type Airflow,
} from "../commands-support.js";

afterEach(closeAirflows);

const config = readConfig;
const noConfig = (dir: string) => expect(() => readConfig(dir)).toThrow();
/** inConfig() with `--api-url` of the server unless told. */
const withUrl = (af: Airflow, dir: string, o: Parameters<typeof inConfig>[2] = {}) =>
  inConfig(af, dir, { ...o, globals: { apiUrl: af.url, ...o.globals } });
const calls = (af: Airflow) => af.requests.map((q) => `${q.method} ${q.path}`);

describe("login with a user and password", () => {
  it("--password-stdin: POST /auth/token, one check of the token, then the URL, token and user stored; stderr says so, never the token", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const s = withUrl(af, dir, { stdin: "admin\n", globals: { apiUrl: `${af.url}/` } });
    expect(await s.run((d) => runLogin({ username: "admin", passwordStdin: true }, d))).toBe(0);
    expect(calls(af)).toEqual(["POST /auth/token", "GET /api/v2/connections"]);
    expect(af.requests[0]!.json).toEqual({ username: "admin", password: "admin" });
    expect(af.requests[1]!.query.get("limit")).toBe("1");
    const p = config(dir);
    expect(p.current_profile).toBe("default");
    expect(p.profiles.default).toEqual({
      api_url: af.url,
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      username: "admin",
    });
    expect(af.requests[1]!.headers.authorization).toBe(`Bearer ${p.profiles.default!.token as string}`);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(
      /^Logged in to http:\/\/127\.0\.0\.1:\d+ as admin \(profile default\); the token expires \d{4}-\d\d-\d\dT[\d:.]+Z\.\n$/,
    );
    expect(s.io.stderr()).not.toContain(p.profiles.default!.token as string);
  });

  it("AIRCONN_USERNAME and AIRCONN_PASSWORD; -p NAME logs in to that profile", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const s = withUrl(af, dir, {
      env: { AIRCONN_USERNAME: "admin", AIRCONN_PASSWORD: "admin" },
      globals: { profile: "ci" },
    });
    expect(await s.run((d) => runLogin({}, d))).toBe(0);
    expect(config(dir)).toMatchObject({
      current_profile: "ci",
      profiles: { ci: { api_url: af.url, username: "admin" } },
    });
    expect(s.io.stderr()).toMatch(/\(profile ci\)/);
  });

  it("a wrong password: exit 4 'login failed', nothing stored", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const s = withUrl(af, dir, { stdin: "wrong" });
    expect(await s.run((d) => runLogin({ username: "admin", passwordStdin: true }, d))).toBe(4);
    expect(s.io.stderr()).toMatch(
      /^airconn: login failed: Invalid credentials\nhint: check the user name and password\n$/,
    );
    expect(calls(af)).toEqual(["POST /auth/token"]);
    noConfig(dir);
  });

  it("a server without /auth/token (not the simple auth manager, or a wrong URL): exit 1, the hint names --token-stdin", async () => {
    const af = await fakeAirflow([], {
      intercept: (r) => (r.path === "/auth/token" ? { status: 404, json: { detail: "Not Found" } } : undefined),
    });
    const dir = tempFolder();
    const s = withUrl(af, dir, { stdin: "admin" });
    expect(await s.run((d) => runLogin({ username: "admin", passwordStdin: true }, d))).toBe(1);
    expect(s.io.stderr()).toMatch(
      /^airconn: POST http:\/\/127\.0\.0\.1:\d+\/auth\/token answered 404 .* does not serve the Airflow API\nhint: .*get a token its way and pass it with --token-stdin or AIRCONN_TOKEN\n$/,
    );
    noConfig(dir);
  });

  it("without a terminal: no user name, an empty password, or both stdin flags are usage errors (exit 2), nothing sent", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    for (const [o, stdin, message] of [
      [
        {},
        "",
        /^airconn: no user name: pass --username \(or set AIRCONN_USERNAME\)\nhint: in scripts: --username U --password-stdin, or --token-stdin\n$/,
      ],
      [{ username: "admin" }, "", /^airconn: no password: pass --password-stdin \(or set AIRCONN_PASSWORD\)\n$/],
      [{ username: "admin", passwordStdin: true }, "", /^airconn: --password-stdin: standard input was empty\n$/],
      [{ passwordStdin: true, tokenStdin: true }, "x", /cannot be used together/],
      [{ tokenStdin: true }, "  \n", /^airconn: --token-stdin: standard input was empty\n$/],
    ] as const) {
      const s = withUrl(af, dir, { stdin });
      expect(await s.run((d) => runLogin(o, d)), JSON.stringify(o)).toBe(2);
      expect(s.io.stderr()).toMatch(message);
    }
    expect(af.requests).toEqual([]);
    noConfig(dir);
  });

  it("on a terminal: asks for the URL (none given), the user and the password", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const fp = fakePrompter([af.url, "admin", "admin"]);
    const s = inConfig(af, dir, { tty: true, prompter: fp.prompter });
    expect(await s.run((d) => runLogin({}, d))).toBe(0);
    expect(fp.asked.map((q) => [q.kind, q.message])).toEqual([
      ["input", "Airflow API URL"],
      ["input", "Username"],
      ["password", "Password"],
    ]);
    expect(config(dir).profiles.default).toMatchObject({ api_url: af.url, username: "admin" });
  });
});

describe("login --token-stdin", () => {
  it("checks the token before storing it: one the server refuses is exit 4 and nothing stored; a good one is stored, no user", async () => {
    const af = await fakeAirflow([{ connection_id: "conn_00002", conn_type: "http" }]);
    const dir = tempFolder();
    const bad = withUrl(af, dir, { stdin: "garbage" });
    expect(await bad.run((d) => runLogin({ tokenStdin: true }, d))).toBe(4);
    expect(bad.io.stderr()).toMatch(/^airconn: the token was refused by http:\/\/127\.0\.0\.1:\d+: /);
    noConfig(dir);
    const good = withUrl(af, dir, { stdin: `${af.adminToken}\n`, globals: { profile: "ci" } });
    expect(await good.run((d) => runLogin({ tokenStdin: true }, d))).toBe(0);
    expect(config(dir).profiles.ci).toEqual({ api_url: af.url, token: af.adminToken });
    expect(good.io.stderr()).not.toContain(af.adminToken);
    expect(calls(af)).toEqual(["GET /api/v2/connections", "GET /api/v2/connections"]); // no /auth/token
    // the stored profile works on its own
    const get = inConfig(af, dir, { globals: { profile: "ci", output: "json" } });
    expect(await get.run((d) => runGet({ id: "conn_00002" }, d))).toBe(0);
    expect(JSON.parse(get.io.stdout())).toMatchObject({ connection_id: "conn_00002" });
  });

  it("a profile with a token command: stored, with a warning that the command is used first", async () => {
    const af = await fakeAirflow();
    const dir = configFolder({ profiles: { tc: { api_url: af.url, token_command: "echo x" } } });
    const s = withUrl(af, dir, { stdin: af.adminToken, globals: { profile: "tc" } });
    expect(await s.run((d) => runLogin({ tokenStdin: true }, d))).toBe(0);
    expect(s.io.stderr()).toMatch(
      /^airconn: warning: profile tc has a token command, which is used before the stored token: remove it with `airconn profile set tc --token-command ''`/m,
    );
    expect(config(dir).profiles.tc).toMatchObject({ token: af.adminToken, token_command: "echo x" });
  });
});

describe("logout", () => {
  it("removes the stored token and keeps the profile; a second logout says there is none (exit 0 both times)", async () => {
    const af = await fakeAirflow();
    const dir = configFolder({
      current_profile: "p",
      profiles: { p: { api_url: af.url, token: af.adminToken, username: "admin" } },
    });
    const s = withUrl(af, dir);
    expect(await s.run((d) => runLogout(d))).toBe(0);
    expect(s.io.stderr()).toBe("Removed the token from profile p.\n");
    expect(config(dir).profiles.p).toEqual({ api_url: af.url, username: "admin" });
    const t = withUrl(af, dir);
    expect(await t.run((d) => runLogout(d))).toBe(0);
    expect(t.io.stderr()).toBe("No token stored in profile p.\n");
    // after it, a command of that profile has no token: exit 4
    const get = inConfig(af, dir);
    expect(await get.run((d) => runGet({ id: "x" }, d))).toBe(4);
    expect(af.requests).toEqual([]);
  });
});
