// Connection types and extra keys for completion (issue 21), from the connection-type catalog without the network:
// the server's catalog when the cache holds one for the API URL in effect, else the catalog bundled with airconn
// merged with the common types of connection/conn-types.ts. The callback imports this module only when a --type
// value, a type argument or a --set-extra key is completed: the bundled JSON is not parsed on any other TAB.
import { cachedOrBundledCatalog } from "../catalog/cache.js";
import type { Catalog } from "../catalog/model.js";
import { resolveSettings } from "../config/resolve.js";
import { ConfigStore } from "../config/store.js";
import { COMMON_CONN_TYPES } from "../connection/conn-types.js";
import type { Candidate, ExtraKeySpec, TypedGlobals } from "./engine.js";

/** The catalog for completion: the cached server catalog of the typed (or configured) API URL, else the bundled one. */
export function completionCatalog(env: NodeJS.ProcessEnv, globals: TypedGlobals): Catalog {
  let apiUrl: string | undefined;
  try {
    apiUrl = resolveSettings(globals, env, new ConfigStore(env)).apiUrl.value;
  } catch {
    apiUrl = undefined; // no usable settings: the bundled catalog
  }
  return cachedOrBundledCatalog(env, apiUrl);
}

/** Connection types with their display names, sorted by type. */
export function typeCandidates(catalog: Catalog): Candidate[] {
  const labels = new Map(COMMON_CONN_TYPES.map(([t, l]) => [t, l] as const));
  const named = (type: string, name: string) => (name && name !== type ? name : labels.get(type));
  const out = new Map<string, Candidate>();
  for (const t of catalog.types) {
    const description = named(t.type, t.name);
    out.set(t.type, description ? { value: t.type, description } : { value: t.type });
  }
  // The server's catalog is the truth about that server; the bundled one is only what airconn was built with.
  if (catalog.source.kind === "bundled")
    for (const [type, label] of COMMON_CONN_TYPES)
      if (!out.has(type)) out.set(type, { value: type, description: label });
  return [...out.values()].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** The extra fields of a type, for `--set-extra KEY=`: name, label, and the values a choice or a boolean allows. */
export function extraKeySpecs(catalog: Catalog, type: string): ExtraKeySpec[] {
  const info = catalog.types.find((t) => t.type === type);
  return (info?.extras ?? []).map((e) => {
    const values =
      e.kind === "boolean"
        ? ["true", "false"]
        : e.choices?.filter((c) => ["string", "number", "boolean"].includes(typeof c)).map(String);
    return { name: e.name, label: e.label, ...(values?.length ? { values } : {}) };
  });
}
