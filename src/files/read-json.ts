// Airflow's json connections file (`airflow connections export`/`import`, the LocalFilesystemBackend, airflowctl's
// json): a mapping {conn_id: value}, the value a URI string, an object (Airflow's Connection(**value) keys, or
// connection_id), or a one-element list of either. YAML files hold the same mapping (read-yaml.ts).
import type { ParsedConnection, Reader } from "./read-core.js";
import { readValue } from "./read-object.js";
import { parseJsonTree, type TNode } from "./tree.js";

export function readJson(r: Reader, text: string): ParsedConnection[] {
  return readAirflowMapping(
    r,
    r.tree(text, true, (t) => parseJsonTree(t)),
  );
}

/** The {conn_id: value} mapping of Airflow's json and yaml files. */
export function readAirflowMapping(r: Reader, tree: TNode): ParsedConnection[] {
  if (tree.kind !== "map") {
    r.fail(tree.line, "The file should contain the object.");
  }
  const out: ParsedConnection[] = [];
  for (const e of tree.entries) {
    r.attempt(e.line, () => {
      const id = r.checkId(e.key, e.line);
      let v = e.value;
      if (v.kind === "seq") {
        if (v.items.length === 0) {
          r.warnings.push(`${r.where(e.line, id)}: an empty list defines no connection; skipped`);
          return;
        }
        if (v.items.length > 1) r.fail(e.line, `Found multiple values for ${id} in ${r.file}.`);
        v = v.items[0]!;
      }
      out.push(readValue(r, id, v, e.line, "airflow"));
    });
  }
  return out;
}
