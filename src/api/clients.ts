// The API clients of one run: each with the run's transport (proxy, TLS) and limits, the warnings about a secret
// over plain http and an unverified certificate said once, every line they print cleaned of the run's secrets, and
// one memo of server versions for all of them.
import type { Dispatcher } from "undici";
import type { MwaaSettings, Resolved, TlsSettings } from "../config/resolve.js";
import { plainHttpWarning } from "../util/plain-http.js";
import { authenticate, type AuthContext } from "./auth.js";
import { AirflowApi } from "./client.js";
import type { TokenSource } from "./token.js";
import { insecureWarning, transports } from "./transport.js";
import type { ServerVersion } from "./versions.js";
import { VERSION } from "../version.js";
import { mwaaBaseUrl } from "../config/mwaa.js";
import { UsageError } from "../errors.js";

export interface ClientsInit extends Omit<AuthContext, "login"> {
  timeoutMs: number;
  retries: number;
  sleep: (ms: number) => Promise<void>;
  now?: () => number;
  /** Lines for people on stderr (a long wait before a retry). */
  notice: (line: string) => void;
  /** Tests: this dispatcher (e.g. undici MockAgent) for every request. */
  dispatcher?: Dispatcher;
  /** The TLS settings for a client made from a URL alone: the run's profile's. */
  tls: () => TlsSettings;
  /** The run's MWAA settings, for a client made from the URL mwaa://ENV alone (the server's version). */
  mwaa?: () => MwaaSettings | undefined;
}

export function apiClients(c: ClientsInit) {
  const transport = transports(c.env, c.dispatcher);
  const versions = new Map<string, Promise<ServerVersion | undefined>>();

  const make = async (
    baseUrl: string,
    token: string | undefined,
    auth?: TokenSource,
    tls: TlsSettings = c.tls(),
    mwaa?: MwaaSettings,
  ): Promise<AirflowApi> => {
    // MWAA (issue 22): requests go through InvokeRestApi, signed with AWS credentials; the module and the AWS
    // packages load only here.
    const viaMwaa = mwaa && (await import("./mwaa.js")).mwaaTransport(mwaa, c);
    if (token) c.secrets.add(token);
    const plain = token || auth ? plainHttpWarning(baseUrl, "the token") : undefined;
    if (plain) c.warn(plain);
    const insecure = insecureWarning(baseUrl, tls);
    if (insecure) c.warn(insecure);
    return new AirflowApi(
      {
        baseUrl,
        token,
        auth,
        timeoutMs: c.timeoutMs,
        retries: c.retries,
        dispatcher: await transport.dispatcher(tls),
        signal: c.signal,
        proxy: transport.proxy(viaMwaa ? viaMwaa.via.href : baseUrl),
        ...(viaMwaa ? { fetch: viaMwaa.fetch, via: viaMwaa.via } : {}),
        sleep: c.sleep,
        verbose: c.verbose,
        notice: c.notice,
        userAgent: `airconn/${VERSION} node/${process.versions.node}`,
      },
      { env: c.env, now: c.now, versions },
    );
  };

  /** The run's MWAA settings for its URL mwaa://ENV; undefined for another URL. */
  const mwaaOf = (baseUrl: string): MwaaSettings | undefined => {
    if (!baseUrl.startsWith("mwaa:")) return undefined;
    const m = c.mwaa?.();
    if (!m || mwaaBaseUrl(m.environment.value) !== baseUrl)
      throw new UsageError(`${baseUrl} is not the MWAA environment of this run`);
    return m;
  };

  return {
    /** A client for a URL with this token or none (login, the server's version); the TLS settings are the run's. */
    forUrl: (baseUrl: string, token?: string) => make(baseUrl, token, undefined, c.tls(), mwaaOf(baseUrl)),
    /** A client for these settings with their token source; the first token is obtained now. */
    async forSettings(s: Resolved): Promise<AirflowApi> {
      if (s.mwaa) {
        const unused = s.auth.kind === "token" ? s.auth.token : s.auth.kind === "command" ? s.auth.command : undefined;
        if (unused)
          c.warn(
            `the ${s.auth.kind === "token" ? "token" : "token command"} from ${unused.detail} is not used: requests to MWAA environment "${s.mwaa.environment.value}" are signed with AWS credentials`,
          );
        return make(s.apiUrl.value, undefined, undefined, s.tls, s.mwaa);
      }
      let anon: Promise<AirflowApi> | undefined;
      const login = async (username: string, password: string) =>
        (await (anon ??= make(s.apiUrl.value, undefined, undefined, s.tls))).token(username, password);
      return make(s.apiUrl.value, undefined, await authenticate(s, { ...c, login }), s.tls);
    },
  };
}
