// The interactive `create` and `patch`: the provider's form (prompts/form.ts) on a terminal, a summary of what will
// be stored (the password and secret extras as ***), then a confirmation. Only reached when Deps.canPrompt() is true.
// Prompts draw on stderr; answering "no" or Ctrl-C cancels (exit 130) with nothing sent.
import { CancelledError } from "../errors.js";
import type { ConnectionBody, ConnectionResponse } from "../api/types.js";
import type { Prompter } from "./prompter.js";
import { REDACTED, type Fields, type UpdatableField } from "../connection/model.js";
import { redactedPaths } from "../connection/secrets.js";
import { extraProblem, idProblem, portTextProblem } from "../connection/validate.js";
import { pyDumps, pyLoads, type PyObject, type PyValue } from "../util/pyjson.js";
import { escapeControls } from "../output/sanitize.js";
import { describeSource, findType, type Catalog, type ConnectionTypeInfo } from "../catalog/model.js";
import {
  askExtra,
  askType,
  formOf,
  isShown,
  KEEP,
  providerDefault,
  maskedValue,
  standardMessage,
  storedExtra,
} from "./form.js";

const PROMPT = { context: "prompt", path: "" } as const;
export const portProblem = (v: string): string | undefined => portTextProblem(v, PROMPT)?.message;
const REDACTED_PASSWORD = `"${REDACTED}" is how Airflow hides a password; type the real one or leave it empty`;

type Write = (s: string) => void;
type TextField = "host" | "login" | "schema" | "description";

/** Asks an input until its answer passes `validate` (a prompter that does not validate is asked again). */
async function ask(
  p: Prompter,
  write: Write,
  message: string,
  validate?: (v: string) => string | undefined,
  def?: string,
): Promise<string> {
  for (;;) {
    const v = await p.input({
      message,
      ...(def === undefined ? {} : { default: def }),
      validate: validate ? (x) => (x === def ? true : (validate(x) ?? true)) : undefined,
    });
    const problem = v === def ? undefined : validate?.(v);
    if (!problem) return v;
    write(`  ${problem}\n`);
  }
}

async function askPassword(p: Prompter, write: Write, message: string): Promise<string> {
  for (;;) {
    const pw = await p.password({ message, validate: (v) => (v === REDACTED ? REDACTED_PASSWORD : true) });
    if (pw !== REDACTED) return pw;
    write(`  ${REDACTED_PASSWORD}\n`);
  }
}

/** The id of a new connection, asked until it is one the REST API accepts. */
export function askConnectionId(p: Prompter, write: Write): Promise<string> {
  return ask(p, write, "Connection id", (v) => idProblem(v, PROMPT)?.message);
}

/** One line naming the form used: the type, and which catalog described it (every catalog view says its source). */
function formLine(info: ConnectionTypeInfo, catalog: Catalog): string {
  const from = describeSource(catalog.source);
  if (!findType(catalog, info.type))
    return `\n${escapeControls(info.type)} is not in ${from}: the standard fields are asked\n`;
  const named = info.name && info.name !== info.type ? `${info.name} (${info.type})` : info.type;
  return `\n${escapeControls(named)}: the form from ${from}\n`;
}

/** The provider's extra fields' heading, when it has any. */
function extrasLine(info: ConnectionTypeInfo, patching: boolean): string {
  const enter = patching
    ? "Enter keeps the value shown; Backspace then Enter removes it"
    : "Enter takes the value shown or leaves the field out";
  return `${escapeControls(info.name || info.type)}'s extra fields (${enter}):\n`;
}

/** The other extra keys' prompt: checked as `extra`, without the "***" of a hidden secret, without asked keys. */
function otherExtraProblem(v: string, asked: ReadonlySet<string>, stored: PyObject = new Map()): string | undefined {
  if (v.trim() === "") return undefined;
  const problem = extraProblem(v, PROMPT);
  if (problem) return problem.message;
  const obj = pyLoads(v) as PyObject;
  const hidden = [...obj].flatMap(([k, x]) =>
    stored.has(k) && pyDumps(stored.get(k)!) === pyDumps(x) ? [] : redactedPaths(x, `extra.${k}`),
  );
  if (hidden.length)
    return `${hidden.join(", ")}: "${REDACTED}" is how Airflow hides a secret; type the real value or leave the key out`;
  const dup = [...obj.keys()].filter((k) => asked.has(k));
  if (dup.length) return `${dup.join(", ")}: asked above; leave ${dup.length === 1 ? "it" : "them"} out here`;
  return undefined;
}

/**
 * Asks for every field not already given (preset values are kept and not asked again): the id when missing, the
 * type, then what the type's form shows. Empty answers leave a field out; a field with a default (the provider's)
 * takes it on Enter. Returns the body to create; throws CancelledError when the user cancels or answers no.
 */
export async function promptNewConnection(
  p: Prompter,
  givenId: string | undefined,
  preset: Partial<Fields>,
  write: Write,
  catalog: Catalog | Promise<Catalog>,
): Promise<ConnectionBody> {
  const id = givenId ?? (await askConnectionId(p, write));
  const cat = await catalog;
  const type = preset.conn_type ?? (await askType(p, cat));
  const info = formOf(cat, type);
  write(formLine(info, cat));
  const body: ConnectionBody = { connection_id: id, conn_type: type };
  const text = async (k: TextField) => {
    if (preset[k] !== undefined) body[k] = preset[k];
    else if (isShown(info, k)) {
      const v = await ask(p, write, standardMessage(info, k));
      if (v.trim() !== "") body[k] = v;
    }
  };
  await text("host");
  if (preset.port !== undefined) body.port = preset.port;
  else if (isShown(info, "port")) {
    const v = await ask(p, write, standardMessage(info, "port"), portProblem);
    if (v.trim() !== "") body.port = Number(v.trim());
  }
  await text("login");
  if (preset.password !== undefined) body.password = preset.password;
  else if (isShown(info, "password")) {
    const pw = await askPassword(p, write, standardMessage(info, "password"));
    if (pw !== "") body.password = pw;
  }
  await text("schema");
  if (preset.extra !== undefined) body.extra = preset.extra;
  else {
    const extra: PyObject = new Map();
    if (info.extras.length) write(extrasLine(info, false));
    for (const f of info.extras) {
      const def = providerDefault(f);
      const v = await askExtra(p, f, def === undefined ? undefined : { value: def, stored: false });
      if (v !== undefined && v !== KEEP) extra.set(f.name, v);
    }
    const asked = new Set(info.extras.map((f) => f.name));
    const more = await ask(p, write, info.extras.length ? "Other extra keys (JSON)" : "Extra (JSON)", (v) =>
      otherExtraProblem(v, asked),
    );
    if (more.trim() !== "") for (const [k, v] of pyLoads(more) as PyObject) extra.set(k, v);
    if (extra.size) body.extra = pyDumps(extra);
  }
  await text("description");
  if (preset.team_name !== undefined) body.team_name = preset.team_name;

  write(summary(body, new Set(info.extras.filter((f) => f.secret).map((f) => f.name))));
  const ok = await p.confirm({ message: `Create connection ${id}?`, default: true });
  if (!ok) throw new CancelledError("not created (answered no)");
  return body;
}

/** What a patch form changed: in the shapes of patch's flags (field values, --unset, --set-extra, --unset-extra). */
export interface FormChanges {
  fields: Partial<Fields>;
  unset: UpdatableField[];
  setExtra: Array<[string, PyValue]>;
  unsetExtra: string[];
}

export const noChanges = (c: FormChanges): boolean =>
  Object.keys(c.fields).length === 0 && c.unset.length === 0 && c.setExtra.length === 0 && c.unsetExtra.length === 0;

/**
 * The same form for a stored connection (`patch` with no field flags), its stored values as the defaults: Enter keeps
 * a value (nothing sent for it), an emptied one is cleared; a stored secret (the server shows ***) is kept by Enter,
 * never sent back as ***. Returns only what changed, after a summary and a confirmation (when anything changed).
 */
export async function promptConnectionChanges(
  p: Prompter,
  stored: ConnectionResponse,
  write: Write,
  catalog: Catalog | Promise<Catalog>,
): Promise<FormChanges> {
  const cat = await catalog;
  const out: FormChanges = { fields: {}, unset: [], setExtra: [], unsetExtra: [] };
  const type = await askType(p, cat, stored.conn_type);
  if (type !== stored.conn_type) out.fields.conn_type = type;
  const info = formOf(cat, type);
  write(formLine(info, cat));
  const shown = (v: string | number | null | undefined) =>
    v === null || v === undefined || v === "" ? undefined : String(v);
  const text = async (k: TextField | "port", validate?: (v: string) => string | undefined) => {
    if (!isShown(info, k)) return;
    const def = shown(stored[k]);
    const v = await ask(p, write, standardMessage(info, k), validate, def);
    if (v === def) return;
    if (v.trim() === "") {
      if (def !== undefined) out.unset.push(k);
    } else if (k === "port") out.fields.port = Number(v.trim());
    else out.fields[k] = v;
  };
  await text("host");
  await text("port", portProblem);
  await text("login");
  if (isShown(info, "password")) {
    const keep = shown(stored.password) === undefined ? undefined : "Enter keeps the stored one";
    const pw = await askPassword(p, write, standardMessage(info, "password", keep));
    if (pw !== "") out.fields.password = pw;
  }
  await text("schema");

  let extra: PyObject | undefined = new Map();
  if (shown(stored.extra) !== undefined) {
    try {
      const v = pyLoads(stored.extra!);
      extra = v instanceof Map ? v : undefined;
    } catch {
      extra = undefined;
    }
  }
  if (extra === undefined) {
    write("The stored extra is not a JSON object: its fields are not asked (replace it with --extra)\n");
  } else {
    const consumed = new Set<string>();
    if (info.extras.length) write(extrasLine(info, true));
    for (const f of info.extras) {
      const st = storedExtra(extra, type, f.name);
      if (st) consumed.add(st.key);
      consumed.add(f.name);
      const v = await askExtra(p, f, st && { value: st.value, stored: true });
      if (v === KEEP) continue;
      if (v === undefined) {
        if (st) out.unsetExtra.push(st.key);
        continue;
      }
      out.setExtra.push([f.name, v]);
      if (st && st.key !== f.name) out.unsetExtra.push(st.key); // a legacy extra__TYPE__name key: written bare
    }
    const others: PyObject = new Map([...extra].filter(([k]) => !consumed.has(k)));
    const def = others.size ? pyDumps(others) : undefined;
    const asked = new Set(info.extras.map((f) => f.name));
    const more = await ask(
      p,
      write,
      info.extras.length ? "Other extra keys (JSON)" : "Extra (JSON)",
      (v) => otherExtraProblem(v, asked, others),
      def,
    );
    if (more !== def) {
      const want: PyObject = more.trim() === "" ? new Map() : (pyLoads(more) as PyObject);
      for (const k of others.keys()) if (!want.has(k)) out.unsetExtra.push(k);
      for (const [k, v] of want)
        if (!others.has(k) || pyDumps(others.get(k)!) !== pyDumps(v)) out.setExtra.push([k, v]);
    }
  }
  await text("description");

  if (noChanges(out)) {
    write(`\nNothing changed: nothing is sent.\n`);
    return out;
  }
  write(changesSummary(stored.connection_id, out, new Set(info.extras.filter((f) => f.secret).map((f) => f.name))));
  const ok = await p.confirm({ message: `Change connection ${stored.connection_id}?`, default: true });
  if (!ok) throw new CancelledError("not changed (answered no)");
  return out;
}

// ----------------------------------------------------------------------------------------------- the summaries

const cell = (v: unknown) => (v === undefined || v === null ? "" : escapeControls(String(v)));

/** `extra` as one line per key (secrets as ***), indented under its row; as it is when it is not a JSON object. */
function extraLines(extra: string, secrets: ReadonlySet<string>, indent: string): string[] | undefined {
  let obj: PyValue;
  try {
    obj = pyLoads(extra);
  } catch {
    return undefined;
  }
  if (!(obj instanceof Map) || obj.size === 0) return undefined;
  const w = Math.max(...[...obj.keys()].map((k) => escapeControls(k).length));
  return [...obj].map(([k, v]) =>
    `${indent}${escapeControls(k).padEnd(w)}  ${cell(maskedValue(k, v, secrets))}`.trimEnd(),
  );
}

/**
 * The fields about to be created, one per line, the password and secret extra keys (the provider's `secrets`, and
 * keys the server hides) as ***; control characters as escapes (\x1b, \x0a).
 */
export function summary(b: ConnectionBody, secrets: ReadonlySet<string> = new Set()): string {
  const rows: Array<[string, unknown]> = [
    ["connection_id", b.connection_id],
    ["conn_type", b.conn_type],
    ["description", b.description],
    ["host", b.host],
    ["login", b.login],
    ["schema", b.schema],
    ["port", b.port],
    ["password", b.password ? REDACTED : undefined],
    ["extra", b.extra],
    ["team_name", b.team_name],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.flatMap(([k, v]) => {
    if ((v === undefined || v === null || v === "") && k !== "connection_id" && k !== "conn_type") return []; // not stored
    const nested = k === "extra" && typeof v === "string" ? extraLines(v, secrets, "    ") : undefined;
    return nested ? [`  ${k}`, ...nested] : [`  ${k.padEnd(w)}  ${cell(v)}`.trimEnd()];
  });
  return `\nAbout to create:\n${lines.map((l) => `${l}\n`).join("")}\n`;
}

/** What a patch form will send: each changed field (cleared ones said so), each extra key set or removed. */
export function changesSummary(id: string, c: FormChanges, secrets: ReadonlySet<string> = new Set()): string {
  const rows: Array<[string, string]> = [];
  for (const k of ["conn_type", "host", "port", "login", "password", "schema", "description"] as const) {
    if (c.fields[k] !== undefined) rows.push([k, k === "password" ? REDACTED : cell(c.fields[k])]);
    if (c.unset.includes(k as UpdatableField)) rows.push([k, "(cleared)"]);
  }
  for (const [k, v] of c.setExtra) rows.push([`extra.${escapeControls(k)}`, cell(maskedValue(k, v, secrets))]);
  for (const k of c.unsetExtra) rows.push([`extra.${escapeControls(k)}`, "(removed)"]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return `\nAbout to change ${escapeControls(id)}:\n${rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`.trimEnd() + "\n").join("")}\n`;
}
