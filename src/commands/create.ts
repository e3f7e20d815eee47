import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { AirconnError, ApiError, ConflictError, EXIT, oneLine, UsageError } from "../errors.js";
import type { AirflowApi } from "../api/client.js";
import type { ConnectionBody } from "../api/types.js";
import { renderConnection } from "../output/connections.js";
import { PyFloat, PyInt, PyJsonError, pyDumps, pyLoads, type PyValue } from "../util/pyjson.js";
import { airflowServer, checkConnectionId, examples } from "./common.js";
import { addFieldOptions, fieldsFromFlags, givenFlags, type FieldOptions, type Fields } from "./fields.js";
import { refuseRedactedForNew } from "../connection/secrets.js";
import { extraProblem, orThrow, portProblem } from "../connection/validate.js";
import {
  addWorkerOptions,
  refuseWorkerFlagsWithout,
  stateReporter,
  workerFlagsGiven,
  type WorkerFlags,
} from "./worker.js";
import { DEFAULT_WAIT_S, requireWorkerTests, resumeHint, testOnApiServer, workerTest } from "../api/connection-test.js";
import { addStrictOption, catalogFor, checkOneExtra, hideSecretFields, type StrictOption } from "./extras.js";
import type { ProviderSecrets } from "../connection/secrets.js";
import { parseSetExtra } from "./patch.js";

export interface CreateOptions extends FieldOptions, WorkerFlags, StrictOption {
  /** Missing: asked for on a terminal, else a usage error. */
  id?: string;
  uri?: string;
  json?: string;
  ifNotExists?: boolean;
  testFirst?: boolean;
  /** KEY=VALUE items: keys added to extra (to --extra's, when given). */
  setExtra?: string[];
}

/** Field flags that may accompany --uri / --json: what a URI cannot carry, and the password from stdin. */
const WITH_SOURCE = new Set(["--description", "--team", "--password-stdin", "--password"]);

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runCreate): void {
  const cmd = program
    .command("create")
    .description(
      "create a connection from field flags, a URI or Airflow's JSON form; on a terminal with no field flags (or --type alone), asks the type's form",
    )
    .argument("[connection-id]", "the new connection's id (letters, digits, _ . -); asked for on a terminal");
  addFieldOptions(cmd)
    .option(
      "--uri <uri>",
      "the connection as an Airflow URI, e.g. postgres://user@db:5432/app (password: use --password-stdin)",
    )
    .option("--json <json>", "the connection in Airflow's JSON form: the JSON text, @FILE, or - for standard input")
    .option(
      "--set-extra <key=value>",
      "set one extra key (repeatable, added to --extra); the value is read as JSON when it parses (42, true), else as a string",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--if-not-exists",
      "if the connection already exists, change nothing and exit 0 (for scripts that run twice)",
    )
    .option(
      "--test-first",
      "create it only if its test passes (Airflow 3.3: on a worker, stored by the server on success; before 3.3: tested on the API server, then created)",
    );
  addStrictOption(addWorkerOptions(cmd, "with --test-first (Airflow 3.3)"))
    .addHelpText(
      "after",
      examples([
        "$ airconn create                                              # on a terminal: asks the id, the type, its form",
        "$ airconn create my_s3 --type aws                             # on a terminal: asks what the aws form shows",
        "$ airconn create my_postgres --type postgres --host db.internal --port 5432 --login app --schema sales",
        "$ airconn create my_api --uri 'http://api.example.com:443/?timeout=30' --description 'partner API'",
        '$ airconn create my_s3 --json \'{"conn_type": "aws", "extra": {"region_name": "eu-west-1"}}\'',
        "",
        "In CI (no prompts; the secret from stdin; a re-run succeeds):",
        '$ printf %s "$DB_PASSWORD" | airconn create my_postgres --type postgres --host db --login app --password-stdin --if-not-exists',
        '$ printf %s "$DB_PASSWORD" | airconn create my_postgres --uri postgres://app@db:5432/sales --password-stdin -o json',
        "$ airconn create my_s3 --json @connections/my_s3.json --if-not-exists",
        '$ printf %s "$DB_PASSWORD" | airconn create my_postgres --uri postgres://app@db:5432/sales --password-stdin --test-first',
        "$ airconn create my_api --type http --host api.internal --test-first --queue etl --executor CeleryExecutor --wait 120",
        "$ airconn create my_sf --type snowflake --login etl --set-extra account=xy12345 --set-extra warehouse=wh --strict",
        "",
        "The form (at a terminal): the provider's labels, only the fields its form shows, its extra fields (Enter takes",
        "the default shown), then a summary (secrets as ***) to confirm. --type with any other field flag, --uri, --json",
        "or --no-input: no prompts.",
        "--uri and --json cannot be combined with each other, nor with field flags other than --description,",
        "--team and --password-stdin/--password (used when the URI or JSON has no password).",
        "--executor, --queue and --wait need --test-first and Airflow 3.3 (as with `airconn test --on-worker`): before",
        "3.3 the test runs on the API server, and they are refused (exit 2, no test sent). When --wait (default 90 s)",
        "runs out, airconn exits 1 and prints the test's token, and the server still creates the connection if the test",
        "passes later: see with `airconn test --poll TOKEN`. Ctrl-C the same, with exit 130.",
        "Exit codes: 0 created (or already there with --if-not-exists), 1 the test failed (--test-first: nothing created)",
        "or --wait ran out, 2 invalid input (also an executor the server does not know), 4 not allowed, 5 already exists",
        "(or a test of that id is already running on the server), 130 interrupted.",
      ]),
    )
    .action(async (id: string, o: Omit<CreateOptions, "id">, c: Command) => run({ ...o, id }, ctx.deps(c)));
}

export async function runCreate(o: CreateOptions, d: Deps): Promise<void> {
  const id = o.id === undefined ? await askId(d) : checkConnectionId(o.id);
  const workerFlags = workerFlagsGiven(o);
  if (!o.testFirst) {
    refuseWorkerFlagsWithout(
      workerFlags,
      "--test-first",
      `add --test-first: they choose the executor and queue of the test before the connection is created, and how long to wait for it (Airflow 3.3)`,
    );
  } else if (workerFlags.length) {
    // before anything is read or sent (the version is cached): these need the 3.3 test on a worker
    await requireWorkerTests(await airflowServer(d), workerFlags.join(", "), WITHOUT_WORKER_HINT);
  }
  const body = await buildCreateBody(o, id, d);
  if (body === undefined) return; // the form was not needed: the id exists and --if-not-exists accepts it
  // before anything is written: the extra against the provider's form (a warning, or with --strict exit 2)
  const secret = await checkOneExtra(d, id, body.conn_type, body.extra, o);
  const out = d.output();
  const api = await d.api();
  if (o.testFirst) return createTestedFirst(o, body, d, api, secret);
  let created;
  try {
    created = await api.create(body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      if (o.ifNotExists) {
        d.note(`connection ${id} already exists; nothing changed (--if-not-exists)`);
        return;
      }
      throw new ConflictError(
        `connection ${id} already exists`,
        "change it with `airconn patch`, or pass --if-not-exists to accept an existing one",
      );
    }
    throw e;
  }
  await renderConnection(d.io, hideSecretFields(created, secret), out);
}

/** No id given: asked for at a terminal; otherwise the usage error commander gives for a missing argument. */
async function askId(d: Deps): Promise<string> {
  if (!d.canPrompt())
    throw new UsageError(
      "missing required argument 'connection-id'",
      "without a terminal the id comes first: airconn create ID --type postgres ...",
    );
  const { askConnectionId } = await import("../prompts/connection.js");
  return askConnectionId(d.prompter(), (s) => d.io.err(s));
}

const WITHOUT_WORKER_HINT =
  "leave out --executor, --queue and --wait: before Airflow 3.3, --test-first tests on the API server, then creates";

/**
 * --test-first: nothing is created unless the test passes. Airflow 3.3 tests on a worker with commit_on_success (the
 * server stores the connection when the test passes; airconn reads it back to show it); an older server, or one
 * whose version cannot be read, tests on the API server (POST /connections/test), then airconn creates it; with
 * --executor, --queue or --wait and no version it goes to the worker, and a server without one says so (405).
 * An existing id is refused first: on 3.3 a passing test would otherwise overwrite it.
 */
async function createTestedFirst(
  o: CreateOptions,
  body: ConnectionBody,
  d: Deps,
  api: AirflowApi,
  secret: ProviderSecrets | undefined,
): Promise<void> {
  const id = body.connection_id;
  const out = d.output();
  if (
    await alreadyThere(
      d,
      api,
      id,
      o,
      "change it with `airconn patch` (test it with `airconn test`), or pass --if-not-exists to accept an existing one",
    )
  )
    return;
  const { version, workerTests } = await api.capabilities();
  // worker flags with no version known: requireWorkerTests let them through, and the server decides (405 before 3.3)
  if (workerTests || (version === undefined && workerFlagsGiven(o).length)) {
    const r = await workerTest(d, api, body, {
      executor: o.executor,
      queue: o.queue,
      commitOnSuccess: true,
      waitMs: (o.wait ?? DEFAULT_WAIT_S) * 1000,
      goesOn: `, which still creates ${id} if it passes`,
      olderServerHint: WITHOUT_WORKER_HINT,
      reporter: () => stateReporter(d, id),
    });
    if (r.status === null) {
      throw new AirconnError(
        `${r.message}: ${id} is not created yet, but its test goes on on the server, which creates ${id} if the test passes (commit_on_success); its token is ${r.token}`,
        EXIT.FAILURE,
        `${resumeHint(r.token)}, then \`airconn get ${id}\``,
      );
    }
    if (!r.status) throw new AirconnError(`the test failed, nothing was created: ${r.message}`, EXIT.FAILURE);
    let created;
    try {
      created = await api.get(id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404)
        throw new AirconnError(
          `the test passed (${r.message}) but the server did not store ${id}`,
          EXIT.FAILURE,
          "create it with `airconn create` without --test-first",
        );
      throw e;
    }
    d.note(`the test passed on a worker: ${r.message}`);
    return renderConnection(d.io, hideSecretFields(created, secret), out);
  }
  const res = await testOnApiServer(api, body);
  if (!res.status)
    throw new AirconnError(`the test failed, nothing was created: ${oneLine(res.message)}`, EXIT.FAILURE);
  d.note(`the test passed: ${oneLine(res.message)}`);
  let created;
  try {
    created = await api.create(body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409)
      throw new ConflictError(`connection ${id} already exists (created meanwhile)`);
    throw e;
  }
  await renderConnection(d.io, hideSecretFields(created, secret), out);
}

/** The body to POST: from --uri, --json, field flags, or (on a terminal, with no type) the prompts. */
export async function buildCreateBody(o: CreateOptions, id: string, d: Deps): Promise<ConnectionBody | undefined> {
  if (o.uri !== undefined && o.json !== undefined) throw new UsageError("--uri and --json cannot be used together");
  const flags = givenFlags(o);
  const source = o.uri !== undefined ? "--uri" : o.json !== undefined ? "--json" : undefined;
  if (source) {
    const bad = flags.filter((f) => !WITH_SOURCE.has(f));
    if (bad.length) {
      throw new UsageError(
        `${bad.join(", ")} cannot be combined with ${source}: give every field in the ${source === "--uri" ? "URI" : "JSON"}`,
        `only --description, --team and --password-stdin can be added to ${source}`,
      );
    }
    if (o.json === "-" && o.passwordStdin)
      throw new UsageError(
        "--json - and --password-stdin both read standard input: put the JSON in a file (--json @FILE)",
      );
    if (o.setExtra?.length) throw new UsageError(`--set-extra cannot be combined with ${source}: give extra in it`);
  }
  const fromFlags = await fieldsFromFlags(o, d);
  if (o.setExtra?.length) fromFlags.extra = withSetExtra(fromFlags.extra, o.setExtra);
  let fields: Partial<Fields>;
  if (source) {
    const parsed = o.uri !== undefined ? await fieldsFromUri(o.uri) : await fieldsFromJson(o.json!, id, d);
    for (const k of ["description", "team_name", "password"] as const) {
      if (fromFlags[k] === undefined) continue;
      if (parsed[k] !== undefined && parsed[k] !== null) {
        const flag =
          k === "team_name"
            ? "--team"
            : k === "password"
              ? o.passwordStdin
                ? "--password-stdin"
                : "--password"
              : "--description";
        throw new UsageError(`the ${k} is given twice: in ${source} and with ${flag}`);
      }
    }
    fields = { ...parsed, ...fromFlags };
  } else if (d.canPrompt() && (fromFlags.conn_type === undefined || Object.keys(fromFlags).length === 1)) {
    // At a terminal, with no type or with --type alone: the type's form; fields given as flags are not asked again.
    // An id that exists is said before the questions, not after them.
    const hint =
      "change it with `airconn patch` (at a terminal, `airconn patch ID` offers the same form), or choose another id";
    if (await alreadyThere(d, await d.api(), id, o, hint)) return undefined;
    const { promptNewConnection } = await import("../prompts/connection.js");
    return promptNewConnection(d.prompter(), id, fromFlags, (s) => d.io.err(s), catalogFor(d));
  } else if (fromFlags.conn_type !== undefined) {
    fields = fromFlags;
  } else {
    throw new UsageError(
      "no connection type: pass --type (or --uri or --json)",
      "without a terminal every field comes from flags: airconn create ID --type postgres --host ... --password-stdin",
    );
  }
  refuseRedactedForNew(fields, source ?? "create");
  const body: ConnectionBody = { connection_id: id, conn_type: fields.conn_type ?? "" };
  for (const [k, v] of Object.entries(fields) as Array<[keyof Fields, unknown]>) {
    if (k === "conn_type" || v === undefined || v === null) continue;
    (body as unknown as Record<string, unknown>)[k] = v;
  }
  return body;
}

/**
 * Before anything is created (--test-first, the form): false when the id is free; true when it exists and
 * --if-not-exists accepts that (said on stderr); otherwise the conflict (exit 5) with `hint`.
 */
async function alreadyThere(d: Deps, api: AirflowApi, id: string, o: CreateOptions, hint: string): Promise<boolean> {
  try {
    await api.get(id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return false;
    throw e;
  }
  if (!o.ifNotExists) throw new ConflictError(`connection ${id} already exists`, hint);
  d.note(`connection ${id} already exists; nothing changed (--if-not-exists)`);
  return true;
}

/** --extra's object (or a new one) with the --set-extra keys set, as JSON text. */
function withSetExtra(extra: string | null | undefined, items: string[]): string {
  const obj = typeof extra === "string" && extra.trim() !== "" ? pyLoads(extra) : new Map<string, PyValue>();
  if (!(obj instanceof Map)) throw new UsageError("--extra must be a JSON object to add --set-extra keys to it");
  for (const [k, v] of items.map(parseSetExtra)) obj.set(k, v);
  return pyDumps(obj);
}

async function fieldsFromUri(uri: string): Promise<Partial<Fields>> {
  const { fieldsFromUri: fromUri } = await import("../uri/fields.js");
  const f = fromUri(uri);
  if (!f.conn_type) throw new UsageError("--uri: the URI has no connection type (expected <conn-type>://...)");
  return f;
}

/** conn_type as Airflow's Connection.from_json normalises it: postgresql → postgres, "-" → "_". */
export function normaliseJsonConnType(t: string): string {
  if (t === "postgresql") return "postgres";
  return t.replaceAll("-", "_");
}

const JSON_KEYS = [
  "conn_type",
  "description",
  "host",
  "login",
  "password",
  "schema",
  "port",
  "extra",
  "team_name",
  "connection_id",
  "conn_id",
];

/**
 * Airflow's JSON connection form (`airflow connections add --conn-json`, Connection.from_json): an object with
 * conn_type, description, host, login, password, schema, port (number or numeric string), extra (object or JSON
 * string). Falsy values (null, "", 0, {}) are left out, as Airflow does.
 */
export async function fieldsFromJson(arg: string, id: string, d: Deps): Promise<Partial<Fields>> {
  let text = arg,
    name = "--json";
  if (arg === "-" || arg.startsWith("@")) {
    const { readInput } = await import("../bulk/load.js");
    const r = await readInput(arg === "-" ? "-" : arg.slice(1), d.io, "JSON connection", d.env);
    text = r.text;
    name = `--json ${r.name}`;
  }
  let doc: PyValue;
  try {
    doc = pyLoads(text.trim());
  } catch (e) {
    throw new UsageError(`${name}: invalid JSON: ${e instanceof PyJsonError ? e.message : String(e)}`);
  }
  if (!(doc instanceof Map))
    throw new UsageError(`${name}: expected a JSON object such as {"conn_type": "postgres", "host": "db"}`);
  const unknown = [...doc.keys()].filter((k) => !JSON_KEYS.includes(k));
  if (unknown.length)
    throw new UsageError(
      `${name}: unknown key${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; allowed: ${JSON_KEYS.slice(0, 9).join(", ")}`,
    );
  for (const k of ["connection_id", "conn_id"]) {
    const v = doc.get(k);
    if (v !== undefined && v !== null && v !== id)
      throw new UsageError(`${name}: ${k} is "${String(v)}" but the id given is "${id}"`);
  }
  const f: Partial<Fields> = {};
  const str = (
    k: "conn_type" | "description" | "host" | "login" | "password" | "schema" | "team_name",
  ): string | undefined => {
    const v = doc.get(k);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new UsageError(`${name}: ${k} must be a string`);
    return v === "" ? undefined : v;
  };
  const type = str("conn_type");
  if (type === undefined) throw new UsageError(`${name}: conn_type is missing`);
  f.conn_type = normaliseJsonConnType(type);
  for (const k of ["description", "host", "login", "password", "schema", "team_name"] as const) {
    const v = str(k);
    if (v !== undefined) f[k] = v;
  }
  const port = doc.get("port");
  if (port !== undefined && port !== null && port !== "") {
    let n: number;
    if (port instanceof PyInt) n = Number(port.text);
    else if (port instanceof PyFloat && Number.isInteger(port.value)) n = port.value;
    else if (typeof port === "string" && /^\s*[+-]?\d+\s*$/.test(port)) n = Number(port.trim());
    else
      throw new UsageError(
        `${name}: expected an integer value for port, but got ${typeof port === "string" ? JSON.stringify(port) : pyDumps(port)}`,
      );
    orThrow(portProblem(n, { context: "json", path: name }));
    if (n !== 0) f.port = n;
  }
  const extra = doc.get("extra");
  if (extra !== undefined && extra !== null && extra !== "") {
    if (extra instanceof Map) {
      if (extra.size) f.extra = pyDumps(extra);
    } else if (typeof extra === "string") {
      orThrow(extraProblem(extra, { context: "json", path: name }));
      f.extra = extra;
    } else {
      throw new UsageError(`${name}: extra must be a JSON object (or a string holding one)`);
    }
  }
  return f;
}
