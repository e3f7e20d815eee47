// GET /api/v2/version (no authentication).
import { json, type Reply } from "../transport/reply.js";
import type { App } from "./shared.js";

export const version = (app: App): Reply =>
  json(200, { version: app.airflowVersion, git_version: `.release:${app.airflowVersion}` });
