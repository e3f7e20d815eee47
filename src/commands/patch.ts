import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import type { ConnectionBody, ConnectionResponse } from "../api/types.js";
import { REDACTED, UPDATABLE_FIELDS, type UpdatableField } from "../connection/model.js";
import {
  extraKeys,
  redactedPaths,
  SENSITIVE_WORDS,
  unsafeRedacted,
  type SensitiveWords,
} from "../connection/secrets.js";
import { keepStoredExtra, missingSecretsWarning } from "../connection/keep.js";
import { renderConnection } from "../output/connections.js";
import { PyJsonError, pyDumps, pyLoads, type PyObject, type PyValue } from "../util/pyjson.js";
import { checkConnectionId, examples, sensitiveWordsForKeys } from "./common.js";
import { addFieldOptions, fieldsFromFlags, givenFlags, type FieldOptions, type Fields } from "./fields.js";
import { addStrictOption, catalogFor, checkOneExtra, hideSecretFields, type StrictOption } from "./extras.js";

export interface PatchOptions extends FieldOptions, StrictOption {
  id: string;
  unset?: string[];
  setExtra?: string[];
  unsetExtra?: string[];
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runPatch): void {
  const cmd = program
    .command("patch")
    .description(
      "change only the fields given (sent with update_mask); everything else stays as stored; at a terminal with none given, asks the type's form",
    )
    .argument("<connection-id>", "the connection to change");
  addFieldOptions(cmd, "new")
    .option(
      "--unset <field>",
      "clear a field (repeatable): description, host, login, schema, port, extra, team_name",
      collect,
    )
    .option(
      "--set-extra <key=value>",
      'set one extra key (repeatable); the value is read as JSON when it parses (42, true, {"a": 1}), else as a string',
      collect,
    )
    .option("--unset-extra <key>", "remove one extra key (repeatable)", collect);
  addStrictOption(cmd)
    .addHelpText(
      "after",
      examples([
        "$ airconn patch my_postgres --host db2.internal --port 5433",
        "$ airconn patch my_postgres --set-extra sslmode=require --set-extra connect_timeout=10",
        "$ airconn patch my_postgres --unset description --unset-extra legacy_flag",
        "",
        "In CI:",
        '$ printf %s "$NEW_PASSWORD" | airconn patch my_postgres --password-stdin -o json',
        "$ airconn patch my_api --extra '{\"timeout\": 30}'        # replaces extra as a whole",
        "$ airconn patch my_sf --set-extra warehouse=etl_wh --strict   # exit 2 on a key the snowflake form flags",
        "",
        "At a terminal with no field flags: the connection type's form, the stored values as defaults (Enter keeps",
        "one; a stored secret is kept, never sent back); only the fields changed are sent.",
        "Only the fields given are sent, and named in update_mask. Extra keys the server shows as *** are sent back as ***,",
        "so the server keeps their stored values. A password cannot be cleared through the Airflow API.",
        "Exit codes: 0 changed, 2 invalid input or nothing to change, 3 not found, 4 not allowed.",
      ]),
    )
    .action(async (id: string, o: Omit<PatchOptions, "id">, c: Command) => run({ ...o, id }, ctx.deps(c)));
}

const UNSET_ALIASES: Record<string, string> = { team: "team_name", type: "conn_type", port_number: "port" };

export function parseUnset(names: string[]): UpdatableField[] {
  const out: UpdatableField[] = [];
  for (const raw of names) {
    const name = UNSET_ALIASES[raw] ?? raw;
    if (name === "password") {
      throw new UsageError(
        "--unset password: the Airflow API cannot clear a password (an empty or null password leaves the stored one unchanged)",
        "set a new one with --password-stdin, or delete and re-create the connection",
      );
    }
    if (name === "conn_type")
      throw new UsageError("--unset conn_type: a connection always has a type; change it with --type");
    if (!(UPDATABLE_FIELDS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--unset ${raw}: unknown field; use one of description, host, login, schema, port, extra, team_name`,
      );
    }
    if (!out.includes(name as UpdatableField)) out.push(name as UpdatableField);
  }
  return out;
}

/** K=V → [K, value]: V as JSON when it parses, else the text itself. */
export function parseSetExtra(item: string): [string, PyValue] {
  const eq = item.indexOf("=");
  // The text is not repeated: without its "=", it may be a key and a secret run together (token:abc…).
  if (eq <= 0)
    throw new UsageError(`--set-extra: expected KEY=VALUE, got ${eq === 0 ? 'nothing before the "="' : 'no "="'}`);
  const key = item.slice(0, eq),
    text = item.slice(eq + 1);
  let value: PyValue;
  try {
    value = pyLoads(text);
  } catch (e) {
    if (!(e instanceof PyJsonError)) throw e;
    value = text;
  }
  if (redactedPaths(value, key).length) {
    throw new UsageError(
      `--set-extra ${key}: "${REDACTED}" is how Airflow hides a stored secret, not a value to send`,
      "give the real value; keys you do not name keep what is stored",
    );
  }
  return [key, value];
}

export async function runPatch(o: PatchOptions, d: Deps): Promise<void> {
  const id = checkConnectionId(o.id);
  const form = nothingGiven(o) && d.canPrompt() ? await changesFromForm(id, d) : undefined;
  if (form === null) return; // the form changed nothing: nothing sent
  const unset = [...parseUnset(o.unset ?? []), ...(form?.unset ?? [])];
  const setExtra = [...(o.setExtra ?? []).map(parseSetExtra), ...(form?.setExtra ?? [])];
  const unsetExtra = [...(o.unsetExtra ?? []), ...(form?.unsetExtra ?? [])];
  const editExtra = setExtra.length > 0 || unsetExtra.length > 0;
  if (o.extra !== undefined && editExtra) {
    throw new UsageError(
      `--extra replaces extra as a whole: it cannot be combined with ${setExtra.length ? "--set-extra" : "--unset-extra"}`,
    );
  }
  if (unset.includes("extra") && (editExtra || o.extra !== undefined))
    throw new UsageError("--unset extra cannot be combined with --extra, --set-extra or --unset-extra");
  for (const k of unsetExtra) {
    if (k === "") throw new UsageError("--unset-extra needs a key");
    if (setExtra.some(([s]) => s === k))
      throw new UsageError(`extra key ${k} is both set (--set-extra) and removed (--unset-extra)`);
  }
  const fields = { ...(await fieldsFromFlags(o, d)), ...form?.fields };
  for (const k of unset) {
    if (fields[k] !== undefined) throw new UsageError(`${k} is both given a value and unset (--unset ${k})`);
  }
  if (Object.keys(fields).length === 0 && unset.length === 0 && !editExtra) {
    throw new UsageError(
      "nothing to change: give at least one field flag, --unset, --set-extra or --unset-extra",
      "e.g. airconn patch " + id + " --host new.example.com",
    );
  }
  // "***" is restored by the server only under a key it treats as secret: judged by the server's own word list.
  if (fields.extra !== undefined && fields.extra !== null) {
    const words = await sensitiveWordsForKeys(d, extraKeys(fields.extra));
    const unsafe = unsafeRedacted(pyLoads(fields.extra), undefined, "extra", words);
    if (unsafe.length) throw redactedError(unsafe, "--extra");
  }

  const api = await d.api();
  let current: ConnectionResponse | undefined;
  const keepSecrets = typeof fields.extra === "string" && fields.extra.includes(REDACTED);
  if (fields.conn_type === undefined || editExtra || keepSecrets) current = form?.stored ?? (await api.get(id));
  if (keepSecrets) {
    // "***" keeps the stored secret only where the server has one; elsewhere Airflow would store "***" itself.
    const words = await sensitiveWordsForKeys(d, [...extraKeys(fields.extra), ...extraKeys(current!.extra)]);
    const r = keepStoredExtra(fields.extra!, current!.extra ?? null, words);
    if (r) {
      fields.extra = r.extra;
      if (r.missing.length) d.warn(missingSecretsWarning(r.missing.map((field) => ({ id, field }))));
    }
  }

  const body: ConnectionBody = { connection_id: id, conn_type: fields.conn_type ?? current!.conn_type };
  // The extra given (whole, or the keys set) against the provider's form of the type it will have: a warning, or with
  // --strict exit 2, before the PATCH.
  const given = fields.extra ?? (setExtra.length ? new Map(setExtra) : undefined);
  const secret = await checkOneExtra(d, id, body.conn_type, given, o);
  const set = body as unknown as Record<string, unknown>;
  const mask = new Set<UpdatableField>();
  for (const [k, v] of Object.entries(fields) as Array<[keyof Fields, unknown]>) {
    if (v === undefined) continue;
    set[k] = v;
    mask.add(k as UpdatableField);
  }
  for (const k of unset) {
    set[k] = null;
    mask.add(k);
  }
  if (editExtra) {
    const words = await sensitiveWordsForKeys(d, [...extraKeys(current!.extra), ...setExtra.map(([k]) => k)]);
    // a secret field of the provider that the server shows as "***" is kept by sending "***" back, as for its words
    const storedType = current!.conn_type;
    const shownSecret = secret && ((k: string) => secret(storedType, k));
    body.extra = mergeExtra(current!.extra ?? null, setExtra, unsetExtra, (m) => d.warn(m), words, shownSecret);
    mask.add("extra");
  }
  const updateMask = UPDATABLE_FIELDS.filter((f) => mask.has(f));
  const out = d.output();
  const updated = await api.patch(id, body, updateMask);
  await renderConnection(d.io, hideSecretFields(updated, secret), out);
}

const nothingGiven = (o: PatchOptions): boolean =>
  givenFlags(o).length === 0 && !o.unset?.length && !o.setExtra?.length && !o.unsetExtra?.length;

/**
 * At a terminal with nothing to change given: the type's form over the stored connection, its values as defaults
 * (prompts/connection.ts). Null when nothing was changed.
 */
async function changesFromForm(id: string, d: Deps) {
  const stored = await (await d.api()).get(id);
  const { promptConnectionChanges, noChanges } = await import("../prompts/connection.js");
  const changes = await promptConnectionChanges(d.prompter(), stored, (s) => d.io.err(s), catalogFor(d));
  return noChanges(changes) ? null : { stored, ...changes };
}

/**
 * The new extra: the stored one as the server returned it (its "***" values stay "***" so the server keeps the
 * stored secrets), minus the removed keys, plus the set keys (in place when present, else at the end).
 */
export function mergeExtra(
  stored: string | null,
  setExtra: Array<[string, PyValue]>,
  unsetExtra: string[],
  warn: (m: string) => void,
  words: SensitiveWords = SENSITIVE_WORDS,
  /** Top-level keys the server hides as secrets beyond its words (the provider's secret fields): "***" is kept. */
  secretKey?: (key: string) => boolean,
): string {
  let obj: PyObject;
  if (stored === null || stored.trim() === "") obj = new Map();
  else {
    let v: PyValue;
    try {
      v = pyLoads(stored);
    } catch {
      throw new UsageError(
        "the stored extra is not JSON, so single keys cannot be changed",
        "replace it as a whole with --extra '{...}'",
      );
    }
    if (!(v instanceof Map))
      throw new UsageError(
        "the stored extra is not a JSON object, so single keys cannot be changed",
        "replace it as a whole with --extra '{...}'",
      );
    obj = v;
  }
  for (const k of unsetExtra) {
    if (!obj.has(k)) warn(`extra has no key ${k}: nothing to remove`);
    obj.delete(k);
  }
  for (const [k, v] of setExtra) obj.set(k, v);
  const unsafe = [...obj].flatMap(([k, v]) => (secretKey?.(k) ? [] : unsafeRedacted(v, k, `extra.${k}`, words)));
  if (unsafe.length) throw redactedError(unsafe, "the stored extra");
  return pyDumps(obj);
}

function redactedError(paths: string[], where: string): UsageError {
  return new UsageError(
    `${where}: ${paths.join(", ")} ${paths.length === 1 ? "is" : "are"} "${REDACTED}" under a key Airflow does not treat as secret, so the server would store "${REDACTED}" literally`,
    "replace extra as a whole with --extra, giving the real values",
  );
}
