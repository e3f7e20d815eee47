// The error policy decided once (src/errors.ts): the auth kind an ApiError carries, computed where it is built from
// Airflow's exact detail texts (api-behaviour.md §7), the hint that reads it, and isFatal, the one rule for which
// errors stop a run over many ids (test, delete, bulk, import, apply).
import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthError,
  authKindOf,
  CancelledError,
  ConflictError,
  isFatal,
  NetworkError,
  NotAirflowApiError,
  UsageError,
} from "../../src/errors.js";
import { apiError } from "../../src/api/http.js";

const json = new Headers({ "content-type": "application/json" });
const answer = (status: number, detail: string) =>
  apiError(status, JSON.stringify({ detail }), json, "GET", "http://x/api/v2/connections");

describe("the auth kind of an error answer", () => {
  it.each([
    [401, "Token Expired", "expired", "your token has expired: run `airconn login` again"],
    [401, "Not authenticated", "refused", "log in with `airconn login` (or set AIRCONN_TOKEN)"],
    [401, "Invalid credentials", "refused", "log in with `airconn login` (or set AIRCONN_TOKEN)"],
    [403, "Invalid JWT token", "refused", "the token is not valid for this server: run `airconn login`"],
    [403, "Forbidden", "forbidden", "your Airflow user is not allowed to do this"],
    [
      403,
      "Testing connections is disabled in Airflow configuration. Contact your deployment admin to enable it.",
      "forbidden",
      "your Airflow user is not allowed to do this",
    ],
    [404, "The Connection with connection_id: `x` was not found", "none", undefined],
    [503, "Service Unavailable", "none", "the Airflow API server failed; see its logs, or retry"],
  ] as const)("%i %j: %s, with its hint", (status, detail, kind, hint) => {
    const e = answer(status, detail);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).auth).toBe(kind);
    expect(authKindOf(status, detail)).toBe(kind);
    expect(e.hint).toBe(hint);
  });

  it("reads Airflow's exact texts, not words in them: a token named in a permission error is no refused token", () => {
    expect(authKindOf(403, "Forbidden: the token's user may not edit team_a connections")).toBe("forbidden");
    expect(authKindOf(401, "token expired")).toBe("refused");
    expect(authKindOf(400, "Invalid JWT token")).toBe("none");
  });

  it("an explicit hint wins; the kind is still the answer's", () => {
    const e = new ApiError(
      401,
      "Token Expired",
      "GET",
      "http://x/",
      "the token command gave a new token and the server refused it too",
    );
    expect([e.auth, e.hint, e.exitCode]).toEqual([
      "expired",
      "the token command gave a new token and the server refused it too",
      4,
    ]);
  });
});

describe("isFatal: what stops a run over many ids", () => {
  it.each([
    ["401 Token Expired", new ApiError(401, "Token Expired", "DELETE", "http://x/")],
    ["401 Not authenticated", new ApiError(401, "Not authenticated", "DELETE", "http://x/")],
    ["403 Invalid JWT token", new ApiError(403, "Invalid JWT token", "DELETE", "http://x/")],
    ["no token / a token command that failed", new AuthError("not logged in")],
    ["a wrong URL", new NotAirflowApiError("no such route", "route", "DELETE", "http://x/", 404)],
    ["a cancel", new CancelledError()],
    ["a bug or an abort", new TypeError("x is undefined")],
  ])("%s: fatal", (_what, e) => expect(isFatal(e)).toBe(true));

  it.each([
    ["404", new ApiError(404, "The Connection with connection_id: `x` was not found", "DELETE", "http://x/")],
    ["409", new ApiError(409, "Unique constraint violation", "POST", "http://x/")],
    ["422", new ApiError(422, "port: Input should be a valid integer", "PATCH", "http://x/")],
    [
      "403 Forbidden (a permission or a team can be per connection)",
      new ApiError(403, "Forbidden", "DELETE", "http://x/"),
    ],
    ["503 after the retries", new ApiError(503, "server error 503", "DELETE", "http://x/")],
    [
      "a network error",
      new NetworkError("the connection to http://x was closed before an answer came", undefined, "ECONNRESET"),
    ],
    ["a conflict", new ConflictError("connection x already exists")],
    ["invalid input", new UsageError("bad")],
  ])("%s: recorded for its id, the run goes on", (_what, e) => expect(isFatal(e)).toBe(false));
});
