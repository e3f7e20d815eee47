// Pydantic v2 / FastAPI request validation, as Airflow 3.2.1's ConnectionBody and BulkBody produce it.
import { PyJsonError, pyLoads } from "../pyjson.js";
import type { NewConnection } from "./store.js";

export type Loc = (string | number)[];
export interface PydError {
  type: string;
  loc: Loc;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** pydantic-core's Rust regex for ^[\w.-]+$: Unicode word characters. */
export const CONN_ID_RE = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}.-]+$/u;
const CONN_ID_PATTERN = "^[\\w.-]+$";

export const err = (type: string, loc: Loc, msg: string, input: unknown, ctx?: Record<string, unknown>): PydError =>
  ctx === undefined ? { type, loc, msg, input } : { type, loc, msg, input, ctx };

export const missing = (loc: Loc, input: unknown) => err("missing", loc, "Field required", input);
export const stringType = (loc: Loc, input: unknown) =>
  err("string_type", loc, "Input should be a valid string", input);
export const extraForbidden = (loc: Loc, input: unknown) =>
  err("extra_forbidden", loc, "Extra inputs are not permitted", input);
export const modelAttributesType = (loc: Loc, input: unknown) =>
  err("model_attributes_type", loc, "Input should be a valid dictionary or object to extract fields from", input);
export const listType = (loc: Loc, input: unknown) => err("list_type", loc, "Input should be a valid list", input);

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const has = (o: object, k: string) => Object.hasOwn(o, k);

/** Python's repr() of a str. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + quote;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}
export const pyListRepr = (xs: string[]) => "[" + xs.map(pyRepr).join(", ") + "]";
export const pySetRepr = (xs: Iterable<string>) => {
  const a = [...xs];
  return a.length === 0 ? "set()" : "{" + a.map(pyRepr).join(", ") + "}";
};

/** Pydantic lax int from a JSON value (or a query string). */
export function laxInt(v: unknown, loc: Loc): { ok: true; value: number } | { ok: false; error: PydError } {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return { ok: true, value: v };
    if (!Number.isFinite(v))
      return { ok: false, error: err("finite_number", loc, "Input should be a finite number", v) };
    return {
      ok: false,
      error: err("int_from_float", loc, "Input should be a valid integer, got a number with a fractional part", v),
    };
  }
  if (typeof v === "boolean") return { ok: true, value: v ? 1 : 0 };
  if (typeof v === "string") {
    const m = /^\s*([+-]?\d+)(?:\.0*)?\s*$/.exec(v);
    if (m) return { ok: true, value: Number(m[1]) };
    return {
      ok: false,
      error: err("int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer", v),
    };
  }
  return { ok: false, error: err("int_type", loc, "Input should be a valid integer", v) };
}

export const CONNECTION_FIELDS = [
  "conn_type",
  "description",
  "host",
  "login",
  "schema",
  "port",
  "password",
  "extra",
  "team_name",
] as const;
export type UpdatableField = (typeof CONNECTION_FIELDS)[number];

/** The fields of a connection row, and which of them the request named. */
export interface ConnectionBody extends NewConnection {
  /** model_fields_set, with request names ("schema" for schema_ too). */
  fieldsSet: Set<string>;
}

const EXTRA_NOT_OBJECT = "The `extra` field must be a valid JSON object (e.g., {'key': 'value'})";
const EXTRA_NOT_JSON = EXTRA_NOT_OBJECT + ", but encountered non-JSON in `extra` field";

/** How a version's ConnectionBody treats team_name: true refuses a non-null one (3.3, multi_team off), "absent" has no such field (before 3.2). */
export type TeamRule = boolean | "absent";

export const TEAM_DISABLED =
  "team_name cannot be set when multi_team mode is disabled. Please contact your administrator.";

/**
 * ConnectionBody (StrictBaseModel: extra="forbid", populate_by_name=True). `refuseTeam` (3.3, multi_team off): the
 * model validator that runs once the fields are valid refuses a non-null team_name, located at the model.
 * `"absent"` (before 3.2.0): the model has no team_name field, so a team_name is an unknown field (extra_forbidden).
 */
export function validateConnectionBody(
  input: unknown,
  loc: Loc,
  moreFields: readonly string[] = [],
  refuseTeam: TeamRule = false,
): { value?: ConnectionBody; errors: PydError[] } {
  if (!isObject(input)) return { errors: [modelAttributesType(loc, input)] };
  const errors: PydError[] = [];
  const out: Partial<ConnectionBody> = { fieldsSet: new Set() };
  const known = new Set<string>(moreFields);

  const str = (
    key: string,
    name: keyof ConnectionBody,
    required: boolean,
    maxLength?: number,
    pattern?: boolean,
    aliasOf?: string,
  ) => {
    let k = key;
    if (!has(input, k) && aliasOf !== undefined && has(input, aliasOf)) k = aliasOf;
    known.add(key);
    if (aliasOf) known.add(aliasOf);
    const l = [...loc, k];
    if (!has(input, k)) {
      if (required) errors.push(missing(l, input));
      else (out as Record<string, unknown>)[name] = null;
      return;
    }
    out.fieldsSet!.add(name);
    const v = input[k];
    if (v === null && !required) {
      (out as Record<string, unknown>)[name] = null;
      return;
    }
    if (typeof v !== "string") {
      errors.push(stringType(l, v));
      return;
    }
    if (maxLength !== undefined && [...v].length > maxLength) {
      errors.push(
        err("string_too_long", l, `String should have at most ${maxLength} characters`, v, { max_length: maxLength }),
      );
      return;
    }
    if (pattern && !CONN_ID_RE.test(v)) {
      errors.push(
        err("string_pattern_mismatch", l, `String should match pattern '${CONN_ID_PATTERN}'`, v, {
          pattern: CONN_ID_PATTERN,
        }),
      );
      return;
    }
    (out as Record<string, unknown>)[name] = v;
  };

  str("connection_id", "connection_id", true, 200, true);
  str("conn_type", "conn_type", true);
  str("description", "description", false);
  str("host", "host", false);
  str("login", "login", false);
  str("schema", "schema", false, undefined, false, "schema_");
  // port
  known.add("port");
  if (has(input, "port")) {
    out.fieldsSet!.add("port");
    const v = input.port;
    if (v === null) out.port = null;
    else {
      const r = laxInt(v, [...loc, "port"]);
      if (r.ok) out.port = r.value;
      else errors.push(r.error);
    }
  } else out.port = null;
  str("password", "password", false);
  // extra: str, then the field validator
  const nErr = errors.length;
  str("extra", "extra", false);
  if (errors.length === nErr && typeof out.extra === "string") {
    const v = out.extra;
    if (v === "") out.extra = "{}";
    else {
      let msg: string | undefined;
      try {
        const parsed = pyLoads(v);
        if (!(parsed instanceof Map)) msg = EXTRA_NOT_OBJECT;
      } catch (e) {
        msg = e instanceof PyJsonError ? EXTRA_NOT_JSON : EXTRA_NOT_OBJECT;
      }
      if (msg !== undefined)
        errors.push(err("value_error", [...loc, "extra"], `Value error, ${msg}`, v, { error: {} }));
    }
  }
  if (refuseTeam === "absent") out.team_name = null;
  else str("team_name", "team_name", false, 50);
  for (const k of Object.keys(input)) if (!known.has(k)) errors.push(extraForbidden([...loc, k], input[k]));
  if (errors.length) return { errors };
  if (refuseTeam === true && out.team_name != null)
    return { errors: [err("value_error", loc, `Value error, ${TEAM_DISABLED}`, input, { error: {} })] };
  return { value: out as ConnectionBody, errors };
}

export interface ConnectionTestRequestBody {
  connection: ConnectionBody;
  commit_on_success: boolean;
  executor: string | null;
  queue: string | null;
}

const TRUE_WORDS = ["1", "on", "t", "true", "y", "yes"];
const FALSE_WORDS = ["0", "off", "f", "false", "n", "no"];

/** Pydantic lax bool. */
function laxBool(v: unknown, loc: Loc): { ok: true; value: boolean } | { ok: false; error: PydError } {
  if (typeof v === "boolean") return { ok: true, value: v };
  if (v === 0 || v === 1) return { ok: true, value: v === 1 };
  if (typeof v === "string") {
    const w = v.trim().toLowerCase();
    if (TRUE_WORDS.includes(w)) return { ok: true, value: true };
    if (FALSE_WORDS.includes(w)) return { ok: true, value: false };
    return {
      ok: false,
      error: err("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", v),
    };
  }
  if (typeof v === "number")
    return {
      ok: false,
      error: err("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", v),
    };
  return { ok: false, error: err("bool_type", loc, "Input should be a valid boolean", v) };
}

/** ConnectionTestRequestBody (3.3): ConnectionBody + commit_on_success, executor, queue; extra="forbid". */
export function validateConnectionTestRequestBody(
  input: unknown,
  loc: Loc,
  refuseTeam: TeamRule = false,
): { value?: ConnectionTestRequestBody; errors: PydError[] } {
  if (!isObject(input)) return { errors: [modelAttributesType(loc, input)] };
  const OWN = ["commit_on_success", "executor", "queue"];
  const base = validateConnectionBody(input, loc, OWN, refuseTeam);
  const fieldErrors = base.errors.filter((e) => e.type !== "extra_forbidden");
  const extraErrors = base.errors.filter((e) => e.type === "extra_forbidden");
  let commit = false;
  if (has(input, "commit_on_success")) {
    const r = laxBool(input.commit_on_success, [...loc, "commit_on_success"]);
    if (r.ok) commit = r.value;
    else fieldErrors.push(r.error);
  }
  const optStr = (k: string): string | null => {
    if (!has(input, k) || input[k] === null) return null;
    if (typeof input[k] !== "string") {
      fieldErrors.push(stringType([...loc, k], input[k]));
      return null;
    }
    return input[k] as string;
  };
  const executor = optStr("executor");
  const queue = optStr("queue");
  const errors = [...fieldErrors, ...extraErrors];
  if (errors.length || !base.value) return { errors };
  return { value: { connection: base.value, commit_on_success: commit, executor, queue }, errors };
}

/** Raised for request bodies that make Airflow fail with a plain 500 (see api-behaviour.md §4). */
export class InternalServerError extends Error {}

export type Existence = "fail" | "skip" | "overwrite";
export type NonExistence = "fail" | "skip";
export type BulkAction =
  | { action: "create"; entities: ConnectionBody[]; action_on_existence: Existence }
  | {
      action: "update";
      entities: ConnectionBody[];
      update_mask: string[] | null;
      action_on_non_existence: NonExistence;
    }
  | { action: "delete"; entities: (string | ConnectionBody)[]; action_on_non_existence: NonExistence };

function enumField<T extends string>(
  a: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  loc: Loc,
  errors: PydError[],
): T {
  if (!has(a, key)) return allowed[0]!;
  const v = a[key];
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  const expected =
    allowed.length === 2
      ? `${pyRepr(allowed[0]!)} or ${pyRepr(allowed[1]!)}`
      : allowed.slice(0, -1).map(pyRepr).join(", ") + " or " + pyRepr(allowed[allowed.length - 1]!);
  errors.push(err("enum", [...loc, key], `Input should be ${expected}`, v, { expected }));
  return allowed[0]!;
}

/** BulkBody[ConnectionBody]. Throws InternalServerError for an action the discriminator cannot tag. */
export function validateBulkBody(
  input: unknown,
  refuseTeam: TeamRule = false,
): { value?: BulkAction[]; errors: PydError[] } {
  const loc: Loc = ["body"];
  if (!isObject(input)) return { errors: [modelAttributesType(loc, input)] };
  const errors: PydError[] = [];
  const actions: BulkAction[] = [];
  if (!has(input, "actions")) errors.push(missing([...loc, "actions"], input));
  else if (!Array.isArray(input.actions)) errors.push(listType([...loc, "actions"], input.actions));
  else {
    input.actions.forEach((a: unknown, i: number) => {
      // callable discriminator: BulkAction(action["action"]) raises outside pydantic's error handling
      if (!isObject(a) || !has(a, "action") || !["create", "update", "delete"].includes(a.action as string)) {
        throw new InternalServerError("bad bulk action");
      }
      const tag = a.action as "create" | "update" | "delete";
      const l: Loc = [...loc, "actions", i, tag];
      const n = errors.length;
      const allowed = new Set([
        "action",
        "entities",
        tag === "create" ? "action_on_existence" : "action_on_non_existence",
      ]);
      if (tag === "update") allowed.add("update_mask");
      const entities: (string | ConnectionBody)[] = [];
      if (!has(a, "entities")) errors.push(missing([...l, "entities"], a));
      else if (!Array.isArray(a.entities)) errors.push(listType([...l, "entities"], a.entities));
      else {
        a.entities.forEach((e: unknown, j: number) => {
          const el: Loc = [...l, "entities", j];
          if (tag === "delete") {
            if (typeof e === "string") {
              entities.push(e);
              return;
            }
            const r = validateConnectionBody(e, [...el, "ConnectionBody"]);
            if (r.value) entities.push(r.value);
            else errors.push(stringType([...el, "str"], e), ...r.errors);
            return;
          }
          const r = validateConnectionBody(e, el, [], refuseTeam);
          if (r.value) entities.push(r.value);
          else errors.push(...r.errors);
        });
      }
      let updateMask: string[] | null = null;
      if (tag === "update" && has(a, "update_mask") && a.update_mask !== null) {
        if (!Array.isArray(a.update_mask)) errors.push(listType([...l, "update_mask"], a.update_mask));
        else {
          a.update_mask.forEach((m: unknown, k: number) => {
            if (typeof m !== "string") errors.push(stringType([...l, "update_mask", k], m));
          });
          updateMask = a.update_mask.filter((m: unknown): m is string => typeof m === "string");
        }
      }
      let act: BulkAction;
      if (tag === "create") {
        act = {
          action: "create",
          entities: entities as ConnectionBody[],
          action_on_existence: enumField(a, "action_on_existence", ["fail", "skip", "overwrite"] as const, l, errors),
        };
      } else if (tag === "update") {
        act = {
          action: "update",
          entities: entities as ConnectionBody[],
          update_mask: updateMask,
          action_on_non_existence: enumField(a, "action_on_non_existence", ["fail", "skip"] as const, l, errors),
        };
      } else {
        act = {
          action: "delete",
          entities,
          action_on_non_existence: enumField(a, "action_on_non_existence", ["fail", "skip"] as const, l, errors),
        };
      }
      for (const k of Object.keys(a)) if (!allowed.has(k)) errors.push(extraForbidden([...l, k], a[k]));
      if (errors.length === n) actions.push(act);
    });
  }
  for (const k of Object.keys(input)) if (k !== "actions") errors.push(extraForbidden([...loc, k], input[k]));
  if (errors.length) return { errors };
  return { value: actions, errors };
}
