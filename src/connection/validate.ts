// The one validator of connection fields. Every input path calls it: field flags (connection/flags.ts), create
// --json (connection/json-form.ts), connection files (files/read.ts), bulk bodies (bulk/validate.ts) and the
// interactive prompts (prompts/connection.ts). Each rule lives in ./model.ts; this module applies it and words the
// problem for the context it was found in, so that each context keeps the wording its users already see.
import { UsageError } from "../errors.js";
import { fromJs, pyDumps, pyLoads, PyJsonError, type PyValue } from "../util/pyjson.js";
import {
  charLength, CONNECTION_FIELDS, CONNECTION_ID_MAX, CONNECTION_ID_RE, isPort, PORT_MAX, PORT_MIN, PORT_RANGE, STORED_ID_MAX,
  STORED_ID_RE, STRING_FIELDS, TEAM_NAME_MAX,
} from "./model.js";
import type { ConnectionBody } from "../api/types.js";

/** A problem located in the input: a path (a flag, `id.field`, `actions[0].entities[1].port`) and what is wrong there. */
export interface Problem { path: string; message: string }

/**
 * Where a value came from, which decides the wording:
 * - "flag": a field flag (path "--port"); the message is the whole line.
 * - "json": create --json (path "--json" or "--json FILE"); the message is the whole line.
 * - "prompt": an answer to a prompt; the message is the whole line.
 * - "file": a connections file (path "id.field"); the message follows the path.
 * - "file-uri": a field a URI in a connections file gave (path "id.uri").
 * - "bulk": a bulk body (path "actions[0].entities[1].field"); the message follows the path.
 * - "uri": the URI codec (path: what holds the extra, "__extra__ in connection URI"); the message is the whole line.
 */
export type Context = "flag" | "json" | "prompt" | "file" | "file-uri" | "bulk" | "uri";
export interface At { context: Context; path: string }

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : typeof v === "number" && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v));
/** The kind of a value, for messages about values that may hold a secret (a password, an extra, a whole entity). */
const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object"
  : typeof v === "string" ? "a string" : typeof v === "boolean" ? "a boolean" : "a number");

const describeJson = (v: PyValue): string =>
  v === null ? "null" : typeof v === "boolean" ? "a boolean" : typeof v === "string" ? "a string" : Array.isArray(v) ? "an array" : "a number";
const jsonKind = (v: PyValue): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "string" ? "string" : typeof v === "boolean" ? "boolean" : "number";

// ------------------------------------------------------------------------------------------------ the rules

/** The REST id rule (a body's connection_id). `what` names the id in flag/argument messages. */
export function idProblem(id: string, at: At, what = "connection id"): Problem | undefined {
  const p = (message: string): Problem => ({ path: at.path, message });
  const len = charLength(id);
  const shown = JSON.stringify(id.length > 60 ? id.slice(0, 60) + "…" : id);
  if (at.context === "bulk") {
    if (!id) return p("must not be empty");
    if (len > CONNECTION_ID_MAX) return p(`is ${len} characters long: at most ${CONNECTION_ID_MAX}`);
    if (!CONNECTION_ID_RE.test(id)) return p(`${show(id)} may contain only letters, digits, '_', '.' and '-'`);
    return undefined;
  }
  if (at.context === "file" || at.context === "file-uri") {
    if (id === "") return p("a connection id is empty");
    if (len > CONNECTION_ID_MAX) return p(`connection id ${shown} is longer than ${CONNECTION_ID_MAX} characters`);
    if (!CONNECTION_ID_RE.test(id)) return p(`invalid connection id ${shown}: only letters, digits, "_", "." and "-" are allowed`);
    return undefined;
  }
  if (id.length === 0) return p(`the ${what} is empty`);
  if (len > CONNECTION_ID_MAX) return p(`the ${what} is ${len} characters long: Airflow allows at most ${CONNECTION_ID_MAX}`);
  if (id.includes("/")) return p(`the ${what} "${id}" contains "/", which the Airflow API cannot address in a URL path`);
  if (!CONNECTION_ID_RE.test(id)) return p(`invalid ${what} "${id}": use letters, digits, '_', '.' and '-' only`);
  return undefined;
}

/** The model's id rule (ids made outside the API may hold more characters): for reads and deletes by path. */
export function storedIdProblem(id: string, at: At): Problem | undefined {
  const p = (message: string): Problem => ({ path: at.path, message });
  if (at.context === "bulk") return !id || charLength(id) > STORED_ID_MAX ? p("is not a valid connection id") : undefined;
  if (id.length === 0) return p("the connection id is empty");
  if (id.includes("/")) return idProblem(id, at);
  if (charLength(id) > STORED_ID_MAX) return p(`the connection id is ${charLength(id)} characters long: Airflow allows at most ${STORED_ID_MAX}`);
  if (!STORED_ID_RE.test(id)) {
    return p(`invalid connection id ${JSON.stringify(id)}: an Airflow connection id holds only letters, digits, '_', '.', '-' (and '#', '!', '(', ')', ':', '\\' when made outside the API)`);
  }
  return undefined;
}

/** The port rule: an integer 0-65535. `shown` is the value as the input spelled it. */
export function portProblem(n: unknown, at: At, shown = String(n)): Problem | undefined {
  if (isPort(n)) return undefined;
  const p = (message: string): Problem => ({ path: at.path, message });
  const integer = typeof n === "number" && Number.isInteger(n);
  switch (at.context) {
    case "bulk": return p(integer ? `must be between ${PORT_MIN} and ${PORT_MAX}, got ${n}` : `must be an integer, got ${shown}`);
    case "flag": return p(`${at.path} must be an integer between ${PORT_MIN} and ${PORT_MAX}, got ${shown}`);
    case "json": return p(`${at.path}: port ${shown} is out of range ${PORT_RANGE}`);
    case "prompt": return p(integer ? `the port must be between ${PORT_MIN} and ${PORT_MAX}, not ${n}` : `the port must be a whole number between ${PORT_MIN} and ${PORT_MAX}, not "${shown}"`);
    case "file": return p(`must be an integer ${PORT_RANGE}, got ${shown}`);
    case "file-uri": return p(`port must be an integer ${PORT_RANGE}, got ${shown}`);
    case "uri": return p(`Invalid port ${shown}: expected an integer ${PORT_RANGE}.`);
  }
}

/** A port typed as text (a prompt answer): digits only, in range. Empty is no port. */
export function portTextProblem(v: string, at: At): Problem | undefined {
  const t = v.trim();
  if (t === "") return undefined;
  return portProblem(/^\d+$/.test(t) ? Number(t) : NaN, at, /^\d+$/.test(t) ? t : v);
}

/** The extra rule: the text of a JSON object (Airflow's _validate_extra). */
export function extraProblem(text: string, at: At): Problem | undefined {
  let v: PyValue;
  const p = (message: string): Problem => ({ path: at.path, message });
  try {
    v = pyLoads(text);
  } catch (e) {
    const detail = e instanceof PyJsonError ? e.message : String(e);
    switch (at.context) {
      case "bulk": return p(`is not valid JSON (${detail})`);
      case "file": case "file-uri": return p(`must be a JSON object, but the string is not valid JSON (${detail})`);
      case "uri": return p(`Invalid ${at.path}: not valid JSON (extra must be a JSON object).`);
      default: return p(`${lead(at)}not valid JSON (${detail})`);
    }
  }
  if (v instanceof Map) return undefined;
  switch (at.context) {
    case "bulk": return p("must be a JSON object, e.g. {\"key\": \"value\"}");
    case "file": case "file-uri": return p(`must be a JSON object, got a JSON ${jsonKind(v)} in a string`);
    case "uri": return p(`Invalid ${at.path}: extra must be a JSON object, got other JSON.`);
    default: return p(`${lead(at)}a JSON object is needed, such as {"key": "value"}, not ${describeJson(v)}`);
  }
}
const lead = (at: At) => (at.context === "flag" ? `${at.path}: ` : at.context === "json" ? `${at.path}: extra: ` : "Extra must be a JSON object: ");

/** The team name rule: at most 50 characters. */
export function teamProblem(name: string, at: At): Problem | undefined {
  const len = charLength(name);
  if (len <= TEAM_NAME_MAX) return undefined;
  const p = (message: string): Problem => ({ path: at.path, message });
  switch (at.context) {
    case "bulk": return p(`is longer than ${TEAM_NAME_MAX} characters`);
    case "file": case "file-uri": return p(`at most ${TEAM_NAME_MAX} characters`);
    default: return p(`${at.path} is ${len} characters long: Airflow allows at most ${TEAM_NAME_MAX}`);
  }
}

/** The conn_type rule for a value given on its own: not blank. */
export function connTypeProblem(t: string, at: At): Problem | undefined {
  if (t.trim() !== "") return undefined;
  return { path: at.path, message: at.context === "flag" ? `${at.path} is empty` : at.context === "prompt" ? "a connection type is needed" : "is empty" };
}

/** Throws the first problem as a UsageError (for the contexts whose message is the whole line). */
export function orThrow(p: Problem | undefined, hint?: string): void {
  if (p) throw new UsageError(p.message, hint);
}

// ------------------------------------------------------------------------------------ a whole body (bulk)

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks one ConnectionBody given as JSON (a bulk entity); returns it normalised (schema_ alias, extra object →
 * string, "8080" → 8080) or undefined, pushing every problem found.
 */
export function validateConnection(v: unknown, path: string, problems: Problem[]): ConnectionBody | undefined {
  if (!isObj(v)) { problems.push({ path, message: `must be an object with connection_id and conn_type, got ${kindOf(v)}` }); return undefined; }
  const before = problems.length;
  const push = (p: Problem | undefined) => { if (p) problems.push(p); return !p; };
  const at = (k: string): At => ({ context: "bulk", path: `${path}.${k}` });
  const out: Record<string, unknown> = {};
  for (const [k0, val] of Object.entries(v)) {
    const k = k0 === "schema_" ? "schema" : k0;
    if (!(CONNECTION_FIELDS as readonly string[]).includes(k)) { problems.push({ path: `${path}.${k0}`, message: k0 === "conn_id" ? "unknown field: the API calls it connection_id" : "unknown field" }); continue; }
    if (k === "connection_id") {
      if (typeof val !== "string") { problems.push({ path: at(k).path, message: `must be a string, got ${show(val)}` }); continue; }
      if (push(idProblem(val, at(k)))) out[k] = val;
      continue;
    }
    if (k === "port") {
      if (val === null) { out.port = null; continue; }
      const n = typeof val === "string" && /^\s*-?\d+\s*$/.test(val) ? Number(val) : val;
      if (push(portProblem(n, at(k), show(val)))) out.port = n;
      continue;
    }
    if (k === "extra") {
      if (val === null || val === "") { out.extra = val; continue; }
      if (isObj(val)) { out.extra = pyDumps(fromJs(val)); continue; }
      if (typeof val !== "string") { problems.push({ path: at(k).path, message: `must be a JSON object (or its text), got ${kindOf(val)}` }); continue; }
      if (push(extraProblem(val, at(k)))) out.extra = val;
      continue;
    }
    if (k === "conn_type" && typeof val !== "string") { problems.push({ path: at(k).path, message: `must be a string, got ${show(val)}` }); continue; }
    if ((STRING_FIELDS as readonly string[]).includes(k)) {
      if (val !== null && typeof val !== "string") { problems.push({ path: at(k).path, message: `must be a string or null, got ${k === "password" ? kindOf(val) : show(val)}` }); continue; }
      if (k === "team_name" && typeof val === "string" && !push(teamProblem(val, at(k)))) continue;
      out[k] = val;
    }
  }
  if (!("connection_id" in v)) problems.push({ path: `${path}.connection_id`, message: "is required" });
  if (!("conn_type" in v)) problems.push({ path: `${path}.conn_type`, message: "is required" });
  return problems.length === before ? (out as unknown as ConnectionBody) : undefined;
}
