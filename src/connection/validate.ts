// The one validator of connection fields. Every input path calls it: field flags (commands/fields.ts), create --json
// (commands/create.ts), connection files (files/read.ts), bulk bodies (bulk/validate.ts), the interactive prompts
// (prompts/connection.ts) and the URI codec (uri/index.ts). Each rule lives in ./model.ts; here each rule is one check
// that says how a value breaks it (a Broken), each way of breaking a rule is worded once (WORDS), and a formatter per
// input context places those words: after a path (`id.port: must be ...`) or as a whole line naming the value
// (`--port must be ...`). Connection files and the port prompt keep a few words of their own (FILE_WORDS, PROMPT_WORDS).
import { UsageError } from "../errors.js";
import { fromJs, pyDumps, pyLoads, PyJsonError, type PyValue } from "../util/pyjson.js";
import {
  charLength,
  CONNECTION_FIELDS,
  CONNECTION_ID_MAX,
  CONNECTION_ID_RE,
  isPort,
  PORT_MAX,
  PORT_MIN,
  PORT_RANGE,
  STORED_ID_MAX,
  STORED_ID_RE,
  STRING_FIELDS,
  TEAM_NAME_MAX,
} from "./model.js";
import type { ConnectionBody } from "../api/types.js";

/** A problem located in the input: a path (a flag, `id.field`, `actions[0].entities[1].port`) and what is wrong there. */
export interface Problem {
  path: string;
  message: string;
}

/**
 * Where a value came from, which decides the wording:
 * - "flag": a field flag or the id argument (path "--port", "connection id"); the message is the whole line.
 * - "json": create --json (path "--json" or "--json FILE"); the message is the whole line.
 * - "prompt": an answer to a prompt (path ""); the message is the whole line.
 * - "file": a connections file (path "id.field", or "" for the id itself); the message follows the path.
 * - "bulk": a bulk body (path "actions[0].entities[1].field"); the message follows the path.
 * - "uri": the URI codec (path: what is wrong, "__extra__", "extra", "the port"); the message is the whole line.
 */
export type Context = "flag" | "json" | "prompt" | "file" | "bulk" | "uri";
export interface At {
  context: Context;
  path: string;
}

const show = (v: unknown) =>
  typeof v === "string"
    ? JSON.stringify(v)
    : typeof v === "number" && !Number.isFinite(v)
      ? String(v)
      : (JSON.stringify(v) ?? String(v));
/** The kind of a value, for messages about values that may hold a secret (a password, an extra, a whole entity). */
const kindOf = (v: unknown) =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "a list"
      : typeof v === "object"
        ? "an object"
        : typeof v === "string"
          ? "a string"
          : typeof v === "boolean"
            ? "a boolean"
            : "a number";

const jsonKind = (v: PyValue): string =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "array"
      : typeof v === "string"
        ? "string"
        : typeof v === "boolean"
          ? "boolean"
          : "number";
const describeJson = (v: PyValue): string => (v === null ? "null" : Array.isArray(v) ? "an array" : `a ${jsonKind(v)}`);

// ------------------------------------------------------------------------------------------------ the checks

type Rule = "id" | "port" | "extra" | "team" | "type";
/** How a value breaks a rule, before any words. `shown`: the value as a message shows it; `id`: an id as given. */
type Broken = { rule: Rule; shown: string; id?: string } & (
  | { kind: "empty" }
  | { kind: "long"; len: number; max: number }
  | { kind: "slash" } // an id holding "/", which the API cannot address in a URL path
  | { kind: "chars" } // an id with characters the REST API refuses
  | { kind: "stored-chars" } // an id no Airflow connection can have, even one made outside the API
  | { kind: "integer" } // a port that is not an integer
  | { kind: "range" } // a port outside 0-65535
  | { kind: "json"; detail: string } // an extra that is not JSON
  | { kind: "object"; got: PyValue } // an extra that is JSON, but not an object
);

/** The REST id rule (a body's connection_id): not empty, at most 200 characters, ^[\w.-]+$. */
function idBroken(id: string): Broken | undefined {
  const b = { rule: "id", shown: JSON.stringify(id), id } as const;
  const len = charLength(id);
  if (id === "") return { ...b, kind: "empty" };
  if (len > CONNECTION_ID_MAX) return { ...b, kind: "long", len, max: CONNECTION_ID_MAX };
  if (id.includes("/")) return { ...b, kind: "slash" };
  if (!CONNECTION_ID_RE.test(id)) return { ...b, kind: "chars" };
  return undefined;
}

/**
 * The model's id rule (ids made outside the API may hold more characters), for reads and deletes. An id in a URL path
 * (`inPath`) must also hold no "/" and only the model's characters; one in a bulk body only be neither empty nor too long.
 */
function storedIdBroken(id: string, inPath: boolean): Broken | undefined {
  const b = { rule: "id", shown: JSON.stringify(id), id } as const;
  const len = charLength(id);
  if (id === "") return { ...b, kind: "empty" };
  if (inPath && id.includes("/")) return idBroken(id);
  if (len > STORED_ID_MAX) return { ...b, kind: "long", len, max: STORED_ID_MAX };
  if (inPath && !STORED_ID_RE.test(id)) return { ...b, kind: "stored-chars" };
  return undefined;
}

/** The port rule: an integer 0-65535. */
function portBroken(n: unknown, shown: string): Broken | undefined {
  if (isPort(n)) return undefined;
  const integer = typeof n === "number" && Number.isInteger(n);
  return { rule: "port", shown, kind: integer ? "range" : "integer" };
}

/** The extra rule: the text of a JSON object (Airflow's _validate_extra). */
function extraBroken(text: string): Broken | undefined {
  let v: PyValue;
  try {
    v = pyLoads(text);
  } catch (e) {
    return { rule: "extra", shown: "", kind: "json", detail: e instanceof PyJsonError ? e.message : String(e) };
  }
  return v instanceof Map ? undefined : { rule: "extra", shown: "", kind: "object", got: v };
}

// ------------------------------------------------------------------------------------------------ the words

/** How a whole-line message names the value: "the connection id" / "--port" (`the`), "connection id" (`noun`). */
interface Subject {
  the: string;
  noun: string;
}
/** The words for one way of breaking a rule: after a path, or as a whole line about a subject. */
interface Words {
  after: string;
  line: (s: Subject) => string;
}
const predicate = (text: string): Words => ({ after: text, line: (s) => `${s.the} ${text}` });
const labelled = (text: string): Words => ({ after: text, line: (s) => `${s.the}: ${text}` });
const ID_CHARS = "letters, digits, '_', '.' and '-'";

/** Each way of breaking a rule, worded once. */
function words(b: Broken): Words {
  switch (b.kind) {
    case "empty":
      return predicate("is empty");
    case "long":
      return {
        after: `is ${b.len} characters long: at most ${b.max}`,
        line: (s) => `${s.the} is ${b.len} characters long: Airflow allows at most ${b.max}`,
      };
    case "slash":
      return {
        after: words({ ...b, kind: "chars" }).after,
        line: (s) => `${s.the} ${b.shown} contains "/", which the Airflow API cannot address in a URL path`,
      };
    case "chars":
      return {
        after: `${b.shown} may contain only ${ID_CHARS}`,
        line: (s) => `invalid ${s.noun} ${b.shown}: use ${ID_CHARS} only`,
      };
    case "stored-chars": {
      const text = `an Airflow connection id holds only letters, digits, '_', '.', '-' (and '#', '!', '(', ')', ':', '\\' when made outside the API)`;
      return { after: `${b.shown}: ${text}`, line: (s) => `invalid ${s.noun} ${b.shown}: ${text}` };
    }
    case "integer":
      return predicate(`must be an integer, got ${b.shown}`);
    case "range":
      return predicate(`must be between ${PORT_MIN} and ${PORT_MAX}, got ${b.shown}`);
    case "json":
      return labelled(`not valid JSON (${b.detail})`);
    case "object":
      return {
        after: 'must be a JSON object, e.g. {"key": "value"}',
        line: (s) => `${s.the}: a JSON object is needed, such as {"key": "value"}, not ${describeJson(b.got)}`,
      };
  }
}

type Said = (b: Broken) => string | undefined;
const cut = (id = "") => JSON.stringify(id.length > 60 ? id.slice(0, 60) + "…" : id);
const fileId: Said = (b) => `invalid connection id ${cut(b.id)}: only letters, digits, "_", "." and "-" are allowed`;
const filePort: Said = (b) => `must be an integer ${PORT_RANGE}, got ${b.shown}`;
/**
 * Connection files word these their own way (their users see these words; the README and tests quote them): the id
 * is named (cut at 60 characters), a port gives the range, an extra says the string is not an object's text.
 */
const FILE_WORDS: Partial<Record<`${Rule}.${Broken["kind"]}`, Said>> = {
  "id.long": (b) => (b.kind === "long" ? `connection id ${cut(b.id)} is longer than ${b.max} characters` : undefined),
  "id.slash": fileId,
  "id.chars": fileId,
  "port.integer": filePort,
  "port.range": filePort,
  "extra.json": (b) =>
    b.kind === "json" ? `must be a JSON object, but the string is not valid JSON (${b.detail})` : undefined,
  "extra.object": (b) =>
    b.kind === "object" ? `must be a JSON object, got a JSON ${jsonKind(b.got)} in a string` : undefined,
};
/** The prompt names each field; a port that is not a number keeps its own words (the prompt is re-asked with them). */
const PROMPT_SUBJECT: Record<Rule, string> = {
  id: "the connection id",
  port: "the port",
  type: "the connection type",
  team: "the team name",
  extra: "Extra must be a JSON object",
};
const PROMPT_WORDS: Partial<Record<`${Rule}.${Broken["kind"]}`, Said>> = {
  "port.integer": (b) => `the port must be a whole number between ${PORT_MIN} and ${PORT_MAX}, not "${b.shown}"`,
};

/** The message for a broken rule in its context: one formatter per context. `noun` names the value in whole lines. */
function message(b: Broken, at: At, noun: string): string {
  const w = words(b);
  const key = `${b.rule}.${b.kind}` as const;
  switch (at.context) {
    case "flag":
      return w.line(b.rule === "id" ? { the: `the ${noun}`, noun } : { the: at.path, noun: at.path });
    case "json":
      return w.line({ the: `${at.path}: ${noun}`, noun });
    case "prompt":
      return PROMPT_WORDS[key]?.(b) ?? w.line({ the: PROMPT_SUBJECT[b.rule], noun });
    case "bulk":
      return w.after;
    case "file":
      return FILE_WORDS[key]?.(b) ?? (at.path ? w.after : w.line({ the: `the ${noun}`, noun }));
    case "uri":
      return `Invalid connection URI: ${w.line({ the: at.path, noun: at.path })}.`;
  }
}
const problem = (b: Broken | undefined, at: At, noun: string): Problem | undefined =>
  b && { path: at.path, message: message(b, at, noun) };

// ------------------------------------------------------------------------------------------------ the rules

/** The REST id rule (a body's connection_id). `what` names the id in flag/argument messages. */
export function idProblem(id: string, at: At, what = "connection id"): Problem | undefined {
  return problem(idBroken(id), at, what);
}

/** The model's id rule (ids made outside the API may hold more characters): for reads and deletes by path. */
export function storedIdProblem(id: string, at: At): Problem | undefined {
  return problem(storedIdBroken(id, at.context !== "bulk"), at, "connection id");
}

/** The port rule: an integer 0-65535. `shown` is the value as the input spelled it. */
export function portProblem(n: unknown, at: At, shown = String(n)): Problem | undefined {
  return problem(portBroken(n, shown), at, "port");
}

/** A port typed as text (a prompt answer): digits only, in range. Empty is no port. */
export function portTextProblem(v: string, at: At): Problem | undefined {
  const t = v.trim();
  if (t === "") return undefined;
  return portProblem(/^\d+$/.test(t) ? Number(t) : NaN, at, /^\d+$/.test(t) ? t : v);
}

/** The extra rule: the text of a JSON object (Airflow's _validate_extra). */
export function extraProblem(text: string, at: At): Problem | undefined {
  return problem(extraBroken(text), at, "extra");
}

/** The team name rule: at most 50 characters. */
export function teamProblem(name: string, at: At): Problem | undefined {
  const len = charLength(name);
  return problem(
    len > TEAM_NAME_MAX ? { rule: "team", shown: "", kind: "long", len, max: TEAM_NAME_MAX } : undefined,
    at,
    "team name",
  );
}

/** The conn_type rule for a value given on its own: not blank. */
export function connTypeProblem(t: string, at: At): Problem | undefined {
  return problem(t.trim() === "" ? { rule: "type", shown: "", kind: "empty" } : undefined, at, "connection type");
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
  if (!isObj(v)) {
    problems.push({ path, message: `must be an object with connection_id and conn_type, got ${kindOf(v)}` });
    return undefined;
  }
  const before = problems.length;
  const push = (p: Problem | undefined) => {
    if (p) problems.push(p);
    return !p;
  };
  const at = (k: string): At => ({ context: "bulk", path: `${path}.${k}` });
  const out: Record<string, unknown> = {};
  for (const [k0, val] of Object.entries(v)) {
    const k = k0 === "schema_" ? "schema" : k0;
    if (!(CONNECTION_FIELDS as readonly string[]).includes(k)) {
      problems.push({
        path: `${path}.${k0}`,
        message: k0 === "conn_id" ? "unknown field: the API calls it connection_id" : "unknown field",
      });
      continue;
    }
    if (k === "connection_id") {
      if (typeof val !== "string") {
        problems.push({ path: at(k).path, message: `must be a string, got ${show(val)}` });
        continue;
      }
      if (push(idProblem(val, at(k)))) out[k] = val;
      continue;
    }
    if (k === "port") {
      if (val === null) {
        out.port = null;
        continue;
      }
      const n = typeof val === "string" && /^\s*-?\d+\s*$/.test(val) ? Number(val) : val;
      if (push(portProblem(n, at(k), show(val)))) out.port = n;
      continue;
    }
    if (k === "extra") {
      if (val === null || val === "") {
        out.extra = val;
        continue;
      }
      if (isObj(val)) {
        out.extra = pyDumps(fromJs(val));
        continue;
      }
      if (typeof val !== "string") {
        problems.push({ path: at(k).path, message: `must be a JSON object (or its text), got ${kindOf(val)}` });
        continue;
      }
      if (push(extraProblem(val, at(k)))) out.extra = val;
      continue;
    }
    if (k === "conn_type" && typeof val !== "string") {
      problems.push({ path: at(k).path, message: `must be a string, got ${show(val)}` });
      continue;
    }
    if ((STRING_FIELDS as readonly string[]).includes(k)) {
      if (val !== null && typeof val !== "string") {
        problems.push({
          path: at(k).path,
          message: `must be a string or null, got ${k === "password" ? kindOf(val) : show(val)}`,
        });
        continue;
      }
      if (k === "team_name" && typeof val === "string" && !push(teamProblem(val, at(k)))) continue;
      out[k] = val;
    }
  }
  if (!("connection_id" in v)) problems.push({ path: `${path}.connection_id`, message: "is required" });
  if (!("conn_type" in v)) problems.push({ path: `${path}.conn_type`, message: "is required" });
  return problems.length === before ? (out as unknown as ConnectionBody) : undefined;
}
