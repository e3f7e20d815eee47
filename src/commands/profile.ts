import type { Command } from "commander";
import type { CommandContext } from "../cli.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { checkProfileName, DEFAULT_PROFILE } from "../config/store.js";
import { jwtExpiry, normaliseApiUrl, resolveSettings } from "../config/resolve.js";
import { plainCell, renderTable, toJson, toYaml } from "../output/format.js";
import { examples } from "./common.js";

export function register(program: Command, ctx: CommandContext): void {
  const profile = program.command("profile").description("manage profiles (API URL and token per Airflow)")
    .addHelpText("after", examples([
      "$ airconn profile list",
      "$ airconn profile set staging --api-url https://staging.example.com",
      "$ airconn profile use staging",
      "$ airconn profile show            # where each value comes from; never the token",
    ]));
  profile.command("list").description("list profiles")
    .addHelpText("after", examples(["$ airconn profile list", "$ airconn profile list -o json | jq -r '.[] | select(.current) | .name'   # in scripts"]))
    .action(async (_o: unknown, cmd: Command) => runProfileList(ctx.deps(cmd)));
  profile.command("show").description("show the settings in effect and where each comes from (never the token)")
    .argument("[name]", "profile (default: the one in effect)")
    .addHelpText("after", examples(["$ airconn profile show", "$ airconn profile show staging", "$ AIRCONN_API_URL=https://x.example.com airconn profile show -o json   # CI: check what a job will use"]))
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => runProfileShow(name, ctx.deps(cmd)));
  profile.command("use").description("make a profile the current one").argument("<name>")
    .addHelpText("after", examples(["$ airconn profile use staging", "$ AIRCONN_PROFILE=staging airconn list    # one command only, in scripts"]))
    .action(async (name: string, _o: unknown, cmd: Command) => runProfileUse(name, ctx.deps(cmd)));
  profile.command("set").description("create or change a profile").argument("<name>")
    .option("--api-url <url>", "Airflow base URL")
    .addHelpText("after", examples(["$ airconn profile set staging --api-url https://staging.example.com", "$ airconn profile set ci --api-url \"$AIRFLOW_URL\" && printf %s \"$JWT\" | airconn -p ci login --token-stdin   # CI"]))
    .action(async (name: string, o: { apiUrl?: string }, cmd: Command) => runProfileSet(name, cmd.optsWithGlobals<{ apiUrl?: string }>().apiUrl ?? o.apiUrl, ctx.deps(cmd)));
  profile.command("remove").alias("rm").description("delete a profile and its token").argument("<name>")
    .addHelpText("after", examples(["$ airconn profile remove staging"]))
    .action(async (name: string, _o: unknown, cmd: Command) => runProfileRemove(name, ctx.deps(cmd)));
}

function tokenState(token: string | undefined, now = new Date()): { state: string; expires: string | null } {
  if (!token) return { state: "none", expires: null };
  const exp = jwtExpiry(token);
  if (!exp) return { state: "set", expires: null };
  return { state: exp < now ? "expired" : "valid", expires: exp.toISOString() };
}

export async function runProfileList(d: Deps): Promise<void> {
  const data = d.config.read();
  const current = data.current_profile ?? DEFAULT_PROFILE;
  const rows = Object.entries(data.profiles).map(([name, p]) => ({
    name, current: name === current, api_url: p.api_url ?? null, username: p.username ?? null, token: tokenState(p.token).state, token_expires: tokenState(p.token).expires,
  }));
  const out = d.output();
  if (out.format === "json") return d.io.out(toJson(rows));
  if (out.format === "yaml") return d.io.out(await toYaml(rows));
  if (out.format === "plain") {
    return d.io.out(rows.map((r) => [r.name, r.current ? "*" : "", r.api_url, r.username, r.token, r.token_expires].map(plainCell).join("\t") + "\n").join(""));
  }
  if (!rows.length) { d.note("No profiles yet: run `airconn login`."); return; }
  d.io.out(await renderTable(["", "NAME", "API URL", "USER", "TOKEN", "EXPIRES"],
    rows.map((r) => [r.current ? "*" : "", r.name, r.api_url ?? "", r.username ?? "", r.token, r.token_expires ?? ""]), out.color));
}

export async function runProfileShow(name: string | undefined, d: Deps): Promise<void> {
  if (name !== undefined && !d.config.profile(checkProfileName(name))) throw new UsageError(`no profile named "${name}"`);
  const s = resolveSettings(name ? { ...d.globals, profile: name } : d.globals, d.env, d.config);
  const tok = s.token ? tokenState(s.token.value) : undefined;
  const info = {
    profile: s.profile.value, profile_source: s.profile.detail,
    api_url: s.apiUrl.value, api_url_source: s.apiUrl.detail,
    token: s.token ? tok!.state : (s.envCredentials ? "from AIRCONN_USERNAME/AIRCONN_PASSWORD for each run" : "none"),
    token_source: s.token?.detail ?? null,
    token_expires: tok?.expires ?? null,
    username: d.config.profile(s.profile.value)?.username ?? null,
    config_file: d.config.file,
  };
  const out = d.output();
  if (out.format === "json") return d.io.out(toJson(info));
  if (out.format === "yaml") return d.io.out(await toYaml(info));
  const lines: Array<[string, string]> = [
    ["profile", `${info.profile} (from ${info.profile_source})`],
    ["api_url", `${info.api_url} (from ${info.api_url_source})`],
    ["token", s.token ? `${info.token} (from ${info.token_source})${info.token_expires ? `, expires ${info.token_expires}` : ""}` : info.token],
    ["username", info.username ?? ""],
    ["config_file", info.config_file],
  ];
  d.io.out(lines.map(([k, v]) => (out.format === "plain" ? `${k}\t${v}` : `${k.padEnd(11)}  ${v}`) + "\n").join(""));
}

export async function runProfileUse(name: string, d: Deps): Promise<void> {
  checkProfileName(name);
  if (!d.config.profile(name)) throw new UsageError(`no profile named "${name}"`, "create it with `airconn profile set NAME --api-url URL` or `airconn -p NAME login`");
  await d.config.update((data) => { data.current_profile = name; });
  d.note(`Now using profile ${name}.`);
}

export async function runProfileSet(name: string, apiUrl: string | undefined, d: Deps): Promise<void> {
  checkProfileName(name);
  if (!apiUrl) throw new UsageError("nothing to set: pass --api-url <url>");
  const url = normaliseApiUrl(apiUrl);
  await d.config.update((data) => {
    const p = (data.profiles[name] ??= {});
    if (p.api_url && p.api_url !== url) delete p.token; // a token belongs to the server that issued it
    p.api_url = url;
    data.current_profile ??= name;
  });
  d.note(`Profile ${name}: api_url ${url}.`);
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
