import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { plainHttpWarning } from "../util/plain-http.js";
import { ApiError, AuthError, UsageError } from "../errors.js";
import { checkProfileName } from "../config/store.js";
import { normaliseApiUrl, resolveSettings, DEFAULT_API_URL } from "../config/resolve.js";
import { jwtExpiry } from "../api/auth.js";
import { examples } from "./common.js";
import { checkToken } from "../api/token.js";

export interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
}

/** Adds login and logout; `run` holds what their actions call (tests pass spies to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = { login: runLogin, logout: runLogout }): void {
  program
    .command("login")
    .description("get a token (or take one from stdin), check it, and store the API URL and token in the profile")
    .option("--username <user>", "Airflow user (env AIRCONN_USERNAME; prompted on a terminal)")
    .option("--password-stdin", "read the password from standard input (one trailing newline is removed)")
    .option("--token-stdin", "read an existing access token from standard input instead of a user and password")
    .addHelpText(
      "after",
      examples([
        "$ airconn login --api-url https://airflow.example.com        # prompts for user and password",
        "$ airconn -p staging login --api-url https://staging.example.com",
        '$ printf %s "$AIRFLOW_PASSWORD" | airconn login --api-url $URL --username ci --password-stdin   # CI',
        '$ printf %s "$JWT" | airconn login --api-url $URL --token-stdin',
      ]),
    )
    .action(async (o: LoginOptions, cmd: Command) => run.login(o, ctx.deps(cmd)));

  program
    .command("logout")
    .description("remove the stored token from the profile")
    .addHelpText(
      "after",
      examples([
        "$ airconn logout",
        "$ airconn -p staging logout",
        "$ airconn -p ci logout    # at the end of a CI job that logged in",
      ]),
    )
    .action(async (_o: unknown, cmd: Command) => run.logout(ctx.deps(cmd)));
}

export async function runLogin(o: LoginOptions, d: Deps): Promise<void> {
  if (o.passwordStdin && o.tokenStdin)
    throw new UsageError("--password-stdin and --token-stdin cannot be used together");
  const s = resolveSettings(d.globals, d.env, d.config, { allowNewProfile: true });
  const profile = checkProfileName(s.profile.value);
  if (s.mwaa)
    throw new UsageError(
      `profile ${profile} uses the MWAA environment "${s.mwaa.environment.value}" (from ${s.mwaa.environment.detail}): it needs no login, every request is signed with AWS credentials`,
      "to log in to the web server with a token instead, give it with --api-url (docs/mwaa.md)",
    );
  const prompt = d.canPrompt();
  let apiUrl = s.apiUrl.value;
  if (s.apiUrl.source === "default" && prompt) {
    apiUrl = normaliseApiUrl(
      await d.prompter().input({ message: "Airflow API URL", default: DEFAULT_API_URL }),
      "the prompt",
    );
  }
  let token: string;
  let username: string | undefined;
  if (o.tokenStdin) {
    token = (await d.io.readStdin({ what: "standard input (--token-stdin)" })).trim();
    if (!token) throw new UsageError("--token-stdin: standard input was empty");
    token = checkToken(token, "the token from standard input (--token-stdin)");
  } else {
    username = o.username ?? d.env.AIRCONN_USERNAME;
    if (!username) {
      if (!prompt)
        throw new UsageError(
          "no user name: pass --username (or set AIRCONN_USERNAME)",
          "in scripts: --username U --password-stdin, or --token-stdin",
        );
      username = await d.prompter().input({ message: "Username", required: true });
    }
    let password: string | undefined;
    if (o.passwordStdin) password = stripNewline(await d.io.readStdin({ what: "standard input (--password-stdin)" }));
    else password = d.env.AIRCONN_PASSWORD;
    if (password === undefined || password === "") {
      if (o.passwordStdin) throw new UsageError("--password-stdin: standard input was empty");
      if (!prompt) throw new UsageError("no password: pass --password-stdin (or set AIRCONN_PASSWORD)");
      password = await d.prompter().password({ message: "Password" });
    }
    const anon = await d.apiFor(apiUrl);
    const plain = plainHttpWarning(apiUrl, "the password");
    if (plain) d.warn(plain);
    try {
      token = checkToken(await anon.token(username, password), `the token ${apiUrl} answered to the login`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 400))
        throw new AuthError(`login failed: ${e.detail}`, "check the user name and password");
      if (e instanceof ApiError && e.status === 404) {
        throw new AuthError(
          `${apiUrl} has no /auth/token endpoint (not Airflow's simple auth manager?)`,
          "get a token another way and pass it with --token-stdin",
        );
      }
      throw e;
    }
  }
  // Check the token before storing it.
  const api = await d.apiFor(apiUrl, token);
  try {
    await api.page({ limit: 1, offset: 0 });
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403))
      throw new AuthError(`the token was refused by ${apiUrl}: ${e.detail}`);
    throw e;
  }
  await d.config.update((data) => {
    const p = (data.profiles[profile] ??= {});
    p.api_url = apiUrl;
    p.token = token;
    if (username) p.username = username;
    else delete p.username;
    data.current_profile ??= profile;
  });
  if (d.config.profile(profile)?.token_command) {
    d.warn(
      `profile ${profile} has a token command, which is used before the stored token: remove it with \`airconn profile set ${profile} --token-command ''\` to use this login`,
    );
  }
  const exp = jwtExpiry(token);
  d.note(
    `Logged in to ${apiUrl}${username ? ` as ${username}` : ""} (profile ${profile})${exp ? `; the token expires ${exp.toISOString()}` : ""}.`,
  );
}

export async function runLogout(d: Deps): Promise<void> {
  const name = d.settings().profile.value;
  const p = d.config.profile(name);
  if (!p?.token) {
    d.note(`No token stored in profile ${name}.`);
    return;
  }
  await d.config.update((data) => {
    delete data.profiles[name]?.token;
  });
  d.note(`Removed the token from profile ${name}.`);
}

const stripNewline = (s: string) => s.replace(/\r?\n$/, "");
