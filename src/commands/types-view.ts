// The views of `airconn types` (issue 21), loaded inside its action: the list of types, one type's form, and the
// error for an unknown type. src/commands/types.ts holds only the flags, so --help parses none of this.
import type { Deps } from "../deps.js";
import { AirconnError, EXIT, UsageError } from "../errors.js";
import {
  DEFAULT_LABELS,
  describeSource,
  findType,
  STANDARD_FIELDS,
  type Catalog,
  type ConnectionTypeInfo,
  type ExtraField,
} from "../catalog/model.js";
import { render, type Column } from "../output/render.js";
import { escapeControls } from "../output/sanitize.js";

export interface TypesOptions {
  type?: string;
  refresh?: boolean;
  bundled?: boolean;
}

/** The catalog a view uses: the bundled one (--bundled, no request), else the server's or its fallback. */
async function catalogFor(o: TypesOptions, d: Deps): Promise<Catalog> {
  if (o.bundled) {
    if (o.refresh) throw new UsageError("--bundled and --refresh do not go together");
    const { bundledCatalog } = await import("../catalog/bundled.js");
    return bundledCatalog("--bundled");
  }
  const { loadCatalog } = await import("../catalog/load.js");
  return loadCatalog(d, { refresh: o.refresh });
}

export async function runTypes(o: TypesOptions, d: Deps): Promise<void> {
  const catalog = await catalogFor(o, d);
  d.note(`source: ${describeSource(catalog.source, d.now())}`);
  if (o.type === undefined) return listTypes(catalog, d);
  const info = findType(catalog, o.type.trim());
  if (!info) throw await unknownType(o.type, catalog);
  return showForm(info, d);
}

// ---- the list -----------------------------------------------------------------------------------------------------

const LIST_COLUMNS: ReadonlyArray<Column<ConnectionTypeInfo>> = [
  { header: "TYPE", value: (t) => t.type },
  { header: "NAME", value: (t) => t.name },
  { header: "PROVIDER", value: (t) => t.provider ?? "" },
];

/** One type in the list's json/yaml document. */
const listEntry = (t: ConnectionTypeInfo) => ({ type: t.type, name: t.name, provider: t.provider ?? null });

async function listTypes(catalog: Catalog, d: Deps): Promise<void> {
  await render(d.io, d.output(), {
    kind: "rows",
    rows: catalog.types,
    columns: LIST_COLUMNS,
    document: () => catalog.types.map(listEntry),
  });
}

// ---- one type's form ----------------------------------------------------------------------------------------------

/** The json/yaml document of a type's form: stable snake_case keys, every key present (null when not set). */
export function formDocument(t: ConnectionTypeInfo) {
  return {
    type: t.type,
    name: t.name,
    provider: t.provider ?? null,
    hook_class: t.hookClass ?? null,
    standard_fields: Object.fromEntries(
      STANDARD_FIELDS.map((f) => {
        const form = t.fields[f] ?? { hidden: false };
        return [
          f,
          {
            label: form.label ?? DEFAULT_LABELS[f],
            relabeled: form.label !== undefined,
            hidden: form.hidden,
            placeholder: form.placeholder ?? null,
          },
        ];
      }),
    ),
    extra_fields: t.extras.map((e) => ({
      name: e.name,
      label: e.label,
      kind: e.kind,
      // a secret's default is not printed (the server masks those values as *** too)
      default: e.default === undefined ? null : e.secret ? "***" : e.default,
      choices: e.choices ?? null,
      minimum: e.minimum ?? null,
      maximum: e.maximum ?? null,
      secret: e.secret,
      description: e.description ?? null,
    })),
  };
}

interface FieldRow {
  section: "standard" | "extra";
  name: string;
  label: string;
  /** Standard fields: "hidden" or ""; extra fields: the kind. */
  kind: string;
  default: string;
  choices: string;
  secret: string;
  /** Standard fields: the placeholder; extra fields: the description (and range). */
  note: string;
}

const shown = (v: unknown): string => (v === undefined || v === null ? "" : JSON.stringify(v));
const choicesText = (e: ExtraField): string => (e.choices ? e.choices.map((c) => shown(c)).join(", ") : "");
function rangeText(e: ExtraField): string {
  if (e.minimum !== undefined && e.maximum !== undefined) return `${e.minimum} to ${e.maximum}`;
  if (e.minimum !== undefined) return `at least ${e.minimum}`;
  if (e.maximum !== undefined) return `at most ${e.maximum}`;
  return "";
}

function standardRows(t: ConnectionTypeInfo): FieldRow[] {
  return STANDARD_FIELDS.map((f) => {
    const form = t.fields[f] ?? { hidden: false };
    return {
      section: "standard",
      name: f,
      label: form.label ?? DEFAULT_LABELS[f],
      kind: form.hidden ? "hidden" : "",
      default: "",
      choices: "",
      secret: f === "password" ? "yes" : "",
      note: form.placeholder ?? "",
    };
  });
}

function extraRows(t: ConnectionTypeInfo): FieldRow[] {
  return t.extras.map((e) => ({
    section: "extra",
    name: e.name,
    label: e.label,
    kind: e.kind,
    // a secret's default is not printed (the server masks those as ***)
    default: e.secret && e.default !== undefined ? "***" : shown(e.default),
    choices: choicesText(e),
    secret: e.secret ? "yes" : "",
    note: [rangeText(e), e.description ?? ""].filter(Boolean).join("; "),
  }));
}

const STANDARD_COLUMNS: ReadonlyArray<Column<FieldRow>> = [
  { header: "FIELD", value: (r) => r.name },
  { header: "LABEL", value: (r) => r.label },
  { header: "HIDDEN", value: (r) => (r.kind === "hidden" ? "yes" : "") },
  { header: "PLACEHOLDER", value: (r) => r.note },
];

const EXTRA_COLUMNS: ReadonlyArray<Column<FieldRow>> = [
  { header: "KEY", value: (r) => r.name },
  { header: "LABEL", value: (r) => r.label },
  { header: "KIND", value: (r) => r.kind },
  { header: "DEFAULT", value: (r) => r.default },
  { header: "CHOICES", value: (r) => r.choices },
  { header: "SECRET", value: (r) => r.secret },
  { header: "DESCRIPTION", value: (r) => r.note },
];

/** Piped: one tab-separated line per field, standard fields first: the section, then the extra fields' columns. */
const PLAIN_COLUMNS: ReadonlyArray<Column<FieldRow>> = [
  { header: "SECTION", value: (r) => r.section },
  ...EXTRA_COLUMNS,
];

async function showForm(t: ConnectionTypeInfo, d: Deps): Promise<void> {
  const out = d.output();
  const document = formDocument(t);
  if (out.format !== "table" && out.format !== "wide") {
    await render(d.io, out, {
      kind: "rows",
      rows: [...standardRows(t), ...extraRows(t)],
      columns: PLAIN_COLUMNS,
      document,
    });
    return;
  }
  // the catalog is the server's data: its names are shown, never executed (issue 18)
  const heading = `${t.type}: ${t.name}${t.provider ? ` (${t.provider})` : ""}`;
  d.io.out(`${escapeControls(heading)}\n\nStandard fields\n`);
  await render(d.io, out, { kind: "rows", rows: standardRows(t), columns: STANDARD_COLUMNS });
  if (!t.extras.length) {
    d.io.out("\nExtra fields: none defined by the provider (any key can still go in extra: --set-extra KEY=VALUE)\n");
    return;
  }
  d.io.out("\nExtra fields (keys of extra: --set-extra KEY=VALUE)\n");
  const rows = extraRows(t);
  // KEY, LABEL and KIND always; DEFAULT, CHOICES, SECRET and DESCRIPTION when some field has one
  const columns = EXTRA_COLUMNS.filter((c, i) => i < 3 || rows.some((r) => c.value(r) !== ""));
  await render(d.io, out, { kind: "rows", rows, columns });
}

// ---- an unknown type ----------------------------------------------------------------------------------------------

/** The types a mistyped one most likely means: a near miss, else those that start with it or contain it (at most 3). */
export async function similarTypes(given: string, types: readonly string[]): Promise<string[]> {
  const { editDistance, nearMiss } = await import("../catalog/check.js");
  const g = given.trim().toLowerCase();
  const near = nearMiss(g, types);
  if (near !== undefined) return [near];
  if (!g) return [];
  // a hint, not a warning: one edit away is worth saying for short types too ("awz": aws)
  const oneOff = types.filter((t) => t.length >= 3 && editDistance(g, t.toLowerCase(), 1) <= 1);
  if (oneOff.length) return oneOff.slice(0, 3);
  const starts = types.filter((t) => t.toLowerCase().startsWith(g));
  const contains = types.filter((t) => !starts.includes(t) && t.toLowerCase().includes(g));
  return [...starts, ...contains].slice(0, 3);
}

async function unknownType(given: string, catalog: Catalog): Promise<AirconnError> {
  const like = await similarTypes(
    given,
    catalog.types.map((t) => t.type),
  );
  const where = catalog.source.kind === "server" ? "the server's catalog" : "the catalog bundled with airconn";
  const custom =
    catalog.source.kind === "bundled" && catalog.source.reason !== "--bundled"
      ? " (a custom provider's types are known only from the server's catalog)"
      : "";
  const hint = `${like.length ? `did you mean ${like.join(", ")}? ` : ""}\`airconn types\` lists every type${custom}`;
  return new AirconnError(`unknown connection type "${given}" in ${where}`, EXIT.NOT_FOUND, hint);
}
