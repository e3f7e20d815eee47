// Airflow's env connections file: KEY=VALUE lines (blank and # lines skipped, CRLF accepted, one pair of quotes around
// the value removed); a value starting with "{" is the JSON form, anything else a URI; AIRFLOW_CONN_FOO_BAR is foo_bar.
import { UsageError } from "../errors.js";
import type { ParsedConnection, Reader } from "./read-core.js";
import { fromUri, readObject } from "./read-object.js";
import { parseJsonTree, SyntaxProblem, type TNode } from "./tree.js";

export function readEnv(r: Reader, text: string): ParsedConnection[] {
  const lines = text.split(/\r\n|\n|\r/);
  const out: ParsedConnection[] = [];
  const keys = new Map<string, number>();
  let content = false;
  lines.forEach((lineText, idx) => {
    const ln = idx + 1;
    if (lineText.trim() === "" || /^\s*#/.test(lineText)) return;
    content = true;
    r.attempt(ln, () => readEnvLine(r, lineText, ln, keys, out));
  });
  // Airflow reads an empty env file as no connections (and `export` writes "" for none), so no error here.
  if (!content) r.warnings.push(`${r.file}: the file defines no connections`);
  return out;
}

/** One KEY=VALUE line of an env file. */
function readEnvLine(
  r: Reader,
  lineText: string,
  ln: number,
  keys: Map<string, number>,
  out: ParsedConnection[],
): void {
  const eq = lineText.indexOf("=");
  if (eq < 0) r.fail(ln, 'Invalid line format. The line should contain at least one equal sign ("=").');
  const key = lineText.slice(0, eq).trim();
  let value = lineText.slice(eq + 1).trim();
  if (key === "") r.fail(ln, "Invalid line format. Key is empty.");
  if (value === "") r.fail(ln, `${key.slice(0, 60)}: Value is empty.`);
  const prev = keys.get(key);
  if (prev !== undefined) r.fail(ln, `Found duplicate key "${key.slice(0, 60)}" (also on line ${prev}).`);
  keys.set(key, ln);
  const id = r.checkId(/^AIRFLOW_CONN_./.test(key) ? key.slice("AIRFLOW_CONN_".length).toLowerCase() : key, ln);
  let col = lineText.indexOf(value, eq + 1) + 1;
  const q = value[0];
  if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
    value = value.slice(1, -1);
    col++;
  }
  value = r.subst(value, id, "value", ln);
  if (value.trimStart().startsWith("{")) {
    let tree: TNode;
    try {
      tree = parseJsonTree(value, { lineOffset: ln - 1, colOffset: col - 1 });
    } catch (e) {
      if (e instanceof SyntaxProblem)
        throw new UsageError(`${r.file}:${e.line}:${e.col}: ${id}: invalid JSON: ${e.message}`);
      throw e;
    }
    if (tree.kind !== "map") r.fail(ln, `${id}: the JSON value must be an object`);
    out.push(readObject(r, id, tree.entries, ln, "airflow", true));
  } else {
    out.push(fromUri(r, id, value, ln, ln, "uri"));
  }
}
