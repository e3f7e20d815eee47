// Typed calls for the connection endpoints, over one Http.
import { encodeId, Http, type HttpOptions } from "./http.js";
import type {
  AsyncConnectionTestResponse,
  BulkBody,
  BulkResponse,
  ConnectionBody,
  ConnectionCollectionResponse,
  ConnectionResponse,
  ConnectionTestQueuedResponse,
  ConnectionTestRequestBody,
  ConnectionTestResponse,
  VersionInfo,
} from "./types.js";
import { patternNeedsVersion, patternQuery, prefixMatcher } from "../util/pattern.js";
import { capabilitiesOf, type Capabilities, type ServerVersion } from "./versions.js";
import { NotAirflowApiError } from "./http.js";
import {
  bulkProblem,
  collectionProblem,
  connectionProblem,
  emptyProblem,
  queuedTestProblem,
  shaped,
  testResultProblem,
  tokenProblem,
  versionProblem,
} from "./shape.js";

export interface ListQuery {
  /**
   * connection_id_pattern. An "a|b" pattern goes whole to a server that ORs the terms (Airflow 3.2 and newer); for an
   * older server, or one whose version cannot be read, the terms are listed one by one, each connection once
   * (pagesOfTerms).
   */
  pattern?: string;
  /**
   * connection_id_prefix_pattern (Airflow 3.3). Every id that comes back matches it: the server's answer is filtered
   * here too. A server that does not know the parameter (3.2 ignores it and returns everything) is not sent it, and
   * airconn filters every page itself, applying offset and limit to the matching ids.
   */
  prefix?: string;
  orderBy?: string[];
  offset?: number;
  /** Stop after this many connections (all when absent). */
  limit?: number;
}

/** A listing for a server of known capabilities: the prefix is sent only when `prefixOnServer`. */
interface ScopedQuery extends ListPagesOptions {
  prefixOnServer?: boolean;
}

export interface ListPagesOptions extends ListQuery {
  concurrency?: number;
  /** Page size asked for; the server caps it (100 by default) and airconn adapts to the cap it sees. */
  pageSize?: number;
  onTotal?: (total: number) => void;
}

/** Rows sorted by order_by keys as Airflow sorts them (`-` descending, nulls last either way); stable. */
function sortLike(rows: ConnectionResponse[], orderBy: string[]): ConnectionResponse[] {
  const keys = orderBy
    .map((k) => k.replace(/^-+/, ""))
    .flatMap((name, i) =>
      name === "id"
        ? []
        : [
            {
              field: (name === "conn_id" ? "connection_id" : name) as keyof ConnectionResponse,
              desc: orderBy[i]!.startsWith("-"),
            },
          ],
    );
  const cmp = (a: ConnectionResponse, b: ConnectionResponse): number => {
    for (const { field, desc } of keys) {
      const x = a[field] ?? null,
        y = b[field] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c =
        typeof x === "number" && typeof y === "number"
          ? x - y
          : String(x) < String(y)
            ? -1
            : String(x) > String(y)
              ? 1
              : 0;
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  };
  return [...rows].sort(cmp);
}

/** What the client needs to know its server's version. */
export interface ServerOptions {
  /** Where the version cache is (XDG_CACHE_HOME...): without it the version is asked for without a cache. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** The versions read so far by base URL: clients that share it (those of one run) ask each server once. */
  versions?: Map<string, Promise<ServerVersion | undefined>>;
}

export class AirflowApi {
  readonly http: Http;
  private readonly versions: Map<string, Promise<ServerVersion | undefined>>;
  constructor(
    opts: HttpOptions,
    private readonly server: ServerOptions = {},
  ) {
    this.http = new Http(opts);
    this.versions = server.versions ?? new Map();
  }

  get baseUrl(): string {
    return this.http.opts.baseUrl;
  }

  /**
   * The server's Airflow version (GET /api/v2/version, cached on disk for a few minutes per URL), read once per base
   * URL, or undefined when it cannot be read: a command that merely adapts to the version goes on without it (the
   * reason is a --verbose line). Ctrl-C still stops it.
   */
  serverVersion(): Promise<ServerVersion | undefined> {
    let v = this.versions.get(this.baseUrl);
    if (!v) {
      v = this.readVersion(false).catch((e: unknown) => {
        if (this.http.opts.signal?.aborted) throw e;
        this.http.opts.verbose?.(`could not read the server version: ${(e as Error).message}`);
        return undefined;
      });
      this.versions.set(this.baseUrl, v);
    }
    return v;
  }

  /** The version fresh from the server (`status`: the cache is refreshed too); throws when the server cannot tell. */
  async checkServerVersion(): Promise<ServerVersion> {
    const v = await this.readVersion(true);
    this.versions.set(this.baseUrl, Promise.resolve(v));
    return v;
  }

  /** What the server offers (prefix on the server, "|" patterns, worker tests), by its version; unknown counts as older. */
  async capabilities(): Promise<Capabilities> {
    return capabilitiesOf(await this.serverVersion());
  }

  private async readVersion(fresh: boolean): Promise<ServerVersion> {
    const { readServerVersion } = await import("./server.js");
    return readServerVersion({
      env: this.server.env,
      apiUrl: this.baseUrl,
      now: this.server.now?.(),
      fresh,
      fetch: () => this.version(),
    });
  }

  async token(username: string, password: string): Promise<string> {
    let r;
    try {
      r = await this.http.request("POST", "/auth/token", { raw: true, body: { username, password }, token: null });
    } catch (e) {
      if (e instanceof NotAirflowApiError && e.kind === "route") {
        throw new NotAirflowApiError(
          e.message,
          e.kind,
          e.method,
          e.url,
          e.status,
          `${e.hint}; or this Airflow does not use the simple auth manager: get a token its way and pass it with --token-stdin or AIRCONN_TOKEN`,
        );
      }
      throw e;
    }
    return shaped<{ access_token: string }>(r, tokenProblem).access_token;
  }

  async page(q: ScopedQuery & { limit: number; offset: number }): Promise<ConnectionCollectionResponse> {
    return shaped<ConnectionCollectionResponse>(
      await this.http.request("GET", "/connections", {
        query: {
          limit: q.limit,
          offset: q.offset,
          order_by: q.orderBy,
          connection_id_pattern: q.pattern,
          connection_id_prefix_pattern: q.prefix !== undefined && q.prefixOnServer ? q.prefix : undefined,
        },
      }),
      collectionProblem,
    );
  }

  /**
   * Every matching connection, page by page. The server's version is read (usually from the cache) only when the
   * query depends on it: a prefix, or a pattern with "|" terms.
   */
  async *pages(o: ListPagesOptions = {}): AsyncGenerator<ConnectionResponse[]> {
    const can = o.prefix !== undefined || patternNeedsVersion(o.pattern) ? await this.capabilities() : undefined;
    const { pattern, patternTerms } = patternQuery(o.pattern, !!can?.orPatterns);
    const scoped: ScopedQuery = { ...o, pattern, prefixOnServer: can?.prefixOnServer };
    yield* patternTerms ? this.pagesOfTerms(scoped, patternTerms) : this.prefixed(scoped);
  }

  /**
   * Like pagesUnscoped, with --prefix applied: on the server when it knows the parameter (3.3), and always here as
   * well, so an id that does not match never comes back whatever the server did with the parameter.
   */
  private async *prefixed(o: ScopedQuery): AsyncGenerator<ConnectionResponse[]> {
    if (o.prefix === undefined) {
      yield* this.pagesUnscoped(o);
      return;
    }
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
    const inner: ScopedQuery = { ...o, offset: undefined, limit: undefined, onTotal: undefined };
    for await (const page of this.pagesUnscoped(inner)) {
      const kept: ConnectionResponse[] = [];
      for (const c of page) {
        if (!match(c.connection_id)) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
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
  private async *pagesOfTerms(o: ScopedQuery, terms: string[]): AsyncGenerator<ConnectionResponse[]> {
    let skip = o.offset ?? 0;
    let left = o.limit ?? Infinity;
    if (left === 0) return;
    const seen = new Set<string>();
    const sorted: ConnectionResponse[] | undefined = o.orderBy?.length ? [] : undefined;
    for (const term of terms) {
      const one: ScopedQuery = { ...o, pattern: term, offset: undefined, limit: undefined, onTotal: undefined };
      for await (const page of this.prefixed(one)) {
        const kept: ConnectionResponse[] = [];
        for (const c of page) {
          if (seen.has(c.connection_id)) continue;
          seen.add(c.connection_id);
          if (sorted) {
            sorted.push(c);
            continue;
          }
          if (skip > 0) {
            skip--;
            continue;
          }
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
  private async *pagesUnscoped(o: ScopedQuery): AsyncGenerator<ConnectionResponse[]> {
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
    if (first.connections.length < size && start + first.connections.length < end)
      size = Math.max(1, first.connections.length);
    yield got;
    const next = start + first.connections.length;
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
    return shaped<ConnectionResponse>(
      await this.http.request("GET", `/connections/${encodeId(id)}`),
      connectionProblem,
    );
  }

  async create(body: ConnectionBody): Promise<ConnectionResponse> {
    return shaped<ConnectionResponse>(await this.http.request("POST", "/connections", { body }), connectionProblem);
  }

  async patch(id: string, body: ConnectionBody, updateMask?: string[]): Promise<ConnectionResponse> {
    return shaped<ConnectionResponse>(
      await this.http.request("PATCH", `/connections/${encodeId(id)}`, {
        body,
        query: updateMask ? { update_mask: updateMask } : undefined,
      }),
      connectionProblem,
    );
  }

  async delete(id: string): Promise<void> {
    shaped(await this.http.request("DELETE", `/connections/${encodeId(id)}`), emptyProblem);
  }

  async test(body: ConnectionBody): Promise<ConnectionTestResponse> {
    return shaped<ConnectionTestResponse>(
      await this.http.request("POST", "/connections/test", { body }),
      testResultProblem,
    );
  }

  /** Airflow 3.3: queues a test on a worker; 202 with a token to poll. */
  async enqueueTest(body: ConnectionTestRequestBody): Promise<ConnectionTestQueuedResponse> {
    return shaped<ConnectionTestQueuedResponse>(
      await this.http.request("POST", "/connections/enqueue-test", { body }),
      queuedTestProblem(true),
    );
  }

  /** Airflow 3.3: the state of a queued test; the token goes in a header, never in the URL. */
  async pollTest(token: string): Promise<AsyncConnectionTestResponse> {
    return shaped<AsyncConnectionTestResponse>(
      await this.http.request("GET", "/connections/enqueue-test", {
        headers: { "Airflow-Connection-Test-Token": token },
      }),
      queuedTestProblem(false),
    );
  }

  /**
   * GET /ui/connections/hook_meta (not under /api/v2): the UI's connection-form metadata per connection type, a
   * private route with no stability promise; the body as it came (src/catalog/parse.ts reads it).
   */
  async hookMeta(): Promise<unknown> {
    return (await this.http.request("GET", "/ui/connections/hook_meta", { raw: true })).body;
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
