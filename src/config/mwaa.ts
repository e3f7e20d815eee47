// Amazon MWAA without a token (issue 22): the checks of an environment name and a region, the region an AWS profile
// names in the AWS config file (the last step of the region chain), and the MWAA endpoint every request goes to
// (InvokeRestApi, POST /restapi/ENV). Settings only: nothing here talks to AWS (that is api/mwaa.ts, loaded only when
// MWAA is in use). resolve.ts decides which of these apply and where each comes from.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { UsageError } from "../errors.js";

/** MWAA's own rule for an environment name (the InvokeRestApi reference: 1 to 80, a letter first). */
export const MWAA_ENVIRONMENT_RE = /^[a-zA-Z][0-9a-zA-Z_-]{0,79}$/;
/** A region is a DNS label of the endpoint: eu-west-1, us-gov-west-1, cn-north-1. */
export const AWS_REGION_RE = /^[a-z0-9]+(-[a-z0-9]+)+$/;

/** The API URL airconn shows, and keys its caches by, for an MWAA environment: no such URL is ever requested. */
export const mwaaBaseUrl = (environment: string): string => `mwaa://${environment}`;

export function checkMwaaEnvironment(name: string, from: string): string {
  if (!MWAA_ENVIRONMENT_RE.test(name))
    throw new UsageError(
      `invalid MWAA environment name "${name}" (from ${from}): a letter, then letters, digits, '-' or '_' (at most 80)`,
      "the names are listed by `aws mwaa list-environments`",
    );
  return name;
}

export function checkAwsRegion(region: string, from: string): string {
  if (region.length > 32 || !AWS_REGION_RE.test(region))
    throw new UsageError(`invalid AWS region "${region}" (from ${from}): expected a region such as eu-west-1`);
  return region;
}

/**
 * The region of the AWS profile in use (AWS_PROFILE, else "default") in the AWS config file (AWS_CONFIG_FILE, else
 * ~/.aws/config), as the AWS CLI and SDKs read it; undefined when there is none. A file that cannot be read counts as
 * none: the message for a missing region says where a region may be given.
 */
export function awsConfigRegion(env: NodeJS.ProcessEnv): { value: string; detail: string } | undefined {
  const home = () => env.HOME || (createRequire(import.meta.url)("node:os") as typeof import("node:os")).homedir();
  const file = env.AWS_CONFIG_FILE || join(home(), ".aws", "config");
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || "default";
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const wanted = profile === "default" ? ["default", "profile default"] : [`profile ${profile}`];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+|\s+$/g, "");
    const section = /^\[\s*([^\]]*?)\s*\]/.exec(line);
    if (section) {
      inSection = wanted.includes(section[1]!.replace(/\s+/g, " "));
      continue;
    }
    if (!inSection || raw.match(/^\s/)) continue; // indented lines belong to a nested setting (s3 = ...)
    const kv = /^region\s*=\s*([^\s#;]+)/.exec(line);
    if (kv) return { value: kv[1]!, detail: `the region of AWS profile ${profile} in ${file}` };
  }
  return undefined;
}

/** How a variable is read as true, as the AWS SDKs read AWS_IGNORE_CONFIGURED_ENDPOINT_URLS. */
const isTrue = (v: string | undefined) => v?.trim().toLowerCase() === "true";

/**
 * Where InvokeRestApi requests go, and why: AWS_ENDPOINT_URL_MWAA, else AWS_ENDPOINT_URL, used as given (no host
 * prefix is added to them), unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true; else the MWAA endpoint of the region.
 * The SDKs' service model puts InvokeRestApi on the `env.` host of the service (as CreateWebLoginToken and
 * CreateCliToken; the environment management calls are on `api.`): https://env.airflow.REGION.amazonaws.com.
 */
export function mwaaEndpoint(env: NodeJS.ProcessEnv, region: string): { url: string; from: string } {
  if (!isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) {
    for (const name of ["AWS_ENDPOINT_URL_MWAA", "AWS_ENDPOINT_URL"]) {
      const v = env[name]?.trim();
      if (!v) continue;
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        throw new UsageError(`${name} is not a URL: "${v}"`, "e.g. https://env.airflow.eu-west-1.amazonaws.com");
      }
      if (u.protocol !== "https:" && u.protocol !== "http:")
        throw new UsageError(`${name} must be an http or https URL, got "${v}"`);
      if (u.username || u.password || u.search || u.hash)
        throw new UsageError(`${name} must be a plain endpoint URL (no credentials, query or fragment), got "${v}"`);
      return { url: `${u.origin}${u.pathname.replace(/\/+$/, "")}`, from: name };
    }
  }
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return { url: `https://env.airflow.${region}.${suffix}`, from: `the MWAA endpoint of ${region}` };
}
