// Every error airconn raises on purpose, and the one place that turns an error into an exit code.
// Exit codes are the contract's: 0 ok, 1 failure, 2 invalid input, 3 not found, 4 auth, 5 conflict, 130 interrupted.

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, NOT_FOUND: 3, AUTH: 4, CONFLICT: 5, INTERRUPTED: 130 } as const;

/** Base class: a message for the `airconn: ...` line, an optional hint line, and an exit code. */
export class AirconnError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Invalid input found locally: bad flags, values, files, URIs; a missing value without a terminal. Exit 2. */
export class UsageError extends AirconnError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.USAGE, hint);
  }
}

/** At most this many problems of a file are listed, one line each (the count says how many there were). */
export const MAX_PROBLEMS_SHOWN = 20;

/**
 * Invalid input with several problems (a connections or bulk file): main() prints each (the first MAX_PROBLEMS_SHOWN)
 * on its own `airconn:` line, then the message (a count). Exit 2.
 */
export class ProblemsError extends UsageError {
  constructor(
    readonly problems: readonly string[],
    message: string,
    hint?: string,
  ) {
    super(
      problems.length > MAX_PROBLEMS_SHOWN ? `${message} (the first ${MAX_PROBLEMS_SHOWN} are listed)` : message,
      hint,
    );
  }
}

/** The user cancelled: Ctrl-C, a closed prompt, a confirmation answered no. Exit 130. */
export class CancelledError extends AirconnError {
  constructor(message = "cancelled") {
    super(message, EXIT.INTERRUPTED);
  }
}

/** Not logged in / no token. Exit 4. */
export class AuthError extends AirconnError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.AUTH, hint);
  }
}

/** Some items of a multi-item command failed; the report was already printed. Exit 1. */
export class PartialFailureError extends AirconnError {
  constructor(message: string) {
    super(message, EXIT.FAILURE);
  }
}

/** A connection already exists (409, or `--on-existence fail` found existing ids). Exit 5. */
export class ConflictError extends AirconnError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.CONFLICT, hint);
  }
}

/** Could not reach the server, or it did not answer in time. Exit 1. */
export class NetworkError extends AirconnError {
  constructor(
    message: string,
    hint?: string,
    readonly causeCode?: string,
  ) {
    super(message, EXIT.FAILURE, hint);
  }
}

/** Exit code for an HTTP status, as the contract maps them. */
export function exitCodeForStatus(status: number): number {
  if (status === 400 || status === 422) return EXIT.USAGE;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 409) return EXIT.CONFLICT;
  return EXIT.FAILURE;
}

/**
 * What an error answer says about the credentials, from Airflow's own detail texts (core_api/security.py, the same
 * for every auth manager): 401 "Token Expired" is expired; any other 401 ("Not authenticated", "Invalid credentials")
 * and 403 "Invalid JWT token" are refused (the server did not take the token); any other 403 ("Forbidden", testing
 * disabled, a team mismatch) is forbidden (a valid token, not allowed to do this); any other status is none.
 */
export type AuthKind = "expired" | "refused" | "forbidden" | "none";

export function authKindOf(status: number, detail: string): AuthKind {
  if (status === 401) return detail === "Token Expired" ? "expired" : "refused";
  if (status === 403) return detail === "Invalid JWT token" ? "refused" : "forbidden";
  return "none";
}

/** The hint of an error answer that came without one: what to do about its auth kind, or a server failure. */
function answerHint(status: number, auth: AuthKind): string | undefined {
  switch (auth) {
    case "expired":
      return "your token has expired: run `airconn login` again";
    case "refused":
      return status === 401
        ? "log in with `airconn login` (or set AIRCONN_TOKEN)"
        : "the token is not valid for this server: run `airconn login`";
    case "forbidden":
      return "your Airflow user is not allowed to do this";
    default:
      return status >= 500 ? "the Airflow API server failed; see its logs, or retry" : undefined;
  }
}

/** An error answer from the server, with its detail rendered as text whatever shape the body had. */
export class ApiError extends AirconnError {
  /** What the answer says about the credentials, computed once, here (hints and commands read it). */
  readonly auth: AuthKind;
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly method: string,
    readonly url: string,
    /** Default: the hint for the auth kind (a 401, a 403) or for a server failure (5xx). */
    hint?: string,
    readonly body?: unknown,
  ) {
    const auth = authKindOf(status, detail);
    super(detail, exitCodeForStatus(status), hint ?? answerHint(status, auth));
    this.auth = auth;
  }
}

/**
 * What answered is not the Airflow API: a route that does not exist (404/405 that is not about a connection), an
 * HTML page, a redirect, or a 200 whose body is not what Airflow sends. Always exit 1: a wrong URL is never success
 * and never "not found" (3). Not an ApiError, so no `status === 404` check mistakes it for a missing connection.
 */
export class NotAirflowApiError extends AirconnError {
  constructor(
    message: string,
    readonly kind: "route" | "html" | "redirect" | "shape",
    readonly method: string,
    readonly url: string,
    readonly status: number,
    hint?: string,
  ) {
    super(message, EXIT.FAILURE, hint);
  }
}

/**
 * The one failure policy of a run over many ids (test, delete, bulk, import, apply; runPool applies it): whether an
 * item's error stops the run, because every following request would fail the same way. Fatal: credentials the
 * server does not take (401, 403 "Invalid JWT token"; no token, a token command that fails: AuthError), something
 * that is not the Airflow API (a wrong URL), a cancel, and anything that is no AirconnError (a bug, an abort). Not
 * fatal, recorded for that id: 404, 409, 422, 403 "Forbidden" (a permission or a team can be per connection), a
 * 429 or 5xx that outlived the retries, network errors (a write's may or may not have been applied).
 */
export function isFatal(err: unknown): boolean {
  if (!(err instanceof AirconnError)) return true;
  if (err instanceof ApiError) return err.auth === "expired" || err.auth === "refused";
  return err instanceof AuthError || err instanceof NotAirflowApiError || err instanceof CancelledError;
}

/** Exit code of any thrown value. Unknown errors are failures (1). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof AirconnError) return err.exitCode;
  return EXIT.FAILURE;
}

/** A server's or a hook's message on one line (some span several), for one-line errors and result rows. */
export const oneLine = (message: unknown): string => String(message ?? "").replace(/\s*\n\s*/g, " ");
