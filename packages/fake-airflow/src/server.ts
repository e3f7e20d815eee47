// An in-memory, Airflow 3.2.1- or 3.3.2-compatible connections API (REST API v2 + simple auth manager /auth/token).
// Behaviour follows docs/airflow/api-behaviour.md at the repository's root; see this package's README.md.
// This file puts the parts together: the state of one server (App), the transport, and the order a request goes
// through: record -> latency -> intercept -> faults -> routing table -> answer.
import type { App } from "./handlers/shared.js";
import { columnsOf } from "./model/connections.js";
import { isHookMetaMode, type HookMetaMode } from "./model/hook-meta.js";
import { seedConnection } from "./model/defaults.js";
import { JwtSigner } from "./model/jwt.js";
import { maskerFor } from "./model/redact.js";
import { Store, type StoredConnection } from "./model/store.js";
import { before32, is33, resolveVersion, type AirflowVersion } from "./model/versions.js";
import { WorkerTests, type ConnectionTestRun } from "./model/worker-tests.js";
import type { FakeAirflow, FakeAirflowOptions } from "./options.js";
import { dispatch } from "./routes/table.js";
import { FaultPlan, type Faults } from "./transport/faults.js";
import { HttpTransport, type Exchange, type Outlet } from "./transport/http.js";
import { answered, keep, recordOf, type RecordedRequest } from "./transport/recording.js";
import { JSON_TYPE, TEXT_TYPE, type Reply } from "./transport/reply.js";

class FakeAirflowServer implements FakeAirflow {
  url = "";
  port = 0;
  adminToken = "";
  requests: RecordedRequest[] = [];

  readonly airflowVersion: AirflowVersion;
  readonly sensitiveWords: readonly string[];
  private readonly app: App;
  private readonly store = new Store();
  private readonly workerTests: WorkerTests;
  private readonly jwt: JwtSigner;
  private readonly transport: HttpTransport;
  private readonly faults = new FaultPlan();
  private readonly record: boolean;
  private readonly recordLimit: number;

  constructor(private readonly opts: FakeAirflowOptions) {
    this.airflowVersion = resolveVersion(opts.airflowVersion);
    const v33 = is33(this.airflowVersion);
    const old = before32(this.airflowVersion);
    const masker = maskerFor(this.airflowVersion);
    this.sensitiveWords = masker.words;
    this.workerTests = new WorkerTests(this.store, {
      durationMs: opts.connectionTestMs ?? 300,
      maxConcurrency: opts.maxConnectionTestConcurrency ?? 4,
      timeoutMs: opts.connectionTestTimeoutMs ?? 90_000,
      masker,
      manualClock: opts.manualClock ?? false,
    });
    this.jwt = new JwtSigner(undefined, opts.jwtLeewaySeconds ?? 0);
    this.app = {
      airflowVersion: this.airflowVersion,
      v33,
      before32: old,
      refuseTeam: old ? "absent" : v33 && opts.multiTeam !== true,
      masker,
      store: this.store,
      workerTests: this.workerTests,
      jwt: this.jwt,
      users: opts.users ?? { admin: "admin" },
      tokenTtlSeconds: opts.tokenTtlSeconds ?? 86400,
      maxPageLimit: opts.maxPageLimit ?? 100,
      testsEnabled: (opts.testConnection ?? "Disabled").toLowerCase().trim() === "enabled",
      executors: opts.executors ?? ["LocalExecutor"],
      settings: { hookMeta: checkedHookMeta(opts.hookMeta ?? "ok") },
    };
    this.record = opts.record ?? true;
    this.recordLimit = opts.recordLimit ?? 200_000;
    this.transport = new HttpTransport((ex, out) => this.handle(ex, out));
    this.setFaults(opts.faults);
    this.seed(opts.seed ?? 0);
  }

  async listen(): Promise<void> {
    const host = this.opts.host ?? "127.0.0.1";
    await this.transport.listen(this.opts.port ?? 0, host);
    this.port = this.transport.port;
    this.url = `http://${host}:${this.port}`;
    this.adminToken = this.mintToken({ username: "admin" });
  }

  // ---- public API --------------------------------------------------------------------------------
  stored(id: string): StoredConnection | undefined {
    const c = this.store.get(id);
    return c ? plainCopy(c) : undefined;
  }

  all(): StoredConnection[] {
    return this.store.ordered().map(plainCopy);
  }

  connectionTests(): ConnectionTestRun[] {
    return this.workerTests.all();
  }

  mintToken(o: { username?: string; expiresInSeconds?: number } = {}): string {
    return this.jwt.sign(o.username ?? "admin", o.expiresInSeconds ?? this.app.tokenTtlSeconds);
  }

  setFaults(f: Faults | undefined): void {
    this.faults.set(f);
    this.transport.revive();
  }

  get hookMeta(): HookMetaMode {
    return this.app.settings.hookMeta;
  }

  setHookMeta(mode: HookMetaMode): void {
    this.app.settings.hookMeta = checkedHookMeta(mode);
  }

  advanceClock(ms: number): void {
    this.workerTests.advance(ms);
  }

  reset(o: { seed?: number } = {}): void {
    this.workerTests.reset();
    this.store.clear();
    this.requests.length = 0;
    this.seed(o.seed ?? 0);
    this.transport.revive();
  }

  async close(): Promise<void> {
    if (this.transport.closed) return;
    this.workerTests.reset();
    await this.transport.close();
  }

  // ---- internals ---------------------------------------------------------------------------------
  private seed(n: number): void {
    for (let i = 1; i <= n; i++) this.store.insert(seedConnection(i));
    for (const c of this.opts.connections ?? []) {
      this.store.insert({
        description: null,
        host: null,
        login: null,
        schema: null,
        port: null,
        extra: null,
        team_name: null,
        ...c,
        password: c.password ? c.password : null,
      });
    }
  }

  private async handle(ex: Exchange, out: Outlet): Promise<void> {
    const rec = this.record || this.opts.intercept ? recordOf(ex) : undefined;
    if (rec && this.record) keep(this.requests, rec, this.recordLimit);
    const answer = (reply: Reply) => {
      answered(rec, reply.status);
      out.send(reply);
    };

    const isApi = ex.path.startsWith("/api/v2/") || ex.path === "/api/v2";
    const isAuth = ex.path === "/auth" || ex.path.startsWith("/auth/");
    const isUiApi = ex.path.startsWith("/ui/");
    if ((isApi || isAuth || isUiApi) && this.opts.latencyMs) await sleep(this.opts.latencyMs);
    if (out.gone) return;

    const scripted = rec && this.opts.intercept?.(rec);
    if (scripted) {
      const text = scripted.json !== undefined ? JSON.stringify(scripted.json) : scripted.text;
      answer({
        status: scripted.status,
        headers: scripted.headers,
        body: text,
        type: scripted.json !== undefined ? JSON_TYPE : TEXT_TYPE,
      });
      return;
    }
    if (isApi && this.faults.active) {
      const fault = this.faults.pick(ex.method, ex.rawPath);
      if (fault === "die") {
        this.transport.crash();
        return;
      }
      if (fault === "hang") {
        out.hang();
        return;
      }
      if (fault) {
        answer(fault);
        return;
      }
    }
    answer(dispatch(this.app, ex));
  }
}

function checkedHookMeta(mode: string): HookMetaMode {
  if (!isHookMetaMode(mode))
    throw new Error(`fake-airflow: hookMeta must be ok, forbidden, missing or old-shape, got ${JSON.stringify(mode)}`);
  return mode;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const plainCopy = (c: StoredConnection): StoredConnection => ({ id: c.id, ...columnsOf(c) });

export async function startFakeAirflow(opts: FakeAirflowOptions = {}): Promise<FakeAirflow> {
  const s = new FakeAirflowServer(opts);
  await s.listen();
  return s;
}
