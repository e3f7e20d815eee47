// Token sources: the token command runner (shell, stderr, stdin, timeout, failures), the single-flight refresh,
// the Http layer's one retry after a 401 (reads and writes), and the precedence of token settings.
import { describe, expect, it } from "vitest";
import { MockAgent } from "undici";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Http } from "../../src/api/http.js";
import { FixedTokenSource, RefreshingTokenSource } from "../../src/api/token.js";
import { runTokenCommand, type TokenCommandOptions } from "../../src/api/token-command.js";
import { describeAuth } from "../../src/api/auth.js";
import { ApiError, AuthError, UsageError } from "../../src/errors.js";
import { ConfigStore } from "../../src/config/store.js";
import { resolveSettings } from "../../src/config/resolve.js";

const work = mkdtempSync(join(tmpdir(), "airconn-token-"));
/** A command set in profile prod (or by `from`: a flag or a variable), named in its errors as airconn names it. */
const opts = (
  command: string,
  o: Partial<TokenCommandOptions> & { from?: string } = {},
): TokenCommandOptions & { errs: string[] } => {
  const errs: string[] = [];
  const { from = "profile prod", ...rest } = o;
  const source = from.startsWith("profile ") ? "profile" : from.startsWith("--") ? "flag" : "env";
  const who = describeAuth({ kind: "command", command: { value: command, source, detail: from } }, "prod").commandName!;
  return {
    command,
    who,
    env: { PATH: process.env.PATH, HOME: work },
    timeoutMs: 10_000,
    stdinIsTTY: false,
    stderr: (c) => errs.push(c),
    errs,
    ...rest,
  };
};

describe("runTokenCommand", () => {
  it("runs the command through the shell and returns its trimmed stdout; stderr passes through", async () => {
    const o = opts("echo 'note: minting' >&2; printf '  tok.en-123\\n\\n'");
    await expect(runTokenCommand(o)).resolves.toBe("tok.en-123");
    expect(o.errs.join("")).toBe("note: minting\n");
  });

  it("uses $SHELL when it is an absolute path, else /bin/sh", async () => {
    await expect(
      runTokenCommand(opts("echo $0", { env: { PATH: process.env.PATH, SHELL: "/bin/bash" } })),
    ).resolves.toBe("/bin/bash");
    await expect(runTokenCommand(opts("echo $0", { env: { PATH: process.env.PATH, SHELL: "bash" } }))).resolves.toBe(
      "/bin/sh",
    );
  });

  it("does not hand airconn's stdin to the command without a terminal", async () => {
    // With stdin ignored, `cat` reads /dev/null and ends at once: an empty token.
    await expect(runTokenCommand(opts("cat; echo after"))).resolves.toBe("after");
  });

  it("a failing command is exit 4 with a one-line message naming the profile and the exit status", async () => {
    const e = await runTokenCommand(opts("echo oops >&2; exit 3")).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).exitCode).toBe(4);
    expect((e as AuthError).message).toBe('the token command of profile "prod" failed with exit status 3');
    const env = await runTokenCommand(opts("exit 1", { from: "AIRCONN_TOKEN_COMMAND" })).catch((x: Error) => x.message);
    expect(env).toBe('the token command (from AIRCONN_TOKEN_COMMAND) for profile "prod" failed with exit status 1');
  });

  it("refuses empty output, several lines, and spaces inside the token", async () => {
    await expect(runTokenCommand(opts("true"))).rejects.toThrow(
      'the token command of profile "prod" printed no token (exit status 0)',
    );
    await expect(runTokenCommand(opts("printf 'a\\nb\\n'"))).rejects.toThrow(/printed 2 lines, not one token/);
    await expect(runTokenCommand(opts("echo 'Bearer abc'"))).rejects.toThrow(/spaces or control characters/);
  });

  it("stops a command that runs too long", async () => {
    const e = (await runTokenCommand(opts("sleep 5; echo late", { timeoutMs: 200 })).catch(
      (x: unknown) => x,
    )) as AuthError;
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).toBe('the token command of profile "prod" did not finish within 0.2 s');
  });

  it("a command the shell cannot find fails with the shell's status (127)", async () => {
    await expect(runTokenCommand(opts("no-such-command-airconn-test"))).rejects.toThrow(/failed with exit status 127/);
  });
});

describe("RefreshingTokenSource", () => {
  it("fetches on first use only, and one refresh serves every caller refused together (single flight)", async () => {
    let n = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const src = new RefreshingTokenSource(async () => {
      n++;
      if (n > 1) await gate;
      return `t${n}`;
    }, "test");
    expect(await Promise.all([src.get(), src.get()])).toEqual(["t1", "t1"]);
    const refreshes = Array.from({ length: 8 }, () => src.refresh("t1"));
    release();
    expect(await Promise.all(refreshes)).toEqual(Array(8).fill("t2"));
    expect(n).toBe(2);
    // A late caller refused with the old token gets the new one without another run.
    expect(await src.refresh("t1")).toBe("t2");
    expect(n).toBe(2);
    expect(src.fetches).toBe(2);
  });

  it("does not refresh again when the refreshed token was refused before it ever worked", async () => {
    let n = 0;
    const src = new RefreshingTokenSource(async () => `t${++n}`, "test");
    await src.get();
    expect(await src.refresh("t1")).toBe("t2");
    expect(await src.refresh("t2")).toBeUndefined();
    expect(n).toBe(2);
    // Once t2 worked, a later expiry of t2 is refreshed again (a long run outliving several tokens).
    src.accepted("t2");
    expect(await src.refresh("t2")).toBe("t3");
  });

  it("a fixed token never refreshes", async () => {
    const f = new FixedTokenSource("abc");
    expect(f.canRefresh()).toBe(false);
    expect(await f.refresh()).toBeUndefined();
  });
});

describe("Http with a token source", () => {
  const BASE = "http://airflow.test";
  const json = { "content-type": "application/json" };
  const setup = (fetchToken: () => Promise<string>, refreshOn?: (d: string) => boolean) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const src = new RefreshingTokenSource(fetchToken, 'the token command of profile "t"', refreshOn);
    const http = new Http({ baseUrl: BASE, auth: src, dispatcher: agent, sleep: async () => {} });
    return { agent, pool: agent.get(BASE), http, src };
  };

  it("on 401 Token Expired gets a new token and sends a POST once more (nothing was applied)", async () => {
    let n = 0;
    const { pool, http, agent } = setup(async () => `tok${++n}`);
    const seen: string[] = [];
    pool.intercept({ method: "POST", path: "/api/v2/connections" }).reply(
      401,
      (o) => {
        seen.push((o.headers as Record<string, string>).authorization!);
        return { detail: "Token Expired" };
      },
      { headers: json },
    );
    pool.intercept({ method: "POST", path: "/api/v2/connections" }).reply(
      201,
      (o) => {
        seen.push((o.headers as Record<string, string>).authorization!);
        return { connection_id: "x" };
      },
      { headers: json },
    );
    const r = await http.request("POST", "/connections", { body: { connection_id: "x" } });
    expect(r.status).toBe(201);
    expect(seen).toEqual(["Bearer tok1", "Bearer tok2"]);
    expect(n).toBe(2);
    agent.assertNoPendingInterceptors();
  });

  it("retries only once: a second 401 is the error, with a hint naming the source", async () => {
    let n = 0;
    const { pool, http } = setup(async () => `tok${++n}`);
    for (let i = 0; i < 2; i++)
      pool
        .intercept({ method: "GET", path: "/api/v2/connections/x" })
        .reply(401, { detail: "Not authenticated" }, { headers: json });
    const e = (await http.request("GET", "/connections/x").catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.exitCode, e.message]).toEqual([401, 4, "Not authenticated"]);
    expect(e.hint).toMatch(/the token command of profile "t" gave a new token and the server refused it too/);
    expect(n).toBe(2);
  });

  it("eight concurrent requests refused together run the command once more, not eight times", async () => {
    let n = 0;
    const { pool, http } = setup(async () => `tok${++n}`);
    const p = pool.intercept({ method: "GET", path: /^\/api\/v2\/connections\/c\d$/ });
    p.reply(401, { detail: "Token Expired" }, { headers: json }).times(8);
    pool
      .intercept({ method: "GET", path: /^\/api\/v2\/connections\/c\d$/ })
      .reply(
        200,
        (o) => ({ connection_id: o.path.split("/").pop(), auth: (o.headers as Record<string, string>).authorization }),
        { headers: json },
      )
      .times(8);
    const rs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => http.request<{ auth: string }>("GET", `/connections/c${i}`)),
    );
    expect(rs.map((r) => r.body.auth)).toEqual(Array(8).fill("Bearer tok2"));
    expect(n).toBe(2);
  });

  it("user/password refreshes on Token Expired only; a 403 Invalid JWT token is not retried", async () => {
    let n = 0;
    const { pool, http } = setup(
      async () => `tok${++n}`,
      (d) => /expired/i.test(d),
    );
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/a" })
      .reply(401, { detail: "Not authenticated" }, { headers: json });
    await expect(http.request("GET", "/connections/a")).rejects.toThrow("Not authenticated");
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/b" })
      .reply(403, { detail: "Invalid JWT token" }, { headers: json });
    await expect(http.request("GET", "/connections/b")).rejects.toThrow("Invalid JWT token");
    expect(n).toBe(1);
  });

  it("a DELETE sent again after a 401 that then finds nothing is a real 404", async () => {
    let n = 0;
    const { pool, http } = setup(async () => `tok${++n}`);
    pool
      .intercept({ method: "DELETE", path: "/api/v2/connections/gone" })
      .reply(401, { detail: "Token Expired" }, { headers: json });
    pool
      .intercept({ method: "DELETE", path: "/api/v2/connections/gone" })
      .reply(404, { detail: "The Connection with connection_id: `gone` was not found" }, { headers: json });
    await expect(http.request("DELETE", "/connections/gone")).rejects.toMatchObject({ status: 404 });
  });

  it("a token command that fails on the refresh is the error (exit 4)", async () => {
    let n = 0;
    const { pool, http } = setup(async () => {
      if (++n > 1) throw new AuthError('the token command of profile "t" failed with exit status 1');
      return "tok1";
    });
    pool
      .intercept({ method: "GET", path: "/api/v2/connections/x" })
      .reply(401, { detail: "Token Expired" }, { headers: json });
    await expect(http.request("GET", "/connections/x")).rejects.toThrow(/failed with exit status 1/);
  });
});

describe("token settings precedence", () => {
  const dir = mkdtempSync(join(tmpdir(), "airconn-cfg-"));
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      version: 1,
      current_profile: "p",
      profiles: {
        p: { api_url: "http://p", token: "ptok", token_command: "echo pcmd" },
        q: { api_url: "http://q", token: "qtok" },
      },
    }),
  );
  const store = new ConfigStore({ AIRCONN_CONFIG_DIR: dir });
  const kind = (flags: object, env: NodeJS.ProcessEnv) => {
    const a = resolveSettings(flags, env, store).auth;
    return a.kind === "command"
      ? `command:${a.command.detail}`
      : a.kind === "token"
        ? `token:${a.token.detail}`
        : a.kind;
  };

  it("flag > env > profile; at one level the command ranks above a plain token; user/password between env and profile", () => {
    expect(kind({}, {})).toBe("command:profile p");
    expect(kind({ profile: "q" }, {})).toBe("token:profile q");
    expect(kind({}, { AIRCONN_USERNAME: "u", AIRCONN_PASSWORD: "pw" })).toBe("password");
    expect(kind({}, { AIRCONN_TOKEN: "e", AIRCONN_USERNAME: "u", AIRCONN_PASSWORD: "pw" })).toBe("token:AIRCONN_TOKEN");
    expect(kind({}, { AIRCONN_TOKEN: "e", AIRCONN_TOKEN_COMMAND: "echo e" })).toBe("command:AIRCONN_TOKEN_COMMAND");
    expect(kind({ token: "f" }, { AIRCONN_TOKEN_COMMAND: "echo e" })).toBe("token:--token");
    expect(kind({ tokenCommand: "echo f" }, { AIRCONN_TOKEN: "e" })).toBe("command:--token-command");
    expect(() => kind({ token: "f", tokenCommand: "echo f" }, {})).toThrow(UsageError);
  });

  it("the config file keeps the command as written", () => {
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).profiles.p.token_command).toBe("echo pcmd");
  });
});
