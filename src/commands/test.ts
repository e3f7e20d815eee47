import type { Command } from "commander";
import type { CommandContext } from "../cli.js";
import type { Deps } from "../deps.js";
import { AirconnError, ApiError, EXIT, UsageError } from "../errors.js";
import type { ConnectionBody, ConnectionTestResponse } from "../api/types.js";
import { render } from "../output/render.js";
import { checkConnectionId, examples } from "./common.js";
import { addFieldOptions, fieldsFromFlags, givenFlags, type FieldOptions, type Fields } from "./fields.js";

export interface TestOptions extends FieldOptions { id?: string; uri?: string }

export const TEST_DISABLED_HINT = "testing is off on the Airflow server: set AIRFLOW__CORE__TEST_CONNECTION=Enabled there (or [core] test_connection = Enabled)";

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runTest): void {
  const cmd = program.command("test")
    .description("test a stored connection, or an unsaved one given by --uri or field flags; exit 0 only when the server says it works")
    .argument("[connection-id]", "a stored connection (its stored secrets are used), or the id to give an unsaved one");
  addFieldOptions(cmd)
    .option("--uri <uri>", "test this connection URI instead of a stored connection")
    .addHelpText("after", examples([
      "$ airconn test my_postgres                            # ok: Connection successfully tested",
      "$ airconn test my_postgres --host db-replica          # the stored connection with another host",
      "$ airconn test --type http --host api.example.com --port 443",
      "",
      "In CI:",
      "$ airconn test my_postgres -o json || echo 'my_postgres is broken'",
      "$ printf %s \"$PW\" | airconn test --uri postgres://app@db:5432/sales --password-stdin",
      "",
      "The server must allow testing: AIRFLOW__CORE__TEST_CONNECTION=Enabled (Airflow's default is Disabled).",
      "Exit codes: 0 the test passed, 1 it failed or testing is disabled, 2 invalid input, 3 not found, 4 not allowed.",
    ]))
    .action(async (id: string | undefined, o: Omit<TestOptions, "id">, c: Command) => run({ ...o, id }, ctx.deps(c)));
}

export async function runTest(o: TestOptions, d: Deps): Promise<void> {
  const flags = givenFlags(o);
  if (o.uri !== undefined) {
    const bad = flags.filter((f) => !["--description", "--team", "--password-stdin", "--password"].includes(f));
    if (bad.length) throw new UsageError(`${bad.join(", ")} cannot be combined with --uri`);
  }
  const fields = await fieldsFromFlags(o, d);
  const id = o.id !== undefined ? checkConnectionId(o.id) : undefined;
  const out = d.output();
  const api = await d.api();
  let body: ConnectionBody;
  if (o.uri !== undefined) {
    const { fieldsFromUri } = await import("../connection/uri.js");
    body = { connection_id: id ?? scratchId(), ...fieldsFromUri(o.uri) };
    if (fields.password !== undefined) {
      if (body.password) throw new UsageError("the password is given twice: in --uri and with --password-stdin/--password");
      body.password = fields.password;
    }
    if (fields.description !== undefined) body.description = fields.description;
    if (fields.team_name !== undefined) body.team_name = fields.team_name;
  } else if (id !== undefined && fields.conn_type === undefined) {
    // A stored connection: send back what the server returned. Its "***" values are merged with the stored
    // secrets by the server for the test and are never stored.
    const stored = await api.get(id);
    body = { connection_id: id, conn_type: stored.conn_type };
    for (const k of ["description", "host", "login", "schema", "port", "password", "extra", "team_name"] as const) {
      if (stored[k] !== undefined && stored[k] !== null) (body as unknown as Record<string, unknown>)[k] = stored[k];
    }
    Object.assign(body, fields);
  } else {
    if (fields.conn_type === undefined) {
      throw new UsageError("nothing to test: give a stored connection's id, --uri, or field flags with --type",
        "e.g. airconn test my_postgres, or airconn test --type postgres --host db --login app --password-stdin");
    }
    body = { connection_id: id ?? scratchId(), ...(fields as Fields & { conn_type: string }) };
  }

  let res: ConnectionTestResponse;
  try {
    res = await api.test(body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 403 && /test(ing)? connections? is disabled/i.test(e.detail)) {
      throw new AirconnError(e.detail, EXIT.FAILURE, TEST_DISABLED_HINT);
    }
    throw e;
  }
  await render(d.io, out, { kind: "text", document: res, text: `${res.status ? "ok" : "failed"}: ${String(res.message ?? "").replace(/\s*\n\s*/g, " ")}\n` });
  if (!res.status) throw new AirconnError("", EXIT.FAILURE);
}

/** An id for an unsaved connection that no stored one will have (the server merges a stored one with the same id). */
// Web Crypto's global, not node:crypto: importing that module at start-up costs every command ~10 ms.
const scratchId = () => `airconn_test_${globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
