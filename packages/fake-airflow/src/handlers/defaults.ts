// POST /connections/defaults: create_default_connections, which adds only the ids not stored yet (api-behaviour.md §6).
import { defaultConnections } from "../model/defaults.js";
import { noContent, type Reply } from "../transport/reply.js";
import type { App } from "./shared.js";

export function defaults(app: App): Reply {
  for (const c of defaultConnections()) if (!app.store.has(c.connection_id)) app.store.insert(c);
  return noContent();
}
