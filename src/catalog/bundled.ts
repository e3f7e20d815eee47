// The catalog bundled with airconn: generated at build time from the official providers' provider.yaml (and the hook
// code of aws and google_cloud_platform) by scripts/gen-catalog.mjs into bundled.generated.json. esbuild puts the
// JSON into the bundle; import this module only from code loaded inside an action (or the completion of a
// --type value), never at start-up: --help must not parse it.
import data from "./bundled.generated.json" with { type: "json" };
import type { Catalog, ConnectionTypeInfo } from "./model.js";

const TYPES = (data as unknown as { types: ConnectionTypeInfo[] }).types;

/** The bundled catalog (sorted by type); `reason`: why it is used instead of the server's, for the source note. */
export function bundledCatalog(reason?: string): Catalog {
  return { source: reason === undefined ? { kind: "bundled" } : { kind: "bundled", reason }, types: [...TYPES] };
}

/** The provider.yaml files (and hook code) the bundled catalog was generated from, each with its source commit. */
export const bundledSources = (): readonly string[] => (data as { sources: string[] }).sources;
