// Issue 22, the MWAA settings: which way a run reaches Airflow (the MWAA environment or the API URL, whichever is given
// at the higher level), the region chain, the endpoint (AWS_ENDPOINT_URL_MWAA as given), and what `profile set`,
// `profile show` and `profile list` do with an MWAA profile.
import { afterEach, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigStore } from "../../src/config/store.js";
import { resolveSettings, type GlobalFlags } from "../../src/config/resolve.js";
import { awsConfigRegion, mwaaEndpoint } from "../../src/config/mwaa.js";
import { UsageError } from "../../src/errors.js";
import { runProfileList, runProfileSet, runProfileShow } from "../../src/commands/profile.js";
import { connectionIds } from "../../src/completion/ids.js";
import { closeAirflows, configFolder, fakeAirflow, inConfig, readConfig, tempFolder } from "./commands-support.js";

afterEach(closeAirflows);

const NO_AWS = { AWS_CONFIG_FILE: "/nonexistent/aws-config" };
const settings = (flags: GlobalFlags, env: Record<string, string>, profile: Record<string, unknown> = {}) => {
  const dir = configFolder({ current_profile: "p", profiles: { p: profile } });
  return resolveSettings(
    flags,
    { AIRCONN_CONFIG_DIR: dir, ...NO_AWS, ...env },
    new ConfigStore({ AIRCONN_CONFIG_DIR: dir }),
  );
};
const shown = (s: ReturnType<typeof settings>) => ({
  api_url: `${s.apiUrl.value} (${s.apiUrl.detail})`,
  mwaa: s.mwaa && `${s.mwaa.environment.value} (${s.mwaa.environment.detail})`,
  region: s.mwaa?.region && `${s.mwaa.region.value} (${s.mwaa.region.detail})`,
});

describe("the MWAA environment or the API URL: whichever is given at the higher level", () => {
  it("flag > environment > profile; at the same level MWAA; none: the API URL as before", () => {
    expect(
      shown(
        settings({ mwaaEnvironment: "Prod" }, { AIRCONN_API_URL: "https://x.example.com", AWS_REGION: "eu-west-1" }),
      ),
    ).toEqual({
      api_url: "mwaa://Prod (--mwaa-environment)",
      mwaa: "Prod (--mwaa-environment)",
      region: "eu-west-1 (AWS_REGION)",
    });
    // an API URL from the environment beats the profile's MWAA environment
    expect(
      shown(settings({}, { AIRCONN_API_URL: "https://x.example.com/api/v2/" }, { mwaa_environment: "Prod" })),
    ).toEqual({
      api_url: "https://x.example.com (AIRCONN_API_URL)",
      mwaa: undefined,
      region: undefined,
    });
    // both in the profile: MWAA
    expect(
      shown(settings({}, {}, { mwaa_environment: "Prod", api_url: "https://x.example.com", aws_region: "us-east-2" })),
    ).toEqual({
      api_url: "mwaa://Prod (profile p)",
      mwaa: "Prod (profile p)",
      region: "us-east-2 (profile p)",
    });
    expect(shown(settings({ apiUrl: "https://y.example.com" }, { AIRCONN_MWAA_ENVIRONMENT: "Prod" }))).toMatchObject({
      api_url: "https://y.example.com (--api-url)",
      mwaa: undefined,
    });
    expect(shown(settings({}, {}))).toEqual({
      api_url: "http://localhost:8080 (default)",
      mwaa: undefined,
      region: undefined,
    });
  });

  it("a name MWAA would refuse is a usage error naming where it came from", () => {
    expect(() => settings({}, { AIRCONN_MWAA_ENVIRONMENT: "9lives" })).toThrow(
      /invalid MWAA environment name "9lives" \(from AIRCONN_MWAA_ENVIRONMENT\)/,
    );
    expect(() => settings({ mwaaEnvironment: "ok", awsRegion: "EU WEST" }, {})).toThrow(UsageError);
    expect(() => settings({ mwaaEnvironment: "x".repeat(81) }, {})).toThrow(/at most 80/);
  });
});

describe("the region", () => {
  it("--aws-region, AIRCONN_AWS_REGION, the profile's, then AWS_REGION, AWS_DEFAULT_REGION, the AWS config file", () => {
    const all = { AIRCONN_AWS_REGION: "eu-west-2", AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-west-2" };
    const region = (flags: GlobalFlags, env: Record<string, string>, profile: Record<string, unknown> = {}) =>
      shown(settings({ mwaaEnvironment: "E", ...flags }, env, profile)).region;
    expect(region({ awsRegion: "ap-south-1" }, all, { aws_region: "ca-central-1" })).toBe("ap-south-1 (--aws-region)");
    expect(region({}, all, { aws_region: "ca-central-1" })).toBe("eu-west-2 (AIRCONN_AWS_REGION)");
    // the profile's region is the environment's: it wins over the AWS_REGION a CI job may carry for itself
    expect(region({}, { AWS_REGION: "us-east-1" }, { aws_region: "ca-central-1" })).toBe("ca-central-1 (profile p)");
    expect(region({}, { AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-west-2" })).toBe("us-east-1 (AWS_REGION)");
    expect(region({}, { AWS_DEFAULT_REGION: "us-west-2" })).toBe("us-west-2 (AWS_DEFAULT_REGION)");
    expect(region({}, {})).toBeUndefined();
  });

  it("the AWS config file: the region of AWS_PROFILE's section, else [default]; nested settings are not it", () => {
    const file = join(tempFolder(), "config");
    writeFileSync(
      file,
      [
        "[default]",
        "region = eu-central-1",
        "[profile ci]",
        "s3 =",
        "  region = not-this-1",
        "region=eu-north-1 # the CI account",
        "[profile other]",
        "output = json",
      ].join("\n"),
    );
    expect(awsConfigRegion({ AWS_CONFIG_FILE: file })).toEqual({
      value: "eu-central-1",
      detail: `the region of AWS profile default in ${file}`,
    });
    expect(awsConfigRegion({ AWS_CONFIG_FILE: file, AWS_PROFILE: "ci" })?.value).toBe("eu-north-1");
    expect(awsConfigRegion({ AWS_CONFIG_FILE: file, AWS_PROFILE: "other" })).toBeUndefined();
    expect(awsConfigRegion({ AWS_CONFIG_FILE: join(tempFolder(), "none") })).toBeUndefined();
    expect(shown(settings({ mwaaEnvironment: "E" }, { AWS_CONFIG_FILE: file, AWS_PROFILE: "ci" })).region).toBe(
      `eu-north-1 (the region of AWS profile ci in ${file})`,
    );
  });
});

describe("the endpoint", () => {
  it("AWS_ENDPOINT_URL_MWAA (else AWS_ENDPOINT_URL) as given, no prefix added; else env.airflow.REGION", () => {
    expect(mwaaEndpoint({}, "eu-west-1")).toEqual({
      url: "https://env.airflow.eu-west-1.amazonaws.com",
      from: "the MWAA endpoint of eu-west-1",
    });
    expect(mwaaEndpoint({}, "cn-north-1").url).toBe("https://env.airflow.cn-north-1.amazonaws.com.cn");
    expect(
      mwaaEndpoint({ AWS_ENDPOINT_URL_MWAA: "http://localhost:4566/", AWS_ENDPOINT_URL: "http://other" }, "x-y-1"),
    ).toEqual({
      url: "http://localhost:4566",
      from: "AWS_ENDPOINT_URL_MWAA",
    });
    expect(mwaaEndpoint({ AWS_ENDPOINT_URL: "https://vpce-1.airflow.example/base/" }, "x-y-1")).toEqual({
      url: "https://vpce-1.airflow.example/base",
      from: "AWS_ENDPOINT_URL",
    });
    expect(
      mwaaEndpoint(
        { AWS_ENDPOINT_URL_MWAA: "http://localhost:4566", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" },
        "eu-west-1",
      ).url,
    ).toBe("https://env.airflow.eu-west-1.amazonaws.com");
    expect(() => mwaaEndpoint({ AWS_ENDPOINT_URL_MWAA: "localhost:4566" }, "eu-west-1")).toThrow(
      /AWS_ENDPOINT_URL_MWAA must be an http or https URL/,
    );
    expect(() => mwaaEndpoint({ AWS_ENDPOINT_URL_MWAA: "https://k:s@h" }, "eu-west-1")).toThrow(/no credentials/);
  });
});

describe("profile set, show and list with an MWAA environment", () => {
  it("one way to the server per profile: MWAA replaces the API URL and the token, an API URL replaces MWAA", async () => {
    const af = await fakeAirflow();
    const dir = configFolder({
      current_profile: "p",
      profiles: { p: { api_url: "https://x.example.com", token: "old.jwt.token", token_command: "print-token" } },
    });
    const s = inConfig(af, dir, { env: NO_AWS });
    expect(await s.run((d) => runProfileSet("p", { mwaaEnvironment: "Prod", awsRegion: "eu-west-1" }, d))).toBe(0);
    expect(s.io.stderr()).toBe(
      "Profile p: mwaa_environment Prod; aws_region eu-west-1; removed api_url (requests go through MWAA InvokeRestApi); removed the stored token (MWAA requests are signed with AWS credentials); removed the token command (MWAA requests are signed with AWS credentials).\n",
    );
    expect(readConfig(dir).profiles.p).toEqual({ mwaa_environment: "Prod", aws_region: "eu-west-1" });

    const l = inConfig(af, dir, { globals: { output: "json" }, env: NO_AWS });
    expect(await l.run((d) => runProfileList(d))).toBe(0);
    expect(JSON.parse(l.io.stdout())).toEqual([
      {
        name: "p",
        current: true,
        api_url: "mwaa://Prod",
        username: null,
        token: "not used (MWAA)",
        token_expires: null,
      },
    ]);

    const show = inConfig(af, dir, { env: NO_AWS });
    expect(await show.run((d) => runProfileShow(undefined, d))).toBe(0);
    expect(show.io.stdout()).toBe(
      [
        "profile\tp (from current profile)",
        "api_url\tmwaa://Prod (from profile p)",
        "mwaa_env\tProd (from profile p)",
        "aws_region\teu-west-1 (from profile p)",
        "endpoint\thttps://env.airflow.eu-west-1.amazonaws.com (from the MWAA endpoint of eu-west-1)",
        "token\tnot used: requests are signed with AWS credentials (MWAA InvokeRestApi)",
        "username\t",
        `config_file\t${join(dir, "config.json")}`,
        "",
      ].join("\n"),
    );

    const back = inConfig(af, dir, { env: NO_AWS });
    expect(await back.run((d) => runProfileSet("p", { apiUrl: "https://y.example.com" }, d))).toBe(0);
    expect(back.io.stderr()).toBe("Profile p: api_url https://y.example.com; removed the MWAA environment.\n");
    expect(readConfig(dir).profiles.p).toEqual({ api_url: "https://y.example.com" });
  });

  it("'' removes; what does not fit is refused before anything is written", async () => {
    const af = await fakeAirflow();
    const dir = configFolder({
      current_profile: "m",
      profiles: { m: { mwaa_environment: "Prod", aws_region: "eu-west-1" } },
    });
    const run = async (o: Parameters<typeof runProfileSet>[1]) => {
      const s = inConfig(af, dir, { env: NO_AWS });
      return { code: await s.run((d) => runProfileSet("m", o, d)), err: s.io.stderr() };
    };
    expect(await run({ tokenCommand: "print-token" })).toEqual({
      code: 2,
      err: "airconn: profile m uses an MWAA environment: its requests are signed with AWS credentials, a token command would never run\nhint: to use a token instead, give the web server with --api-url (docs/mwaa.md)\n",
    });
    expect((await run({ apiUrl: "https://x.example.com", mwaaEnvironment: "Other" })).err).toMatch(
      /^airconn: --api-url and --mwaa-environment name two ways to the server: give one\n/,
    );
    expect((await run({ mwaaEnvironment: "bad name" })).err).toMatch(
      /^airconn: invalid MWAA environment name "bad name"/,
    );
    expect(readConfig(dir).profiles.m).toEqual({ mwaa_environment: "Prod", aws_region: "eu-west-1" });
    expect(await run({ awsRegion: "" })).toEqual({ code: 0, err: "Profile m: removed the AWS region.\n" });
    expect(await run({ mwaaEnvironment: "" })).toEqual({ code: 0, err: "Profile m: removed the MWAA environment.\n" });
    expect(readConfig(dir).profiles.m).toEqual({});
    expect((await run({ awsRegion: "eu-west-1" })).err).toBe(
      "airconn: --aws-region is the region of an MWAA environment: give --mwaa-environment too\nhint: airconn profile set m --mwaa-environment NAME --aws-region eu-west-1\n",
    );
  });
});

describe("completion", () => {
  it("looks no ids up on an MWAA environment (no AWS request at TAB time), even with a token in the environment", async () => {
    const af = await fakeAirflow([{ connection_id: "abc", conn_type: "http" }]);
    const env = {
      AIRCONN_CONFIG_DIR: configFolder(),
      XDG_CACHE_HOME: tempFolder(),
      AIRCONN_TOKEN: af.adminToken,
      ...NO_AWS,
    };
    // the same run directly finds the id: the MWAA case is not empty for another reason
    expect(await connectionIds("a", { env: { ...env, AIRCONN_API_URL: af.url }, globals: {} })).toEqual(["abc"]);
    expect(
      await connectionIds("a", {
        env: { ...env, AIRCONN_MWAA_ENVIRONMENT: "Prod", AWS_REGION: "eu-west-1" },
        globals: {},
      }),
    ).toEqual([]);
    expect(af.requests).toHaveLength(1);
  });
});
