// The routing table: Airflow's API app (core_api/app.py init_views, the connections router) and the simple auth
// manager's routes, then the web UI's catch-alls. dispatch() picks the endpoint, reads the body it declares, checks
// the token, and turns what a handler throws into the answer Airflow gives.
import { bulk } from "../handlers/bulk.js";
import { create, deleteOne, getOne, list, patchOne } from "../handlers/connections.js";
import { defaults } from "../handlers/defaults.js";
import { hookMeta } from "../handlers/hook-meta.js";
import { uniqueViolation, type App, type Input } from "../handlers/shared.js";
import { enqueueTest, pollTest, test } from "../handlers/tests.js";
import { version } from "../handlers/version.js";
import { UniqueViolation } from "../model/connections.js";
import { InternalServerError } from "../model/validate.js";
import type { Exchange } from "../transport/http.js";
import { detail, html, json, LOGIN_HTML, plain500, UI_HTML, type Reply } from "../transport/reply.js";
import { authenticate, login } from "./auth.js";
import { parseBody } from "./body.js";

type Params = Record<string, string>;

interface Endpoint {
  /** a bearer token (or the UI's cookie) is required */
  auth: boolean;
  /** the endpoint declares a JSON body: it is read (and a body that cannot be read refused) before the token check */
  body: boolean;
  run(app: App, ex: Exchange, input: Input, params: Params): Reply;
}

interface Route {
  /** "/a/{name}/b": {name} is one path segment; a trailing "*" matches any rest (also none) */
  path: string;
  /** only on Airflow 3.3 and newer */
  since33?: boolean;
  /** the route is not there (a switch): its path answers a route-level 404 {"detail": "Not Found"} */
  absent?: (app: App) => boolean;
  /** in the order a 405's `allow` header lists them */
  methods: Record<string, Endpoint>;
}

const open = (run: (app: App, ex: Exchange) => Reply): Endpoint => ({ auth: false, body: false, run });
const authed = (run: (app: App, ex: Exchange, params: Params) => Reply): Endpoint => ({
  auth: true,
  body: false,
  run: (app, ex, _input, params) => run(app, ex, params),
});
const withBody = (run: (app: App, ex: Exchange, input: Input, params: Params) => Reply): Endpoint => ({
  auth: true,
  body: true,
  run,
});

/**
 * Every path a route matches takes part: a method is served by the first route that has it, fixed paths before
 * paths with a {parameter}; a 405 lists the methods of all of them in table order.
 */
const ROUTES: Route[] = [
  { path: "/api/v2/version", methods: { GET: open(version) } },
  {
    path: "/api/v2/connections",
    methods: {
      GET: authed(list),
      POST: withBody((app, _ex, input) => create(app, input)),
      PATCH: withBody((app, _ex, input) => bulk(app, input)),
    },
  },
  {
    path: "/api/v2/connections/{connection_id}",
    methods: {
      GET: authed((app, _ex, p) => getOne(app, p.connection_id!)),
      PATCH: withBody((app, ex, input, p) => patchOne(app, p.connection_id!, input, ex)),
      DELETE: authed((app, _ex, p) => deleteOne(app, p.connection_id!)),
    },
  },
  { path: "/api/v2/connections/test", methods: { POST: withBody((app, _ex, input) => test(app, input)) } },
  { path: "/api/v2/connections/defaults", methods: { POST: authed((app) => defaults(app)) } },
  // 3.3: declared before /{connection_id}, so GET reads a test, not a connection; PATCH/DELETE still reach the id
  {
    path: "/api/v2/connections/enqueue-test",
    since33: true,
    methods: {
      GET: authed((app, ex) => pollTest(app, ex)),
      POST: withBody((app, _ex, input) => enqueueTest(app, input)),
    },
  },
  {
    path: "/auth/token",
    methods: { GET: open(() => detail(403, "Forbidden")), POST: open((app, ex) => login(app, ex, false)) },
  },
  { path: "/auth/token/cli", methods: { POST: open((app, ex) => login(app, ex, true)) } },
  // the UI's private API (core_api/routes/ui): not in the OpenAPI spec; every version since 3.0 has it
  {
    path: "/ui/connections/hook_meta",
    absent: (app) => app.settings.hookMeta === "missing",
    methods: { GET: authed((app) => hookMeta(app)) },
  },
];

/** When no route matches: the first of these that does. */
const FALLBACKS: Route[] = [
  { path: "/api/v2/*", methods: { GET: open(() => json(404, { error: "API route not found" })) } },
  {
    path: "/api/v1/*",
    methods: {
      GET: open(() =>
        json(404, { error: "/api/v1 has been removed in Airflow 3, please use its upgraded version /api/v2 instead." }),
      ),
    },
  },
  { path: "/login", methods: { GET: open(() => html(LOGIN_HTML)) } },
  { path: "/login/*", methods: { GET: open(() => html(LOGIN_HTML)) } },
  { path: "/auth/*", methods: { GET: open(() => html(LOGIN_HTML)) } },
  { path: "*", methods: { GET: open(() => html(UI_HTML)) } },
];

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function compile(route: Route): Compiled {
  const names: string[] = [];
  const wild = route.path.endsWith("*");
  const fixed = wild ? route.path.slice(0, -1) : route.path;
  const source = fixed
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const m = /^\{([a-z_]+)\}$/.exec(part);
      if (!m) return escapeRe(part);
      names.push(m[1]!);
      return "([^/]+)";
    })
    .join("");
  return { route, re: new RegExp(`^${source}${wild ? "[\\s\\S]*" : ""}$`), names };
}

const COMPILED = ROUTES.map(compile);
const COMPILED_FALLBACKS = FALLBACKS.map(compile);

function matchOf(c: Compiled, path: string): Params | null {
  const m = c.re.exec(path);
  if (!m) return null;
  return Object.fromEntries(c.names.map((n, i) => [n, m[i + 1]!]));
}

export function dispatch(app: App, ex: Exchange): Reply {
  try {
    return route(app, ex);
  } catch (e) {
    if (e instanceof UniqueViolation) return uniqueViolation();
    if (process.env.FAKE_AIRFLOW_DEBUG && !(e instanceof InternalServerError)) console.error(e);
    return plain500();
  }
}

function route(app: App, ex: Exchange): Reply {
  let found: { c: Compiled; params: Params }[] = [];
  let absent = false;
  for (const c of COMPILED) {
    if (c.route.since33 && !app.v33) continue;
    const params = matchOf(c, ex.path);
    if (params && c.route.absent?.(app)) absent = true;
    else if (params) found.push({ c, params });
  }
  // a server without the route (an older or locked-down one): Starlette's 404 for a path no route matches
  if (found.length === 0 && absent) return detail(404, "Not Found");
  if (found.length === 0) {
    for (const c of COMPILED_FALLBACKS) {
      const params = matchOf(c, ex.path);
      if (params) {
        found = [{ c, params }];
        break;
      }
    }
  }
  const serving = found
    .filter((f) => Object.hasOwn(f.c.route.methods, ex.method))
    .sort((a, b) => a.c.names.length - b.c.names.length)[0];
  if (!serving) {
    const allow = [...new Set(found.flatMap((f) => Object.keys(f.c.route.methods)))];
    return detail(405, "Method Not Allowed", { allow: allow.join(", ") });
  }
  return call(app, ex, serving.c.route.methods[ex.method]!, serving.params);
}

/** Body (422/400) -> token (401/403) -> the handler, which validates the body's content (422). */
function call(app: App, ex: Exchange, endpoint: Endpoint, params: Params): Reply {
  let input: Input;
  if (endpoint.body) {
    const parsed = parseBody(ex.body, ex.headers["content-type"]);
    if (parsed.kind === "invalid") return parsed.reply;
    input = parsed.kind === "none" ? undefined : parsed.value;
  }
  if (endpoint.auth) {
    const denied = authenticate(app, ex);
    if (denied) return denied;
  }
  return endpoint.run(app, ex, input, params);
}
