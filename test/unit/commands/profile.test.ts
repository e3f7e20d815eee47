// `airconn profile list|show|use|set|remove`: the profiles of a config folder (AIRCONN_CONFIG_DIR), what each
// command writes there, the settings in effect with their sources, and never a token on any output.
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import {
  runProfileList,
  runProfileRemove,
  runProfileSet,
  runProfileShow,
  runProfileUse,
} from "../../../src/commands/profile.js";
import {
  closeAirflows,
  configFolder,
  fakeAirflow,
  inConfig,
  readConfig,
  tempFile,
  tempFolder,
  type Setup,
} from "../commands-support.js";

afterEach(closeAirflows);

const config = readConfig;

describe("profile set, use, list, remove", () => {
  it("manages several profiles", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const run = (fn: Parameters<Setup["run"]>[0], o: Parameters<typeof inConfig>[2] = {}) => {
      const s = inConfig(af, dir, o);
      return s.run(fn).then((code) => ({ code, s }));
    };
    expect((await run((d) => runProfileSet("staging", { apiUrl: "https://staging.example.com/api/v2" }, d))).code).toBe(
      0,
    );
    expect((await run((d) => runProfileSet("local", { apiUrl: af.url }, d))).code).toBe(0);
    expect((await run((d) => runProfileUse("local", d))).code).toBe(0);
    const l = await run((d) => runProfileList(d), { globals: { output: "json" } });
    expect(JSON.parse(l.s.io.stdout())).toEqual([
      {
        name: "staging",
        current: false,
        api_url: "https://staging.example.com",
        username: null,
        token: "none",
        token_expires: null,
      },
      { name: "local", current: true, api_url: af.url, username: null, token: "none", token_expires: null },
    ]);
    const nope = await run((d) => runProfileUse("nope", d));
    expect(nope.code).toBe(2);
    expect(nope.s.io.stderr()).toMatch(
      /^airconn: no profile named "nope"\nhint: create it with `airconn profile set NAME --api-url URL` or `airconn -p NAME login`\n$/,
    );
    expect((await run((d) => runProfileRemove("staging", d))).code).toBe(0);
    const p = await run((d) => runProfileList(d));
    expect(p.s.io.stdout()).toBe(`local\t*\t${af.url}\t\tnone\t\n`);
    expect(config(dir)).toMatchObject({ current_profile: "local", profiles: { local: { api_url: af.url } } });
    expect(Object.keys(config(dir).profiles)).toEqual(["local"]);
    expect(af.requests).toEqual([]);
  });

  it("set says what it changed on stderr; the first profile set becomes the current one", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const s = inConfig(af, dir);
    expect(await s.run((d) => runProfileSet("ci", { apiUrl: "http://airflow.internal:8080/" }, d))).toBe(0);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toBe("Profile ci: api_url http://airflow.internal:8080.\n");
    expect(config(dir)).toMatchObject({
      current_profile: "ci",
      profiles: { ci: { api_url: "http://airflow.internal:8080" } },
    });
  });

  it("set: a new URL drops the token of the previous server; a token command replaces a stored token; '' removes it", async () => {
    const af = await fakeAirflow();
    const dir = configFolder({ profiles: { p: { api_url: af.url, token: af.adminToken } } });
    const s = inConfig(af, dir);
    expect(await s.run((d) => runProfileSet("p", { tokenCommand: "echo none" }, d))).toBe(0);
    expect(s.io.stderr()).toBe(
      "Profile p: token command set; removed the stored token (the token command replaces it).\n",
    );
    expect(config(dir).profiles.p).toEqual({ api_url: af.url, token_command: "echo none" });
    const t = inConfig(af, dir);
    expect(await t.run((d) => runProfileSet("p", { tokenCommand: "" }, d))).toBe(0);
    expect(t.io.stderr()).toBe("Profile p: removed the token command.\n");
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({ profiles: { p: { api_url: af.url, token: af.adminToken } } }),
    ); // the token back
    const u = inConfig(af, dir);
    expect(await u.run((d) => runProfileSet("p", { apiUrl: "https://elsewhere.example.com" }, d))).toBe(0);
    expect(u.io.stderr()).toBe(
      "Profile p: api_url https://elsewhere.example.com; removed the stored token (it belongs to the previous server).\n",
    );
    expect(config(dir).profiles.p).toEqual({ api_url: "https://elsewhere.example.com" });
    for (const out of [s, t, u].map((x) => x.io.stdout() + x.io.stderr())) expect(out).not.toContain(af.adminToken);
  });

  it("set --ca-cert keeps the CA's absolute path ('' removes it); --insecure warns; --no-insecure verifies again", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const ca = tempFile("ca.pem", rootCertificates[0]!);
    const s = inConfig(af, dir);
    expect(
      await s.run((d) => runProfileSet("corp", { apiUrl: "https://corp.example.com", caCert: ca, insecure: true }, d)),
    ).toBe(0);
    expect(config(dir).profiles.corp).toEqual({ api_url: "https://corp.example.com", ca_cert: ca, insecure: true });
    expect(s.io.stderr()).toMatch(
      /^airconn: warning: profile corp does not verify the server's certificate: .*prefer --ca-cert FILE\n/,
    );
    const t = inConfig(af, dir);
    expect(await t.run((d) => runProfileSet("corp", { caCert: "", insecure: false }, d))).toBe(0);
    expect(t.io.stderr()).toBe("Profile corp: removed the CA certificate; certificates are verified again.\n");
    expect(config(dir).profiles.corp).toEqual({ api_url: "https://corp.example.com" });
  });

  it("usage errors (exit 2), the config untouched: nothing to set, a bad name, a CA that is not PEM, removing from a missing profile", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const notPem = tempFile("ca.der", "not a certificate");
    for (const [fn, message] of [
      [(d) => runProfileSet("p", {}, d), /^airconn: nothing to set: pass --api-url/],
      [(d) => runProfileSet("bad name!", { apiUrl: "http://x" }, d), /^airconn: .*bad name!/],
      [(d) => runProfileSet("p", { caCert: notPem }, d), /holds no PEM certificate/],
      [(d) => runProfileSet("p", { tokenCommand: "" }, d), /^airconn: no profile named "p"/],
      [(d) => runProfileRemove("p", d), /^airconn: no profile named "p"/],
      [(d) => runProfileShow("p", d), /^airconn: no profile named "p"/],
    ] as Array<[Parameters<Setup["run"]>[0], RegExp]>) {
      const s = inConfig(af, dir);
      expect(await s.run(fn), String(message)).toBe(2);
      expect(s.io.stderr()).toMatch(message);
    }
    expect(() => config(dir)).toThrow(); // never written
  });
});

describe("profile show", () => {
  it("the settings in effect and where each comes from; the token's state and expiry, never the token", async () => {
    const af = await fakeAirflow();
    const dir = configFolder({
      current_profile: "p",
      profiles: { p: { api_url: af.url, token: af.adminToken, username: "admin" } },
    });
    const s = inConfig(af, dir, { globals: { output: "json" } });
    expect(await s.run((d) => runProfileShow(undefined, d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toEqual({
      profile: "p",
      profile_source: "current profile",
      api_url: af.url,
      api_url_source: "profile p",
      token: "valid",
      token_source: "profile p",
      token_expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      token_command: null,
      username: "admin",
      ca_cert: null,
      ca_cert_source: null,
      insecure: false,
      insecure_source: null,
      config_file: join(dir, "config.json"),
    });
    // plain: one line per setting; the environment wins over the profile and says so
    const t = inConfig(af, dir, { env: { AIRCONN_API_URL: "http://example.com:8080" } });
    expect(await t.run((d) => runProfileShow(undefined, d))).toBe(0);
    expect(t.io.stdout()).toContain("api_url\thttp://example.com:8080 (from AIRCONN_API_URL)\n");
    expect(t.io.stdout()).toMatch(/^token\tvalid \(from profile p\), expires \d{4}-/m);
    // on a terminal: aligned
    const u = inConfig(af, dir, { tty: true, env: { NO_COLOR: "1" } });
    expect(await u.run((d) => runProfileShow(undefined, d))).toBe(0);
    expect(u.io.stdout()).toMatch(/^api_url {6}http:\/\/127\.0\.0\.1:\d+ \(from profile p\)/m);
    for (const out of [s, t, u].map((x) => x.io.stdout() + x.io.stderr())) expect(out).not.toContain(af.adminToken);
    expect(af.requests).toEqual([]);
  });

  it("a token command is shown as configuration, never run; an expired token says so; -p NAME shows another profile", async () => {
    const af = await fakeAirflow();
    const marker = join(tempFolder(), "ran");
    const dir = configFolder({
      current_profile: "old",
      profiles: {
        tc: { api_url: af.url, token_command: `touch '${marker}'; echo x` },
        old: { api_url: af.url, token: af.mintToken({ expiresInSeconds: -60 }) },
      },
    });
    const s = inConfig(af, dir, { globals: { output: "json" } });
    expect(await s.run((d) => runProfileShow("tc", d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      profile: "tc",
      token: "command",
      token_source: "profile tc",
      token_command: `touch '${marker}'; echo x`,
      token_expires: null,
    });
    const t = inConfig(af, dir);
    expect(await t.run((d) => runProfileShow("tc", d))).toBe(0);
    expect(t.io.stdout()).toMatch(/^token\tfrom a token command \(from profile tc\), run for each command/m);
    const l = inConfig(af, dir, { globals: { output: "json" } });
    expect(await l.run((d) => runProfileList(d))).toBe(0);
    expect(
      (JSON.parse(l.io.stdout()) as Array<{ name: string; token: string; current: boolean }>).map((p) => [
        p.name,
        p.token,
        p.current,
      ]),
    ).toEqual([
      ["tc", "command", false],
      ["old", "expired", true],
    ]);
    const o = inConfig(af, dir, { globals: { output: "json" } });
    expect(await o.run((d) => runProfileShow(undefined, d))).toBe(0);
    expect(JSON.parse(o.io.stdout())).toMatchObject({ profile: "old", token: "expired" });
    expect(() => readFileSync(marker)).toThrow(); // the command never ran
  });

  it("no profiles yet: list says so on stderr (nothing on stdout); json is an empty list", async () => {
    const af = await fakeAirflow();
    const dir = tempFolder();
    const s = inConfig(af, dir, { tty: true, env: { NO_COLOR: "1" } });
    expect(await s.run((d) => runProfileList(d))).toBe(0);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toBe("No profiles yet: run `airconn login`.\n");
    const j = inConfig(af, dir, { globals: { output: "json" } });
    expect(await j.run((d) => runProfileList(d))).toBe(0);
    expect(JSON.parse(j.io.stdout())).toEqual([]);
  });
});
