import type { Command } from "commander";
import { optionsOf, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { checkProfileName, DEFAULT_PROFILE } from "../config/store.js";
import { normaliseApiUrl, resolveSettings, storedAuth } from "../config/resolve.js";
import { describeAuth } from "../api/auth.js";
import { render } from "../output/render.js";
import { resolve as resolvePath } from "node:path";
import { readCaFile } from "../api/transport.js";
import { examples } from "./common.js";

const RUN = {
  list: runProfileList,
  show: runProfileShow,
  use: runProfileUse,
  set: runProfileSet,
  remove: runProfileRemove,
};

/** Adds profile and its subcommands; `run` holds what their actions call (tests pass spies to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = RUN): void {
  const profile = program
    .command("profile")
    .description("manage profiles (API URL and token per Airflow)")
    .addHelpText(
      "after",
      examples([
        "$ airconn profile list",
        "$ airconn profile set staging --api-url https://staging.example.com",
        "$ airconn profile set prod --api-url https://prod.example.com --token-command 'gcloud auth print-access-token'",
        "$ airconn profile use staging",
        "$ airconn profile show            # where each value comes from; never the token",
      ]),
    );
  profile
    .command("list")
    .description("list profiles")
    .addHelpText(
      "after",
      examples([
        "$ airconn profile list",
        "$ airconn profile list -o json | jq -r '.[] | select(.current) | .name'   # in scripts",
      ]),
    )
    .action(async (_o: unknown, cmd: Command) => run.list(ctx.deps(cmd)));
  profile
    .command("show")
    .description("show the settings in effect and where each comes from (never the token)")
    .argument("[name]", "profile (default: the one in effect)")
    .addHelpText(
      "after",
      examples([
        "$ airconn profile show",
        "$ airconn profile show staging",
        "$ AIRCONN_API_URL=https://x.example.com airconn profile show -o json   # CI: check what a job will use",
      ]),
    )
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => run.show(name, ctx.deps(cmd)));
  profile
    .command("use")
    .description("make a profile the current one")
    .argument("<name>")
    .addHelpText(
      "after",
      examples([
        "$ airconn profile use staging",
        "$ AIRCONN_PROFILE=staging airconn list    # one command only, in scripts",
      ]),
    )
    .action(async (name: string, _o: unknown, cmd: Command) => run.use(name, ctx.deps(cmd)));
  profile
    .command("set")
    .description("create or change a profile")
    .argument("<name>")
    .option("--api-url <url>", "Airflow base URL")
    .option(
      "--token-command <cmd>",
      "shell command that prints an access token (run when a token is needed, again once on a 401); '' removes it",
    )
    .option(
      "--ca-cert <file>",
      "PEM file with the CA that signed the server's certificate, kept in the profile (its absolute path); '' removes it",
    )
    .option(
      "--insecure",
      "do not verify the server's certificate when this profile is used (warned about on every use)",
    )
    .option("--no-insecure", "verify the server's certificate again")
    .addHelpText(
      "after",
      examples([
        "$ airconn profile set staging --api-url https://staging.example.com",
        '$ airconn profile set ci --api-url "$AIRFLOW_URL" && printf %s "$JWT" | airconn -p ci login --token-stdin   # CI',
        "$ airconn profile set composer --api-url \"$COMPOSER_AIRFLOW_URI\" --token-command 'gcloud auth print-access-token'",
        "$ airconn profile set composer --token-command ''    # remove the token command",
        "$ airconn profile set corp --ca-cert ./corp-ca.pem      # a private CA, used by every command of the profile",
      ]),
    )
    .action(async (name: string, _o: unknown, cmd: Command) => {
      // Given before the command word too (`airconn --api-url URL profile set NAME`): the value given last wins.
      const g = optionsOf<{ apiUrl?: string; tokenCommand?: string }>(cmd);
      // TLS settings are stored only when given to `profile set` itself: a global `--insecure` before the command
      // word is meant for this run, and turning verification off for good must be asked for where it is stored.
      const own = cmd.opts<{ caCert?: string; insecure?: boolean }>();
      return run.set(
        name,
        { apiUrl: g.apiUrl, tokenCommand: g.tokenCommand, caCert: own.caCert, insecure: own.insecure },
        ctx.deps(cmd),
      );
    });
  profile
    .command("remove")
    .alias("rm")
    .description("delete a profile and its token")
    .argument("<name>")
    .addHelpText("after", examples(["$ airconn profile remove staging"]))
    .action(async (name: string, _o: unknown, cmd: Command) => run.remove(name, ctx.deps(cmd)));
}

export async function runProfileList(d: Deps): Promise<void> {
  const data = d.config.read();
  const current = data.current_profile ?? DEFAULT_PROFILE;
  const rows = Object.entries(data.profiles).map(([name, p]) => {
    const t = describeAuth(storedAuth(p, name), name);
    return {
      name,
      current: name === current,
      api_url: p.api_url ?? null,
      username: p.username ?? null,
      token: t.state,
      token_expires: t.expires?.toISOString() ?? null,
    };
  });
  // Piped, the name comes first (for cut -f1); on a terminal the current-profile mark does.
  const mark = (r: (typeof rows)[number]) => (r.current ? "*" : "");
  await render(d.io, d.output(), {
    kind: "rows",
    rows,
    emptyTable: () => d.note("No profiles yet: run `airconn login`."),
    columns: [
      { header: "", value: mark, only: "table" },
      { header: "NAME", value: (r) => r.name },
      { header: "", value: mark, only: "plain" },
      { header: "API URL", value: (r) => r.api_url },
      { header: "USER", value: (r) => r.username },
      { header: "TOKEN", value: (r) => r.token },
      { header: "EXPIRES", value: (r) => r.token_expires },
    ],
  });
}

export async function runProfileShow(name: string | undefined, d: Deps): Promise<void> {
  if (name !== undefined && !d.config.profile(checkProfileName(name)))
    throw new UsageError(`no profile named "${name}"`);
  const s = resolveSettings(name ? { ...d.globals, profile: name } : d.globals, d.env, d.config);
  const a = s.auth;
  const t = describeAuth(a, s.profile.value);
  // The command itself is shown (it is configuration); what it prints never is.
  const info = {
    profile: s.profile.value,
    profile_source: s.profile.detail,
    api_url: s.apiUrl.value,
    api_url_source: s.apiUrl.detail,
    token: t.state,
    token_source: t.setting,
    token_expires: t.expires?.toISOString() ?? null,
    token_command: a.kind === "command" ? a.command.value : null,
    username: d.config.profile(s.profile.value)?.username ?? null,
    ca_cert: s.tls.caCert?.value ?? null,
    ca_cert_source: s.tls.caCert?.detail ?? null,
    insecure: !!s.tls.insecure,
    insecure_source: s.tls.insecure?.detail ?? null,
    config_file: d.config.file,
  };
  const lines: Array<[string, string]> = [
    ["profile", `${info.profile} (from ${info.profile_source})`],
    ["api_url", `${info.api_url} (from ${info.api_url_source})`],
    ["token", t.summary],
    ...(a.kind === "command" ? [["token_cmd", a.command.value] as [string, string]] : []),
    ["username", info.username ?? ""],
    ...(s.tls.caCert ? [["ca_cert", `${s.tls.caCert.value} (from ${s.tls.caCert.detail})`] as [string, string]] : []),
    ...(s.tls.insecure
      ? [
          ["insecure", `yes: the server's certificate is not verified (from ${s.tls.insecure.detail})`] as [
            string,
            string,
          ],
        ]
      : []),
    ["config_file", info.config_file],
  ];
  await render(d.io, d.output(), { kind: "record", entries: lines, document: info });
}

export async function runProfileUse(name: string, d: Deps): Promise<void> {
  checkProfileName(name);
  if (!d.config.profile(name))
    throw new UsageError(
      `no profile named "${name}"`,
      "create it with `airconn profile set NAME --api-url URL` or `airconn -p NAME login`",
    );
  await d.config.update((data) => {
    data.current_profile = name;
  });
  d.note(`Now using profile ${name}.`);
}

export interface ProfileSetOptions {
  apiUrl?: string;
  tokenCommand?: string;
  caCert?: string;
  insecure?: boolean;
}

export async function runProfileSet(name: string, o: ProfileSetOptions, d: Deps): Promise<void> {
  checkProfileName(name);
  if (o.apiUrl === undefined && o.tokenCommand === undefined && o.caCert === undefined && o.insecure === undefined) {
    throw new UsageError(
      "nothing to set: pass --api-url <url>, --token-command <cmd>, --ca-cert <file> or --[no-]insecure",
    );
  }
  const url = o.apiUrl === undefined ? undefined : normaliseApiUrl(o.apiUrl);
  const command = o.tokenCommand?.trim();
  if ((command === "" || o.caCert === "") && !d.config.profile(name))
    throw new UsageError(`no profile named "${name}"`);
  // The CA is checked now (readable, PEM) and kept as an absolute path: the profile is used from any folder.
  let ca: string | undefined;
  if (o.caCert !== undefined && o.caCert !== "") {
    ca = resolvePath(o.caCert);
    readCaFile({ value: ca, source: "flag", detail: "--ca-cert" });
  }
  const notes: string[] = [];
  await d.config.update((data) => {
    const p = (data.profiles[name] ??= {});
    if (url !== undefined) {
      if (p.api_url && p.api_url !== url && p.token) {
        delete p.token;
        notes.push("removed the stored token (it belongs to the previous server)");
      }
      p.api_url = url;
    }
    if (command !== undefined) {
      if (command === "") {
        if (p.token_command !== undefined) notes.push("removed the token command");
        delete p.token_command;
      } else {
        p.token_command = command;
        // At the profile level a token command ranks above a stored token, which would only be a stale leftover.
        if (p.token) {
          delete p.token;
          notes.push("removed the stored token (the token command replaces it)");
        }
      }
    }
    if (o.caCert !== undefined) {
      if (ca === undefined && p.ca_cert !== undefined) notes.push("removed the CA certificate");
      if (ca === undefined) delete p.ca_cert;
      else p.ca_cert = ca;
    }
    if (o.insecure === true) p.insecure = true;
    if (o.insecure === false) {
      if (p.insecure) notes.push("certificates are verified again");
      delete p.insecure;
    }
    data.current_profile ??= name;
  });
  if (o.insecure === true)
    d.warn(
      `profile ${name} does not verify the server's certificate: anyone on the way can read the token; prefer --ca-cert FILE`,
    );
  const set = [
    url !== undefined ? `api_url ${url}` : "",
    command ? "token command set" : "",
    ca ? `ca_cert ${ca}` : "",
    o.insecure ? "insecure (certificates not verified)" : "",
  ].filter(Boolean);
  d.note(`Profile ${name}: ${[...set, ...notes].join("; ") || "unchanged"}.`);
}

export async function runProfileRemove(name: string, d: Deps): Promise<void> {
  checkProfileName(name);
  if (!d.config.profile(name)) throw new UsageError(`no profile named "${name}"`);
  await d.config.update((data) => {
    delete data.profiles[name];
    if (data.current_profile === name) delete data.current_profile;
  });
  d.note(`Removed profile ${name}.`);
}
