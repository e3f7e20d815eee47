import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore, configDir } from "../../src/config/store.js";
import { normaliseApiUrl, resolveSettings, type Resolved } from "../../src/config/resolve.js";
import { jwtExpiry } from "../../src/api/auth.js";
import { UsageError } from "../../src/errors.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "airconn-cfg-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("ConfigStore", () => {
  it("writes the profile file 0600 in a 0700 folder, atomically through conf", async () => {
    const dir = join(tmp(), "nested", "airconn");
    const store = new ConfigStore({ AIRCONN_CONFIG_DIR: dir });
    await store.update((d) => {
      d.profiles.default = { api_url: "http://a", token: "t" };
      d.current_profile = "default";
    });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(store.file, "utf8"))).toEqual({
      version: 1,
      current_profile: "default",
      profiles: { default: { api_url: "http://a", token: "t" } },
    });
    // a fresh reader sees it
    expect(new ConfigStore({ AIRCONN_CONFIG_DIR: dir }).profile("default")?.api_url).toBe("http://a");
  });

  it("tightens an existing folder to 0700", async () => {
    const dir = join(tmp(), "loose");
    mkdirSync(dir, { mode: 0o755 });
    await new ConfigStore({ AIRCONN_CONFIG_DIR: dir }).update((d) => {
      d.profiles.x = {};
    });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("uses XDG_CONFIG_HOME, then ~/.config", () => {
    expect(configDir({ XDG_CONFIG_HOME: "/x/cfg", HOME: "/home/u" })).toBe("/x/cfg/airconn");
    expect(configDir({ HOME: "/home/u" })).toBe("/home/u/.config/airconn");
    expect(configDir({ AIRCONN_CONFIG_DIR: "/c", XDG_CONFIG_HOME: "/x" })).toBe("/c");
  });

  it("replaces the file atomically (a new inode renamed in place, no temporary file left) and tightens a 0644 file", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "config.json"), JSON.stringify({ version: 1, profiles: { a: { api_url: "http://a" } } }), {
      mode: 0o644,
    });
    const ino = statSync(join(dir, "config.json")).ino;
    const store = new ConfigStore({ AIRCONN_CONFIG_DIR: dir });
    await store.update((d) => {
      d.profiles.b = { api_url: "http://b", token: "t" };
    });
    expect(statSync(join(dir, "config.json")).ino).not.toBe(ino);
    expect(statSync(join(dir, "config.json")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });

  it("a write that fails leaves the previous file as it was, and no partial file", async () => {
    const dir = tmp();
    const before = JSON.stringify({
      version: 1,
      current_profile: "a",
      profiles: { a: { api_url: "http://a", token: "old" } },
    });
    writeFileSync(join(dir, "config.json"), before, { mode: 0o600 });
    const store = new ConfigStore({ AIRCONN_CONFIG_DIR: dir });
    // a value JSON cannot serialise makes the write fail half-way through conf's set
    await expect(
      store.update((d) => {
        (d.profiles.a as Record<string, unknown>).token = 10n;
      }),
    ).rejects.toThrow();
    await expect(
      store.update(() => {
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual(["config.json"]);
    expect(new ConfigStore({ AIRCONN_CONFIG_DIR: dir }).profile("a")?.token).toBe("old");
  });

  it("refuses a corrupt file with a usage error", () => {
    const dir = tmp();
    writeFileSync(join(dir, "config.json"), "{nope");
    expect(() => new ConfigStore({ AIRCONN_CONFIG_DIR: dir }).read()).toThrow(UsageError);
  });
});

describe("resolveSettings", () => {
  const store = (data: object) => {
    const dir = mkdtempSync(join(tmpdir(), "airconn-cfg-")); // kept until the end: shared by the tests below
    writeFileSync(join(dir, "config.json"), JSON.stringify({ version: 1, ...data }));
    return new ConfigStore({ AIRCONN_CONFIG_DIR: dir });
  };
  const s = store({
    current_profile: "prod",
    profiles: { prod: { api_url: "https://prod/", token: "ptok" }, dev: { api_url: "http://dev" } },
  });
  /** The fixed token the settings authenticate with, if that is what they use. */
  const token = (r: Resolved) => (r.auth.kind === "token" ? r.auth.token : undefined);

  it("takes flag > env > profile > default and says where each came from", () => {
    let r = resolveSettings({}, {}, s);
    expect([r.profile.value, r.apiUrl.value, r.apiUrl.detail, token(r)?.value, token(r)?.detail]).toEqual([
      "prod",
      "https://prod",
      "profile prod",
      "ptok",
      "profile prod",
    ]);
    r = resolveSettings({}, { AIRCONN_API_URL: "http://env:8080/api/v2/", AIRCONN_TOKEN: "etok" }, s);
    expect([r.apiUrl.value, r.apiUrl.detail, token(r)?.value, token(r)?.detail]).toEqual([
      "http://env:8080",
      "AIRCONN_API_URL",
      "etok",
      "AIRCONN_TOKEN",
    ]);
    r = resolveSettings(
      { apiUrl: "http://flag", token: "ftok", profile: "dev" },
      { AIRCONN_API_URL: "http://env", AIRCONN_TOKEN: "etok", AIRCONN_PROFILE: "prod" },
      s,
    );
    expect([r.profile.value, r.profile.detail, r.apiUrl.value, token(r)?.value]).toEqual([
      "dev",
      "--profile",
      "http://flag",
      "ftok",
    ]);
    r = resolveSettings({}, { AIRCONN_PROFILE: "dev" }, s);
    expect([r.apiUrl.value, r.auth]).toEqual(["http://dev", { kind: "none" }]);
    r = resolveSettings({}, {}, store({ profiles: {} }));
    expect([r.profile.value, r.apiUrl.value, r.apiUrl.source]).toEqual(["default", "http://localhost:8080", "default"]);
  });

  it("refuses an unknown profile named by flag or env", () => {
    expect(() => resolveSettings({ profile: "nope" }, {}, s)).toThrow(/no profile named "nope"/);
  });

  it("takes AIRCONN_USERNAME and AIRCONN_PASSWORD together only", () => {
    expect(resolveSettings({}, { AIRCONN_USERNAME: "u", AIRCONN_PASSWORD: "p" }, s).auth).toEqual({
      kind: "password",
      username: "u",
      password: "p",
    });
    expect(resolveSettings({}, { AIRCONN_USERNAME: "u" }, s).auth).toMatchObject({
      kind: "token",
      token: { value: "ptok" },
    });
    expect(resolveSettings({}, { AIRCONN_PASSWORD: "p" }, s).auth).toMatchObject({
      kind: "token",
      token: { value: "ptok" },
    });
  });
});

describe("API URL and JWT helpers", () => {
  it.each([
    ["http://localhost:8080", "http://localhost:8080"],
    ["http://localhost:8080/", "http://localhost:8080"],
    ["https://example.com/airflow/", "https://example.com/airflow"],
    ["https://example.com/airflow/api/v2", "https://example.com/airflow"],
    ["https://example.com/airflow/api/v2/", "https://example.com/airflow"],
  ])("normalises %s", (input, want) => expect(normaliseApiUrl(input)).toBe(want));
  it.each(["localhost:8080x", "ftp://x", "not a url", "http://u:p@host"])("refuses %s", (u) =>
    expect(() => normaliseApiUrl(u)).toThrow(UsageError),
  );
  it("reads exp from a JWT without verifying it", () => {
    const payload = Buffer.from(JSON.stringify({ sub: "admin", exp: 2000000000 })).toString("base64url");
    expect(jwtExpiry(`h.${payload}.s`)?.toISOString()).toBe("2033-05-18T03:33:20.000Z");
    expect(jwtExpiry("opaque-token")).toBeUndefined();
  });
});
