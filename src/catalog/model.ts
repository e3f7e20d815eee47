// The connection-type catalog (issue 21): what the Airflow UI's connection form knows about each connection type,
// normalised from either the server's `GET /ui/connections/hook_meta` or the catalog bundled at build time from the
// official providers' provider.yaml. Everything that uses the catalog (`airconn types`, the interactive form, the
// extras check, completion) reads these types only, never the wire shape. A leaf module: no imports.

/** The six standard fields of a connection the form may relabel or hide (hook_meta's `url_schema` is `schema`). */
export const STANDARD_FIELDS = ["host", "schema", "login", "password", "port", "description"] as const;
export type StandardField = (typeof STANDARD_FIELDS)[number];

/** The Airflow UI's labels of the standard fields, used when the provider gives none (useConnectionTypeMeta.ts). */
export const DEFAULT_LABELS: Record<StandardField, string> = {
  host: "Host",
  schema: "Schema",
  login: "Login",
  password: "Password",
  port: "Port",
  description: "Description",
};

export interface StandardFieldForm {
  /** Not asked and not shown by the form (the value can still be set with a flag). */
  hidden: boolean;
  /** The provider's label, e.g. "AWS Access Key ID"; undefined: the default label (Host, Port, Login...). */
  label?: string;
  /** An example value shown greyed in the empty input. */
  placeholder?: string;
}

/** The kind of value an extra field holds, from its JSON Schema `type` (null left out). */
export type ExtraKind = "string" | "integer" | "number" | "boolean" | "object" | "array" | "unknown";

export interface ExtraField {
  /** The key in `extra` (bare, as Airflow >= 2.3 stores it), e.g. "warehouse". */
  name: string;
  /** The provider's label (the schema's title), else the name. */
  label: string;
  kind: ExtraKind;
  /** The provider's default value, if any. */
  default?: unknown;
  /** The allowed values (JSON Schema enum), if the provider restricts them. */
  choices?: unknown[];
  minimum?: number;
  maximum?: number;
  /** A secret: masked at prompts and treated as sensitive in output and diffs (schema `format: password`). */
  secret: boolean;
  description?: string;
}

export interface ConnectionTypeInfo {
  /** conn_type, e.g. "snowflake". */
  type: string;
  /** The display name, e.g. "Snowflake" (hook_name; the type when the provider gives none). */
  name: string;
  /** The provider package, e.g. "apache-airflow-providers-snowflake", from the hook class; undefined for core types. */
  provider?: string;
  hookClass?: string;
  /** Every standard field, with defaults filled in (not hidden, no label, no placeholder). */
  fields: Record<StandardField, StandardFieldForm>;
  /** The provider's extra fields, in the provider's order; [] when it defines none. */
  extras: ExtraField[];
}

/** The standard fields of a type the provider says nothing about: each shown, under its default label. */
export function defaultFields(): Record<StandardField, StandardFieldForm> {
  return Object.fromEntries(STANDARD_FIELDS.map((f) => [f, { hidden: false }])) as Record<
    StandardField,
    StandardFieldForm
  >;
}

/** Where a catalog came from: every view says it. */
export type CatalogSource =
  | { kind: "server"; apiUrl: string; serverVersion?: string; fetchedAt: number; cached: boolean }
  | { kind: "bundled"; reason?: string };

export interface Catalog {
  source: CatalogSource;
  /** Sorted by type. */
  types: ConnectionTypeInfo[];
}

/** "the server's catalog (https://…, Airflow 3.2.1, cached 3 min ago)" / "the bundled catalog (…)": for notes. */
export function describeSource(s: CatalogSource, now = Date.now()): string {
  if (s.kind === "bundled") return `the catalog bundled with airconn${s.reason ? ` (${s.reason})` : ""}`;
  const parts = [s.apiUrl];
  if (s.serverVersion) parts.push(`Airflow ${s.serverVersion}`);
  if (s.cached) parts.push(`cached ${Math.max(0, Math.round((now - s.fetchedAt) / 60_000))} min ago`);
  return `the server's catalog (${parts.join(", ")})`;
}

export function findType(c: Catalog, type: string): ConnectionTypeInfo | undefined {
  return c.types.find((t) => t.type === type);
}
