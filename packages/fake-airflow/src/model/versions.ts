// The Airflow versions the fake speaks, and which one a test gets when it does not say.
// 3.2.1 and 3.3.2 are the two it was written for (api-behaviour.md); the others differ from them in a few places only:
// - 3.0.6 and 3.1.8 (before 3.2.0): connection_id_pattern has no "|" OR (the whole value is one ILIKE term), the
//   sensitive words are the 12 older ones (access_key, connection_string, proxy and proxies came with 3.2.0: apache/airflow
//   PRs #61580 and #61906, Feb 2026, after the 3.1 branch), and connections have no team_name (PR #59336, 3.2.0):
//   a team_name in a body is an unknown field (422 extra_forbidden), responses have nine keys, order_by team_name is a 400.
// - 3.4.0 (released 2026-11-06, no change to the connections API known): behaves as 3.3.2 and says 3.4.0.
export const AIRFLOW_VERSIONS = ["3.0.6", "3.1.8", "3.2.1", "3.3.2", "3.4.0"] as const;
export type AirflowVersion = (typeof AIRFLOW_VERSIONS)[number];

/** Environment variable that sets the default version of every fake started without `airflowVersion`. */
export const VERSION_ENV = "AIRCONN_TEST_AIRFLOW_VERSION";

export function isAirflowVersion(v: string): v is AirflowVersion {
  return (AIRFLOW_VERSIONS as readonly string[]).includes(v);
}

/** `airflowVersion` if given, else $AIRCONN_TEST_AIRFLOW_VERSION, else 3.2.1. An unknown value is an error. */
export function resolveVersion(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): AirflowVersion {
  const v = explicit ?? (env[VERSION_ENV] || undefined) ?? "3.2.1";
  if (!isAirflowVersion(v)) {
    const from = explicit !== undefined ? "airflowVersion" : VERSION_ENV;
    throw new Error(`fake-airflow: ${from} must be one of ${AIRFLOW_VERSIONS.join(", ")}, got ${JSON.stringify(v)}`);
  }
  return v;
}

const minorOf = (v: AirflowVersion): number => Number(v.split(".")[1]);

/** 3.3 or newer (3.4.0 included): tests on a worker, prefix search, the 3.3 masking, team_name refused without multi_team. */
export const is33 = (v: AirflowVersion): boolean => minorOf(v) >= 3;

/** Before 3.2.0 (3.0.x, 3.1.x): no "|" OR in connection_id_pattern, the older sensitive words, no team_name field. */
export const before32 = (v: AirflowVersion): boolean => minorOf(v) < 2;
