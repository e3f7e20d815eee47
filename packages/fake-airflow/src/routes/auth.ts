// The simple auth manager: who may call /api/v2 (a bearer token or the UI's _token cookie, a JWT this server
// signed), and the token endpoints POST /auth/token and /auth/token/cli (api-behaviour.md §7).
import { e422, type App } from "../handlers/shared.js";
import { err, isObject, missing, pyRepr, type PydError } from "../model/validate.js";
import type { Exchange } from "../transport/http.js";
import { detail, json, plain500, type Reply } from "../transport/reply.js";
import { parseBody, pyJsonParse } from "./body.js";

/** null when the request carries a valid token; else the 401 / 403 Airflow answers. */
export function authenticate(app: App, ex: Exchange): Reply | null {
  const h = ex.headers.authorization;
  let token = "";
  if (typeof h === "string" && h.length > 0) {
    const sp = h.indexOf(" ");
    const scheme = sp < 0 ? h : h.slice(0, sp);
    if (scheme.toLowerCase() !== "bearer") return detail(401, "Not authenticated", { "www-authenticate": "Bearer" });
    token = sp < 0 ? "" : h.slice(sp + 1).trim();
  } else {
    const cookie = /(?:^|;\s*)_token=([^;]*)/.exec(String(ex.headers.cookie ?? ""));
    if (cookie) token = decodeURIComponent(cookie[1]!);
  }
  if (!token) return detail(401, "Not authenticated", { "www-authenticate": "Bearer" });
  const v = app.jwt.verify(token);
  if (v.result === "expired") return detail(401, "Token Expired");
  if (v.result === "invalid") return detail(403, "Invalid JWT token");
  return null;
}

/** POST /auth/token (parse_login_body) and /auth/token/cli (a plain FastAPI JSON body). */
export function login(app: App, ex: Exchange, cli: boolean): Reply {
  let creds: { username: string; password: string };
  const ct = String(ex.headers["content-type"] ?? "");
  if (cli) {
    const b = parseBody(ex.body, ex.headers["content-type"]);
    if (b.kind === "invalid") return b.reply;
    if (b.kind === "none") return e422([missing(["body"], null)]);
    const v = validateLoginBody(b.value, ["body"]);
    if (!v.value) return e422(v.errors);
    creds = v.value;
  } else {
    let body: unknown;
    if (ct.startsWith("application/json")) {
      const r = pyJsonParse(ex.body.toString("utf8"));
      if (!r.ok) return plain500();
      body = r.value;
    } else if (ct.startsWith("application/x-www-form-urlencoded")) {
      body = Object.fromEntries(new URLSearchParams(ex.body.toString("utf8")));
    } else return detail(415, "Unsupported Media Type");
    if (!isObject(body)) return plain500(); // LoginBody(**body) -> TypeError
    const v = validateLoginBody(body, ["body"]);
    if (!v.value) return detail(422, pydanticRepr("LoginBody", v.errors));
    creds = v.value;
  }
  if (!creds.username || !creds.password) return detail(400, "Username and password must be provided");
  if (!Object.hasOwn(app.users, creds.username) || app.users[creds.username] !== creds.password) {
    return detail(401, "Invalid credentials");
  }
  const ttl = cli ? 3600 : app.tokenTtlSeconds;
  return json(201, { access_token: app.jwt.sign(creds.username, ttl) });
}

/** Python repr() of a JSON-ish value (for /auth/token's string 422 detail). */
function pyValueRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return pyRepr(v);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  if (Array.isArray(v)) return "[" + v.map(pyValueRepr).join(", ") + "]";
  return (
    "{" +
    Object.entries(v as object)
      .map(([k, x]) => `${pyRepr(k)}: ${pyValueRepr(x)}`)
      .join(", ") +
    "}"
  );
}
const pyTypeName = (v: unknown) =>
  v === null
    ? "NoneType"
    : Array.isArray(v)
      ? "list"
      : typeof v === "string"
        ? "str"
        : typeof v === "boolean"
          ? "bool"
          : typeof v === "number"
            ? Number.isInteger(v)
              ? "int"
              : "float"
            : "dict";

function validateLoginBody(
  input: unknown,
  loc: (string | number)[],
): { value?: { username: string; password: string }; errors: PydError[] } {
  if (!isObject(input))
    return {
      errors: [
        err("model_attributes_type", loc, "Input should be a valid dictionary or object to extract fields from", input),
      ],
    };
  const errors: PydError[] = [];
  for (const k of ["username", "password"]) {
    if (!(k in input)) errors.push(missing([...loc, k], input));
    else if (typeof input[k] !== "string")
      errors.push(err("string_type", [...loc, k], "Input should be a valid string", input[k]));
  }
  for (const k of Object.keys(input)) {
    if (k !== "username" && k !== "password")
      errors.push(err("extra_forbidden", [...loc, k], "Extra inputs are not permitted", input[k]));
  }
  if (errors.length) return { errors };
  return { value: { username: input.username as string, password: input.password as string }, errors };
}

function pydanticRepr(model: string, errors: PydError[]): string {
  const lines = [`${errors.length} validation error${errors.length === 1 ? "" : "s"} for ${model}`];
  for (const e of errors) {
    lines.push(e.loc.slice(1).join("."));
    lines.push(`  ${e.msg} [type=${e.type}, input_value=${pyValueRepr(e.input)}, input_type=${pyTypeName(e.input)}]`);
    lines.push(`    For further information visit https://errors.pydantic.dev/2.12/v/${e.type}`);
  }
  return lines.join("\n");
}
