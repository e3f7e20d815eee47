// The connection-type catalog of GET /ui/connections/hook_meta (the UI's connection form): the data in
// data/hook-meta.json, masked as the response model masks it, in the current shape or in an older one.
// Reference: ../shared/airflow/hook-meta/README.md (core_api/services/ui/connections.py HookMetaService,
// core_api/datamodels/connections.py ConnectionHookMetaData).
import { readFileSync } from "node:fs";
import { isSensitiveKey, REPLACEMENT, type Masker } from "./redact.js";

/** What the route answers: the current shape, a 403, no route at all (404), or an older service's shape. */
export const HOOK_META_MODES = ["ok", "forbidden", "missing", "old-shape"] as const;
export type HookMetaMode = (typeof HOOK_META_MODES)[number];

export const isHookMetaMode = (v: string): v is HookMetaMode => (HOOK_META_MODES as readonly string[]).includes(v);

/** One of the six standard fields: shown unless hidden, under `title`, with `placeholder` (null: the UI's default). */
export interface StandardField {
  hidden: boolean;
  title: string | null;
  placeholder: string | null;
}

/** `url_schema` is the connection's `schema` column. */
export interface StandardFields {
  description: StandardField | null;
  url_schema: StandardField | null;
  host: StandardField | null;
  port: StandardField | null;
  login: StandardField | null;
  password: StandardField | null;
}

/** SerializedParam.dump(): `value` is the default; `schema` a JSON Schema with `type`, `title` and more. */
export interface ExtraField {
  value: unknown;
  schema: Record<string, unknown>;
  description: string | null;
  source: null;
}

/** ConnectionHookMetaData, keys in serialization order. */
export interface HookMetaEntry {
  connection_type: string;
  hook_class_name: string | null;
  default_conn_name: null;
  hook_name: string;
  standard_fields: StandardFields | null;
  extra_fields: Record<string, ExtraField> | null;
}

interface HookMetaFile {
  about: string;
  custom: string[];
  hook_meta: HookMetaEntry[];
}

const DATA = new URL("../../data/hook-meta.json", import.meta.url);
let loaded: HookMetaFile | undefined;

/** data/hook-meta.json, read once (the real service caches its answer per process too). */
function data(): HookMetaFile {
  loaded ??= JSON.parse(readFileSync(DATA, "utf8")) as HookMetaFile;
  return loaded;
}

/** The catalog as stored (before masking), a copy: the provider sample plus the made-up types. */
export const hookMetaEntries = (): HookMetaEntry[] => structuredClone(data().hook_meta);

/** Types in the catalog that no real provider defines (a third-party provider's: `acme_crm`). */
export const customHookTypes = (): string[] => [...data().custom];

let types: Set<string> | undefined;
/** Every connection type in the catalog (the providers this server has installed). */
export function hookMetaTypes(): ReadonlySet<string> {
  types ??= new Set(data().hook_meta.map((e) => e.connection_type));
  return types;
}

/**
 * The route's answer in `mode` "ok" or "old-shape". ConnectionHookMetaData's model validator replaces an extra
 * field's value with "***" when the field's name looks sensitive (should_hide_value_for_key: the version's sensitive
 * words) and the value is not null; the schema is left as it is (so a sensitive default stays in `schema.default`).
 */
export function hookMetaResponse(masker: Masker, mode: "ok" | "old-shape"): unknown[] {
  const mask = (name: string, value: unknown) =>
    value !== null && value !== undefined && isSensitiveKey(name, masker) ? REPLACEMENT : value;
  if (mode === "old-shape") return olderShape(data().hook_meta, mask);
  return data().hook_meta.map((e) => ({
    ...e,
    extra_fields: e.extra_fields && mapValues(e.extra_fields, (f, name) => ({ ...f, value: mask(name, f.value) })),
  }));
}

const mapValues = <T, U>(o: Record<string, T>, f: (v: T, k: string) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));

/** The core pseudo-types a hook-importing ProvidersManager lists (_init_airflow_core_hooks): no hook class. */
const CORE_PSEUDO_TYPES: [string, string][] = [
  ["generic", "Generic"],
  ["email", "Email"],
];

/** WTForms' label for a field given none: the name with "_" as spaces, each word capitalised. */
const defaultLabel = (name: string) =>
  name
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");

/**
 * A plausible answer of an older service (@7b84d5f95890: legacy-path fields only, no provider.yaml UI metadata),
 * built from the same catalog so that it shows every variant a client must tolerate (README "Variants to tolerate"):
 * - the core pseudo-types `generic` and `email` first, with `hook_class_name: null`;
 * - `hook_name` is the connection type, `standard_fields` is null (no hidden or relabelled fields);
 * - an extra field with a default is only its value (the validator's "simple dictionary structures");
 * - the others are `{value: null, schema, description, source}` with `schema.type` a plain string, no
 *   `minimum`/`maximum`/`default` (WTForms validators other than any_of are dropped), and no `title` when the
 *   label is the one WTForms makes up from the name (`Srv`, `Account`).
 */
function olderShape(entries: HookMetaEntry[], mask: (name: string, value: unknown) => unknown): unknown[] {
  const pseudo = CORE_PSEUDO_TYPES.map(([type, name]) => ({
    connection_type: type,
    hook_class_name: null,
    default_conn_name: null,
    hook_name: name,
    standard_fields: null,
    extra_fields: null,
  }));
  return [
    ...pseudo,
    ...entries.map((e) => ({
      connection_type: e.connection_type,
      hook_class_name: e.hook_class_name,
      default_conn_name: null,
      hook_name: e.connection_type,
      standard_fields: null,
      extra_fields: e.extra_fields && mapValues(e.extra_fields, (f, name) => olderField(f, name, mask)),
    })),
  ];
}

function olderField(f: ExtraField, name: string, mask: (name: string, value: unknown) => unknown): unknown {
  if (f.value !== null) return mask(name, f.value);
  const { type, title, minimum: _min, maximum: _max, default: _def, ...rest } = f.schema;
  const plainType = Array.isArray(type) ? (type.find((t) => t !== "null") ?? "string") : type;
  const schema: Record<string, unknown> = { type: plainType, ...rest };
  if (typeof title === "string" && title !== defaultLabel(name)) schema.title = title;
  return { value: null, schema, description: f.description, source: null };
}
