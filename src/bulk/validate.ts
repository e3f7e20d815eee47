// Local validation of the API's BulkBody, so a bad file is refused before any request, with paths into the file.
import { CONNECTION_ID_MAX, CONNECTION_ID_RE, type ConnectionBody } from "../api/types.js";
import { fromJs, pyDumps, pyLoads, PyJsonError } from "../util/pyjson.js";
import type { Action } from "./engine.js";

const BODY_KEYS = ["connection_id", "conn_type", "description", "host", "login", "schema", "port", "password", "extra", "team_name"];
const STRING_KEYS = ["conn_type", "description", "host", "login", "schema", "password", "team_name"];
export const MASK_FIELDS = ["conn_type", "description", "host", "login", "schema", "port", "password", "extra", "team_name"];

export interface Problem { path: string; message: string }

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

export function checkId(id: unknown, path: string, problems: Problem[]): id is string {
  if (typeof id !== "string") { problems.push({ path, message: `must be a string, got ${show(id)}` }); return false; }
  if (!id) { problems.push({ path, message: "must not be empty" }); return false; }
  if (id.length > CONNECTION_ID_MAX) { problems.push({ path, message: `is ${id.length} characters long: at most ${CONNECTION_ID_MAX}` }); return false; }
  if (!CONNECTION_ID_RE.test(id)) { problems.push({ path, message: `${show(id)} may contain only letters, digits, '_', '.' and '-'` }); return false; }
  return true;
}

/** Checks one ConnectionBody; returns it normalised (schema_ alias, extra object → string, "8080" → 8080) or undefined. */
export function checkBody(v: unknown, path: string, problems: Problem[]): ConnectionBody | undefined {
  if (!isObj(v)) { problems.push({ path, message: `must be an object with connection_id and conn_type, got ${show(v)}` }); return undefined; }
  const before = problems.length;
  const out: Record<string, unknown> = {};
  for (const [k0, val] of Object.entries(v)) {
    const k = k0 === "schema_" ? "schema" : k0;
    if (!BODY_KEYS.includes(k)) { problems.push({ path: `${path}.${k0}`, message: k0 === "conn_id" ? "unknown field: the API calls it connection_id" : "unknown field" }); continue; }
    if (k === "connection_id") { if (checkId(val, `${path}.connection_id`, problems)) out[k] = val; continue; }
    if (k === "port") {
      if (val === null) { out.port = null; continue; }
      const n = typeof val === "string" && /^\s*-?\d+\s*$/.test(val) ? Number(val) : val;
      if (typeof n !== "number" || !Number.isInteger(n)) { problems.push({ path: `${path}.port`, message: `must be an integer, got ${show(val)}` }); continue; }
      if (n < 0 || n > 65535) { problems.push({ path: `${path}.port`, message: `must be between 0 and 65535, got ${n}` }); continue; }
      out.port = n; continue;
    }
    if (k === "extra") {
      if (val === null) { out.extra = null; continue; }
      if (isObj(val)) { out.extra = pyDumps(fromJs(val)); continue; }
      if (typeof val !== "string") { problems.push({ path: `${path}.extra`, message: `must be a JSON object (or its text), got ${show(val)}` }); continue; }
      if (val === "") { out.extra = val; continue; }
      try {
        if (!(pyLoads(val) instanceof Map)) { problems.push({ path: `${path}.extra`, message: "must be a JSON object, e.g. {\"key\": \"value\"}" }); continue; }
      } catch (e) {
        problems.push({ path: `${path}.extra`, message: `is not valid JSON (${(e as PyJsonError).message})` }); continue;
      }
      out.extra = val; continue;
    }
    if (k === "conn_type" && typeof val !== "string") { problems.push({ path: `${path}.conn_type`, message: `must be a string, got ${show(val)}` }); continue; }
    if (STRING_KEYS.includes(k)) {
      if (val !== null && typeof val !== "string") { problems.push({ path: `${path}.${k}`, message: `must be a string or null, got ${show(val)}` }); continue; }
      if (k === "team_name" && typeof val === "string" && val.length > 50) { problems.push({ path: `${path}.team_name`, message: "is longer than 50 characters" }); continue; }
      out[k] = val;
    }
  }
  if (!("connection_id" in v)) problems.push({ path: `${path}.connection_id`, message: "is required" });
  if (!("conn_type" in v)) problems.push({ path: `${path}.conn_type`, message: "is required" });
  return problems.length === before ? (out as unknown as ConnectionBody) : undefined;
}

/** Validates a whole BulkBody. Returns normalised actions, or the problems found (nothing is sent then). */
export function checkBulkBody(doc: unknown): { actions: Action[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const actions: Action[] = [];
  if (!isObj(doc)) return { actions, problems: [{ path: "(top)", message: 'must be an object {"actions": [...]}' }] };
  for (const k of Object.keys(doc)) if (k !== "actions") problems.push({ path: k, message: 'unknown key: a bulk file holds only "actions"' });
  if (!Array.isArray(doc.actions)) return { actions, problems: [...problems, { path: "actions", message: "must be a list of actions" }] };
  const seen = new Map<string, string>();
  const claim = (id: string, path: string) => {
    const prev = seen.get(id);
    if (prev) problems.push({ path, message: `connection ${id} already appears at ${prev}: each id may appear once in a bulk file` });
    else seen.set(id, path);
  };
  doc.actions.forEach((a: unknown, i: number) => {
    const p = `actions[${i}]`;
    if (!isObj(a)) { problems.push({ path: p, message: "must be an object with action and entities" }); return; }
    const kind = a.action;
    if (kind !== "create" && kind !== "update" && kind !== "delete") {
      problems.push({ path: `${p}.action`, message: `must be create, update or delete, got ${show(kind)}` }); return;
    }
    const allowed = kind === "create" ? ["action", "entities", "action_on_existence"]
      : kind === "update" ? ["action", "entities", "update_mask", "action_on_non_existence"] : ["action", "entities", "action_on_non_existence"];
    for (const k of Object.keys(a)) if (!allowed.includes(k)) problems.push({ path: `${p}.${k}`, message: `unknown key for a ${kind} action` });
    if (!Array.isArray(a.entities)) { problems.push({ path: `${p}.entities`, message: "must be a list" }); return; }
    if (kind === "create") {
      const mode = a.action_on_existence ?? "fail";
      if (!["fail", "skip", "overwrite"].includes(mode as string)) problems.push({ path: `${p}.action_on_existence`, message: `must be fail, skip or overwrite, got ${show(mode)}` });
      const entities = a.entities.map((e: unknown, j: number) => checkBody(e, `${p}.entities[${j}]`, problems)).filter((e): e is ConnectionBody => !!e);
      entities.forEach((e, j) => claim(e.connection_id, `${p}.entities[${j}]`));
      actions.push({ action: "create", entities, action_on_existence: mode as "fail" });
    } else if (kind === "update") {
      const mode = a.action_on_non_existence ?? "fail";
      if (!["fail", "skip"].includes(mode as string)) problems.push({ path: `${p}.action_on_non_existence`, message: `must be fail or skip, got ${show(mode)}` });
      let mask: string[] | null | undefined;
      if (a.update_mask !== undefined && a.update_mask !== null) {
        if (!Array.isArray(a.update_mask) || a.update_mask.some((m) => typeof m !== "string")) problems.push({ path: `${p}.update_mask`, message: "must be a list of field names" });
        else {
          a.update_mask.forEach((m: string, k: number) => { if (!MASK_FIELDS.includes(m)) problems.push({ path: `${p}.update_mask[${k}]`, message: `unknown field ${show(m)}: use ${MASK_FIELDS.join(", ")}` }); });
          mask = a.update_mask as string[];
        }
      } else mask = a.update_mask as null | undefined;
      const entities = a.entities.map((e: unknown, j: number) => checkBody(e, `${p}.entities[${j}]`, problems)).filter((e): e is ConnectionBody => !!e);
      entities.forEach((e, j) => claim(e.connection_id, `${p}.entities[${j}]`));
      actions.push({ action: "update", entities, ...(mask !== undefined ? { update_mask: mask } : {}), action_on_non_existence: mode as "fail" });
    } else {
      const mode = a.action_on_non_existence ?? "fail";
      if (!["fail", "skip"].includes(mode as string)) problems.push({ path: `${p}.action_on_non_existence`, message: `must be fail or skip, got ${show(mode)}` });
      const ids: string[] = [];
      a.entities.forEach((e: unknown, j: number) => {
        // The spec allows objects, but Airflow 3.2 answers 500 for them: send the id string instead.
        const id = isObj(e) ? e.connection_id : e;
        const path = isObj(e) ? `${p}.entities[${j}].connection_id` : `${p}.entities[${j}]`;
        if (typeof id !== "string") { problems.push({ path, message: `must be a connection id string, got ${show(id)}` }); return; }
        if (!id || id.length > 250) { problems.push({ path, message: "is not a valid connection id" }); return; }
        claim(id, `${p}.entities[${j}]`);
        ids.push(id);
      });
      actions.push({ action: "delete", entities: ids, action_on_non_existence: mode as "fail" });
    }
  });
  return { actions, problems };
}
