// What a handler answers, and the few shapes every part of the server sends.

/** An answer before it is encoded: the transport adds `server`, `content-type`, `content-length` and gzip. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  type?: string;
}

export const JSON_TYPE = "application/json";
export const HTML_TYPE = "text/html; charset=utf-8";
export const TEXT_TYPE = "text/plain; charset=utf-8";

export const json = (status: number, value: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body: JSON.stringify(value),
  type: JSON_TYPE,
  headers,
});
/** FastAPI's HTTPException body: {"detail": ...}. */
export const detail = (status: number, d: unknown, headers?: Record<string, string>): Reply =>
  json(status, { detail: d }, headers);
/** Starlette's ServerErrorMiddleware (and a database error the app does not catch). */
export const plain500 = (): Reply => ({ status: 500, body: "Internal Server Error", type: TEXT_TYPE });
export const html = (page: string): Reply => ({ status: 200, type: HTML_TYPE, body: page });
export const noContent = (): Reply => ({ status: 204 });

/** The web UI's index page: what any other GET path serves (and the `html` fault). */
export const UI_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <base href="/" />
    <title>Airflow</title>
    <link rel="icon" type="image/png" href="/static/pin_32.png" />
    <script type="module" crossorigin src="/static/assets/index.js"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

/** The simple auth manager's sign-in page (/login, /auth/...; where the `redirectToLogin` fault points). */
export const LOGIN_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>Sign In - Airflow</title></head>
  <body>
    <form method="post" action="/auth/token/login">
      <h1>Sign into Airflow</h1>
      <label>Username <input name="username" /></label>
      <label>Password <input name="password" type="password" /></label>
      <button type="submit">Sign in</button>
    </form>
  </body>
</html>
`;
