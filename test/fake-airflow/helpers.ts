// Test helpers: HTTP calls against a fake Airflow, with every JSON response checked against the spec.
import { expect } from "vitest";
import { assertSchema } from "./spec.js";
import type { FakeAirflow } from "./server.js";

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export let validated = 0;

/** The response schema the spec names for this call, if any. */
function schemaFor(method: string, path: string, status: number): string | undefined {
  const p = path.split("?")[0]!;
  if (!p.startsWith("/api/v2/")) return undefined;
  if (status === 422) return "HTTPValidationError";
  if (p === "/api/v2/version" && status === 200) return "VersionInfo";
  if (p === "/api/v2/connections") {
    if (method === "GET" && status === 200) return "ConnectionCollectionResponse";
    if (method === "POST" && status === 201) return "ConnectionResponse";
    if (method === "PATCH" && status === 200) return "BulkResponse";
  }
  if (p === "/api/v2/connections/test" && method === "POST" && status === 200) return "ConnectionTestResponse";
  if (/^\/api\/v2\/connections\/[^/]+$/.test(p) && (method === "GET" || method === "PATCH") && status === 200) return "ConnectionResponse";
  return undefined;
}

export function client(fake: FakeAirflow) {
  return async function call(
    method: string,
    path: string,
    o: { body?: unknown; raw?: string; headers?: Record<string, string>; token?: string | null; redirect?: "manual" | "follow" | "error"; signal?: AbortSignal; noSchema?: boolean } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const token = o.token === undefined ? fake.adminToken : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers["content-type"] ??= "application/json";
    }
    const r = await fetch(fake.url + path, { method, headers, body, redirect: o.redirect ?? "manual", signal: o.signal });
    const text = await r.text();
    let json: unknown;
    if ((r.headers.get("content-type") ?? "").startsWith("application/json")) json = JSON.parse(text);
    const schema = o.noSchema ? undefined : schemaFor(method, path, r.status);
    if (schema) {
      assertSchema(schema, json);
      validated++;
    }
    if (json !== undefined && json !== null && typeof json === "object" && "connection_id" in json && r.status < 300 && !o.noSchema) {
      expect(Object.keys(json)).toEqual(["connection_id", "conn_type", "description", "host", "login", "schema", "port", "password", "extra", "team_name"]);
    }
    return { status: r.status, headers: r.headers, text, json };
  };
}
