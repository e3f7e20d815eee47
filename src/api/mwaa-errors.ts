// The errors of the MWAA transport that commands tell apart (status), kept out of api/mwaa.ts so that knowing them
// never loads the AWS packages.
import { AuthError } from "../errors.js";

/**
 * MWAA refused the caller (exit 4): AccessDeniedException (no airflow:InvokeRestApi on the environment's role), a
 * signature or key AWS does not accept, an expired session, or no AWS credentials at all. `type` is AWS's error type.
 */
export class MwaaAuthError extends AuthError {
  constructor(
    message: string,
    readonly type: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}
