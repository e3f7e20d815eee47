// Scripted failures of /api/v2 requests (options.faults, setFaults): what a proxy, a load balancer or a dying
// server does to a client.
import http from "node:http";
import { detail, HTML_TYPE, JSON_TYPE, plain500, UI_HTML, type Reply } from "./reply.js";

export interface Faults {
  rate503?: number;
  status?: number;
  retryAfter?: number;
  failFirst?: number;
  hang?: boolean;
  plain500?: boolean;
  truncatedJson?: boolean;
  html?: boolean;
  redirectToLogin?: boolean;
  dieAfterRequests?: number;
  methods?: string[];
  pathPattern?: string;
}

/** What a fault does to one request: an answer of its own, no answer, the server's death, or nothing (null). */
export type FaultAction = Reply | "hang" | "die" | null;

/** The faults in force and their counters (failFirst, dieAfterRequests). */
export class FaultPlan {
  private faults: Faults | undefined;
  private count = 0;
  private dieCountdown: number | undefined;

  set(f: Faults | undefined): void {
    this.faults = f && Object.keys(f).length > 0 ? { ...f } : undefined;
    this.count = 0;
    this.dieCountdown = f?.dieAfterRequests;
  }

  get active(): boolean {
    return this.faults !== undefined;
  }

  pick(method: string, rawPath: string): FaultAction {
    const f = this.faults;
    if (!f) return null;
    if (f.methods && f.methods.length > 0 && !f.methods.map((m) => m.toUpperCase()).includes(method)) return null;
    if (f.pathPattern !== undefined && !new RegExp(f.pathPattern).test(rawPath)) return null;
    if (this.dieCountdown !== undefined) {
      if (this.dieCountdown <= 0) return "die";
      this.dieCountdown--;
    }
    if (f.failFirst !== undefined && this.count >= f.failFirst) return null;
    const retry: Record<string, string> = f.retryAfter !== undefined ? { "retry-after": String(f.retryAfter) } : {};
    let reply: Reply | "hang" | null = null;
    if (f.hang) reply = "hang";
    else if (f.status !== undefined) reply = faultStatus(f.status, [429, 502, 503].includes(f.status) ? retry : {});
    else if (f.rate503 !== undefined) reply = Math.random() < f.rate503 ? faultStatus(503, retry) : null;
    else if (f.plain500) reply = plain500();
    else if (f.truncatedJson) {
      reply = {
        status: 200,
        type: JSON_TYPE,
        body: '{"connections":[{"connection_id":"conn_00001","conn_type":"postgres","description":null,"host":"db.inter',
      };
    } else if (f.html) reply = { status: 200, type: HTML_TYPE, body: UI_HTML };
    else if (f.redirectToLogin) {
      reply = { status: 302, headers: { location: `/login?next=${encodeURIComponent(rawPath)}` }, body: "" };
    }
    if (reply !== null) this.count++;
    return reply;
  }
}

/** A status of its own: 502/503/504 as nginx in front of Airflow words them, the others as FastAPI would. */
function faultStatus(status: number, headers: Record<string, string>): Reply {
  const text = http.STATUS_CODES[status] ?? "Error";
  if (status === 502 || status === 503 || status === 504) {
    return {
      status,
      headers,
      type: HTML_TYPE,
      body: `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    };
  }
  return detail(status, text, headers);
}
