// What every handler works with: the server's state and settings (App), and the answers several of them give.
import { randomBytes } from "node:crypto";
import { toResponse, type ConnectionResponse } from "../model/connections.js";
import type { HookMetaMode } from "../model/hook-meta.js";
import type { JwtSigner } from "../model/jwt.js";
import type { Masker } from "../model/redact.js";
import type { Store, StoredConnection } from "../model/store.js";
import {
  missing,
  validateConnectionBody,
  type ConnectionBody,
  type PydError,
  type TeamRule,
} from "../model/validate.js";
import type { AirflowVersion } from "../model/versions.js";
import type { WorkerTests } from "../model/worker-tests.js";
import { detail, type Reply } from "../transport/reply.js";

/** One server's Airflow: its version's rules, its database, and the configuration it was started with. */
export interface App {
  readonly airflowVersion: AirflowVersion;
  /** 3.3 or newer: tests on a worker, prefix search, the 3.3 masking */
  readonly v33: boolean;
  /** before 3.2.0: no "|" OR in connection_id_pattern, no team_name field */
  readonly before32: boolean;
  /** 3.3 with multi_team off refuses a team_name; "absent" before 3.2 (api-behaviour.md §9) */
  readonly refuseTeam: TeamRule;
  readonly masker: Masker;
  readonly store: Store;
  readonly workerTests: WorkerTests;
  readonly jwt: JwtSigner;
  /** simple auth manager users: username -> password */
  readonly users: Record<string, string>;
  /** [api_auth] jwt_expiration_time */
  readonly tokenTtlSeconds: number;
  /** [api] maximum_page_limit */
  readonly maxPageLimit: number;
  /** [core] test_connection is Enabled */
  readonly testsEnabled: boolean;
  /** 3.3: the executors a test may name */
  readonly executors: string[];
  /** what a test may change while the server runs (FakeAirflow.setHookMeta) */
  readonly settings: RuntimeSettings;
}

/** The switches that can change while the server runs. */
export interface RuntimeSettings {
  /** GET /ui/connections/hook_meta: the catalog, a 403, no route (404), or an older service's shape */
  hookMeta: HookMetaMode;
}

/** A request body as a handler gets it: the parsed JSON, or the text of a body that is not JSON; undefined: none. */
export type Input = unknown;

export const e422 = (errors: PydError[]): Reply => detail(422, errors);
export const notFound = (id: string): Reply =>
  detail(404, `The Connection with connection_id: \`${id}\` was not found`);

const randomId = (n = 8) => {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(n)].map((b) => abc[b % abc.length]).join("");
};

/** A database unique-constraint violation, as Airflow's handler hides it. */
export const uniqueViolation = (): Reply =>
  detail(409, {
    reason: "Unique constraint violation",
    statement: "hidden",
    orig_error: "hidden",
    message: `Serious error when handling your request. Check logs for more details - you will find it in api server when you look for ID ${randomId()}`,
  });

/** The single ConnectionBody of POST / PATCH / test, as FastAPI validates it. */
export function connectionBody(app: App, input: Input): { value?: ConnectionBody; errors: PydError[] } {
  if (input === undefined || input === null) return { errors: [missing(["body"], null)] };
  return validateConnectionBody(input, ["body"], [], app.refuseTeam);
}

/** ConnectionResponse of this version: before 3.2.0 it has no team_name (nine keys). */
export function response(app: App, c: StoredConnection): Partial<ConnectionResponse> {
  const r: Partial<ConnectionResponse> = toResponse(c, app.masker);
  if (app.before32) delete r.team_name;
  return r;
}
