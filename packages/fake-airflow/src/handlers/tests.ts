// Connection tests: POST /connections/test on the API server (every version), and 3.3's tests on a worker,
// POST and GET /connections/enqueue-test (api-behaviour.md §5, §9).
import { testConnection } from "../model/connections.js";
import { missing, pyListRepr, pyRepr, validateConnectionTestRequestBody } from "../model/validate.js";
import type { Exchange } from "../transport/http.js";
import { detail, json, type Reply } from "../transport/reply.js";
import { connectionBody, e422, type App, type Input } from "./shared.js";

const TESTS_DISABLED =
  "Testing connections is disabled in Airflow configuration. Contact your deployment admin to enable it.";
const TOKEN_HEADER = "Airflow-Connection-Test-Token";

export function test(app: App, input: Input): Reply {
  const v = connectionBody(app, input);
  if (!v.value) return e422(v.errors);
  if (!app.testsEnabled) return detail(403, TESTS_DISABLED);
  return json(200, testConnection(app.store, v.value, app.masker));
}

/** 3.3 POST /connections/enqueue-test: 422 body -> 403 gate -> 422 team / executor -> 409 active test -> 202. */
export function enqueueTest(app: App, input: Input): Reply {
  if (input === undefined) return e422([missing(["body"], null)]);
  const v = validateConnectionTestRequestBody(input, ["body"], app.refuseTeam);
  if (!v.value) return e422(v.errors);
  if (!app.testsEnabled) return detail(403, TESTS_DISABLED);
  const { connection, executor, queue, commit_on_success } = v.value;
  if (executor !== null && !app.executors.includes(executor)) {
    return detail(
      422,
      `Executor ${pyRepr(executor)} is not configured. Configured executors: ${pyListRepr(app.executors)}`,
    );
  }
  if (app.workerTests.active(connection.connection_id)) {
    return detail(409, `An active connection test already exists for connection_id \`${connection.connection_id}\`.`);
  }
  const run = app.workerTests.enqueue(connection, { commit: commit_on_success, executor, queue });
  return json(202, { token: run.token, connection_id: run.connection_id, state: run.state });
}

/** 3.3 GET /connections/enqueue-test with the Airflow-Connection-Test-Token header. */
export function pollTest(app: App, ex: Exchange): Reply {
  const h = ex.headers[TOKEN_HEADER.toLowerCase()];
  if (h === undefined) return e422([missing(["header", TOKEN_HEADER], null)]);
  const token = Array.isArray(h) ? h[h.length - 1]! : h;
  const run = app.workerTests.get(token);
  if (!run) return detail(404, `No connection test found for token: \`${token}\``);
  return json(200, {
    token: run.token,
    connection_id: run.connection_id,
    state: run.state,
    result_message: run.result_message,
    created_at: run.created_at,
  });
}
