// airconn's own YAML for `apply` (YAML 1.2; JSON works too): a list of connections, each with connection_id (or id,
// or conn_id), or a mapping {id: fields or URI}, either optionally under a `connections:` key. ${VAR} substitution
// is on by default for this format (read-core.ts).
import type { ParsedConnection, Reader } from "./read-core.js";
import { AIRCONN_KEYS, ID_KEYS, readObject, readValue } from "./read-object.js";
import { describe, parseYamlTree } from "./tree.js";

export function readAirconn(r: Reader, text: string): ParsedConnection[] {
  let top = r.tree(text, false, (t) => parseYamlTree(t, { version: "1.2" }));
  if (top.kind === "map" && top.entries.length === 1 && top.entries[0]!.key === "connections") {
    const v = top.entries[0]!.value;
    const isConnection = v.kind === "map" && v.entries.some((e) => (AIRCONN_KEYS as readonly string[]).includes(e.key));
    if (v.kind === "seq" || (v.kind === "map" && !isConnection)) top = v;
    else if (v.kind === "scalar" && v.value === null) return [];
  }
  const each = <T>(
    items: T[],
    line: (x: T) => number,
    read: (x: T, idx: number) => ParsedConnection,
  ): ParsedConnection[] => items.flatMap((x, idx) => r.attempt(line(x), () => read(x, idx)) ?? []);
  if (top.kind === "seq") {
    return each(
      top.items,
      (item) => item.line,
      (item, idx) => {
        if (item.kind !== "map") r.fail(item.line, `connection #${idx + 1}: must be a mapping, got ${describe(item)}`);
        const idE = item.entries.find((e) => ID_KEYS.includes(e.key));
        if (!idE) r.fail(item.line, `connection #${idx + 1}: connection_id is required`);
        if (idE.value.kind !== "scalar" || typeof idE.value.value !== "string") {
          r.fail(idE.line, `connection #${idx + 1}: ${idE.key} must be a string, got ${describe(idE.value)}`);
        }
        const id = r.checkId(idE.value.value, idE.line);
        return readObject(r, id, item.entries, item.line, "airconn", false);
      },
    );
  }
  if (top.kind !== "map")
    r.fail(top.line, `expected a list of connections or a mapping of connection ids, got ${describe(top)}`);
  return each(
    top.entries,
    (e) => e.line,
    (e) => readValue(r, r.checkId(e.key, e.line), e.value, e.line, "airconn"),
  );
}
