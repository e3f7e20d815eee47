import type { Command } from "commander";
import { Option, type CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { CancelledError, PartialFailureError, UsageError, AirconnError, ApiError } from "../errors.js";
import type { FileFormat } from "../files/index.js";
import { DEFAULT_CHUNK_SIZE } from "../bulk/chunk.js";
import type { Desired, FieldChange, Plan } from "../apply/plan.js";
import { patternMatcher, prefixMatcher } from "../util/pattern.js";
import {
  containsRedacted,
  extraKeys,
  isSensitiveKey,
  SENSITIVE_WORDS,
  type ProviderSecrets,
  type SensitiveWords,
} from "../connection/secrets.js";
import { dropRedacted } from "../connection/keep.js";
import { Report, printReport } from "../output/report.js";
import { render } from "../output/render.js";
import { runPool } from "../util/pool.js";
import type { ConnectionBody } from "../api/types.js";
import { REDACTED } from "../connection/model.js";
import { pyLoads, toJs } from "../util/pyjson.js";
import { examples, sensitiveWordsForKeys } from "./common.js";
import { addStrictOption, catalogFor, checkInputExtras, secretsOf, type StrictOption } from "./extras.js";

interface CommonOptions extends StrictOption {
  file?: string;
  format?: FileFormat;
  pattern?: string;
  prefix?: string;
  prune?: boolean;
  updateSecrets?: boolean;
  fromProfile?: string;
}
export interface DiffOptions extends CommonOptions {
  exitCode?: boolean;
}
export interface ApplyOptions extends CommonOptions {
  dryRun?: boolean;
  yes?: boolean;
}

const formatOption = () =>
  new Option("--format <format>", "file format (default: .yaml/.yml airconn YAML, .json Airflow JSON, .env)").choices([
    "airconn",
    "json",
    "yaml",
    "env",
    "astro",
  ]);

/** Adds diff and apply; `run` holds what their actions call (tests pass spies to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = { diff: runDiff, apply: runApply }): void {
  const diff = program
    .command("diff")
    .description("show what `apply` would change: to create, to update (field by field), unchanged, only on the server")
    .argument(
      "[file]",
      "desired connections (airconn YAML, or any format import reads); ${VAR} values come from the environment",
    )
    .option(
      "--from-profile <name>",
      "instead of a file: the connections of the Airflow behind this profile (secrets are not comparable)",
    )
    .addOption(formatOption())
    .option("--pattern <pattern>", "only server connections matching this pattern are in scope (e.g. team_a_%)")
    .option(
      "--prefix <prefix>",
      "only server connections whose id starts with this are in scope ('a|b' for either; with --pattern: both)",
    )
    .option("--prune", "count connections only on the server as differences (they would be deleted)")
    .option("--update-secrets", "compare as apply --update-secrets would: secrets in the file will be set")
    .option("--exit-code", "exit 1 when there are differences (0 when in sync)");
  addStrictOption(diff)
    .addHelpText(
      "after",
      examples([
        "$ airconn diff connections.yaml",
        "$ airconn diff connections.yaml --pattern team_a_% --prune",
        "$ airconn diff connections.yaml --prefix team_a_ --prune          # index-friendly on Airflow 3.3",
        "$ airconn diff connections.yaml --exit-code -o json > drift.json   # CI: exit 1 on drift",
        "$ airconn diff connections.yaml --strict   # PR check: exit 2 on an extra the provider's form flags (warehose)",
        "$ airconn -p staging diff --from-profile prod --pattern shared_%   # what staging lacks of prod",
      ]),
    )
    .action(async (file: string | undefined, o: Omit<DiffOptions, "file">, cmd: Command) =>
      run.diff({ ...o, file }, ctx.deps(cmd)),
    );

  const apply = program
    .command("apply")
    .description(
      "make the server match the file: create what is missing, patch what differs (only those fields), and with --prune delete the rest",
    )
    .argument(
      "[file]",
      "desired connections (airconn YAML, or any format import reads); ${VAR} values come from the environment",
    )
    .option(
      "--from-profile <name>",
      "instead of a file: copy from the Airflow behind this profile (secrets cannot be copied: listed)",
    )
    .addOption(formatOption())
    .option("--pattern <pattern>", "only server connections matching this pattern are in scope (e.g. team_a_%)")
    .option(
      "--prefix <prefix>",
      "only server connections whose id starts with this are in scope ('a|b' for either; with --pattern: both)",
    )
    .option("--prune", "delete connections in scope that are not in the file (asks first; --yes without a terminal)")
    .option(
      "--update-secrets",
      "also send secrets of existing connections (by default a secret is sent only on create)",
    )
    .option("--dry-run", "show the diff, change nothing")
    .option("-y, --yes", "do not ask before pruning");
  addStrictOption(apply)
    .addHelpText(
      "after",
      examples([
        "$ airconn apply connections.yaml",
        "$ airconn apply connections.yaml --pattern team_a_% --prune",
        "$ airconn apply connections.yaml --prefix 'team_a|team_b' --prune --yes",
        "$ DB_PASS=... airconn apply connections.yaml --prune --yes -o json   # CI",
        "$ AIRCONN_STRICT=1 airconn apply connections.yaml   # CI: a typo in an extra (warehose) is exit 2, nothing sent",
        "$ airconn -p staging apply --from-profile prod --pattern shared_%   # make staging match prod",
        "",
        "connections.yaml:",
        "  connections:",
        "    - connection_id: team_a_pg",
        "      conn_type: postgres",
        "      host: db.example.com",
        "      port: 5432",
        "      password: ${DB_PASS}",
        "      extra: {sslmode: require}",
      ]),
    )
    .action(async (file: string | undefined, o: Omit<ApplyOptions, "file">, cmd: Command) =>
      run.apply({ ...o, file }, ctx.deps(cmd)),
    );
}

interface Loaded {
  plan: Plan;
  name: string;
  words: SensitiveWords;
  /** The provider's secret extra keys, when the catalog was loaded (some extra in play). */
  secret?: ProviderSecrets;
}

async function load(o: CommonOptions, d: Deps): Promise<Loaded & { fromServer: boolean }> {
  if (o.fromProfile !== undefined) return { ...(await loadFromProfile(o, o.fromProfile, d)), fromServer: true };
  if (o.file === undefined) throw new UsageError("name a file, or another profile's Airflow with --from-profile NAME");
  return { ...(await loadFile(o as CommonOptions & { file: string }, d)), fromServer: false };
}

/** `--from-profile`: the source profile's connections are the wanted state; the current profile's are the target. */
async function loadFromProfile(o: CommonOptions, from: string, d: Deps): Promise<Loaded> {
  if (o.file !== undefined) throw new UsageError("give a file or --from-profile, not both");
  if (o.format) throw new UsageError("--format applies to a file, not to --from-profile");
  if (o.updateSecrets)
    throw new UsageError(
      "--update-secrets cannot be used with --from-profile: the API never returns secrets, so none can be copied",
    );
  const current = d.settings();
  if (from === current.profile.value)
    throw new UsageError(`--from-profile ${from} is the profile in effect: compare it with another one (-p NAME)`);
  // Errors obtaining the source's token name its profile already.
  const [{ planFromServer, hideProviderSecrets }, source, target] = await Promise.all([
    import("../apply/plan.js"),
    d.apiForProfile(from),
    d.api(),
  ]);
  if (source.api.baseUrl === target.baseUrl)
    d.warn(`profile ${from} and profile ${current.profile.value} use the same Airflow (${target.baseUrl})`);
  const byPattern = patternMatcher(o.pattern),
    byPrefix = prefixMatcher(o.prefix);
  const inScope = (id: string) => byPattern(id) && byPrefix(id);
  // --prefix and "a|b" patterns: each client by its own server's version (one may be 3.3, the other 3.2 or 3.1);
  // airconn filters both answers anyway.
  const list = async (api: typeof target) =>
    (await api.list({ pattern: o.pattern, prefix: o.prefix, concurrency: d.concurrency() })).filter((c) =>
      inScope(c.connection_id),
    );
  // An error from the source names its profile: "Token Expired" alone would not say which Airflow refused.
  const fromSource = (e: unknown): never => {
    if (e instanceof AirconnError)
      throw new AirconnError(`profile ${from} (${source.api.baseUrl}): ${e.message}`, e.exitCode, e.hint);
    throw e;
  };
  const [have, want] = await Promise.all([list(target), list(source.api).catch(fromSource)]);
  const p = planFromServer(want, have);
  // Values from the source are shown: the provider's secret keys hidden where an extra is in play (no check: they
  // are another server's connections, not input).
  const shown = p.create.some((c) => c.body.extra) || p.update.some((u) => u.mask.includes("extra"));
  const secret = shown ? await secretsOf(await catalogFor(d)) : undefined;
  return { name: `profile ${from}`, plan: hideProviderSecrets(p, secret), words: SENSITIVE_WORDS, secret };
}

async function loadFile(o: CommonOptions & { file: string }, d: Deps): Promise<Loaded> {
  const [
    { detectFormat, parseConnectionsFile, presentFields },
    { readInput },
    { plan: makePlan, hideProviderSecrets },
  ] = await Promise.all([import("../files/index.js"), import("../bulk/load.js"), import("../apply/plan.js")]);
  const { text, name } = await readInput(o.file, d.io, "connections file", d.env);
  let format: FileFormat = detectFormat(o.file, o.format, text);
  if (!o.format && format === "yaml") format = "airconn";
  const parsed = parseConnectionsFile(text, { format, fileName: name, env: d.env, substitute: true });
  for (const w of parsed.warnings) d.warn(w);
  const desired: Desired[] = parsed.connections.map((c) => ({
    body: c.body,
    present: presentFields(c) as Set<string>,
    where: c.where,
  }));
  // Ids are unique: parseConnectionsFile refuses a file that repeats one.
  const byPattern = patternMatcher(o.pattern),
    byPrefix = prefixMatcher(o.prefix);
  const inScope = (id: string) => byPattern(id) && byPrefix(id);
  const outside = desired.filter((c) => !inScope(c.body.connection_id)).map((c) => c.body.connection_id);
  if (outside.length) {
    const scope = [
      o.pattern !== undefined ? `--pattern ${o.pattern}` : "",
      o.prefix !== undefined ? `--prefix ${o.prefix}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    throw new UsageError(
      `${name}: ${outside.length} connection${outside.length === 1 ? " is" : "s are"} outside ${scope}: ${outside.slice(0, 10).join(", ")}`,
    );
  }
  // Before any write (and before the list): warnings, or with --strict exit 2.
  const catalog = await checkInputExtras(
    d,
    desired.map((c) => ({ who: c.where ?? c.body.connection_id, connType: c.body.conn_type, extra: c.body.extra })),
    o,
  );
  const secret = await secretsOf(catalog);
  const api = await d.api();
  const server = await api.list({ pattern: o.pattern, prefix: o.prefix, concurrency: d.concurrency() });
  const inServer = server.filter((c) => inScope(c.connection_id));
  const keys = [
    ...desired.flatMap((c) => extraKeys(c.body.extra, pyLoads)),
    ...inServer.flatMap((c) => extraKeys(c.extra, pyLoads)),
  ];
  const words = await sensitiveWordsForKeys(d, keys);
  const p = makePlan(desired, inServer, { updateSecrets: o.updateSecrets, words });
  return { name, words, secret, plan: hideProviderSecrets(p, secret) };
}

const NOT_COPIED = "(secret: cannot be copied)";
/** A "***" in the file where the server has no value: left out, never a change to "***". */
const MISSING = "(secret missing on the server)";
const show = (v: unknown): string =>
  v === undefined ? "(absent)" : v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
const describeChange = (c: FieldChange): string =>
  c.kind === "secret" ? `(${c.note})` : `${show(c.from)} → ${show(c.to)}`;

/**
 * The fields of a new connection, secrets never shown: values as they are (for -o json/yaml), or as display text
 * (for the table). A secret is "(set on create)"; a "***" (a create would store it literally, so it is left out) is
 * "(secret missing on the server)", or "(secret: cannot be copied)" from another server.
 */
function createFields(
  b: ConnectionBody,
  display = true,
  fromServer = false,
  words: SensitiveWords = SENSITIVE_WORDS,
  secret?: ProviderSecrets,
): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const value = (v: unknown) => (display ? show(v) : v);
  const kept = fromServer ? NOT_COPIED : MISSING;
  for (const [k, v] of Object.entries(b)) {
    if (k === "connection_id" || v === undefined || (fromServer && v === null)) continue;
    if (k === "password") {
      out.push([k, v === null ? value(null) : v === REDACTED ? kept : "(set on create)"]);
      continue;
    }
    if (k === "extra" && typeof v === "string") {
      try {
        const m = pyLoads(v);
        if (m instanceof Map) {
          for (const [ek, ev] of m) {
            if (fromServer && containsRedacted(ev)) {
              out.push([`extra.${ek}`, NOT_COPIED]);
              continue;
            }
            // what is sent: the value without its "***"
            const sent = containsRedacted(ev) ? dropRedacted(ev) : ev;
            out.push([
              `extra.${ek}`,
              sent === undefined
                ? kept
                : isSensitiveKey(ek, words) || secret?.(b.conn_type, ek)
                  ? "(set on create)"
                  : value(toJs(sent)),
            ]);
          }
          continue;
        }
      } catch {
        /* shown as text below */
      }
    }
    out.push([k, value(v)]);
  }
  return out;
}

function diffJson(p: Plan, prune: boolean, fromServer: boolean, words: SensitiveWords, secret?: ProviderSecrets) {
  return {
    create: p.create.map((c) => ({
      connection_id: c.id,
      fields: Object.fromEntries(createFields(c.body, false, fromServer, words, secret)),
    })),
    update: p.update.map((u) => ({
      connection_id: u.id,
      changes: u.changes.map((c) =>
        c.kind === "secret"
          ? { field: c.field, secret: c.note }
          : { field: c.field, from: c.from ?? null, to: c.to ?? null },
      ),
    })),
    unchanged: p.unchanged,
    only_on_server: p.onlyOnServer,
    ...(prune ? { delete: p.onlyOnServer } : {}),
    ...(fromServer
      ? {
          not_comparable: p.notCompared.map((n) => ({ connection_id: n.id, field: n.field })),
        }
      : { not_compared: p.notCompared.map((n) => ({ connection_id: n.id, field: n.field })) }),
    missing_secrets: p.missing.map((n) => ({ connection_id: n.id, field: n.field })),
  };
}

const listed = (xs: Array<{ id: string; field: string }>, max = 10) =>
  `${xs
    .slice(0, max)
    .map((n) => `${n.id}.${n.field}`)
    .join(", ")}${xs.length > max ? `, ... (${xs.length} in all)` : ""}`;

async function printDiff(
  d: Deps,
  p: Plan,
  prune: boolean,
  fromServer = false,
  words: SensitiveWords = SENSITIVE_WORDS,
  secret?: ProviderSecrets,
): Promise<void> {
  const rows: string[][] = [];
  for (const c of p.create)
    for (const [f, v] of createFields(c.body, true, fromServer, words, secret))
      rows.push([c.id, "create", f, v as string]);
  for (const c of p.create)
    if (!createFields(c.body, true, fromServer, words, secret).length) rows.push([c.id, "create", "", ""]);
  for (const u of p.update) for (const c of u.changes) rows.push([u.id, "update", c.field, describeChange(c)]);
  // secrets missing on the server of connections that exist (a create's are among its fields)
  const creates = new Set(p.create.map((c) => c.id));
  for (const m of p.missing)
    if (!creates.has(m.id)) rows.push([m.id, "missing", m.field, fromServer ? NOT_COPIED : MISSING]);
  for (const id of p.onlyOnServer) rows.push([id, prune ? "delete" : "only on server", "", ""]);
  const shown = await render(d.io, d.output(), {
    kind: "rows",
    rows,
    document: () => diffJson(p, prune, fromServer, words, secret),
    emptyTable: "nothing",
    columns: [
      { header: "ID", value: (r) => r[0] },
      {
        header: "CHANGE",
        value: (r) => r[1],
        paint: (chalk, a) =>
          a === "create"
            ? chalk.green(a)
            : a === "update"
              ? chalk.yellow(a)
              : a === "delete"
                ? chalk.red(a)
                : a === "missing"
                  ? chalk.magenta(a)
                  : chalk.dim(a),
      },
      { header: "FIELD", value: (r) => r[2] },
      { header: "VALUE", value: (r) => r[3] },
    ],
  });
  if (shown === "document") return; // the summary below is for the rows
  d.io.err(
    `${p.create.length} to create, ${p.update.length} to update, ${p.unchanged.length} unchanged, ${p.onlyOnServer.length} only on the server${prune ? " (to delete)" : ""}\n`,
  );
  if (fromServer) {
    if (p.notCompared.length) d.io.err(`not comparable (both servers redact secrets): ${listed(p.notCompared)}\n`);
    if (p.missing.length)
      d.io.err(`secrets of the source missing on the target (they cannot be copied): ${listed(p.missing)}\n`);
  } else {
    if (p.notCompared.length)
      d.io.err(
        `not compared (secrets are write-only; --update-secrets sends them): ${p.notCompared
          .slice(0, 10)
          .map((n) => `${n.id}.${n.field}`)
          .join(", ")}${p.notCompared.length > 10 ? ", ..." : ""}\n`,
      );
    if (p.missing.length)
      d.io.err(
        `secret missing on the server ("***" in the file, but there is no value to keep; left out): ${listed(p.missing)}\n`,
      );
  }
}

export async function runDiff(o: DiffOptions, d: Deps): Promise<void> {
  const { plan: p, fromServer, words, secret } = await load(o, d);
  await printDiff(d, p, o.prune === true, fromServer, words, secret);
  const differs = p.create.length + p.update.length + (o.prune ? p.onlyOnServer.length : 0) > 0;
  if (o.exitCode && differs) throw new PartialFailureError("");
}

/** A word for a shell: as it is when nothing in it is special, else in single quotes. */
const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/u.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The diff that shows what `apply --prune` would delete, with the scope it was given: the same file or source
 * profile, --format, --pattern and --prefix, and the profile and server (-p from a flag or AIRCONN_PROFILE, --api-url,
 * --ca-cert, --insecure flags) — without them the diff would list every connection of the server (issue 18).
 */
function pruneDiffCommand(o: ApplyOptions, d: Deps): string {
  const s = d.settings();
  const w: string[] = ["airconn"];
  if (s.profile.source === "flag" || s.profile.source === "env") w.push("-p", shellWord(s.profile.value));
  // An MWAA environment's API URL (mwaa://ENV) is no URL to give: its flags are (issue 22).
  if (s.mwaa) {
    if (s.mwaa.environment.source === "flag") w.push("--mwaa-environment", shellWord(s.mwaa.environment.value));
    if (s.mwaa.region?.source === "flag") w.push("--aws-region", shellWord(s.mwaa.region.value));
  } else if (s.apiUrl.source === "flag") w.push("--api-url", shellWord(s.apiUrl.value));
  if (d.globals.caCert !== undefined) w.push("--ca-cert", shellWord(d.globals.caCert));
  if (d.globals.insecure) w.push("--insecure");
  w.push(
    "diff",
    ...(o.fromProfile !== undefined ? ["--from-profile", shellWord(o.fromProfile)] : [shellWord(o.file ?? "-")]),
  );
  if (o.format !== undefined) w.push("--format", o.format);
  if (o.pattern !== undefined) w.push("--pattern", shellWord(o.pattern));
  if (o.prefix !== undefined) w.push("--prefix", shellWord(o.prefix));
  w.push("--prune");
  return w.join(" ");
}

export async function runApply(o: ApplyOptions, d: Deps): Promise<void> {
  const { plan: p, fromServer, words, secret } = await load(o, d);
  if (o.dryRun) return printDiff(d, p, o.prune === true, fromServer, words, secret);
  const prune = o.prune ? p.onlyOnServer : [];
  if (prune.length && !o.yes) {
    if (!d.canPrompt())
      throw new UsageError(
        `--prune would delete ${prune.length} connection${prune.length === 1 ? "" : "s"}: pass --yes to confirm without a terminal`,
        `see them first with: ${pruneDiffCommand(o, d)}`,
      );
    d.io.err(
      `--prune will delete: ${prune.slice(0, 30).join(", ")}${prune.length > 30 ? `, ... (${prune.length} in all)` : ""}\n`,
    );
    if (
      !(await d
        .prompter()
        .confirm({ message: `Delete ${prune.length} connection${prune.length === 1 ? "" : "s"}?`, default: false }))
    )
      throw new CancelledError("nothing was changed");
  }
  const { executeActions, withoutNullTeam, withoutRedacted } = await import("../bulk/engine.js");
  const api = await d.api();
  const report = new Report();
  for (const id of p.unchanged) report.ok(id, "skipped", "none");
  const concurrency = Math.min(d.concurrency(), 8);
  // From here a signal stops sending: the requests in flight finish, the report lists what was never sent (issue 19).
  // So does a fatal error (isFatal: a token refused, a wrong URL), which is then the command's error.
  const stop = d.stopGracefully();
  const planned = () => [
    ...p.create.map((c) => ({ id: c.id, action: "create" })),
    ...p.update.map((u) => ({ id: u.id, action: "update" })),
    ...prune.map((id) => ({ id, action: "delete" })),
  ];
  try {
    if (p.create.length) {
      await executeActions(
        api,
        [
          {
            action: "create",
            entities: p.create.map((c) => withoutNullTeam(withoutRedacted(c.body))),
            action_on_existence: "fail",
          },
        ],
        { report, chunkSize: DEFAULT_CHUNK_SIZE, concurrency, stop },
      );
    }
    await runPool(
      p.update,
      concurrency,
      async (u) => {
        await api.patch(u.id, u.body, u.mask);
        report.ok(u.id, "updated", "update");
      },
      {
        signal: stop,
        failed: (e, u) => {
          if (e instanceof AirconnError)
            report.fail(u.id, "update", e.message, e instanceof ApiError ? e.status : null);
        },
      },
    );
    if (prune.length)
      await executeActions(api, [{ action: "delete", entities: prune, action_on_non_existence: "skip" }], {
        report,
        chunkSize: DEFAULT_CHUNK_SIZE,
        concurrency,
        stop,
      });
  } catch (e) {
    report.stoppedBy(e, planned());
  }
  if (stop.aborted && !report.interrupted) report.stopped(planned());
  if (p.missing.length && fromServer) {
    d.warn(
      `the API never returns secrets, so these were not copied from ${o.fromProfile === undefined ? "the source" : `profile ${o.fromProfile}`}; set them on the target (e.g. airconn patch ID --password-stdin, or airconn patch ID --set-extra KEY=VALUE for an extra key): ${listed(p.missing, 30)}`,
    );
  } else if (p.missing.length) {
    const { missingSecretsWarning } = await import("../connection/keep.js");
    d.warn(
      missingSecretsWarning(
        p.missing,
        ", or give the value in the file (e.g. a ${VAR}) and apply again (a password with --update-secrets)",
      ),
    );
  }
  await printReport(d, report);
}
