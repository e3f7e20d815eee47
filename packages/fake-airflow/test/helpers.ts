// Test helpers: HTTP calls against a fake Airflow, with every JSON response checked against the spec; the command line.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { FakeAirflow } from "../src/index.js";
import { assertSchema } from "./spec.js";

/** The server's command line (src/main.ts), for `node --import tsx MAIN ...`. */
export const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** Starts the command line with `args`; resolves with the {url, token} it prints (kill the child when done). */
export async function startMain(args: string[]): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`exited ${code}`)));
  });
  return { child, ...(JSON.parse(line) as { url: string; token: string }) };
}

/** Runs the command line with `args` it must refuse: its exit code and what it wrote on stderr. */
export async function mainRefuses(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads any answer body field by field
  json: any;
}

export let validated = 0;

/** The response schema the spec names for this call, if any. */
function schemaFor(method: string, path: string, status: number, json: unknown, v33: boolean): string | undefined {
  const p = path.split("?")[0]!;
  // only the public API is in the spec: the UI's private routes (/ui/connections/hook_meta) have no schema to check
  if (!p.startsWith("/api/v2/")) return undefined;
  if (v33 && p === "/api/v2/connections/enqueue-test") {
    if (method === "POST" && status === 202) return "ConnectionTestQueuedResponse";
    if (method === "GET" && status === 200) return "AsyncConnectionTestResponse";
    // the spec names HTTPExceptionResponse for POST's 422 (a string detail, e.g. unknown executor); body errors are lists
    if (status === 422)
      return typeof (json as { detail?: unknown } | undefined)?.detail === "string"
        ? "HTTPExceptionResponse"
        : "HTTPValidationError";
    if (status >= 400) return "HTTPExceptionResponse";
    return undefined;
  }
  if (status === 422) {
    // multi_team off: a string detail (HTTPException), not a validation error list
    return typeof (json as { detail?: unknown } | undefined)?.detail === "string"
      ? "HTTPExceptionResponse"
      : "HTTPValidationError";
  }
  if (p === "/api/v2/version" && status === 200) return "VersionInfo";
  if (p === "/api/v2/connections") {
    if (method === "GET" && status === 200) return "ConnectionCollectionResponse";
    if (method === "POST" && status === 201) return "ConnectionResponse";
    if (method === "PATCH" && status === 200) return "BulkResponse";
  }
  if (p === "/api/v2/connections/test" && method === "POST" && status === 200) return "ConnectionTestResponse";
  if (/^\/api\/v2\/connections\/[^/]+$/.test(p) && (method === "GET" || method === "PATCH") && status === 200)
    return "ConnectionResponse";
  return undefined;
}

export function client(fake: FakeAirflow) {
  return async function call(
    method: string,
    path: string,
    o: {
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      token?: string | null;
      redirect?: "manual" | "follow" | "error";
      signal?: AbortSignal;
      noSchema?: boolean;
    } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const token = o.token === undefined ? fake.adminToken : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers["content-type"] ??= "application/json";
    }
    const r = await fetch(fake.url + path, {
      method,
      headers,
      body,
      redirect: o.redirect ?? "manual",
      signal: o.signal,
    });
    const text = await r.text();
    let json: unknown;
    if ((r.headers.get("content-type") ?? "").startsWith("application/json")) json = JSON.parse(text);
    const v33 = fake.airflowVersion.startsWith("3.3.");
    const schema = o.noSchema ? undefined : schemaFor(method, path, r.status, json, v33);
    if (schema) {
      assertSchema(schema, json, v33 ? "3.3" : "3.2");
      validated++;
    }
    const isTestRun = path.split("?")[0] === "/api/v2/connections/enqueue-test" && v33;
    if (
      json !== undefined &&
      json !== null &&
      typeof json === "object" &&
      "connection_id" in json &&
      r.status < 300 &&
      !o.noSchema &&
      !isTestRun
    ) {
      expect(Object.keys(json)).toEqual([
        "connection_id",
        "conn_type",
        "description",
        "host",
        "login",
        "schema",
        "port",
        "password",
        "extra",
        "team_name",
      ]);
    }
    return { status: r.status, headers: r.headers, text, json };
  };
}
