// The catalog bundled with airconn: generated from the official providers' provider.yaml (and the hook code of aws
// and google_cloud_platform) by scripts/gen-catalog.mjs into data/catalog.json, which the package ships (and the
// standalone executable carries as an asset). It is read from there, once, the first time an action (or the
// completion of a --type value) asks for it: keeping 32 KB of data out of the bundles keeps it out of what every
// start compiles.
import { readFileSync } from "node:fs";
import { getAsset, isSea } from "node:sea";
import { packageFile } from "../paths.js";
import type { Catalog, ConnectionTypeInfo } from "./model.js";

interface BundledFile {
  sources: string[];
  types: ConnectionTypeInfo[];
}

export const BUNDLED_ASSET = "data/catalog.json";

let data: BundledFile | undefined;
const file = (): BundledFile =>
  (data ??= JSON.parse(
    isSea() ? getAsset(BUNDLED_ASSET, "utf8") : readFileSync(packageFile(BUNDLED_ASSET), "utf8"),
  ) as BundledFile);

/** The bundled catalog (sorted by type); `reason`: why it is used instead of the server's, for the source note. */
export function bundledCatalog(reason?: string): Catalog {
  const types = file().types;
  return { source: reason === undefined ? { kind: "bundled" } : { kind: "bundled", reason }, types: [...types] };
}

/** The provider.yaml files (and hook code) the bundled catalog was generated from, each with its source commit. */
export const bundledSources = (): readonly string[] => file().sources;
