// GET /ui/connections/hook_meta: the connection form's metadata of every installed connection type. A private UI
// route (not in the OpenAPI spec) with the API's token check and requires_access_connection(method="GET").
import { hookMetaResponse } from "../model/hook-meta.js";
import { detail, json, type Reply } from "../transport/reply.js";
import type { App } from "./shared.js";

/** After the token check: 403 without connection read permission (mode "forbidden"), else the catalog. */
export function hookMeta(app: App): Reply {
  const mode = app.settings.hookMeta;
  if (mode === "forbidden") return detail(403, "Forbidden");
  return json(200, hookMetaResponse(app.masker, mode === "old-shape" ? "old-shape" : "ok"));
}
