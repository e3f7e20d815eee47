// The provider's connection form at a terminal (issue 21): what the Airflow UI's form asks for a connection type,
// from the catalog (src/catalog/model.ts). The type from a searchable list; the standard fields the type shows,
// under its labels, with its placeholders as examples (never as values); its extra fields by kind (a choice list,
// yes/no, checked numbers, masked secrets, JSON). Used by the interactive `create` and `patch` (prompts/connection.ts).
import { REDACTED } from "../connection/model.js";
import { containsRedacted, isSensitiveKey, redactedPaths } from "../connection/secrets.js";
import { connTypeProblem } from "../connection/validate.js";
import { COMMON_CONN_TYPES } from "../connection/conn-types.js";
import type { Catalog, ConnectionTypeInfo, ExtraField, StandardField } from "../catalog/model.js";
import { DEFAULT_LABELS, defaultFields, findType } from "../catalog/model.js";
import { fromJs, PyFloat, PyInt, pyDumps, pyLoads, type PyObject, type PyValue } from "../util/pyjson.js";
import type { Choice, Prompter } from "./prompter.js";

const PROMPT = { context: "prompt", path: "" } as const;

/** An answer that keeps what is stored (patch): an unchanged default, Enter at a stored secret. */
export const KEEP: unique symbol = Symbol("keep");
export type Kept = typeof KEEP;

// ---------------------------------------------------------------------------------------------------- the type

const COMMON_RANK = new Map(COMMON_CONN_TYPES.map(([t], i) => [t, i]));
/** Lower case, letters and digits only: "Google Cloud" finds google_cloud_platform. */
const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
const typeChoice = (t: ConnectionTypeInfo): Choice<string> => ({
  name: t.name && t.name !== t.type ? `${t.type}  ${t.name}` : t.type,
  value: t.type,
  short: t.type,
  ...(t.provider ? { description: t.provider } : {}),
});

/**
 * The choices for the text typed so far: nothing typed, every type (the most used first); else the types whose type
 * or name holds the text (letters and digits compared, case ignored), best first, then the text itself as a type
 * when no type is spelled so (a custom hook's type is typed in). `keep` (a stored type the catalog lacks) is listed.
 */
export function typeChoices(catalog: Catalog, term: string | undefined, keep?: string): Array<Choice<string>> {
  const types = [...catalog.types];
  if (keep && !findType(catalog, keep)) types.push({ type: keep, name: keep, fields: defaultFields(), extras: [] });
  const t = term?.trim() ?? "";
  if (t === "") {
    const rank = (x: ConnectionTypeInfo) => COMMON_RANK.get(x.type) ?? COMMON_RANK.size;
    return types.sort((a, b) => rank(a) - rank(b) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)).map(typeChoice);
  }
  const q = squash(t);
  const score = (x: ConnectionTypeInfo): number => {
    const ty = squash(x.type),
      nm = squash(x.name);
    if (x.type === t) return 0;
    if (ty.startsWith(q)) return 1;
    if (x.name.split(/\s+/).some((w) => squash(w).startsWith(q)) || nm.startsWith(q)) return 2;
    if (ty.includes(q) || nm.includes(q)) return 3;
    return -1;
  };
  const found = types
    .map((x) => [x, score(x)] as const)
    .filter(([, s]) => s >= 0)
    .sort(([a, s], [b, r]) => s - r || (COMMON_RANK.get(a.type) ?? 999) - (COMMON_RANK.get(b.type) ?? 999))
    .map(([x]) => typeChoice(x));
  if (!types.some((x) => x.type === t) && !connTypeProblem(t, PROMPT) && !/\s/.test(t))
    found.push({ name: `${t}  (use as typed: not in the catalog)`, value: t, short: t });
  return found;
}

/** Asks for the type: a list that narrows as the user types (by type or name). */
export function askType(p: Prompter, catalog: Catalog, current?: string): Promise<string> {
  return p.search<string>({
    message: "Connection type (type to search)",
    source: (term) => typeChoices(catalog, term, current),
    ...(current === undefined ? {} : { default: current }),
  });
}

/** The form of a type: the catalog's, else (a type it does not know) the six standard fields, no extra fields. */
export const formOf = (catalog: Catalog, type: string): ConnectionTypeInfo =>
  findType(catalog, type) ?? { type, name: type, fields: defaultFields(), extras: [] };

// --------------------------------------------------------------------------------------------- standard fields

/**
 * The prompt of a standard field: the provider's label with the field it fills (`AWS Access Key ID (login, e.g.
 * YOUR_AWS_ACCESS_KEY_ID)`), else the default label; the placeholder as an example only.
 */
export function standardMessage(info: ConnectionTypeInfo, f: StandardField, note?: string): string {
  const form = info.fields[f];
  const label = form?.label?.trim() || DEFAULT_LABELS[f];
  const notes: string[] = [];
  if (squash(label) !== squash(f) && squash(label) !== squash(DEFAULT_LABELS[f])) notes.push(f);
  if (form?.placeholder?.trim()) notes.push(`e.g. ${form.placeholder.trim()}`);
  if (note) notes.push(note);
  return notes.length ? `${label} (${notes.join("; ")})` : label;
}

export const isShown = (info: ConnectionTypeInfo, f: StandardField): boolean => !info.fields[f]?.hidden;

// ------------------------------------------------------------------------------------------------ extra fields

/** The value as the form shows it: a string as itself, anything else as JSON. */
export const shownValue = (v: PyValue): string => (typeof v === "string" ? v : pyDumps(v));
const same = (a: PyValue | undefined, b: PyValue | undefined) =>
  a !== undefined && b !== undefined && pyDumps(a) === pyDumps(b);

/** The message of an extra field: its label, the key when the label does not say it, its description. */
export function extraMessage(f: ExtraField): string {
  const label = f.label?.trim() || f.name;
  const key = squash(label) === squash(f.name) ? label : `${label} [${f.name}]`;
  return f.description?.trim() ? `${key}: ${f.description.trim().replace(/\s+/g, " ")}` : key;
}

/** Why a typed value does not fit the field (undefined: it fits); "" always fits (no value). */
export function extraValueProblem(f: ExtraField, text: string): string | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  const label = f.label?.trim() || f.name;
  if (f.kind === "integer" || f.kind === "number") {
    const ok = f.kind === "integer" ? /^[+-]?\d+$/.test(t) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t);
    if (!ok) return `${label} must be ${f.kind === "integer" ? "a whole number" : "a number"}, not "${text}"`;
    const n = Number(t);
    if (f.minimum !== undefined && n < f.minimum) return `${label} must be at least ${f.minimum}, not ${t}`;
    if (f.maximum !== undefined && n > f.maximum) return `${label} must be at most ${f.maximum}, not ${t}`;
    return undefined;
  }
  if (f.kind === "object" || f.kind === "array") {
    let v: PyValue;
    try {
      v = pyLoads(t);
    } catch (e) {
      return `${label} must be JSON (${(e as Error).message})`;
    }
    if (f.kind === "object" ? !(v instanceof Map) : !Array.isArray(v))
      return `${label} must be a JSON ${f.kind}, e.g. ${f.kind === "object" ? '{"key": "value"}' : '["a", "b"]'}`;
    if (redactedPaths(v, f.name).length) return redactedWords(label);
    return undefined;
  }
  if (t === REDACTED) return redactedWords(label);
  return undefined;
}
const redactedWords = (label: string) =>
  `${label}: "${REDACTED}" is how Airflow hides a secret; type the real value or leave it empty`;

/** A typed value (checked by extraValueProblem) as the value to store. */
function extraValue(f: ExtraField, text: string): PyValue {
  const t = text.trim();
  if (f.kind === "integer") return new PyInt(String(BigInt(t)));
  if (f.kind === "number") return /^[+-]?\d+$/.test(t) ? new PyInt(String(BigInt(t))) : new PyFloat(Number(t));
  if (f.kind === "object" || f.kind === "array") return pyLoads(t);
  return text;
}

/** The provider's default as a value, when it has a usable one (not null, not the server's "***"). */
export function providerDefault(f: ExtraField): PyValue | undefined {
  if (f.default === undefined || f.default === null || f.default === REDACTED) return undefined;
  return fromJs(f.default);
}

const NOT_SET = "\u0000not set";
const KEEP_CHOICE = "\u0000keep";

/**
 * Asks one extra field. `current` is what the form starts from: the stored value (patch) or the provider's default
 * (create). Returns the value to store, undefined for none (left out, or removed), or KEEP when `current` is stored
 * and kept as it is. Enter takes `current`; at an input, Backspace on the empty line drops it, then Enter leaves
 * the field out. A secret is never shown: Enter keeps a stored one (patch) or leaves it out.
 */
export async function askExtra(
  p: Prompter,
  f: ExtraField,
  current: { value: PyValue; stored: boolean } | undefined,
): Promise<PyValue | undefined | Kept> {
  const message = extraMessage(f);
  const found = (v: PyValue) => (current && same(v, current.value) ? (current.stored ? KEEP : current.value) : v);
  // a secret, or a value the server hides (its *** under a key it treats as secret): masked, Enter keeps it
  if (f.secret || (current?.stored && containsRedacted(current.value))) {
    for (;;) {
      const v = await p.password({
        message: `${message}${current?.stored ? " (Enter keeps the stored one)" : ""}`,
        validate: (x) => extraValueProblem(f, x) ?? true,
      });
      if (extraValueProblem(f, v)) continue;
      if (v === "") return current?.stored ? KEEP : undefined;
      return extraValue(f, v);
    }
  }
  const choices: Array<{ label: string; value: PyValue }> | undefined = f.choices?.length
    ? f.choices.map((c) => ({ label: shownValue(fromJs(c)), value: fromJs(c) }))
    : f.kind === "boolean"
      ? [
          { label: "yes", value: true },
          { label: "no", value: false },
        ]
      : undefined;
  if (choices) {
    const list: Array<Choice<string>> = choices.map((c, i) => ({ name: c.label, value: String(i) }));
    let initial: string = NOT_SET;
    if (current) {
      const i = choices.findIndex((c) => same(c.value, current.value));
      if (i >= 0) initial = String(i);
      else {
        // a stored value that is not one of the choices: offered as it is
        list.unshift({ name: `${shownValue(current.value)} (as stored)`, value: KEEP_CHOICE });
        initial = KEEP_CHOICE;
      }
    }
    list.unshift({ name: "(not set)", value: NOT_SET });
    const picked = await p.select<string>({ message, choices: list, default: initial });
    if (picked === KEEP_CHOICE) return KEEP;
    if (picked === NOT_SET) return undefined;
    return found(choices[Number(picked)]!.value);
  }
  const shown = current === undefined ? undefined : shownValue(current.value);
  for (;;) {
    const v = await p.input({
      message,
      ...(shown === undefined ? {} : { default: shown }),
      validate: (x) => (x === shown ? true : (extraValueProblem(f, x) ?? true)),
    });
    if (shown !== undefined && v === shown) return current!.stored ? KEEP : current!.value;
    if (extraValueProblem(f, v)) continue; // a prompter that did not validate: ask again
    if (v.trim() === "") return undefined;
    return extraValue(f, v);
  }
}

/**
 * The stored value of an extra field: under its bare key, else under the legacy `extra__TYPE__name` key (Airflow
 * before 2.3 wrote those; many hooks still read them). Returns the key it was found under.
 */
export function storedExtra(extra: PyObject, type: string, name: string): { key: string; value: PyValue } | undefined {
  if (extra.has(name)) return { key: name, value: extra.get(name)! };
  const legacy = `extra__${type}__${name}`;
  if (extra.has(legacy)) return { key: legacy, value: extra.get(legacy)! };
  return undefined;
}

/**
 * An extra value as a summary shows it: a provider's secret field as ***; under a key the server treats as secret,
 * its text as *** (as Airflow's masker does: numbers and booleans stay, lists and objects are masked inside).
 */
export function maskedValue(key: string, v: PyValue, secrets: ReadonlySet<string>): string {
  if (secrets.has(key)) return REDACTED;
  const mask = (x: PyValue): PyValue =>
    typeof x === "string"
      ? REDACTED
      : Array.isArray(x)
        ? x.map(mask)
        : x instanceof Map
          ? new Map([...x].map(([k, y]) => [k, mask(y)]))
          : x;
  return shownValue(isSensitiveKey(key) ? mask(v) : v);
}
