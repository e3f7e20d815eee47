// The Airflow versions the fake speaks, and which one a test gets when it does not say.
export const AIRFLOW_VERSIONS = ["3.2.1", "3.3.2"] as const;
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
    throw new Error(`fake-airflow: ${from} must be ${AIRFLOW_VERSIONS.join(" or ")}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export const is33 = (v: AirflowVersion) => v.startsWith("3.3.");
