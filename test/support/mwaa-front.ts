// A stand-in for Amazon MWAA's InvokeRestApi (issue 22) in front of the local Airflow, so that the tests prove the
// signing and the request shape, not just the call. For POST /restapi/{Name} it
//   1. verifies the AWS SigV4 signature with its own implementation (node:crypto HMAC, written from AWS's SigV4
//      specification; nothing of @smithy/signature-v4), from the request as received, the test credentials and
//      region: a wrong signature is a 403 InvalidSignatureException, an unknown key a 403 UnrecognizedClientException,
//      as AWS answers;
//   2. checks the body as AWS's API reference describes it: {Method, Path, QueryParameters?, Body?}, Method one of
//      GET PUT POST PATCH DELETE, Path 1 to 64 characters and without /api/v2 (MWAA adds it), query values strings
//      or lists of strings; anything else is a 400 ValidationException;
//   3. passes the call to the local Airflow with the admin token and answers {RestApiStatusCode, RestApiResponse}:
//      200 for an Airflow 2xx, else 400 RestApiClientException (4xx) or RestApiServerException (5xx) carrying them.
// Switches: accessDenied (403 AccessDeniedException), throttle (the next N calls: 429 ThrottlingException), and an
// environment name it does not know (404 ResourceNotFoundException). Every call is recorded, verified or not.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FrontCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface MwaaFrontOptions extends FrontCredentials {
  /** The local Airflow the calls go to, and the token they go with. */
  airflowUrl: string;
  adminToken: string;
  region: string;
  /** The environment names that exist. */
  environments: string[];
}

export interface FrontCall {
  environment: string;
  /** The signature matched (what AWS checks first: nothing else happens for a call that fails it). */
  signed: boolean;
  /** AWS's error type when the front refused the call (InvalidSignatureException, AccessDeniedException…). */
  refused?: string;
  /** The InvokeRestApi body as sent (after the signature check). */
  invocation?: { Method: string; Path: string; QueryParameters?: Record<string, string | string[]>; Body?: unknown };
  /** The Airflow status the call was answered with. */
  airflowStatus?: number;
  /** The size of the request body in bytes. */
  bytes: number;
  /** The signed headers the request named. */
  signedHeaders: string[];
}

export interface MwaaFront {
  url: string;
  calls: FrontCall[];
  /** 403 AccessDeniedException for every call while true. */
  accessDenied: boolean;
  /** The next this many calls are answered 429 ThrottlingException. */
  throttle: number;
  close(): Promise<void>;
}

// ---- SigV4, as AWS specifies it (Signature Version 4 signing process) -------------------------------------------

const sha256hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SignedRequest {
  method: string;
  /** The request target's path as sent (already percent-encoded once). */
  path: string;
  /** The query string, without "?". */
  query: string;
  /** Header names in lower case; repeated headers joined with ",". */
  headers: Record<string, string>;
  body: Buffer;
}

export type Verdict =
  | { ok: true; signedHeaders: string[] }
  | { ok: false; type: string; message: string; signedHeaders: string[] };

/** Checks a request's SigV4 signature for service `airflow`, recomputed from the request and the credentials. */
export function verifySigV4(
  r: SignedRequest,
  creds: FrontCredentials,
  region: string,
  now = new Date(),
  service = "airflow",
): Verdict {
  const auth = r.headers.authorization ?? "";
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m)
    return {
      ok: false,
      type: "IncompleteSignatureException",
      message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'",
      signedHeaders: [],
    };
  const [, keyId, date, credRegion, credService, signedList, signature] = m as unknown as string[];
  const signedHeaders = signedList!.split(";");
  const no = (type: string, message: string): Verdict => ({ ok: false, type, message, signedHeaders });
  if (keyId !== creds.accessKeyId)
    return no("UnrecognizedClientException", "The security token included in the request is invalid.");
  if (credRegion !== region || credService !== service)
    return no(
      "InvalidSignatureException",
      `Credential should be scoped to a valid region and service (${region}/${service})`,
    );
  const amzDate = r.headers["x-amz-date"] ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date)
    return no("IncompleteSignatureException", "x-amz-date is missing or does not match the credential's date");
  const at = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs(now.getTime() - at) > 5 * 60_000) return no("InvalidSignatureException", "Signature expired");
  for (const must of [
    "host",
    "x-amz-date",
    ...(r.headers["x-amz-security-token"] !== undefined ? ["x-amz-security-token"] : []),
  ])
    if (!signedHeaders.includes(must)) return no("IncompleteSignatureException", `${must} must be a signed header`);
  if (r.headers["x-amz-security-token"] !== creds.sessionToken)
    return no("UnrecognizedClientException", "The security token included in the request is invalid.");
  const payloadHash = sha256hex(r.body);
  const claimed = r.headers["x-amz-content-sha256"];
  if (claimed !== undefined && claimed !== payloadHash)
    return no(
      "InvalidSignatureException",
      "The provided x-amz-content-sha256 header does not match what was computed.",
    );
  // Canonical request: the path's segments encoded once more (every service but S3), the query sorted and encoded,
  // each signed header as name:value (values trimmed, inner spaces collapsed), the signed header list, the payload hash.
  const canonicalUri = r.path.split("/").map(uriEncode).join("/") || "/";
  const canonicalQuery = r.query
    .split("&")
    .filter(Boolean)
    .map((kv) => {
      const i = kv.indexOf("=");
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
      return [uriEncode(dec(i < 0 ? kv : kv.slice(0, i))), uriEncode(dec(i < 0 ? "" : kv.slice(i + 1)))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((h) => `${h}:${(r.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [r.method, canonicalUri, canonicalQuery, canonicalHeaders, signedList, payloadHash].join(
    "\n",
  );
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date!), region), service), "aws4_request");
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest();
  if (!timingSafeEqual(expected, Buffer.from(signature!, "hex")))
    return no(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    );
  return { ok: true, signedHeaders };
}

// ---- the InvokeRestApi body --------------------------------------------------------------------------------------

const METHODS = new Set(["GET", "PUT", "POST", "PATCH", "DELETE"]);
const KEYS = new Set(["Method", "Path", "QueryParameters", "Body"]);

/** What is wrong with an InvokeRestApi body (AWS's API reference), or undefined. */
export function invocationProblem(b: unknown): string | undefined {
  if (!b || typeof b !== "object" || Array.isArray(b)) return "the body is not a JSON object";
  const o = b as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !KEYS.has(k));
  if (extra.length) return `unknown members ${extra.join(", ")}`;
  if (typeof o.Method !== "string" || !METHODS.has(o.Method))
    return `Method ${JSON.stringify(o.Method)} is not one of GET, PUT, POST, PATCH, DELETE`;
  if (typeof o.Path !== "string" || o.Path.length < 1 || o.Path.length > 64) return "Path must be 1 to 64 characters";
  if (!o.Path.startsWith("/")) return "Path must start with /";
  if (o.Path.startsWith("/api/")) return "Path must not carry the API prefix: MWAA adds /api/v2";
  const q = o.QueryParameters;
  if (q !== undefined) {
    if (!q || typeof q !== "object" || Array.isArray(q)) return "QueryParameters must be a JSON object";
    for (const [k, v] of Object.entries(q))
      if (typeof v !== "string" && !(Array.isArray(v) && v.every((x) => typeof x === "string")))
        return `QueryParameters.${k} must be a string or a list of strings`;
  }
  return undefined;
}

// ---- the server ----------------------------------------------------------------------------------------------------

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

function awsError(res: ServerResponse, status: number, type: string, message: string, member = "message"): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazonaws.mwaa/`,
    "x-amzn-requestid": "00000000-0000-0000-0000-000000000000",
  });
  res.end(JSON.stringify({ [member]: message }));
}

export async function startMwaaFront(o: MwaaFrontOptions): Promise<MwaaFront> {
  const calls: FrontCall[] = [];
  const front: MwaaFront = { url: "", calls, accessDenied: false, throttle: 0, close: async () => {} };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const target = new URL(req.url ?? "/", "http://front");
    const name = /^\/restapi\/([^/]+)$/.exec(target.pathname)?.[1];
    if (req.method !== "POST" || name === undefined) {
      awsError(res, 404, "UnknownOperationException", `no operation for ${req.method} ${target.pathname}`);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
    const rawPath = (req.url ?? "/").split("?")[0]!;
    const verdict = verifySigV4(
      { method: req.method, path: rawPath, query: (req.url ?? "").split("?")[1] ?? "", headers, body },
      o,
      o.region,
    );
    const call: FrontCall = {
      environment: decodeURIComponent(name),
      signed: verdict.ok,
      bytes: body.length,
      signedHeaders: verdict.signedHeaders,
    };
    calls.push(call);
    const refuse = (status: number, type: string, message: string, member?: string) => {
      call.refused = type;
      awsError(res, status, type, message, member);
    };
    if (!verdict.ok) return refuse(403, verdict.type, verdict.message);
    if (!(headers["content-type"] ?? "").startsWith("application/json"))
      return refuse(400, "ValidationException", "Content-Type must be application/json");
    let inv: unknown;
    try {
      inv = JSON.parse(body.toString("utf8"));
    } catch {
      return refuse(400, "ValidationException", "the body is not JSON");
    }
    const problem = invocationProblem(inv);
    if (problem) return refuse(400, "ValidationException", problem);
    call.invocation = inv as FrontCall["invocation"];
    if (front.throttle > 0) {
      front.throttle--;
      return refuse(429, "ThrottlingException", "Rate exceeded");
    }
    if (front.accessDenied)
      return refuse(
        403,
        "AccessDeniedException",
        `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: airflow:InvokeRestApi on resource: arn:aws:airflow:${o.region}:123456789012:role/${call.environment}/Op`,
        "Message",
      );
    if (!o.environments.includes(call.environment))
      return refuse(404, "ResourceNotFoundException", `Environment ${call.environment} was not found`);

    const { Method, Path, QueryParameters, Body } = call.invocation!;
    const url = new URL(`${o.airflowUrl}/api/v2${Path}`);
    for (const [k, v] of Object.entries(QueryParameters ?? {}))
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
    const answer = await fetch(url, {
      method: Method,
      headers: {
        authorization: `Bearer ${o.adminToken}`,
        accept: "application/json",
        ...(Body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: Body === undefined ? undefined : JSON.stringify(Body),
    });
    const text = await answer.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      /* text */
    }
    call.airflowStatus = answer.status;
    const out = { RestApiStatusCode: answer.status, RestApiResponse: parsed };
    if (answer.status >= 200 && answer.status < 300) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(out));
      return;
    }
    const type = answer.status >= 500 ? "RestApiServerException" : "RestApiClientException";
    res.writeHead(400, { "content-type": "application/json", "x-amzn-errortype": type });
    res.end(JSON.stringify(out));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) awsError(res, 500, "InternalServerException", String((e as Error)?.message ?? e));
      else res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return front;
}
