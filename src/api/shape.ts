// A light check of the answers airconn reads: the fields it uses have the types Airflow sends. A 200 with another
// shape ({"foo": 1} from something that is not Airflow) is an error naming the URL, never an empty record or a
// TypeError later. Deliberately not a schema validator (no ajv at run time): a few typeof checks per object.
import { BASE_URL_HINT, NotAirflowApiError, originOf, quoteAnswer, type HttpResponse } from "./http.js";

/** Says what is wrong with a body, or undefined when it has the shape airconn needs. */
export type ShapeCheck = (body: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const kind = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "a list" : v === undefined ? "missing" : `a ${typeof v}`;

const CONNECTION_TEXT_FIELDS = ["description", "host", "login", "schema", "password", "extra", "team_name"] as const;

/** A ConnectionResponse: a connection_id text; the other fields, where present, text (port a number) or null. */
export const connectionProblem = (c: unknown, at = ""): string | undefined => {
  if (!isObject(c)) return `${at || "the answer"} is ${kind(c)}, not a connection`;
  if (typeof c.connection_id !== "string") return `${at}connection_id is ${kind(c.connection_id)}`;
  for (const f of ["conn_type", ...CONNECTION_TEXT_FIELDS])
    if (c[f] != null && typeof c[f] !== "string") return `${at}${f} is ${kind(c[f])}`;
  if (c.port != null && typeof c.port !== "number") return `${at}port is ${kind(c.port)}`;
  return undefined;
};

export const collectionProblem: ShapeCheck = (b) => {
  if (!isObject(b)) return `the answer is ${kind(b)}, not a connection list`;
  if (!Array.isArray(b.connections)) return `connections is ${kind(b.connections)}, not a list`;
  if (typeof b.total_entries !== "number") return `total_entries is ${kind(b.total_entries)}`;
  for (let i = 0; i < b.connections.length; i++) {
    const p = connectionProblem(b.connections[i], `connections[${i}].`);
    if (p) return p;
  }
  return undefined;
};

export const testResultProblem: ShapeCheck = (b) => {
  if (!isObject(b)) return `the answer is ${kind(b)}, not a test result`;
  if (typeof b.status !== "boolean") return `status is ${kind(b.status)}`;
  if (b.message != null && typeof b.message !== "string") return `message is ${kind(b.message)}`;
  return undefined;
};

export const bulkProblem: ShapeCheck = (b) => {
  if (!isObject(b)) return `the answer is ${kind(b)}, not a bulk result`;
  for (const action of ["create", "update", "delete"] as const) {
    const a = b[action];
    if (a == null) continue;
    if (!isObject(a)) return `${action} is ${kind(a)}`;
    if (a.success != null && !Array.isArray(a.success)) return `${action}.success is ${kind(a.success)}`;
    if (a.errors != null && !Array.isArray(a.errors)) return `${action}.errors is ${kind(a.errors)}`;
  }
  return undefined;
};

export const versionProblem: ShapeCheck = (b) => {
  if (!isObject(b)) return `the answer is ${kind(b)}, not a version`;
  if (typeof b.version !== "string") return `version is ${kind(b.version)}`;
  return undefined;
};

/** 3.3 enqueue-test (202) and its poll: a state, and on enqueue the token to poll with. */
export const queuedTestProblem =
  (needToken: boolean): ShapeCheck =>
  (b) => {
    if (!isObject(b)) return `the answer is ${kind(b)}, not a connection test`;
    if (needToken && typeof b.token !== "string") return `token is ${kind(b.token)}`;
    if (typeof b.state !== "string") return `state is ${kind(b.state)}`;
    return undefined;
  };

export const tokenProblem: ShapeCheck = (b) => {
  if (!isObject(b)) return `the answer is ${kind(b)}, not a token`;
  if (typeof b.access_token !== "string" || b.access_token === "") return `access_token is ${kind(b.access_token)}`;
  return undefined;
};

/** Airflow answers 204 with nothing (DELETE, POST /connections/defaults). */
export const emptyProblem: ShapeCheck = (b) =>
  b === undefined ? undefined : `Airflow answers this with no content, not ${kind(b)}`;

/** The body of `r` when `check` passes; else a NotAirflowApiError naming the request and what is wrong. */
export function shaped<T>(r: HttpResponse<unknown>, check: ShapeCheck): T {
  const problem = check(r.body);
  if (problem === undefined) return r.body as T;
  const u = new URL(r.url);
  const shown = r.body === undefined ? "an empty answer" : quoteAnswer(JSON.stringify(r.body));
  throw new NotAirflowApiError(
    `${r.method} ${originOf(u) + u.pathname} answered ${r.status} with ${shown}, which is not what Airflow sends (${problem})`,
    "shape",
    r.method,
    r.url,
    r.status,
    `something other than the Airflow API answers at this URL: ${BASE_URL_HINT}`,
  );
}
