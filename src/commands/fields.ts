// The field flags shared by create, patch and test: --type, --host, --login, --password(-stdin), --port, --schema,
// --extra, --description, --team. Parsing and checking happen here, before any request is sent.
import type { Command } from "commander";
import { intArg } from "./kit.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { PORT_MAX, PORT_MIN, PORT_RANGE, type FieldName, type Fields } from "../connection/model.js";
import { refuseRedactedPassword } from "../connection/secrets.js";
import { connTypeProblem, extraProblem, orThrow, portProblem, teamProblem } from "../connection/validate.js";

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

export type { FieldName, Fields };

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
    .option(
      "--password <password>",
      "the password (visible in the process list and shell history: scripts should use --password-stdin)",
    )
    .option("--port <port>", `${what} port (${PORT_RANGE})`, intArg("--port", PORT_MIN, PORT_MAX))
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

/** Reads the password from stdin: all of it, minus one trailing newline. */
export async function readPasswordStdin(d: Deps): Promise<string> {
  if (d.io.stdinIsTTY) {
    throw new UsageError(
      "--password-stdin reads standard input, but it is a terminal",
      'pipe the password in: printf %s "$PASSWORD" | airconn ... --password-stdin',
    );
  }
  const text = (await d.io.readStdin({ what: "standard input (--password-stdin)" })).replace(/\r?\n$/, "");
  if (text === "") throw new UsageError("--password-stdin: standard input was empty");
  return text;
}

/**
 * Turns the field flags into API fields: only the flags given appear. Reads --password-stdin, checks --extra,
 * refuses "***" as a password (that is how the server hides one, never a value to store).
 */
export async function fieldsFromFlags(o: FieldOptions, d: Deps): Promise<Partial<Fields>> {
  if (o.password !== undefined && o.passwordStdin)
    throw new UsageError("--password and --password-stdin cannot be used together");
  const f: Partial<Fields> = {};
  if (o.type !== undefined) {
    orThrow(connTypeProblem(o.type, { context: "flag", path: "--type" }));
    f.conn_type = o.type;
  }
  if (o.description !== undefined) f.description = o.description;
  if (o.host !== undefined) f.host = o.host;
  if (o.login !== undefined) f.login = o.login;
  if (o.schema !== undefined) f.schema = o.schema;
  if (o.port !== undefined) {
    orThrow(portProblem(o.port, { context: "flag", path: "--port" }));
    f.port = o.port;
  }
  if (o.extra !== undefined) {
    orThrow(extraProblem(o.extra, { context: "flag", path: "--extra" }));
    f.extra = o.extra;
  }
  if (o.team !== undefined) {
    orThrow(teamProblem(o.team, { context: "flag", path: "--team" }));
    f.team_name = o.team;
  }
  if (o.passwordStdin) f.password = await readPasswordStdin(d);
  else if (o.password !== undefined) {
    if (o.password === "")
      throw new UsageError("--password is empty (a password cannot be cleared through the Airflow API)");
    if (!d.io.stdinIsTTY)
      d.warn("--password puts the secret in the process list and shell history: prefer --password-stdin in scripts");
    f.password = o.password;
  }
  refuseRedactedPassword(f.password);
  return f;
}
