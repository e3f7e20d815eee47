// Airflow's yaml connections file: the mapping of its json file (read-json.ts), read as YAML 1.1 with PyYAML's
// resolver rules (what Airflow reads it with). A file that looks like Astro's settings gets a hint to use --format astro.
import { isAstroShape } from "./read-astro.js";
import { readAirflowMapping } from "./read-json.js";
import type { ParsedConnection, Reader } from "./read-core.js";
import { parseYamlTree } from "./tree.js";

export function readYaml(r: Reader, text: string): ParsedConnection[] {
  const tree = r.tree(text, false, (t) => parseYamlTree(t, { version: "1.1" }));
  if (isAstroShape(tree)) r.fail(undefined, "this looks like an Astro airflow_settings.yaml", "use --format astro");
  return readAirflowMapping(r, tree);
}
