// Typed calls for the connection endpoints, over one Http.
import { encodeId, Http, type HttpOptions } from "./http.js";
import type {
  AsyncConnectionTestResponse, BulkBody, BulkResponse, ConnectionBody, ConnectionCollectionResponse, ConnectionResponse,
  ConnectionTestQueuedResponse, ConnectionTestRequestBody, ConnectionTestResponse, VersionInfo,
} from "./types.js";
import { prefixMatcher } from "../util/pattern.js";
import { NotAirflowApiError } from "./http.js";
import {
  bulkProblem, collectionProblem, connectionProblem, emptyProblem, queuedTestProblem, shaped, testResultProblem, tokenProblem, versionProblem,
} from "./shape.js";

export interface ListQuery {
  pattern?: string;
  /**
   * Instead of `pattern`: the terms of an "a|b" pattern for a server that does not OR them (Airflow before 3.2): one
   * listing per term, each connection once (see pagesOfTerms).
   */
  patternTerms?: string[];
  /**
   * connection_id_prefix_pattern (Airflow 3.3). Every id that comes back matches it: the server's answer is filtered
   * here too. With `prefixOnServer` false (a 3.2 server ignores the parameter and returns everything), the parameter
   * is not sent and airconn filters every page itself, applying offset and limit to the matching ids.
   */
  prefix?: string;
  prefixOnServer?: boolean;
  orderBy?: string[];
  offset?: number;
  /** Stop after this many connections (all when absent). */
  limit?: number;
}

export interface ListPagesOptions extends ListQuery {
  concurrency?: number;
  /** Page size asked for; the server caps it (100 by default) and airconn adapts to the cap it sees. */
  pageSize?: number;
  onTotal?: (total: number) => void;
}

/** Rows sorted by order_by keys as Airflow sorts them (`-` descending, nulls last either way); stable. */
function sortLike(rows: ConnectionResponse[], orderBy: string[]): ConnectionResponse[] {
  const keys = orderBy.map((k) => k.replace(/^-+/, "")).flatMap((name, i) => name === "id" ? []
    : [{ field: (name === "conn_id" ? "connection_id" : name) as keyof ConnectionResponse, desc: orderBy[i]!.startsWith("-") }]);
  const cmp = (a: ConnectionResponse, b: ConnectionResponse): number => {
    for (const { field, desc } of keys) {
      const x = a[field] ?? null, y = b[field] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  };
  return [...rows].sort(cmp);
}

export class AirflowApi {
  readonly http: Http;
  constructor(opts: HttpOptions) {
    this.http = new Http(opts);
  }

  get baseUrl(): string { return this.http.opts.baseUrl; }

  async token(username: string, password: string): Promise<string> {
    let r;
    try {
      r = await this.http.request("POST", "/auth/token", { raw: true, body: { username, password }, token: null });
    } catch (e) {
      if (e instanceof NotAirflowApiError && e.kind === "route") {
        throw new NotAirflowApiError(e.message, e.kind, e.method, e.url, e.status,
          `${e.hint}; or this Airflow does not use the simple auth manager: get a token its way and pass it with --token-stdin or AIRCONN_TOKEN`);
      }
      throw e;
    }
    return shaped<{ access_token: string }>(r, tokenProblem).access_token;
  }

  async page(q: ListQuery & { limit: number; offset: number }): Promise<ConnectionCollectionResponse> {
    return shaped<ConnectionCollectionResponse>(await this.http.request("GET", "/connections", {
      query: {
        limit: q.limit, offset: q.offset, order_by: q.orderBy, connection_id_pattern: q.pattern,
        connection_id_prefix_pattern: q.prefix !== undefined && q.prefixOnServer ? q.prefix : undefined,
      },
    }), collectionProblem);
  }

  /**
   * Like pagesUnscoped, with --prefix applied: on the server when it knows the parameter (3.3), and always here as
   * well, so an id that does not match never comes back whatever the server did with the parameter.
   */
  async *pages(o: ListPagesOptions = {}): AsyncGenerator<ConnectionResponse[]> {
    if (o.patternTerms) { yield* this.pagesOfTerms(o, o.patternTerms); return; }
    if (o.prefix === undefined) { yield* this.pagesUnscoped(o); return; }
    const match = prefixMatcher(o.prefix);
    if (o.prefixOnServer) {
      for await (const page of this.pagesUnscoped(o)) {
        const kept = page.filter((c) => match(c.connection_id));
        if (kept.length) yield kept;
      }
      return;
    }
    // The server ignores the prefix: read everything (in its order) and apply prefix, offset and limit here.
    let skip = o.offset ?? 0;
    let left = o.limit ?? Infinity;
    if (left === 0) return;
    const inner: ListPagesOptions = { ...o, offset: undefined, limit: undefined, onTotal: undefined };
    for await (const page of this.pagesUnscoped(inner)) {
      const kept: ConnectionResponse[] = [];
      for (const c of page) {
        if (!match(c.connection_id)) continue;
        if (skip > 0) { skip--; continue; }
        kept.push(c);
        if (--left === 0) break;
      }
      if (kept.length) yield kept;
      if (left === 0) return;
    }
  }

  /**
   * "a|b" on a server without "|" (Airflow 3.0, 3.1): one listing per term, in the order of the terms (each in the
   * server's order), a connection matched by several terms once. With --order-by the merged rows are sorted here as
   * the server sorts (text by code point, numbers by value, nulls last; `id`, which answers do not show, keeps the
   * listing order). Offset and limit apply to the merged rows.
   */
  private async *pagesOfTerms(o: ListPagesOptions, terms: string[]): AsyncGenerator<ConnectionResponse[]> {
    let skip = o.offset ?? 0;
    let left = o.limit ?? Infinity;
    if (left === 0) return;
    const seen = new Set<string>();
    const sorted: ConnectionResponse[] | undefined = o.orderBy?.length ? [] : undefined;
    for (const term of terms) {
      const one: ListPagesOptions = { ...o, pattern: term, patternTerms: undefined, offset: undefined, limit: undefined, onTotal: undefined };
      for await (const page of this.pages(one)) {
        const kept: ConnectionResponse[] = [];
        for (const c of page) {
          if (seen.has(c.connection_id)) continue;
          seen.add(c.connection_id);
          if (sorted) { sorted.push(c); continue; }
          if (skip > 0) { skip--; continue; }
          kept.push(c);
          if (--left === 0) break;
        }
        if (kept.length) yield kept;
        if (left === 0) return;
      }
    }
    if (!sorted) return;
    const rows = sortLike(sorted, o.orderBy!).slice(skip, skip + left);
    for (let i = 0; i < rows.length; i += 100) yield rows.slice(i, i + 100);
  }

  /**
   * Every matching connection, page by page, in the server's order. The first page tells the total; the
   * remaining pages are fetched with bounded concurrency and yielded in order, so memory stays at a few pages.
   */
  private async *pagesUnscoped(o: ListPagesOptions = {}): AsyncGenerator<ConnectionResponse[]> {
    const start = o.offset ?? 0;
    const want = o.limit;
    if (want === 0) return;
    let size = Math.max(1, Math.min(o.pageSize ?? 100, want ?? Infinity));
    const first = await this.page({ ...o, limit: size, offset: start });
    const total = first.total_entries;
    const end = Math.min(total, want === undefined ? Infinity : start + want);
    o.onTotal?.(Math.max(0, end - start));
    let got = first.connections.slice(0, Math.max(0, end - start));
    // The server caps the page silently: if it gave fewer than asked while more exist, its cap is the page size.
    if (first.connections.length < size && start + first.connections.length < end) size = Math.max(1, first.connections.length);
    yield got;
    let next = start + first.connections.length;
    if (first.connections.length === 0) return;
    const offsets: number[] = [];
    for (let off = next; off < end; off += size) offsets.push(off);
    const conc = Math.max(1, o.concurrency ?? 8);
    const inflight: Array<Promise<ConnectionCollectionResponse>> = [];
    let i = 0;
    const launch = () => {
      const off = offsets[i++]!;
      const p = this.page({ ...o, limit: Math.min(size, end - off), offset: off });
      p.catch(() => {}); // awaited in order below; avoid an unhandled rejection meanwhile
      inflight.push(p);
    };
    // Ctrl-C or a closed stdout (the CLI's signal) ends the paging: no further page is asked for.
    const goOn = () => this.http.opts.signal?.throwIfAborted();
    goOn();
    while (i < offsets.length && inflight.length < conc) launch();
    while (inflight.length) {
      const page = await inflight.shift()!;
      got = page.connections;
      if (got.length) yield got;
      // The next page is asked for once the consumer has taken this one: a consumer that stopped (`| head -1`) costs
      // at most the `concurrency` pages already in flight, which the signal aborts.
      goOn();
      if (i < offsets.length) launch();
    }
  }

  async list(o: ListPagesOptions = {}): Promise<ConnectionResponse[]> {
    const all: ConnectionResponse[] = [];
    for await (const p of this.pages(o)) for (const c of p) all.push(c);
    return all;
  }

  async get(id: string): Promise<ConnectionResponse> {
    return shaped<ConnectionResponse>(await this.http.request("GET", `/connections/${encodeId(id)}`), connectionProblem);
  }

  async create(body: ConnectionBody): Promise<ConnectionResponse> {
    return shaped<ConnectionResponse>(await this.http.request("POST", "/connections", { body }), connectionProblem);
  }

  async patch(id: string, body: ConnectionBody, updateMask?: string[]): Promise<ConnectionResponse> {
    return shaped<ConnectionResponse>(await this.http.request("PATCH", `/connections/${encodeId(id)}`, {
      body, query: updateMask ? { update_mask: updateMask } : undefined,
    }), connectionProblem);
  }

  async delete(id: string): Promise<void> {
    shaped(await this.http.request("DELETE", `/connections/${encodeId(id)}`), emptyProblem);
  }

  async test(body: ConnectionBody): Promise<ConnectionTestResponse> {
    return shaped<ConnectionTestResponse>(await this.http.request("POST", "/connections/test", { body }), testResultProblem);
  }

  /** Airflow 3.3: queues a test on a worker; 202 with a token to poll. */
  async enqueueTest(body: ConnectionTestRequestBody): Promise<ConnectionTestQueuedResponse> {
    return shaped<ConnectionTestQueuedResponse>(await this.http.request("POST", "/connections/enqueue-test", { body }), queuedTestProblem(true));
  }

  /** Airflow 3.3: the state of a queued test; the token goes in a header, never in the URL. */
  async pollTest(token: string): Promise<AsyncConnectionTestResponse> {
    return shaped<AsyncConnectionTestResponse>(await this.http.request("GET", "/connections/enqueue-test", {
      headers: { "Airflow-Connection-Test-Token": token },
    }), queuedTestProblem(false));
  }

  /** GET /api/v2/version: needs no token. */
  async version(): Promise<VersionInfo> {
    return shaped<VersionInfo>(await this.http.request("GET", "/version", { token: null }), versionProblem);
  }

  async createDefaults(): Promise<void> {
    shaped(await this.http.request("POST", "/connections/defaults"), emptyProblem);
  }

  async bulk(body: BulkBody): Promise<BulkResponse> {
    return shaped<BulkResponse>(await this.http.request("PATCH", "/connections", { body }), bulkProblem);
  }
}
