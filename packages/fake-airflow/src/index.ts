// @airconn/fake-airflow: an in-memory Airflow-compatible connections API for tests, demos, benchmarks and the
// conformance check. See README.md.
export { startFakeAirflow } from "./server.js";
export type { FakeAirflow, FakeAirflowOptions, InterceptReply, SeedConnection } from "./options.js";
export type { Faults } from "./transport/faults.js";
export type { RecordedRequest } from "./transport/recording.js";
export type { StoredConnection } from "./model/store.js";
export type { AirflowVersion } from "./model/versions.js";
export type { ExtraField, HookMetaEntry, HookMetaMode, StandardField, StandardFields } from "./model/hook-meta.js";
export { customHookTypes, HOOK_META_MODES, hookMetaEntries } from "./model/hook-meta.js";
export type { ConnectionTestRun, TestState } from "./model/worker-tests.js";
export { AIRFLOW_VERSIONS, VERSION_ENV } from "./model/versions.js";
export { HANGING_HOST, UNREACHABLE_HOST } from "./model/connections.js";
export { defaultConnections } from "./model/defaults.js";
