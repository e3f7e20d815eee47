// How requests leave the machine: the proxy from the environment (HTTP(S)_PROXY, NO_PROXY, read as undici's
// EnvHttpProxyAgent reads them) and the TLS options (--ca-cert, --insecure), applied both to a direct connection and
// to the connection tunnelled through a proxy. undici is loaded only when one of them is in use.
import { readFileLimitedSync } from "../util/read-limited.js";
import type { Dispatcher } from "undici";
import { UsageError } from "../errors.js";
import type { Sourced } from "../config/resolve.js";

export interface ProxyEnv {
  http: { value: string; from: string } | undefined;
  https: { value: string; from: string } | undefined;
  noProxy: string;
}

/** The proxy variables as undici reads them: the lower-case one when set (even empty), else the upper-case one. */
export function proxyEnv(env: NodeJS.ProcessEnv): ProxyEnv {
  const read = (lower: string, upper: string) => {
    if (env[lower] !== undefined) return env[lower] ? { value: env[lower]!, from: lower } : undefined;
    return env[upper] ? { value: env[upper]!, from: upper } : undefined;
  };
  return {
    http: read("http_proxy", "HTTP_PROXY"),
    https: read("https_proxy", "HTTPS_PROXY"),
    noProxy: env.no_proxy ?? env.NO_PROXY ?? "",
  };
}

/** A proxy URL fit for a message: no user name or password. */
export function showProxy(value: string): string {
  try {
    const u = new URL(value);
    if (/^(https?|socks5?):$/.test(u.protocol)) return `${u.protocol}//${u.host}`;
  } catch {
    /* not a URL: drop whatever stands before an @ */
  }
  return value.replace(/^.*@/, "");
}

/** The proxy a request to `url` goes through (undici's rules: https falls back to http_proxy; NO_PROXY wins), if any. */
export function proxyFor(url: URL, p: ProxyEnv): { url: string; from: string } | undefined {
  const chosen = url.protocol === "https:" ? (p.https ?? p.http) : p.http;
  if (!chosen) return undefined;
  const host = url.hostname.toLowerCase();
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const entries = p.noProxy.split(/[,\s]/).filter(Boolean);
  if (p.noProxy === "*") return undefined;
  for (const entry of entries) {
    const m = /^(.+):(\d+)$/.exec(entry);
    const h = (m ? m[1]! : entry).replace(/^\*?\./, "").toLowerCase();
    if (m && Number(m[2]) !== port) continue;
    if (host === h || host.endsWith(`.${h}`)) return undefined;
  }
  return { url: showProxy(chosen.value), from: chosen.from };
}

/** The most a CA file may hold. */
const MAX_CA_BYTES = 4 * 1024 * 1024;

export interface TlsOptions {
  caCert?: Sourced<string>;
  insecure?: Sourced<true>;
}

/** The PEM text of a CA file; a usage error (exit 2) naming where the path came from when it cannot be used. */
export function readCaFile(ca: Sourced<string>): string {
  const where =
    ca.source === "flag" ? "--ca-cert" : ca.source === "env" ? "AIRCONN_CA_CERT" : `the ca_cert of ${ca.detail}`;
  const noPem = () =>
    new UsageError(
      `${where} ${ca.value} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      "give the CA certificate in PEM form (convert DER with `openssl x509 -inform der -in ca.der -out ca.pem`)",
    );
  let pem: string;
  try {
    // Under a limit (4 MiB; a CA bundle is a few hundred KB): `--ca-cert /dev/zero` grew past 16 GB.
    pem = readFileLimitedSync(ca.value, {
      maxBytes: MAX_CA_BYTES,
      what: `${where} ${ca.value}`,
      check: (c) => {
        if (c.includes(0)) throw noPem();
      },
    }).toString("utf8");
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `cannot read ${where} ${ca.value}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw noPem();
  return pem;
}

/**
 * The undici dispatcher for these settings, or undefined when Node's fetch needs none (no proxy, no TLS option).
 * With a proxy the target's TLS options go to the tunnelled connection (`requestTls`); the proxy's own TLS (an
 * https:// proxy) trusts the system CAs plus the given CA.
 */
export async function makeDispatcher(tls: TlsOptions, proxies: ProxyEnv): Promise<Dispatcher | undefined> {
  const ca = tls.caCert ? readCaFile(tls.caCert) : undefined;
  if (!ca && !tls.insecure && !proxies.http && !proxies.https) return undefined;
  const target = { ...(ca ? { ca } : {}), ...(tls.insecure ? { rejectUnauthorized: false } : {}) };
  const { EnvHttpProxyAgent } = await import("undici");
  const proxyTls = ca ? { ca: [...(await import("node:tls")).rootCertificates, ca] } : undefined;
  return new EnvHttpProxyAgent({
    // Given explicitly (never read again by undici from process.env): the environment airconn was given decides.
    httpProxy: proxies.http?.value ?? "",
    httpsProxy: proxies.https?.value ?? "",
    noProxy: proxies.noProxy,
    connect: target,
    requestTls: target,
    ...(proxyTls ? { proxyTls } : {}),
  });
}

/**
 * The transport of a run: one dispatcher per TLS setting (the current profile's; another profile's for
 * --from-profile), made on first use, and the proxy from the environment for all. `fixed` (tests: a MockAgent)
 * serves every request, without a proxy.
 */
export function transports(env: NodeJS.ProcessEnv, fixed?: Dispatcher) {
  const proxies = proxyEnv(env);
  const made = new Map<string, Promise<Dispatcher | undefined>>();
  return {
    dispatcher(tls: TlsOptions): Promise<Dispatcher | undefined> {
      if (fixed) return Promise.resolve(fixed);
      const key = JSON.stringify([tls.caCert?.value, !!tls.insecure]);
      let d = made.get(key);
      if (!d) made.set(key, (d = makeDispatcher(tls, proxies)));
      return d;
    },
    /** The proxy requests to `baseUrl` go through, for messages. */
    proxy: (baseUrl: string) => (fixed ? undefined : proxyFor(new URL(baseUrl), proxies)),
  };
}

/**
 * The warning for an `insecure` that was not given on the command line: a stored or exported one is easy to forget,
 * so it is said on every run that uses it.
 */
export function insecureWarning(baseUrl: string, tls: TlsOptions): string | undefined {
  if (!tls.insecure || tls.insecure.source === "flag" || !baseUrl.startsWith("https:")) return undefined;
  const instead =
    tls.insecure.source === "profile"
      ? `keep the CA instead: airconn profile set ${tls.insecure.detail.replace(/^profile /, "")} --ca-cert FILE`
      : "unset AIRCONN_INSECURE and use AIRCONN_CA_CERT";
  return `the certificate of ${new URL(baseUrl).host} is not verified (insecure from ${tls.insecure.detail}): anyone on the way can read the token; ${instead}`;
}
