// Airflow connection URIs, byte for byte as Airflow reads and writes them (see src/uri/README.md and
// docs/airflow/peers-and-formats.md §5). Written from the documented behaviour, not from Airflow's code.
//
// Parsing follows airflow.models.Connection(uri=...) — the code the 3.2 API server and the `airflow connections`
// CLI run — plus the CLI's check that the URI has a connection type. Building follows Connection.get_uri() after
// PR #51953 (a host whose protocol equals the conn_type is kept whole and percent-encoded).

import { UsageError } from "../errors.js";
import { PORT_RANGE } from "../connection/model.js";
import { extraProblem, portProblem } from "../connection/validate.js";
import { PyJsonError, pyDumps, pyLoads, type PyObject, type PyValue } from "../util/pyjson.js";
import {
  PyUnicodeEncodeError,
  PyValueError,
  hasLoneSurrogate,
  parseQsl,
  quote,
  toDict,
  unquote,
  urlencode,
  urlsplit,
  type SplitResult,
} from "./pyurl.js";

export interface UriFields {
  conn_type: string | null;
  host: string | null;
  login: string | null;
  password: string | null;
  port: number | null;
  schema: string | null;
  /** JSON object text as Airflow stores it (Python json.dumps spacing), or null. */
  extra: string | null;
}

/**
 * How plain query parameters (`?key=value`, no `__extra__`) become `extra` values.
 * - "json": Airflow 3.2 `airflow.models.Connection` after PR #59339 — each value is JSON-decoded when it is valid
 *   JSON (`123` → 123, `true` → true, `{"a":1}` → object), otherwise kept as a string.
 * - "string": Airflow 3.0/3.1 and the Task SDK `Connection.from_uri` — every value stays a string.
 */
export type QueryTyping = "json" | "string";

/**
 * Default: "json". airconn talks to the Airflow 3.2 API server; a URI given to airconn should produce the same
 * stored connection as the same URI given to Airflow 3.2 itself (`airflow connections add --conn-uri`, which goes
 * through airflow.models.Connection and, since PR #59339 merged 2025-12 and released in 3.2, decodes typed query
 * values). The vectors' `expected` fields are the 3.2 results; their `version_note`s give the 3.0/3.1 ones.
 */
export const DEFAULT_QUERY_TYPING: QueryTyping = "json";

const EXTRA_KEY = "__extra__";

/** A value shown inside a one-line error message: control characters are escaped. */
/** A URI for an error message: the password in any user-info part is shown as ***. */
export function maskUriPassword(uri: string): string {
  return uri.replace(/(:\/\/[^/?#@:]*:)[^@/?#]*@/g, "$1***@");
}

function oneLine(s: string): string {
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"));
}

/** Connection type as Airflow normalises a URI scheme: lower-case, postgresql → postgres, every "-" → "_". */
export function normaliseConnType(scheme: string): string {
  const s = scheme.toLowerCase();
  if (s === "postgresql") return "postgres";
  return s.replaceAll("-", "_");
}

/**
 * The hint of every error about a URI's structure. The messages never quote a piece of the URI: when a password holds
 * an unencoded "/", "@", ":", "?" or "#", what the parser takes for the port (or the host) is part of the password.
 */
const ENCODE_HINT =
  "if the login or password contains / : @ ? # [ ] or %, it must be percent-encoded (/ as %2F, : as %3A, @ as %40, " +
  "? as %3F, # as %23, % as %25): an unencoded / in the password ends the host part early, and the rest is read as the port";

function pyValueErrorToUsage(e: PyValueError): UsageError {
  switch (e.kind) {
    case "port":
      return new UsageError("Invalid connection URI: the port is not a number (digits only).", ENCODE_HINT);
    case "port-range":
      return new UsageError(`Invalid connection URI: the port is out of range ${PORT_RANGE}.`, ENCODE_HINT);
    case "ipv6":
      return new UsageError(
        "Invalid connection URI: '[' or ']' in the login, password or host that is not a bracketed IPv6 address.",
        "Percent-encode '[' as %5B and ']' as %5D.",
      );
    case "nfkc":
      return new UsageError(
        "Invalid connection URI: the host part contains characters that turn into '/', '?', '#', '@' or ':' " +
          "under Unicode NFKC normalisation.",
      );
    default:
      return new UsageError("Invalid connection URI.", ENCODE_HINT); // no kind: nothing of its text is shown
  }
}

/** Runs a piece of parsing/building and turns Python-level errors into UsageError. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof PyValueError) throw pyValueErrorToUsage(e);
    if (e instanceof PyUnicodeEncodeError) {
      throw new UsageError(
        "Invalid connection field: text contains an unpaired UTF-16 surrogate, which cannot be UTF-8 encoded.",
      );
    }
    throw e;
  }
}

/** json.loads that reports failure as undefined (also for nesting too deep for the stack). */
function tryLoads(text: string): PyValue | undefined {
  try {
    return pyLoads(text);
  } catch (e) {
    if (e instanceof PyJsonError || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** Parses extra text that must be a JSON object (Airflow's _validate_extra). `where`: what holds it, for the message. */
function loadExtraObject(text: string, where: string): PyObject {
  const problem = extraProblem(text, { context: "uri", path: where });
  if (problem) throw new UsageError(problem.message);
  return pyLoads(text) as PyObject;
}

/** Airflow's _parse_netloc_to_hostname: .hostname (lower-cased) unless the decoded host contains "/". */
function hostFromParts(parts: SplitResult): string {
  let host = unquote(parts.hostname ?? "");
  if (host.includes("/")) {
    let raw = parts.netloc;
    const at = raw.lastIndexOf("@");
    if (at >= 0) raw = raw.slice(at + 1);
    const colon = raw.indexOf(":");
    if (colon >= 0) raw = raw.slice(0, colon);
    host = unquote(raw);
  }
  return host;
}

/**
 * Parses an Airflow connection URI the way `airflow.models.Connection(uri=...)` does.
 *
 * Results: host and schema are "" (not null) when absent; login is "" for an empty user-info (`type://@host`,
 * `type://:pw@host`) and null when there is no "@"; an empty password is null (models.Connection ignores it; the
 * Task SDK would keep ""); extra is null without a query, the verbatim `__extra__` value when present, otherwise
 * Python's json.dumps of the query dict (values typed per `opts.queryValues`, default DEFAULT_QUERY_TYPING).
 *
 * Throws UsageError (only) for: no connection type (except the scheme-less `//...` form get_uri() emits for a
 * connection without a type), more than two "://", a protocol-in-host part containing "@" or ":", a non-numeric or
 * out-of-range port, bad brackets, an `__extra__` that is not a JSON object.
 */
export function parseConnectionUri(uri: string, opts?: { queryValues?: QueryTyping }): UriFields {
  if (typeof uri !== "string") throw new UsageError("Invalid connection URI: not a string.");
  const typing = opts?.queryValues ?? DEFAULT_QUERY_TYPING;
  if (typing !== "json" && typing !== "string") {
    throw new UsageError(`Invalid query value typing ${JSON.stringify(String(typing))}: expected "json" or "string".`);
  }
  return guarded(() => parseInner(uri, typing));
}

function parseInner(uri: string, typing: QueryTyping): UriFields {
  const first = urlsplit(uri);
  const connType = first.scheme;

  // The CLI's _valid_uri check (urlsplit(uri).scheme must be set): `invalid_uri`, `://login:pw@host` are rejected.
  // Deliberate exception: a URI that starts with "//" — what get_uri() writes for a connection without conn_type
  // (`//`, `//abc`) — is read like Connection(uri="//abc") reads it, with conn_type "" (vectors "//" and "//abc").
  const cleaned = uri.replace(/^[\x00-\x20]+/, "").replace(/[\t\r\n]/g, "");
  if (connType === "" && !cleaned.startsWith("//")) {
    throw new UsageError(
      "The URI provided is invalid: it has no connection type (expected <conn-type>://...).",
      ENCODE_HINT,
    );
  }

  // Airflow repeats the whole URI here; airconn does not: a password with an unencoded "/" defeats any masking.
  const schemes = uri.split("://").length - 1;
  if (schemes > 2) {
    throw new UsageError(
      `Invalid connection string: "://" appears ${schemes} times (at most twice: <conn-type>://<protocol>://<host>...).`,
      ENCODE_HINT,
    );
  }
  const hostWithProtocol = schemes === 2;

  // Python str.replace: every occurrence goes, not just the first.
  const rest = uri.replaceAll(`${connType}://`, hostWithProtocol ? "" : "//");
  if (hostWithProtocol) {
    const sep = rest.indexOf("://");
    const head = sep < 0 ? rest : rest.slice(0, sep);
    if (head.includes("@") || head.includes(":")) {
      throw new UsageError(
        'Invalid connection string: the part before the second "://" (the protocol of the host) contains "@" or ":".',
        ENCODE_HINT,
      );
    }
  }

  const parts = urlsplit(rest);
  const protocol = hostWithProtocol ? parts.scheme : null;
  const bareHost = hostFromParts(parts);
  const host = bareHost && protocol ? `${protocol}://${bareHost}` : bareHost;
  // path[1:] drops one code point (the path need not start with "/", e.g. `type:x` or after the protocol replace).
  const quotedSchema = parts.path.slice((parts.path.codePointAt(0) ?? 0) > 0xffff ? 2 : 1);
  const schema = quotedSchema ? unquote(quotedSchema) : quotedSchema;
  const username = parts.username;
  const login = username ? unquote(username) : username;
  const rawPassword = parts.password;
  // models.Connection.set_password ignores a falsy value, so `user:@host` gives None.
  const password = rawPassword ? unquote(rawPassword) : null;
  const port = parts.port;

  let extra: string | null = null;
  if (parts.query) {
    const query = toDict(parseQsl(parts.query, true));
    const explicit = query.get(EXTRA_KEY);
    if (explicit !== undefined) {
      // Stored verbatim. An empty value stores no extra; anything else must be a JSON object (_validate_extra).
      if (explicit !== "") loadExtraObject(explicit, EXTRA_KEY);
      extra = explicit === "" ? null : explicit;
    } else {
      const obj: PyObject = new Map();
      for (const [k, v] of query) {
        const decoded = typing === "json" ? tryLoads(v) : undefined;
        obj.set(k, decoded === undefined ? v : decoded);
      }
      extra = pyDumps(obj);
    }
  }

  return { conn_type: normaliseConnType(connType), host, login, password, port, schema, extra };
}

function field(fields: Partial<UriFields>, name: Exclude<keyof UriFields, "port">): string | null {
  const v = fields[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string")
    throw new UsageError(`Invalid connection field ${name}: expected a string, got ${typeof v}.`);
  return v;
}

/**
 * Airflow's Connection.get_uri(), byte for byte (after PR #51953). Missing fields count as null. Throws UsageError
 * for a field of the wrong type, a port outside the port range, an extra that is not a JSON object, or text
 * with an unpaired surrogate (Python cannot encode it).
 */
export function buildConnectionUri(fields: Partial<UriFields>): string {
  if (fields === null || typeof fields !== "object")
    throw new UsageError("Invalid connection: expected an object of fields.");
  const connType = field(fields, "conn_type");
  const host = field(fields, "host");
  const login = field(fields, "login");
  const password = field(fields, "password");
  const schema = field(fields, "schema");
  const extra = field(fields, "extra");
  const port = fields.port ?? null;
  if (port !== null) {
    const problem = portProblem(port, { context: "uri", path: "the port" }, oneLine(String(port)));
    if (problem) throw new UsageError(problem.message);
  }
  return guarded(() => {
    let uri = connType ? `${connType.toLowerCase().replaceAll("_", "-")}://` : "//";

    let hostToUse = host;
    let protocolToAdd: string | null = null;
    if (host?.includes("://")) {
      const sep = host.indexOf("://");
      const protocol = host.slice(0, sep);
      // Since PR #51953: a protocol equal to the conn_type stays in the (encoded) host, so it survives a round trip.
      if (protocol !== connType) {
        hostToUse = host.slice(sep + 3);
        protocolToAdd = protocol;
      }
    }
    if (protocolToAdd) uri += `${protocolToAdd}://`;

    let authority = "";
    if (login !== null) authority += quote(login, "");
    if (password !== null) authority += ":" + quote(password, "");
    if (authority) {
      authority += "@";
      uri += authority;
    }

    let hostBlock = "";
    if (hostToUse) hostBlock += quote(hostToUse, "");
    if (port) hostBlock += (hostBlock === "" && authority === "" ? "@:" : ":") + String(port);
    if (schema) hostBlock += "/" + quote(schema, "");
    uri += hostBlock;

    if (extra) {
      const dejson = loadExtraObject(extra, "extra");
      // urlencode(extra_dejson) raises UnicodeEncodeError on a lone surrogate in a key or string value.
      for (const [k, v] of dejson) {
        if (hasLoneSurrogate(k) || (typeof v === "string" && hasLoneSurrogate(v)))
          throw new PyUnicodeEncodeError("surrogate");
      }
      // Plain parameters only when parse_qsl(urlencode(d)) gives back d: every value a string, d not empty.
      let query: string | null = null;
      if (dejson.size > 0 && [...dejson.values()].every((v) => typeof v === "string")) {
        const candidate = urlencode(dejson as Map<string, string>);
        const back = toDict(parseQsl(candidate, true));
        if (back.size === dejson.size && [...dejson].every(([k, v]) => back.get(k) === v)) query = candidate;
      }
      uri += (schema ? "?" : "/?") + (query ?? urlencode([[EXTRA_KEY, extra]]));
    }
    return uri;
  });
}
