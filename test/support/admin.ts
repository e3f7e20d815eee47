// A test setting up the local Airflow server, or reading back what it holds, the way any client would: through its
// REST API with the admin token. One copy of "POST as admin" and of "every id, all pages" for unit and e2e tests.
// Typed by shape (a URL and a token), so this file does not import the server.

/** A running server: its base URL and a token it accepts. */
export interface ServerRef {
  url: string;
  adminToken: string;
}

/** A request to `path` (under the server's URL) with the admin token; a body is sent as JSON. */
export function asAdmin(s: ServerRef, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${s.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Creates connections through POST /api/v2/connections (validated as any client's); anything but 201 throws. */
export async function seed(s: ServerRef, ...bodies: Array<Record<string, unknown>>): Promise<void> {
  for (const body of bodies) {
    const r = await asAdmin(s, "POST", "/api/v2/connections", body);
    if (r.status !== 201) throw new Error(`seeding ${String(body.connection_id)}: ${r.status} ${await r.text()}`);
  }
}

/**
 * Every id the server lists for a query (all pages of 100, in its order). `query` is appended to the list URL as it
 * is: "&connection_id_pattern=a%25&order_by=-host".
 */
export async function listIds(s: ServerRef, query = ""): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += 100) {
    const r = await asAdmin(s, "GET", `/api/v2/connections?limit=100&offset=${offset}${query}`);
    if (r.status !== 200) throw new Error(`listing ${query || "all"}: ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { connections: Array<{ connection_id: string }>; total_entries: number };
    ids.push(...body.connections.map((c) => c.connection_id));
    if (offset + 100 >= body.total_entries) return ids;
  }
}
