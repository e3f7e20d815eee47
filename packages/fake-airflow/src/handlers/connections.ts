// GET/POST /connections and GET/PATCH/DELETE /connections/{connection_id} (api-behaviour.md §1-§3).
import { checkColumnLimits, fromBody, updateFields } from "../model/connections.js";
import { idFilter, patternMatcher, prefixTerms } from "../model/patterns.js";
import { SORTABLE } from "../model/store.js";
import { err, laxInt, pyListRepr, type PydError } from "../model/validate.js";
import type { Exchange } from "../transport/http.js";
import { detail, json, noContent, type Reply } from "../transport/reply.js";
import { connectionBody, e422, notFound, response, uniqueViolation, type App, type Input } from "./shared.js";

export function list(app: App, ex: Exchange): Reply {
  const errors: PydError[] = [];
  const intParam = (name: string, def: number): number => {
    const all = ex.query.getAll(name);
    if (all.length === 0) return def;
    const raw = all[all.length - 1]!;
    const r = laxInt(raw, ["query", name]);
    if (!r.ok) {
      errors.push(r.error);
      return def;
    }
    if (r.value < 0) {
      errors.push(
        err("greater_than_equal", ["query", name], "Input should be greater than or equal to 0", raw, { ge: 0 }),
      );
      return def;
    }
    return r.value;
  };
  let limit = intParam("limit", 50);
  const offset = intParam("offset", 0);
  if (errors.length) return e422(errors);
  limit = Math.min(limit, app.maxPageLimit);
  const orderValues = ex.query.getAll("order_by");
  const values = orderValues.length ? orderValues : ["id"];
  if (values.length > 10) {
    return detail(400, `Ordering with more than 10 parameters is not allowed. Provided: ${pyListRepr(values)}`);
  }
  const orderBy: { key: (typeof SORTABLE)[number]; desc: boolean }[] = [];
  for (const v of values) {
    let name = v.replace(/^-+/, "");
    if (name === "connection_id") name = "conn_id";
    if (!(SORTABLE as readonly string[]).includes(name) || (app.before32 && name === "team_name")) {
      return detail(400, `Ordering with '${name}' is disallowed or the attribute does not exist on the model`);
    }
    orderBy.push({ key: name as (typeof SORTABLE)[number], desc: v.startsWith("-") });
  }
  const patterns = ex.query.getAll("connection_id_pattern");
  const contains = patternMatcher(patterns.length ? patterns[patterns.length - 1]! : null, app.v33, app.before32);
  // 3.2.1 does not know connection_id_prefix_pattern: it is ignored there (api-behaviour.md §9)
  const prefixes = app.v33 ? ex.query.getAll("connection_id_prefix_pattern") : [];
  const terms = prefixTerms(prefixes.length ? prefixes[prefixes.length - 1]! : null);
  const { rows, total } = app.store.list(orderBy, idFilter(contains, terms), offset, limit);
  return json(200, { connections: rows.map((c) => response(app, c)), total_entries: total });
}

export function getOne(app: App, id: string): Reply {
  const c = app.store.get(id);
  return c ? json(200, response(app, c)) : notFound(id);
}

export function create(app: App, input: Input): Reply {
  const v = connectionBody(app, input);
  if (!v.value) return e422(v.errors);
  if (app.store.has(v.value.connection_id)) return uniqueViolation();
  const conn = fromBody(v.value);
  checkColumnLimits(conn);
  return json(201, response(app, app.store.insert(conn)));
}

export function patchOne(app: App, id: string, input: Input, ex: Exchange): Reply {
  const v = connectionBody(app, input);
  if (!v.value) return e422(v.errors);
  if (v.value.connection_id !== id)
    return detail(400, "The connection_id in the request body does not match the URL parameter");
  const old = app.store.get(id);
  if (!old) return notFound(id);
  const mask = ex.query.getAll("update_mask");
  const fields = updateFields(old, v.value, mask.length ? mask : null, app.masker);
  checkColumnLimits({ ...old, ...fields });
  return json(200, response(app, app.store.update(id, fields)));
}

export function deleteOne(app: App, id: string): Reply {
  if (!app.store.delete(id)) return notFound(id);
  return noContent();
}
