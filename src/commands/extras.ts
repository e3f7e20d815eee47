// The extras check where input enters (issue 21): create, patch, import, bulk, diff and apply hand over the extras
// they are about to send; the catalog is loaded (only when some input has an extra: one cached hook_meta request per
// API URL), each finding becomes a warning, or with --strict / AIRCONN_STRICT=1 an exit 2 before anything is written.
// Types the catalog does not know (custom hooks) are noted once. The catalog comes back for the secret rules of output
// and diffs (the provider's secret fields on top of the server's sensitive words).
import type { Command } from "commander";
import type { Deps } from "../deps.js";
import { ProblemsError } from "../errors.js";
import { envSwitch } from "../config/resolve.js";
import type { Catalog } from "../catalog/model.js";
import { redactProviderSecrets, type ProviderSecrets } from "../connection/secrets.js";
import type { ConnectionResponse } from "../api/types.js";

/** One connection's extra as it is about to be sent, and how to name it in a message. */
export interface ExtrasInput {
  /** `my_sf` (create, patch), `connections.yaml:3 (my_sf)` (a file), `bulk.json: actions[0].entities[2] (my_sf)`. */
  who: string;
  connType: string;
  /** JSON text, a parsed JSON object (Map) or a plain object; anything else is not checked. */
  extra: unknown;
}

export interface StrictOption {
  strict?: boolean;
}

/** --strict, for the commands that take input: every extras finding becomes an error (exit 2, nothing sent). */
export const addStrictOption = (cmd: Command): Command =>
  cmd.option(
    "--strict",
    "refuse (exit 2, nothing sent) extras a provider's form flags: a near miss of one of its fields, a value of the wrong kind (also AIRCONN_STRICT=1)",
  );

/** --strict, else AIRCONN_STRICT (1/true/yes or 0/false/no, as AIRCONN_INSECURE). */
export function isStrict(o: StrictOption, env: NodeJS.ProcessEnv): boolean {
  return o.strict === true || envSwitch(env, "AIRCONN_STRICT") === true;
}

/**
 * Checks the extras of these inputs against the catalog: warnings, or (strict) a ProblemsError listing them all.
 * Returns the catalog when it was loaded (some input has an extra), for `secretsOf`; undefined otherwise.
 */
export async function checkInputExtras(
  d: Deps,
  inputs: readonly ExtrasInput[],
  o: StrictOption & {
    /** No request (a dry run that works without a server): the cached server catalog, else the bundled one. */
    offline?: boolean;
  },
): Promise<Catalog | undefined> {
  const strict = isStrict(o, d.env); // a bad AIRCONN_STRICT is refused even when there is nothing to check
  const [{ checkExtras, hasExtraKeys }, { findType, describeSource }] = await Promise.all([
    import("../catalog/check.js"),
    import("../catalog/model.js"),
  ]);
  const given = inputs.filter((i) => hasExtraKeys(i.extra));
  if (!given.length) return undefined;
  const catalog = o.offline
    ? (await import("../catalog/load.js")).cachedOrBundledCatalog(d.env, apiUrlOrNone(d))
    : await catalogFor(d);
  const lines: string[] = [];
  const unknown = new Map<string, number>();
  for (const i of given) {
    const info = findType(catalog, i.connType);
    if (!info) unknown.set(i.connType, (unknown.get(i.connType) ?? 0) + 1);
    for (const f of checkExtras(info, i.connType, i.extra)) lines.push(`${i.who}: ${f.path}: ${f.message}`);
  }
  if (unknown.size) {
    const types = [...unknown].map(([t, n]) => (n > 1 ? `${t} (${n} connections)` : t));
    const shown = types.slice(0, 10).join(", ") + (types.length > 10 ? `, ... (${types.length} types)` : "");
    d.note(
      `extra not checked for conn_type ${shown}: not in ${describeSource(catalog.source, d.now())}; \`airconn types\` lists the types it knows`,
    );
  }
  if (!lines.length) return catalog;
  if (strict) {
    const n = lines.length;
    throw new ProblemsError(
      lines,
      `${n} extra${n === 1 ? " does" : "s do"} not fit the provider's form (${o.strict ? "--strict" : "AIRCONN_STRICT"}), nothing was sent`,
      "fix them, or leave out --strict (and AIRCONN_STRICT) to send them with a warning",
    );
  }
  for (const l of lines) d.warn(l);
  return catalog;
}

const loaded = new WeakMap<Deps, Promise<Catalog>>();

/** The catalog of this run, loaded once (the form and the extras check of one create share it). */
export function catalogFor(d: Deps): Promise<Catalog> {
  let c = loaded.get(d);
  if (!c) {
    c = import("../catalog/load.js").then((m) => m.loadCatalog(d));
    loaded.set(d, c);
  }
  return c;
}

/** The API URL of this run, if its settings can be read (a dry run does not need them). */
function apiUrlOrNone(d: Deps): string | undefined {
  try {
    return d.settings().apiUrl.value;
  } catch {
    return undefined;
  }
}

/**
 * The extra of one connection about to be written (create, patch; none: nothing to check), checked as above; the
 * provider's secret rule when the catalog was loaded, for the output.
 */
export async function checkOneExtra(
  d: Deps,
  id: string,
  connType: string,
  extra: unknown,
  o: StrictOption,
): Promise<ProviderSecrets | undefined> {
  return secretsOf(await checkInputExtras(d, extra === undefined ? [] : [{ who: id, connType, extra }], o));
}

/** The provider secret rule of a loaded catalog (none when no catalog was loaded). */
export async function secretsOf(catalog: Catalog | undefined): Promise<ProviderSecrets | undefined> {
  if (!catalog) return undefined;
  const { providerSecrets } = await import("../catalog/check.js");
  return providerSecrets(catalog);
}

/** A connection as the server answered, its provider's secret extra fields hidden too (create and patch output). */
export function hideSecretFields(c: ConnectionResponse, secret: ProviderSecrets | undefined): ConnectionResponse {
  const extra = redactProviderSecrets(c.extra, c.conn_type, secret);
  return extra === c.extra ? c : { ...c, extra };
}
