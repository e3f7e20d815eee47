// `export --format airconn`: the airconn YAML that `diff`/`apply` read, from the API's connections. Every value the
// server redacted ("***": the password, any string under a sensitive extra key, nested ones too) becomes a `${VAR}`
// reference; the header lists the variables. Everything else is written so that reading it back gives the same
// values: strings double-quoted with `$` doubled (airconn files substitute `${...}`), extra as a JSON flow mapping
// (YAML 1.2 reads JSON), numbers as the API sent them.
import { createHash } from "node:crypto";
import type { ConnectionResponse } from "../api/types.js";
import { REDACTED, CONNECTION_ID_RE } from "../connection/model.js";
import { PyFloat, pyDumps, pyLoads, pyQuote, type PyValue } from "../util/pyjson.js";
import { normaliseConnType } from "../uri/index.js";

/** One `${VAR}` the file needs: its name, the connection id and the field ("password", "extra.auth.token"). */
export interface SecretVariable {
  name: string;
  id: string;
  field: string;
}
export interface AirconnExport {
  text: string;
  variables: SecretVariable[];
  warnings: string[];
}

/** Upper case, every character other than A-Z and 0-9 turned into "_". */
const norm = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/** The variable name for a field of a connection, before collisions are resolved. */
export function variableName(id: string, path: Array<string | number>): string {
  return `AIRCONN_${norm(id)}_${path.map((p) => norm(String(p))).join("_")}`;
}

const hash = (id: string, field: string, len: number) =>
  createHash("sha256").update(`${id}\0${field}`).digest("hex").slice(0, len).toUpperCase();

/**
 * Names for every reference: the plain name when it is unique in the file; when two references would share a name
 * (`my-pg` and `my_pg`, `api-key` and `api_key`, a nested `auth.token` and a key `auth_token`), each of them gets a
 * suffix from a hash of its id and field, so the result is the same from one export to the next.
 */
export function assignNames(refs: Array<{ id: string; path: Array<string | number> }>): SecretVariable[] {
  const items = refs.map((r) => ({ id: r.id, field: r.path.join("."), base: variableName(r.id, r.path) }));
  const count = new Map<string, number>();
  for (const it of items) count.set(it.base, (count.get(it.base) ?? 0) + 1);
  for (let len = 6; ; len += 6) {
    const names = items.map((it) => (count.get(it.base)! > 1 ? `${it.base}_${hash(it.id, it.field, len)}` : it.base));
    if (new Set(names).size === names.length || len >= 64)
      return items.map((it, i) => ({ name: names[i]!, id: it.id, field: it.field }));
  }
}

/** A YAML 1.2 double-quoted scalar of a literal value: `$` doubled, characters YAML does not allow raw escaped. */
function q(s: string): string {
  return JSON.stringify(s.split("$").join("$$")).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function parseObject(extra: string): Map<string, PyValue> | undefined {
  try {
    const v = pyLoads(extra);
    return v instanceof Map ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Paths of the "***" strings inside an extra object. */
function redactedPaths(v: PyValue, path: Array<string | number>, out: Array<Array<string | number>>): void {
  if (v === REDACTED) out.push(path);
  else if (Array.isArray(v))
    v.forEach((x, i) => {
      redactedPaths(x, [...path, i], out);
    });
  else if (v instanceof Map) for (const [k, x] of v) redactedPaths(x, [...path, k], out);
}

/** The extra with "***" replaced by `${NAME}` and other strings' `$` doubled. */
function extraWithRefs(
  v: PyValue,
  path: Array<string | number>,
  nameOf: (path: Array<string | number>) => string,
): PyValue {
  if (v === REDACTED) return `\${${nameOf(path)}}`;
  if (typeof v === "string") return v.split("$").join("$$");
  if (Array.isArray(v)) return v.map((x, i) => extraWithRefs(x, [...path, i], nameOf));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, extraWithRefs(x, [...path, k], nameOf)]));
  return v;
}

/**
 * The extra as a YAML flow mapping: json.dumps' text, except NaN, Infinity and -Infinity (which Airflow's json reads
 * and writes) in YAML's spelling, .nan, .inf and -.inf: YAML reads a plain NaN as the string "NaN".
 */
function yamlFlow(v: PyValue): string {
  if (v instanceof PyFloat && !Number.isFinite(v.value))
    return Number.isNaN(v.value) ? ".nan" : v.value > 0 ? ".inf" : "-.inf";
  if (Array.isArray(v)) return "[" + v.map(yamlFlow).join(", ") + "]";
  if (v instanceof Map) return "{" + [...v].map(([k, x]) => `${pyQuote(k)}: ${yamlFlow(x)}`).join(", ") + "}";
  return pyDumps(v);
}

export function formatAirconn(conns: ConnectionResponse[], o: { source?: string } = {}): AirconnExport {
  const warnings: string[] = [];
  const refs: Array<{ id: string; path: Array<string | number> }> = [];
  const extras = new Map<string, Map<string, PyValue> | undefined>();
  for (const c of conns) {
    if (c.password === REDACTED) refs.push({ id: c.connection_id, path: ["password"] });
    const ex = typeof c.extra === "string" && c.extra !== "" ? parseObject(c.extra) : undefined;
    extras.set(c.connection_id, ex);
    if (ex) {
      const paths: Array<Array<string | number>> = [];
      redactedPaths(ex, ["extra"], paths);
      for (const p of paths) refs.push({ id: c.connection_id, path: p });
    }
  }
  const variables = assignNames(refs);
  const byKey = new Map(variables.map((v) => [`${v.id}\0${v.field}`, v.name]));
  const nameOf = (id: string, path: Array<string | number>) => byKey.get(`${id}\0${path.join(".")}`)!;

  const lines: string[] = [];
  lines.push("# airconn connections: `airconn diff FILE` shows what `airconn apply FILE` would change.");
  if (o.source) lines.push(`# Exported from ${o.source} (${conns.length} connection${conns.length === 1 ? "" : "s"}).`);
  if (variables.length) {
    lines.push(
      "# The Airflow API never returns secrets. Set these environment variables to the real values before `airconn apply`:",
    );
    const w = Math.max(...variables.map((v) => v.name.length));
    const wi = Math.max(...variables.map((v) => v.id.length));
    for (const v of variables) lines.push(`#   ${v.name.padEnd(w)}  ${v.id.padEnd(wi)}  ${v.field}`);
  } else {
    lines.push("# No secrets: the file needs no environment variables.");
  }
  if (!conns.length) {
    lines.push("connections: []");
    return { text: lines.join("\n") + "\n", variables, warnings };
  }
  lines.push("connections:");
  for (const c of conns) {
    const id = c.connection_id;
    if (!CONNECTION_ID_RE.test(id))
      warnings.push(
        `connection ${JSON.stringify(id)} has an id the REST API does not accept: apply will refuse the file until it is renamed`,
      );
    const ct = c.conn_type ?? "";
    if (ct && normaliseConnType(ct) !== ct)
      warnings.push(`connection ${id}: conn_type "${ct}" is read back as "${normaliseConnType(ct)}"`);
    const str = (v: string | null | undefined) => (v === null || v === undefined ? "null" : q(v));
    lines.push(`  - connection_id: ${q(id)}`);
    lines.push(`    conn_type: ${q(ct)}`);
    lines.push(`    description: ${str(c.description)}`);
    lines.push(`    host: ${str(c.host)}`);
    lines.push(`    login: ${str(c.login)}`);
    lines.push(`    schema: ${str(c.schema)}`);
    lines.push(`    port: ${c.port === null || c.port === undefined ? "null" : String(c.port)}`);
    if (c.password === REDACTED) lines.push(`    password: "\${${nameOf(id, ["password"])}}"`);
    else if (c.password !== null && c.password !== undefined) lines.push(`    password: ${q(c.password)}`);
    const ex = extras.get(id);
    if (ex) lines.push(`    extra: ${yamlFlow(extraWithRefs(ex, ["extra"], (p) => nameOf(id, p)))}`);
    else if (c.extra === null || c.extra === undefined) lines.push("    extra: null");
    else {
      if (c.extra !== "")
        warnings.push(`connection ${id}: extra is not a JSON object, which apply refuses; fix it in the file`);
      lines.push(`    extra: ${q(c.extra)}`);
    }
    if (c.team_name !== null && c.team_name !== undefined) lines.push(`    team_name: ${q(c.team_name)}`);
  }
  return { text: lines.join("\n") + "\n", variables, warnings };
}
