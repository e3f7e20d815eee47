// The node:http side: listening, the sockets it must be able to cut, reading a request, encoding an answer
// (uvicorn's server header, gzip from 1 KiB as Airflow's GZipMiddleware does), a crash and a revival on the same port.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { plain500, type Reply } from "./reply.js";

/** A request that has been read in full. */
export interface Exchange {
  method: string;
  /** decoded as uvicorn decodes scope["path"] */
  path: string;
  rawPath: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Where the answer to one exchange goes. */
export interface Outlet {
  /** the client went away, or the server is closed: nothing more is sent */
  readonly gone: boolean;
  send(reply: Reply): void;
  /** never answer: the response stays open until close() or a crash */
  hang(): void;
}

export type ExchangeHandler = (ex: Exchange, out: Outlet) => Promise<void>;

export class HttpTransport {
  port = 0;
  closed = false;
  private crashed = false;
  private host = "127.0.0.1";
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(private readonly handler: ExchangeHandler) {
    // Idle keep-alive sockets stay open for a minute: a client (undici closes its idle sockets after 4 s) always gives
    // up a socket before the server does, so a request never lands on a socket the server is closing (ECONNRESET, seen
    // when a loaded machine delays the client's timers past a 5 s server timeout).
    this.server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => this.receive(req, res));
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  async listen(port: number, host: string): Promise<void> {
    this.host = host;
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts every socket (connection refused until revive()). */
  crash(): void {
    this.crashed = true;
    this.server.close();
    this.cutAll();
  }

  /** After a crash: listens again on the same port. */
  revive(): void {
    if (!this.crashed || this.closed) return;
    this.crashed = false;
    const onError = (e: Error) => {
      this.crashed = true; // the port was taken meanwhile: stay "dead"
      process.stderr.write(`fake-airflow: cannot listen again on port ${this.port}: ${e.message}\n`);
    };
    this.server.once("error", onError);
    this.server.listen(this.port, this.host, () => this.server.off("error", onError));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cutAll();
    if (this.crashed) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private cutAll(): void {
    for (const r of this.hanging) r.destroy();
    for (const s of this.sockets) s.destroy();
  }

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const isGone = () => this.closed || res.destroyed;
      const out: Outlet = {
        get gone() {
          return isGone();
        },
        send: (reply) => write(req, res, reply),
        hang: () => {
          this.hanging.add(res);
          res.on("close", () => this.hanging.delete(res));
        },
      };
      void this.handler(exchangeOf(req, Buffer.concat(chunks)), out).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) write(req, res, plain500());
        if (process.env.FAKE_AIRFLOW_DEBUG) console.error(e);
      });
    });
  }
}

function exchangeOf(req: http.IncomingMessage, body: Buffer): Exchange {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? "" : url.slice(q + 1);
  return {
    method: (req.method ?? "GET").toUpperCase(),
    path: decodePath(rawPath),
    rawPath,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers: req.headers,
    body,
  };
}

/** uvicorn: scope["path"] = unquote(raw_path) (UTF-8, invalid bytes replaced). */
function decodePath(raw: string): string {
  if (!raw.includes("%")) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, "utf8"));
  }
  return new TextDecoder("utf-8").decode(Uint8Array.from(bytes));
}

function write(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  let body =
    reply.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(reply.body)
        ? reply.body
        : Buffer.from(reply.body, "utf8");
  const headers: Record<string, string> = { server: "uvicorn", ...(reply.headers ?? {}) };
  if (reply.status !== 204 && reply.status !== 304) {
    if (reply.type) headers["content-type"] = reply.type;
    if (body.length >= 1024) {
      headers.vary = "Accept-Encoding";
      if (String(req.headers["accept-encoding"] ?? "").includes("gzip")) {
        body = gzipSync(body);
        headers["content-encoding"] = "gzip";
      }
    }
    headers["content-length"] = String(body.length);
  } else body = Buffer.alloc(0);
  res.writeHead(reply.status, headers);
  res.end(body);
}
