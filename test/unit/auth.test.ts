// Auth in one place (src/api/auth.ts): the one wording of where the token comes from, the token source each kind of
// settings gets (and which 401 refreshes it), the secrets of a run, and how a stored profile authenticates.
import { describe, expect, it } from "vitest";
import { authenticate, describeAuth, Secrets, type AuthContext } from "../../src/api/auth.js";
import { storedAuth, type Auth, type Resolved } from "../../src/config/resolve.js";
import { AuthError, UsageError } from "../../src/errors.js";

const jwt = (exp: number) => `h.${Buffer.from(JSON.stringify({ exp })).toString("base64url")}.s`;
const token = (value: string, source: "flag" | "env" | "profile", detail: string): Auth => ({
  kind: "token",
  token: { value, source, detail },
});
const command = (source: "flag" | "env" | "profile", detail: string): Auth => ({
  kind: "command",
  command: { value: "print-token", source, detail },
});

describe("describeAuth: where the token comes from", () => {
  it("a fixed token: the setting, its state and expiry, the label of its messages", () => {
    const now = new Date(1_900_000_000_000);
    expect(describeAuth(token(jwt(2_000_000_000), "env", "AIRCONN_TOKEN"), "prod", now)).toEqual({
      kind: "token",
      setting: "AIRCONN_TOKEN",
      origin: "AIRCONN_TOKEN",
      label: "the token from AIRCONN_TOKEN",
      commandName: null,
      state: "valid",
      expires: new Date(2_000_000_000_000),
      summary: "valid (from AIRCONN_TOKEN), expires 2033-05-18T03:33:20.000Z",
    });
    expect(describeAuth(token(jwt(1_000_000_000), "profile", "profile prod"), "prod", now)).toMatchObject({
      state: "expired",
      summary: "expired (from profile prod), expires 2001-09-09T01:46:40.000Z",
    });
    expect(describeAuth(token("opaque", "flag", "--token"), "prod")).toMatchObject({
      state: "set",
      expires: undefined,
      summary: "set (from --token)",
    });
  });

  it("a token command: its own profile's, or named by where it was set, with the profile in its errors", () => {
    expect(describeAuth(command("profile", "profile prod"), "prod")).toMatchObject({
      setting: "profile prod",
      origin: "the token command (profile prod)",
      label: 'the token command of profile "prod"',
      commandName: 'the token command of profile "prod"',
      state: "command",
      summary:
        "from a token command (from profile prod), run for each command and again once on a 401; its output is never shown",
    });
    expect(describeAuth(command("env", "AIRCONN_TOKEN_COMMAND"), "prod")).toMatchObject({
      setting: "AIRCONN_TOKEN_COMMAND",
      origin: "the token command (AIRCONN_TOKEN_COMMAND)",
      label: "the token command (from AIRCONN_TOKEN_COMMAND)",
      commandName: 'the token command (from AIRCONN_TOKEN_COMMAND) for profile "prod"',
    });
  });

  it("a login per run, and nothing", () => {
    expect(describeAuth({ kind: "password", username: "u", password: "p" }, "prod")).toMatchObject({
      setting: "AIRCONN_USERNAME/AIRCONN_PASSWORD",
      origin: "AIRCONN_USERNAME/AIRCONN_PASSWORD",
      label: "AIRCONN_USERNAME/AIRCONN_PASSWORD",
      state: "from AIRCONN_USERNAME/AIRCONN_PASSWORD for each run",
    });
    expect(describeAuth({ kind: "none" }, "prod")).toEqual({
      kind: "none",
      setting: null,
      origin: null,
      label: null,
      commandName: null,
      state: "none",
      expires: undefined,
      summary: "none",
    });
  });

  it("a stored profile by itself: its token command ranks above its token", () => {
    expect(storedAuth({ token: "t", token_command: "cmd" }, "p")).toEqual({
      kind: "command",
      command: { value: "cmd", source: "profile", detail: "profile p" },
    });
    expect(storedAuth({ token: "t" }, "p")).toEqual({
      kind: "token",
      token: { value: "t", source: "profile", detail: "profile p" },
    });
    expect(storedAuth({ token_command: " " }, "p")).toEqual({ kind: "none" });
    expect(storedAuth(undefined, "p")).toEqual({ kind: "none" });
  });
});

describe("Secrets", () => {
  it("replaces each secret of 4 characters or more, wherever it appears", () => {
    const s = new Secrets();
    s.add("tok-123");
    s.add("abc");
    expect(s.redact("Bearer tok-123 and tok-123; abc")).toBe("Bearer [REDACTED] and [REDACTED]; abc");
  });
});

describe("authenticate", () => {
  const settings = (auth: Auth, apiUrl = "http://localhost:8080"): Pick<Resolved, "profile" | "apiUrl" | "auth"> => ({
    profile: { value: "prod", source: "profile", detail: "current profile" },
    apiUrl: { value: apiUrl, source: "profile", detail: "profile prod" },
    auth,
  });
  const context = (o: Partial<AuthContext> = {}) => {
    const warnings: string[] = [];
    const logins: string[] = [];
    const secrets = new Secrets();
    const c: AuthContext = {
      env: {},
      io: { stdinIsTTY: false, stderrIsTTY: false, err: () => {} },
      signal: new AbortController().signal,
      secrets,
      warn: (m) => warnings.push(m),
      login: async (u) => {
        logins.push(u);
        return `tok-${logins.length}`;
      },
      ...o,
    };
    return { c, warnings, logins, secrets };
  };

  it("no source: not logged in (exit 4), naming the profile and the URL", async () => {
    const e = await authenticate(settings({ kind: "none" }), context().c).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).message).toBe('not logged in: no token for profile "prod" (http://localhost:8080)');
  });

  it("a fixed token: checked at once, never refreshed, a secret of the run", async () => {
    const { c, secrets } = context();
    const src = await authenticate(settings(token("fixed-token", "env", "AIRCONN_TOKEN")), c);
    expect([await src.get(), src.label, src.canRefresh("Token Expired")]).toEqual([
      "fixed-token",
      "the token from AIRCONN_TOKEN",
      false,
    ]);
    expect(secrets.redact("fixed-token")).toBe("[REDACTED]");
    await expect(authenticate(settings(token("a\nb", "env", "AIRCONN_TOKEN")), c)).rejects.toThrow(
      "the token from AIRCONN_TOKEN contains a line break at character 2",
    );
  });

  it("a login: warned about over plain http to another machine, logged in now, again only for an expired token", async () => {
    const { c, warnings, logins, secrets } = context();
    const src = await authenticate(
      settings({ kind: "password", username: "ci", password: "pass-word" }, "http://airflow.example.com"),
      c,
    );
    expect(warnings).toEqual([
      "sending the password over plain http to airflow.example.com: use https outside your own machine",
    ]);
    expect(logins).toEqual(["ci"]);
    expect([src.canRefresh("Token Expired"), src.canRefresh("Not authenticated")]).toEqual([true, false]);
    expect(await src.refresh("tok-1")).toBe("tok-2");
    expect(secrets.redact("pass-word tok-1 tok-2")).toBe("[REDACTED] [REDACTED] [REDACTED]");
  });

  it("a token command: run now; AIRCONN_TOKEN_COMMAND_TIMEOUT out of range is a usage error before it runs", async () => {
    const { c, secrets } = context({ env: { PATH: process.env.PATH } });
    const auth: Auth = {
      kind: "command",
      command: { value: "printf cmd-token", source: "profile", detail: "profile prod" },
    };
    const src = await authenticate(settings(auth), c);
    expect([await src.get(), src.fetches, src.canRefresh("anything")]).toEqual(["cmd-token", 1, true]);
    expect(secrets.redact("cmd-token")).toBe("[REDACTED]");
    const bad = context({ env: { PATH: process.env.PATH, AIRCONN_TOKEN_COMMAND_TIMEOUT: "0" } });
    await expect(authenticate(settings(auth), bad.c)).rejects.toThrow(UsageError);
  });
});
