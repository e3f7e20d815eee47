// The bundled connection-type catalog (issue 21), generated from the official providers' provider.yaml excerpts in
// data/providers/ and the hook-code entries of data/legacy-hooks.json, into data/catalog.json (shipped in the package;
// src/catalog/bundled.ts reads it when an action needs it).
// Each provider.yaml `connection-types[]` entry becomes the entry an Airflow API server would send for it from
// `GET /ui/connections/hook_meta` (the mapping of ../shared/airflow/hook-meta/README.md, "How provider.yaml maps onto
// it"), and the CLI's own parser (src/catalog/parse.ts, passed in) turns those into the catalog: one normaliser for
// both sources.
//   - ui-field-behaviour: hidden-fields -> hidden, relabeling -> title, placeholders -> placeholder, for the six
//     standard fields only (the YAML key `schema` is hook_meta's `url_schema`); a placeholder for `extra` or for a
//     custom field never reaches the answer. An entry without ui-field-behaviour has null standard_fields; an empty
//     one gives an object of nulls.
//   - conn-fields: <name>: {label, description?, schema, sensitive?} -> {value: schema.default or null, schema: the
//     schema plus title = label, description, source: null}; none or empty -> null.
//   - hook-name, falling back to connection-type (the YAML-only service code).
// data/legacy-hooks.json entries (types whose form lives in hook code) replace the YAML entries of the same type.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const PROVIDERS_DIR = join(root, "data/providers");
export const LEGACY_FILE = join(root, "data/legacy-hooks.json");
export const TARGET = join(root, "data/catalog.json");

/** hook_meta's names of the six standard fields, in its order, with their provider.yaml key. */
const STANDARD = [
  ["description", "description"],
  ["url_schema", "schema"],
  ["host", "host"],
  ["port", "port"],
  ["login", "login"],
  ["password", "password"],
];

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** ui-field-behaviour -> hook_meta's standard_fields (null when the entry has none). */
export function standardFields(ufb) {
  if (ufb === undefined || ufb === null) return null;
  const hidden = new Set(Array.isArray(ufb["hidden-fields"]) ? ufb["hidden-fields"] : []);
  const relabeling = isObject(ufb.relabeling) ? ufb.relabeling : {};
  const placeholders = isObject(ufb.placeholders) ? ufb.placeholders : {};
  const out = {};
  for (const [wire, key] of STANDARD) {
    const h = hidden.has(key);
    const title = relabeling[key] ?? null;
    const placeholder = placeholders[key] ?? null;
    out[wire] = h || title !== null || placeholder !== null ? { hidden: h, title, placeholder } : null;
  }
  return out;
}

/** conn-fields -> hook_meta's extra_fields (null when none). */
export function extraFields(connFields) {
  if (!isObject(connFields) || Object.keys(connFields).length === 0) return null;
  const out = {};
  for (const [name, f] of Object.entries(connFields)) {
    const schema = isObject(f?.schema) ? f.schema : {};
    out[name] = {
      value: schema.default ?? null,
      schema: f?.label === undefined ? { ...schema } : { ...schema, title: f.label },
      description: f?.description ?? null,
      source: null,
    };
  }
  return out;
}

/** One provider.yaml connection-types[] entry as the hook_meta entry a server would send. */
export function hookMetaEntry(ct) {
  const type = ct["connection-type"];
  return {
    connection_type: type,
    hook_class_name: ct["hook-class-name"] ?? null,
    default_conn_name: null,
    hook_name: ct["hook-name"] ?? type,
    standard_fields: standardFields(ct["ui-field-behaviour"]),
    extra_fields: extraFields(ct["conn-fields"]),
  };
}

/** The `# Source: ...` line of a vendored file's header. */
function sourceLine(text, file) {
  const m = /^# Source: (.+)$/m.exec(text);
  if (!m) throw new Error(`${file}: no "# Source:" line in its header`);
  return m[1].trim();
}

/** Every input: the hook_meta entries (YAML first, in file-name order, then the hook-code ones) and their sources. */
export function catalogInputs() {
  const entries = new Map();
  const sources = [];
  for (const file of readdirSync(PROVIDERS_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    const text = readFileSync(join(PROVIDERS_DIR, file), "utf8");
    sources.push(`data/providers/${file}: ${sourceLine(text, file)}`);
    const doc = parse(text);
    for (const ct of doc?.["connection-types"] ?? []) {
      if (!ct?.["connection-type"]) throw new Error(`${file}: an entry without connection-type`);
      if (!entries.has(ct["connection-type"])) entries.set(ct["connection-type"], hookMetaEntry(ct));
    }
  }
  const legacy = JSON.parse(readFileSync(LEGACY_FILE, "utf8"));
  for (const e of legacy.hook_meta) {
    entries.set(e.connection_type, e);
    sources.push(`data/legacy-hooks.json (${e.connection_type}): ${legacy.sources[e.connection_type]}`);
  }
  return { hookMeta: [...entries.values()], sources };
}

/** The generated file's text: `parseHookMeta` is src/catalog/parse.ts's (through tsx in the script). */
export function generateCatalog(parseHookMeta) {
  const { hookMeta, sources } = catalogInputs();
  const doc = {
    generatedBy:
      "scripts/gen-catalog.mjs (npm run gen:catalog) from data/providers/*.yaml and data/legacy-hooks.json; do not edit",
    sources,
    types: parseHookMeta(hookMeta),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
