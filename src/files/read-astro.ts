// Astro's airflow_settings.yaml: airflow.connections[] with conn_id, conn_type, conn_host, conn_schema, conn_login,
// conn_password, conn_port (0 = unset), conn_uri (used only when no field is set) and conn_extra (a map or a JSON
// string). Entries without conn_id, or with neither conn_type nor conn_uri, are skipped with a warning.
import type { ConnectionBody } from "../api/types.js";
import { normaliseConnType } from "../uri/index.js";
import type { BodyField, ParsedConnection, Reader } from "./read-core.js";
import { fromUri } from "./read-object.js";
import { describe, parseYamlTree, type TNode } from "./tree.js";

/** A YAML document whose top level has an `airflow:` mapping with connections/pools/variables. */
export function isAstroShape(t: TNode): boolean {
  if (t.kind !== "map") return false;
  const a = t.entries.find((e) => e.key === "airflow");
  if (!a) return false;
  if (a.value.kind === "scalar" && a.value.value === null) return t.entries.length === 1;
  return a.value.kind === "map" && a.value.entries.some((e) => ["connections", "pools", "variables"].includes(e.key));
}

export function readAstro(r: Reader, text: string): ParsedConnection[] {
  const tree = r.tree(text, false, (t) => parseYamlTree(t, { version: "1.1" }));
  if (tree.kind !== "map") r.fail(tree.line, "an Astro settings file must be a mapping with an `airflow:` key");
  const a = tree.entries.find((e) => e.key === "airflow");
  if (!a) r.fail(tree.line, "no top-level `airflow:` key (Astro airflow_settings.yaml)");
  if (a.value.kind === "scalar" && a.value.value === null) return [];
  if (a.value.kind !== "map") r.fail(a.line, `airflow: must be a mapping, got ${describe(a.value)}`);
  const c = a.value.entries.find((e) => e.key === "connections");
  if (!c || (c.value.kind === "scalar" && c.value.value === null)) return [];
  if (c.value.kind !== "seq") r.fail(c.line, `airflow.connections: must be a list, got ${describe(c.value)}`);
  const out: ParsedConnection[] = [];
  const known = [
    "conn_id",
    "conn_type",
    "conn_host",
    "conn_schema",
    "conn_login",
    "conn_password",
    "conn_port",
    "conn_uri",
    "conn_extra",
  ];
  for (const [idx, item] of c.value.items.entries()) {
    r.attempt(item.line, () => {
      const label = `airflow.connections[${idx}]`;
      if (item.kind !== "map") r.fail(item.line, `${label}: must be a mapping, got ${describe(item)}`);
      const get = new Map(item.entries.map((e) => [e.key, e]));
      for (const e of item.entries) {
        if (!known.includes(e.key))
          r.warnings.push(`${r.file}:${e.line}: ${label}: unknown key "${e.key.slice(0, 60)}" ignored`);
      }
      const idE = get.get("conn_id");
      const rawId = idE ? r.stringField(label, "conn_id", idE) : null;
      if (rawId === null || rawId === "") {
        r.warnings.push(`${r.file}:${item.line}: ${label}: no conn_id; skipped`);
        return;
      }
      const id = r.checkId(rawId, idE!.line);
      const str = (k: string) => {
        const e = get.get(k);
        return e ? r.stringField(id, k, e) : null;
      };
      const type = str("conn_type");
      const host = str("conn_host"),
        schema = str("conn_schema"),
        login = str("conn_login"),
        password = str("conn_password");
      const pe = get.get("conn_port");
      const port0 = pe ? r.port(id, "conn_port", pe.value, pe.line, true) : null;
      const port = port0 === 0 ? null : port0;
      const uri = str("conn_uri");
      const ee = get.get("conn_extra");
      const extra = ee ? r.extra(id, "conn_extra", ee.value, ee.line, false) : null;
      if (!type && !uri) {
        r.warnings.push(`${r.where(item.line, id)}: Skipping ${id}: conn_type or conn_uri must be specified.`);
        return;
      }
      const individual = !!(type || host || login || password || schema || port);
      if (!individual) {
        const pc = fromUri(r, id, uri!, item.line, get.get("conn_uri")!.line, "conn_uri");
        if (extra) {
          pc.body.extra = extra;
        }
        out.push(pc);
        return;
      }
      if (uri) r.warnings.push(`${r.where(item.line, id)}: conn_uri is ignored because individual fields are set`);
      if (!type) r.fail(item.line, `${id}: conn_type is required`);
      const body: ConnectionBody = { connection_id: id, conn_type: normaliseConnType(type) };
      const set = <K extends BodyField>(k: K, v: ConnectionBody[K], given: boolean) => {
        if (given) body[k] = v;
      };
      set("host", host, get.has("conn_host"));
      set("schema", schema, get.has("conn_schema"));
      set("login", login, get.has("conn_login"));
      set("password", password, get.has("conn_password"));
      set("port", port, get.has("conn_port"));
      set("extra", extra, get.has("conn_extra"));
      out.push({ body, where: r.where(item.line, id) });
    });
  }
  return out;
}
