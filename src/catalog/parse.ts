// The server's `GET /ui/connections/hook_meta` answer, normalised into the catalog's model (model.ts). The route is a
// private UI route with no stability promise (see ../shared/airflow/hook-meta/README.md), so this reads it tolerantly:
// null standard_fields or null entries in it, extra_fields entries that are only a value, a JSON-Schema `type` given
// as a string, a missing title, a null hook_class_name (core pseudo-types such as `generic` and `email`), extra keys.
// What it refuses (CatalogShapeError): anything that is not an array of objects each naming its connection_type;
// the loader turns that into the bundled catalog.
import { isSensitiveKey, SENSITIVE_WORDS } from "../connection/secrets.js";
import {
  defaultFields,
  STANDARD_FIELDS,
  type ConnectionTypeInfo,
  type ExtraField,
  type ExtraKind,
  type StandardField,
  type StandardFieldForm,
} from "./model.js";

/** The answer is not the hook_meta list this code knows (an older or a future shape, or not hook_meta at all). */
export class CatalogShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogShapeError";
  }
}

/**
 * Names that make an extra field secret even without `format: password` (GCP's client_secret): the server's sensitive
 * words, less "proxy"/"proxies", which would mask Snowflake's proxy_host and proxy_port at a prompt (the server still
 * hides their values; output follows the server's list, not this flag).
 */
const SECRET_WORDS = SENSITIVE_WORDS.filter((w) => !w.startsWith("prox"));

/** How the server masks a sensitive default value (SerializedParam's validator). */
const MASKED = "***";

/** The wire name of each standard field: the connection's `schema` column is `url_schema` in hook_meta. */
const WIRE_NAME: Record<StandardField, string> = {
  host: "host",
  schema: "url_schema",
  login: "login",
  password: "password",
  port: "port",
  description: "description",
};

/** Provider namespaces whose packages have two name parts (apache-airflow-providers-apache-kafka, -microsoft-mssql). */
const TWO_PART_NAMESPACES = new Set(["apache", "microsoft", "common", "cncf", "dbt", "atlassian"]);

/**
 * The provider package of a hook class: `airflow.providers.snowflake.hooks.snowflake.SnowflakeHook` ->
 * `apache-airflow-providers-snowflake`, `airflow.providers.apache.kafka.hooks.base.KafkaBaseHook` ->
 * `apache-airflow-providers-apache-kafka`. Undefined for a core hook (`airflow.hooks...`) or none.
 */
export function providerOf(hookClass: string | null | undefined): string | undefined {
  if (typeof hookClass !== "string") return undefined;
  const parts = hookClass.split(".");
  if (parts[0] !== "airflow" || parts[1] !== "providers" || !parts[2]) return undefined;
  const name = TWO_PART_NAMESPACES.has(parts[2]) && parts[3] && parts[3] !== "hooks" ? parts.slice(2, 4) : [parts[2]];
  return `apache-airflow-providers-${name.join("-").replace(/_/g, "-")}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Every standard field at its default (a type the provider says nothing about): model.ts's defaultFields. */
export const plainFields = defaultFields;

function standardField(v: unknown): StandardFieldForm {
  if (!isObject(v)) return { hidden: false };
  const form: StandardFieldForm = { hidden: v.hidden === true };
  const label = text(v.title);
  const placeholder = text(v.placeholder);
  if (label !== undefined) form.label = label;
  if (placeholder !== undefined) form.placeholder = placeholder;
  return form;
}

function standardFields(v: unknown): Record<StandardField, StandardFieldForm> {
  const src = isObject(v) ? v : {};
  return Object.fromEntries(STANDARD_FIELDS.map((f) => [f, standardField(src[WIRE_NAME[f]])])) as Record<
    StandardField,
    StandardFieldForm
  >;
}

const KINDS = new Set<ExtraKind>(["string", "integer", "number", "boolean", "object", "array"]);

/** The kind of a JSON-Schema `type` (a string or a list; "null" left out). */
export function kindOfSchemaType(t: unknown): ExtraKind {
  const names = (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === "string" && x !== "null");
  const k = names.find((x) => KINDS.has(x as ExtraKind));
  return (k as ExtraKind | undefined) ?? "unknown";
}

/** The kind of a bare value (an extra_fields entry that is only a value). */
function kindOfValue(v: unknown): ExtraKind {
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  if (isObject(v)) return "object";
  return "unknown";
}

const finite = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** One extra_fields entry: `{value, schema, description, source}`, or only a value. */
export function extraField(name: string, v: unknown): ExtraField {
  const dumped = isObject(v) && ("schema" in v || "value" in v);
  const schema = dumped && isObject(v.schema) ? v.schema : {};
  const value = dumped ? v.value : v;
  const masked = value === MASKED;
  // A masked value hides nothing the schema's `default` does not show (the server masks by name, not by schema).
  const def = value !== null && value !== undefined && !masked ? value : schema.default;
  const f: ExtraField = {
    name,
    label: text(schema.title) ?? name,
    kind: dumped ? kindOfSchemaType(schema.type) : kindOfValue(value),
    secret: masked || schema.format === "password" || isSensitiveKey(name, SECRET_WORDS),
  };
  if (f.kind === "unknown" && def !== undefined && def !== null) f.kind = kindOfValue(def);
  if (def !== undefined && def !== null && def !== MASKED) f.default = def;
  if (Array.isArray(schema.enum)) f.choices = schema.enum.filter((c) => c !== null);
  const min = finite(schema.minimum);
  const max = finite(schema.maximum);
  if (min !== undefined) f.minimum = min;
  if (max !== undefined) f.maximum = max;
  const description = dumped ? (text(v.description) ?? text(schema.description)) : undefined;
  if (description !== undefined) f.description = description;
  return f;
}

function extraFields(v: unknown): ExtraField[] {
  if (!isObject(v)) return [];
  return Object.entries(v).map(([name, entry]) => extraField(name, entry));
}

/** One hook_meta entry (its connection_type already checked). */
function typeInfo(type: string, e: Record<string, unknown>): ConnectionTypeInfo {
  const hookClass = text(e.hook_class_name);
  const info: ConnectionTypeInfo = {
    type,
    name: text(e.hook_name) ?? type,
    fields: standardFields(e.standard_fields),
    extras: extraFields(e.extra_fields),
  };
  const provider = providerOf(hookClass);
  if (provider !== undefined) info.provider = provider;
  if (hookClass !== undefined) info.hookClass = hookClass;
  return info;
}

/** Sorted by type (the catalog's order), the first entry of a type kept. */
export function sortTypes(types: Iterable<ConnectionTypeInfo>): ConnectionTypeInfo[] {
  const byType = new Map<string, ConnectionTypeInfo>();
  for (const t of types) if (!byType.has(t.type)) byType.set(t.type, t);
  return [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * The catalog's types from a hook_meta answer (the parsed JSON body). Throws CatalogShapeError when it is not a list
 * of objects each with a `connection_type` (a string; null ones, which the datamodel allows, are skipped).
 */
export function parseHookMeta(body: unknown): ConnectionTypeInfo[] {
  if (!Array.isArray(body)) {
    throw new CatalogShapeError(
      `the answer is ${body === null ? "null" : typeof body}, not a list of connection types`,
    );
  }
  const out: ConnectionTypeInfo[] = [];
  body.forEach((e: unknown, i) => {
    if (!isObject(e)) throw new CatalogShapeError(`entry ${i} is not an object`);
    if (!("connection_type" in e)) throw new CatalogShapeError(`entry ${i} has no connection_type`);
    const type = e.connection_type;
    if (type === null || type === "") return;
    if (typeof type !== "string") throw new CatalogShapeError(`entry ${i}: connection_type is not a string`);
    out.push(typeInfo(type, e));
  });
  return sortTypes(out);
}
