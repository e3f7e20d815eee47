// Airflow versions and what each one offers the connections API: the one place that compares versions. Reading a
// server's version (and caching it) is the API client's (client.ts, server.ts); this module imports nothing.

export interface ServerVersion {
  /** As the server says it, e.g. "3.3.2". */
  version: string;
  gitVersion: string | null;
  major: number;
  minor: number;
  patch: number;
}

/** "3.3.2", "3.3.0rc1", "3.4.0.dev0", "3.2.1+astro.2" → numbers; undefined for anything else. */
export function parseVersion(version: string, gitVersion: string | null = null): ServerVersion | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  return { version: version.trim(), gitVersion, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/**
 * Airflow 3.3 or newer (3.4.0, released 2026-11-06, changed nothing known in the connections API), where the connections
 * API gained connection_id_prefix_pattern, tests on a worker and more sensitive words: the one check for those (an
 * unknown version counts as older).
 */
export const isAirflow33 = (v: { major: number; minor: number } | undefined): boolean =>
  v !== undefined && (v.major > 3 || (v.major === 3 && v.minor >= 3));

/**
 * Airflow 3.2 or newer: `|` in connection_id_pattern means "either" (3.0 and 3.1 take the whole value as one term,
 * which no id can match), and the sensitive words gained access_key, connection_string, proxy, proxies. An unknown
 * version counts as older.
 */
export const isAirflow32 = (v: { major: number; minor: number } | undefined): boolean =>
  v !== undefined && (v.major > 3 || (v.major === 3 && v.minor >= 2));

/** What a server offers, by its version; a version that could not be read counts as older for each. */
export interface Capabilities {
  version: ServerVersion | undefined;
  /** `|` in connection_id_pattern ORs its terms (3.2). */
  orPatterns: boolean;
  /** connection_id_prefix_pattern is applied by the server (3.3; 3.2 ignores it and answers everything). */
  prefixOnServer: boolean;
  /** Connection tests on a worker: POST/GET /connections/enqueue-test (3.3). */
  workerTests: boolean;
}

export const capabilitiesOf = (version: ServerVersion | undefined): Capabilities => ({
  version,
  orPatterns: isAirflow32(version),
  prefixOnServer: isAirflow33(version),
  workerTests: isAirflow33(version),
});
