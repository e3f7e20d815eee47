// PATCH /connections: the bulk endpoint (api-behaviour.md §4).
import { runBulk } from "../model/connections.js";
import { missing, validateBulkBody } from "../model/validate.js";
import { json, type Reply } from "../transport/reply.js";
import { e422, type App, type Input } from "./shared.js";

export function bulk(app: App, input: Input): Reply {
  if (input === undefined) return e422([missing(["body"], null), missing(["body"], null)]);
  // may throw InternalServerError -> 500; an entity with a team while multi_team is off refuses the whole request
  const v = validateBulkBody(input, app.refuseTeam);
  if (!v.value) return e422([...v.errors, ...v.errors]); // declared twice: permission dependency + endpoint
  return json(200, runBulk(app.store, v.value, app.masker));
}
