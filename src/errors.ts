// Every error airconn raises on purpose, and the one place that turns an error into an exit code.
// Exit codes are the contract's: 0 ok, 1 failure, 2 invalid input, 3 not found, 4 auth, 5 conflict, 130 interrupted.

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, NOT_FOUND: 3, AUTH: 4, CONFLICT: 5, INTERRUPTED: 130 } as const;

/** Base class: a message for the `airconn: ...` line, an optional hint line, and an exit code. */
export class AirconnError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.FAILURE, readonly hint?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Invalid input found locally: bad flags, values, files, URIs; a missing value without a terminal. Exit 2. */
export class UsageError extends AirconnError {
  constructor(message: string, hint?: string) { super(message, EXIT.USAGE, hint); }
}

/** At most this many problems of a file are listed, one line each (the count says how many there were). */
export const MAX_PROBLEMS_SHOWN = 20;

/**
 * Invalid input with several problems (a connections or bulk file): main() prints each (the first MAX_PROBLEMS_SHOWN)
 * on its own `airconn:` line, then the message (a count). Exit 2.
 */
export class ProblemsError extends UsageError {
  constructor(readonly problems: readonly string[], message: string, hint?: string) {
    super(problems.length > MAX_PROBLEMS_SHOWN ? `${message} (the first ${MAX_PROBLEMS_SHOWN} are listed)` : message, hint);
  }
}

/** The user cancelled: Ctrl-C, a closed prompt, a confirmation answered no. Exit 130. */
export class CancelledError extends AirconnError {
  constructor(message = "cancelled") { super(message, EXIT.INTERRUPTED); }
}

/** Not logged in / no token. Exit 4. */
export class AuthError extends AirconnError {
  constructor(message: string, hint?: string) { super(message, EXIT.AUTH, hint); }
}

/** Some items of a multi-item command failed; the report was already printed. Exit 1. */
export class PartialFailureError extends AirconnError {
  constructor(message: string) { super(message, EXIT.FAILURE); }
}

/** A connection already exists (409, or `--on-existence fail` found existing ids). Exit 5. */
export class ConflictError extends AirconnError {
  constructor(message: string, hint?: string) { super(message, EXIT.CONFLICT, hint); }
}

/** Could not reach the server, or it did not answer in time. Exit 1. */
export class NetworkError extends AirconnError {
  constructor(message: string, hint?: string, readonly causeCode?: string) { super(message, EXIT.FAILURE, hint); }
}

/** Exit code for an HTTP status, as the contract maps them. */
export function exitCodeForStatus(status: number): number {
  if (status === 400 || status === 422) return EXIT.USAGE;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 409) return EXIT.CONFLICT;
  return EXIT.FAILURE;
}

/** An error answer from the server, with its detail rendered as text whatever shape the body had. */
export class ApiError extends AirconnError {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly method: string,
    readonly url: string,
    hint?: string,
    readonly body?: unknown,
  ) {
    super(detail, exitCodeForStatus(status), hint);
  }
}

/** Exit code of any thrown value. Unknown errors are failures (1). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof AirconnError) return err.exitCode;
  return EXIT.FAILURE;
}

/** A server's or a hook's message on one line (some span several), for one-line errors and result rows. */
export const oneLine = (message: unknown): string => String(message ?? "").replace(/\s*\n\s*/g, " ");
