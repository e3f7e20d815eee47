import type { Command } from "commander";
import { optionsOf, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { checkProfileName, DEFAULT_PROFILE, type Profile } from "../config/store.js";
import { normaliseApiUrl, resolveSettings, storedAuth } from "../config/resolve.js";
import { describeAuth } from "../api/auth.js";
import { render } from "../output/render.js";
import { resolve as resolvePath } from "node:path";
import { readCaFile } from "../api/transport.js";
import { checkAwsRegion, checkMwaaEnvironment, mwaaBaseUrl, mwaaEndpoint } from "../config/mwaa.js";
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
    .option(
      "--mwaa-environment <name>",
      "Amazon MWAA environment: every request goes through its InvokeRestApi, signed with AWS credentials (no token, no API URL); '' removes it",
    )
    .option("--aws-region <region>", "the AWS region of the MWAA environment; '' removes it")
    .addHelpText(
      "after",
      examples([
        "$ airconn profile set staging --api-url https://staging.example.com",
        '$ airconn profile set ci --api-url "$AIRFLOW_URL" && printf %s "$JWT" | airconn -p ci login --token-stdin   # CI',
        "$ airconn profile set composer --api-url \"$COMPOSER_AIRFLOW_URI\" --token-command 'gcloud auth print-access-token'",
        "$ airconn profile set composer --token-command ''    # remove the token command",
        "$ airconn profile set corp --ca-cert ./corp-ca.pem      # a private CA, used by every command of the profile",
        "$ airconn profile set mwaa --mwaa-environment MyAirflow --aws-region eu-west-1   # no token: AWS credentials",
      ]),
    )
    .action(async (name: string, _o: unknown, cmd: Command) => {
      // Given before the command word too (`airconn --api-url URL profile set NAME`): the value given last wins.
      const g = optionsOf<{ apiUrl?: string; tokenCommand?: string; mwaaEnvironment?: string; awsRegion?: string }>(
        cmd,
      );
      // TLS settings are stored only when given to `profile set` itself: a global `--insecure` before the command
      // word is meant for this run, and turning verification off for good must be asked for where it is stored.
      const own = cmd.opts<{ caCert?: string; insecure?: boolean }>();
      return run.set(
        name,
        {
          apiUrl: g.apiUrl,
          tokenCommand: g.tokenCommand,
          caCert: own.caCert,
          insecure: own.insecure,
          mwaaEnvironment: g.mwaaEnvironment,
          awsRegion: g.awsRegion,
        },
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
      api_url: p.mwaa_environment ? mwaaBaseUrl(p.mwaa_environment) : (p.api_url ?? null),
      username: p.username ?? null,
      token: p.mwaa_environment ? MWAA_TOKEN : t.state,
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
  const m = s.mwaa;
  const endpoint = m?.region ? mwaaEndpoint(d.env, m.region.value) : undefined;
  const info = {
    profile: s.profile.value,
    profile_source: s.profile.detail,
    api_url: s.apiUrl.value,
    api_url_source: s.apiUrl.detail,
    // MWAA (issue 22): where requests go instead, and that no token is used.
    ...(m
      ? {
          mwaa_environment: m.environment.value,
          mwaa_environment_source: m.environment.detail,
          aws_region: m.region?.value ?? null,
          aws_region_source: m.region?.detail ?? null,
          mwaa_endpoint: endpoint ? `${endpoint.url} (from ${endpoint.from})` : null,
        }
      : {}),
    token: m ? MWAA_TOKEN : t.state,
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
    ...(m
      ? ([
          ["mwaa_env", `${m.environment.value} (from ${m.environment.detail})`],
          [
            "aws_region",
            m.region
              ? `${m.region.value} (from ${m.region.detail})`
              : "none: give --aws-region, AIRCONN_AWS_REGION or AWS_REGION",
          ],
          ...(endpoint ? [["endpoint", `${endpoint.url} (from ${endpoint.from})`]] : []),
        ] as Array<[string, string]>)
      : []),
    ["token", m ? "not used: requests are signed with AWS credentials (MWAA InvokeRestApi)" : t.summary],
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
  mwaaEnvironment?: string;
  awsRegion?: string;
}

/** The token state `profile list` and `profile show` give a profile that uses MWAA. */
const MWAA_TOKEN = "not used (MWAA)";

export async function runProfileSet(name: string, o: ProfileSetOptions, d: Deps): Promise<void> {
  checkProfileName(name);
  if (
    o.apiUrl === undefined &&
    o.tokenCommand === undefined &&
    o.caCert === undefined &&
    o.insecure === undefined &&
    o.mwaaEnvironment === undefined &&
    o.awsRegion === undefined
  ) {
    throw new UsageError(
      "nothing to set: pass --api-url <url>, --token-command <cmd>, --ca-cert <file>, --[no-]insecure, --mwaa-environment <name> or --aws-region <region>",
    );
  }
  const mwaaNotes = checkMwaaChange(name, o, d);
  const url = o.apiUrl === undefined ? undefined : normaliseApiUrl(o.apiUrl);
  const command = o.tokenCommand?.trim();
  if ((command === "" || o.caCert === "" || o.mwaaEnvironment === "" || o.awsRegion === "") && !d.config.profile(name))
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
    mwaaNotes.apply(p, notes);
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
    o.mwaaEnvironment ? `mwaa_environment ${o.mwaaEnvironment}` : "",
    o.awsRegion ? `aws_region ${o.awsRegion}` : "",
  ].filter(Boolean);
  d.note(`Profile ${name}: ${[...set, ...notes].join("; ") || "unchanged"}.`);
}

/**
 * The MWAA part of `profile set` (issue 22), checked before anything is written. A profile reaches its Airflow one way:
 * an MWAA environment replaces the API URL and the token (and token command), which MWAA requests never use; an API
 * URL replaces the MWAA environment and its region. A region belongs to an MWAA environment.
 */
function checkMwaaChange(name: string, o: ProfileSetOptions, d: Deps): { apply(p: Profile, notes: string[]): void } {
  const env = o.mwaaEnvironment?.trim();
  const region = o.awsRegion?.trim();
  if (env) checkMwaaEnvironment(env, "--mwaa-environment");
  if (region) checkAwsRegion(region, "--aws-region");
  if (env && o.apiUrl !== undefined)
    throw new UsageError(
      "--api-url and --mwaa-environment name two ways to the server: give one",
      "an MWAA environment needs no API URL: requests go through its InvokeRestApi",
    );
  const stored = d.config.profile(name);
  const mwaaAfter = env ? true : env === "" || o.apiUrl !== undefined ? false : !!stored?.mwaa_environment;
  if (region && !mwaaAfter)
    throw new UsageError(
      "--aws-region is the region of an MWAA environment: give --mwaa-environment too",
      `airconn profile set ${name} --mwaa-environment NAME --aws-region ${region}`,
    );
  if (o.tokenCommand?.trim() && mwaaAfter)
    throw new UsageError(
      `profile ${name} uses an MWAA environment: its requests are signed with AWS credentials, a token command would never run`,
      "to use a token instead, give the web server with --api-url (docs/mwaa.md)",
    );
  return {
    apply(p, notes) {
      if (env) {
        p.mwaa_environment = env;
        for (const [key, why] of [
          ["api_url", "removed api_url (requests go through MWAA InvokeRestApi)"],
          ["token", "removed the stored token (MWAA requests are signed with AWS credentials)"],
          ["token_command", "removed the token command (MWAA requests are signed with AWS credentials)"],
        ] as const) {
          if (p[key] !== undefined) notes.push(why);
          delete p[key];
        }
      } else if (env === "" || (o.apiUrl !== undefined && p.mwaa_environment !== undefined)) {
        if (p.mwaa_environment !== undefined) notes.push("removed the MWAA environment");
        delete p.mwaa_environment;
        delete p.aws_region;
      }
      if (region) p.aws_region = region;
      else if (region === "") {
        if (p.aws_region !== undefined) notes.push("removed the AWS region");
        delete p.aws_region;
      }
    },
  };
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
