// Issue 18, item 4: which proxy a request goes through (undici's rules for HTTP(S)_PROXY and NO_PROXY, mirrored for
// messages), the TLS settings' precedence (flag > env > profile; a CA at a higher level beats insecure), and the
// scheme suggested for an API URL given without one.
import { describe, expect, it } from "vitest";
import { proxyEnv, proxyFor, showProxy } from "../../src/api/transport.js";
import { normaliseApiUrl, resolveTls } from "../../src/config/resolve.js";
import { UsageError } from "../../src/errors.js";

const via = (url: string, env: NodeJS.ProcessEnv) => proxyFor(new URL(url), proxyEnv(env));

describe("proxyFor", () => {
  it("https uses HTTPS_PROXY, else HTTP_PROXY; http uses HTTP_PROXY only; lower case wins, even empty", () => {
    expect(via("https://a.example", { HTTPS_PROXY: "http://p:3128" })).toEqual({
      url: "http://p:3128",
      from: "HTTPS_PROXY",
    });
    expect(via("https://a.example", { HTTP_PROXY: "http://p:3128" })).toEqual({
      url: "http://p:3128",
      from: "HTTP_PROXY",
    });
    expect(via("http://a.example", { HTTPS_PROXY: "http://p:3128" })).toBeUndefined();
    expect(via("http://a.example", { http_proxy: "http://q:1", HTTP_PROXY: "http://p:3128" })).toEqual({
      url: "http://q:1",
      from: "http_proxy",
    });
    expect(via("http://a.example", { http_proxy: "", HTTP_PROXY: "http://p:3128" })).toBeUndefined();
  });

  it("NO_PROXY: exact host, subdomains, a leading dot or *., a port; * bypasses every host", () => {
    const env = { HTTPS_PROXY: "http://p:3128" };
    expect(via("https://a.example", { ...env, NO_PROXY: "a.example" })).toBeUndefined();
    expect(via("https://x.a.example", { ...env, NO_PROXY: ".a.example" })).toBeUndefined();
    expect(via("https://x.a.example", { ...env, NO_PROXY: "*.a.example" })).toBeUndefined();
    expect(via("https://ba.example", { ...env, NO_PROXY: "a.example" })).toEqual({
      url: "http://p:3128",
      from: "HTTPS_PROXY",
    });
    expect(via("https://a.example:8443", { ...env, NO_PROXY: "a.example:443" })).toBeDefined();
    expect(via("https://a.example", { ...env, NO_PROXY: "a.example:443" })).toBeUndefined();
    expect(via("https://a.example", { ...env, no_proxy: "*" })).toBeUndefined();
  });

  it("a proxy is shown without its credentials", () => {
    expect(showProxy("http://user:pw@proxy.corp:3128")).toBe("http://proxy.corp:3128");
    expect(showProxy("user:pw@proxy.corp:3128")).toBe("proxy.corp:3128");
  });
});

describe("resolveTls", () => {
  const profile = { ca_cert: "/etc/p.pem", insecure: true };
  it("flag > env > profile for the CA", () => {
    expect(resolveTls({ caCert: "/f.pem" }, { AIRCONN_CA_CERT: "/e.pem" }, profile, "p").caCert).toEqual({
      value: "/f.pem",
      source: "flag",
      detail: "--ca-cert",
    });
    expect(resolveTls({}, { AIRCONN_CA_CERT: "/e.pem" }, { ca_cert: "/etc/p.pem" }, "p").caCert).toEqual({
      value: "/e.pem",
      source: "env",
      detail: "AIRCONN_CA_CERT",
    });
    expect(resolveTls({}, {}, { ca_cert: "/etc/p.pem" }, "p").caCert).toEqual({
      value: "/etc/p.pem",
      source: "profile",
      detail: "profile p",
    });
  });

  it("insecure: the first level that says anything decides (AIRCONN_INSECURE=0 beats the profile's)", () => {
    expect(resolveTls({}, {}, { insecure: true }, "p").insecure).toEqual({
      value: true,
      source: "profile",
      detail: "profile p",
    });
    expect(resolveTls({}, { AIRCONN_INSECURE: "0" }, { insecure: true }, "p").insecure).toBeUndefined();
    expect(resolveTls({ insecure: true }, { AIRCONN_INSECURE: "0" }, {}, "p").insecure?.source).toBe("flag");
    expect(() => resolveTls({}, { AIRCONN_INSECURE: "sure" }, {}, "p")).toThrow(UsageError);
  });

  it("a CA given at a higher level than insecure wins over it; at the same or a lower level it does not", () => {
    expect(resolveTls({ caCert: "/f.pem" }, {}, { insecure: true }, "p").insecure).toBeUndefined();
    expect(resolveTls({}, { AIRCONN_CA_CERT: "/e.pem" }, { insecure: true }, "p").insecure).toBeUndefined();
    expect(resolveTls({}, {}, profile, "p").insecure?.source).toBe("profile");
    expect(resolveTls({ insecure: true }, { AIRCONN_CA_CERT: "/e.pem" }, {}, "p").insecure?.source).toBe("flag");
  });
});

describe("normaliseApiUrl without a scheme", () => {
  const hint = (raw: string) => {
    try {
      normaliseApiUrl(raw);
    } catch (e) {
      return [(e as UsageError).message, (e as UsageError).hint];
    }
    return undefined;
  };
  it.each([
    ["localhost:8080", "http://localhost:8080"],
    ["127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["airflow.example.com", "https://airflow.example.com"],
    ["airflow.example.com:443/airflow", "https://airflow.example.com:443/airflow"],
    ["airflow.example.com:8080", "http://airflow.example.com:8080"],
  ])("%s: did you mean %s?", (raw, url) => {
    expect(hint(raw)?.[1]).toBe(`did you mean ${url}?`);
  });
  it("no guess for what is not a host, nor for another scheme", () => {
    expect(hint("not-a-url")).toEqual([
      'invalid API URL "not-a-url" (from --api-url): expected something like http://localhost:8080',
      undefined,
    ]);
    expect(hint("ftp://airflow")).toEqual([
      'invalid API URL "ftp://airflow" (from --api-url): only http and https are supported',
      undefined,
    ]);
  });
});
