// The field flags shared by create, patch and test: --type, --host, --login, --password(-stdin), --port, --schema,
// --extra, --description, --team. Parsing and checking happen here, before any request is sent.
import type { Command } from "commander";
import { intArg } from "../cli.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { REDACTED, type ConnectionBody } from "../api/types.js";
import { PyJsonError, pyLoads, type PyValue } from "../util/pyjson.js";
import { isSensitiveKey } from "../util/sensitive.js";

export interface FieldOptions {
  type?: string;
  host?: string;
  login?: string;
  password?: string;
  passwordStdin?: boolean;
  port?: number;
  schema?: string;
  extra?: string;
  description?: string;
  team?: string;
}

/** The connection fields a command can set (API names), without connection_id. */
export type Fields = Omit<ConnectionBody, "connection_id">;
export type FieldName = keyof Fields;

/** Flag name → API field name. */
export const FLAG_FIELDS: Array<[keyof FieldOptions, FieldName, string]> = [
  ["type", "conn_type", "--type"],
  ["description", "description", "--description"],
  ["host", "host", "--host"],
  ["login", "login", "--login"],
  ["schema", "schema", "--schema"],
  ["port", "port", "--port"],
  ["password", "password", "--password"],
  ["extra", "extra", "--extra"],
  ["team", "team_name", "--team"],
];

export function addFieldOptions(cmd: Command, what = "the connection's"): Command {
  return cmd
    .option("--type <conn-type>", `${what} type (conn_type), e.g. postgres, http, aws`)
    .option("--host <host>", `${what} host (not the Airflow URL)`)
    .option("--login <login>", `${what} login`)
    .option("--password-stdin", "read the password from standard input (one trailing newline is removed)")
    .option("--password <password>", "the password (visible in the process list and shell history: scripts should use --password-stdin)")
    .option("--port <port>", `${what} port (0-65535)`, intArg("--port", 0, 65535))
    .option("--schema <schema>", `${what} schema`)
    .option("--extra <json-object>", `${what} extra, a JSON object such as '{"sslmode": "require"}'`)
    .option("--description <text>", `${what} description`)
    .option("--team <name>", `${what} team (team_name, Airflow 3.2 multi-team)`);
}

/** Which field flags were given, by flag name. */
export function givenFlags(o: FieldOptions): string[] {
  const flags = FLAG_FIELDS.filter(([k]) => o[k] !== undefined).map(([, , flag]) => flag);
  if (o.passwordStdin) flags.push("--password-stdin");
  return flags;
}

/** Checks that `text` is a JSON object (Airflow's rule for extra). Returns an error message or undefined. */
export function extraProblem(text: string): string | undefined {
  let v: PyValue;
  try {
    v = pyLoads(text);
  } catch (e) {
    return `not valid JSON (${e instanceof PyJsonError ? e.message : String(e)})`;
  }
  if (!(v instanceof Map)) return `a JSON object is needed, such as {"key": "value"}, not ${describeJson(v)}`;
  return undefined;
}

const describeJson = (v: PyValue): string =>
  v === null ? "null" : typeof v === "boolean" ? "a boolean" : typeof v === "string" ? "a string" : Array.isArray(v) ? "an array" : "a number";

/** Reads the password from stdin: all of it, minus one trailing newline. */
export async function readPasswordStdin(d: Deps): Promise<string> {
  if (d.io.stdinIsTTY) {
    throw new UsageError("--password-stdin reads standard input, but it is a terminal", "pipe the password in: printf %s \"$PASSWORD\" | airconn ... --password-stdin");
  }
  const text = (await d.io.readStdin()).replace(/\r?\n$/, "");
  if (text === "") throw new UsageError("--password-stdin: standard input was empty");
  return text;
}

/**
 * Turns the field flags into API fields: only the flags given appear. Reads --password-stdin, checks --extra,
 * refuses "***" as a password (that is how the server hides one, never a value to store).
 */
export async function fieldsFromFlags(o: FieldOptions, d: Deps): Promise<Partial<Fields>> {
  if (o.password !== undefined && o.passwordStdin) throw new UsageError("--password and --password-stdin cannot be used together");
  const f: Partial<Fields> = {};
  if (o.type !== undefined) {
    if (o.type.trim() === "") throw new UsageError("--type is empty");
    f.conn_type = o.type;
  }
  if (o.description !== undefined) f.description = o.description;
  if (o.host !== undefined) f.host = o.host;
  if (o.login !== undefined) f.login = o.login;
  if (o.schema !== undefined) f.schema = o.schema;
  if (o.port !== undefined) {
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new UsageError(`--port must be an integer between 0 and 65535, got ${o.port}`);
    f.port = o.port;
  }
  if (o.extra !== undefined) {
    const problem = extraProblem(o.extra);
    if (problem) throw new UsageError(`--extra: ${problem}`);
    f.extra = o.extra;
  }
  if (o.team !== undefined) {
    if (o.team.length > 50) throw new UsageError(`--team is ${o.team.length} characters long: Airflow allows at most 50`);
    f.team_name = o.team;
  }
  if (o.passwordStdin) f.password = await readPasswordStdin(d);
  else if (o.password !== undefined) {
    if (o.password === "") throw new UsageError("--password is empty (a password cannot be cleared through the Airflow API)");
    if (!d.io.stdinIsTTY) d.warn("--password puts the secret in the process list and shell history: prefer --password-stdin in scripts");
    f.password = o.password;
  }
  if (f.password === REDACTED) {
    throw new UsageError(`the password "${REDACTED}" is how Airflow hides a stored password, not a value airconn will send`,
      "give the real password (with --password-stdin in scripts)");
  }
  return f;
}

/** Paths (like `extra.token` or `extra.auth[0]`) of "***" values in a JSON object tree. */
export function redactedPaths(v: PyValue, path = "extra"): string[] {
  if (v === REDACTED) return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => redactedPaths(x, `${path}[${i}]`));
  if (v instanceof Map) return [...v].flatMap(([k, x]) => redactedPaths(x, `${path}.${k}`));
  return [];
}

/**
 * "***" values the server would NOT give back its stored value for: it restores "***" only under a key it treats
 * as sensitive (or in a list under such a key). Anywhere else "***" would be stored literally.
 */
export function unsafeRedacted(v: PyValue, key: string | undefined = undefined, path = "extra"): string[] {
  if (v === REDACTED) return key !== undefined && isSensitiveKey(key) ? [] : [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => unsafeRedacted(x, key, `${path}[${i}]`));
  if (v instanceof Map) return [...v].flatMap(([k, x]) => unsafeRedacted(x, k, `${path}.${k}`));
  return [];
}

/** Refuses a new connection whose password or extra holds "***": it would be stored literally as the secret. */
export function refuseRedactedForNew(f: Partial<Fields>, source: string): void {
  if (f.password === REDACTED) {
    throw new UsageError(`${source}: the password is "${REDACTED}", which is how Airflow hides a stored password, not a real one`,
      "put the real password in (or leave it out and pass it with --password-stdin)");
  }
  if (typeof f.extra === "string" && f.extra.includes(REDACTED)) {
    let paths: string[] = [];
    try { paths = redactedPaths(pyLoads(f.extra)); } catch { /* checked elsewhere */ }
    if (paths.length) {
      throw new UsageError(`${source}: ${paths.join(", ")} ${paths.length === 1 ? "is" : "are"} "${REDACTED}", how Airflow hides a stored secret: airconn will not store it as a value`,
        "put the real values in, or leave those keys out");
    }
  }
}
