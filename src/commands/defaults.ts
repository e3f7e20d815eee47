import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { Report, printReport } from "../output/report.js";
import { examples } from "./common.js";

/**
 * The ids Airflow 3.2's create_default_connections adds (utils/db.py). Used only to tell which defaults already
 * existed; what was added is measured on the server (ids after minus ids before).
 */
export const AIRFLOW_DEFAULT_IDS = [
  "airflow_db",
  "athena_default",
  "aws_default",
  "azure_batch_default",
  "azure_cosmos_default",
  "azure_data_explorer_default",
  "azure_data_lake_default",
  "azure_default",
  "cassandra_default",
  "databricks_default",
  "dingding_default",
  "drill_default",
  "druid_broker_default",
  "druid_ingest_default",
  "elasticsearch_default",
  "emr_default",
  "facebook_default",
  "fs_default",
  "ftp_default",
  "google_cloud_default",
  "gremlin_default",
  "hive_cli_default",
  "hiveserver2_default",
  "http_default",
  "iceberg_default",
  "impala_default",
  "kafka_default",
  "kubernetes_default",
  "kylin_default",
  "leveldb_default",
  "livy_default",
  "local_mysql",
  "metastore_default",
  "mongo_default",
  "mssql_default",
  "mysql_default",
  "opensearch_default",
  "opsgenie_default",
  "oracle_default",
  "oss_default",
  "pig_cli_default",
  "pinot_admin_default",
  "pinot_broker_default",
  "postgres_default",
  "presto_default",
  "qdrant_default",
  "redis_default",
  "redshift_default",
  "salesforce_default",
  "segment_default",
  "sftp_default",
  "spark_default",
  "sqlite_default",
  "ssh_default",
  "tableau_default",
  "teradata_default",
  "trino_default",
  "vertica_default",
  "wasb_default",
  "webhdfs_default",
  "yandexcloud_default",
  "ydb_default",
];

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runDefaults): void {
  program
    .command("defaults")
    .description("create Airflow's default connections (existing ids are left untouched) and say which were added")
    .addHelpText(
      "after",
      examples([
        "$ airconn defaults                     # one line per default connection: created or skipped",
        "",
        "In CI:",
        "$ airconn defaults -o json | jq -r '.created[]'",
        "",
        "Which ids were added is measured: the ids on the server after, minus those before (a connection created by",
        "someone else meanwhile would count too). Defaults that already existed are reported as skipped.",
        "Exit codes: 0 ok (also when nothing was added), 1 server error, 4 not allowed.",
      ]),
    )
    .action(async (_o: unknown, c: Command) => run(ctx.deps(c)));
}

export async function runDefaults(d: Deps): Promise<void> {
  const api = await d.api();
  const ids = async () => new Set((await api.list({ concurrency: d.concurrency() })).map((c) => c.connection_id));
  const before = await ids();
  await api.createDefaults();
  const after = await ids();
  const report = new Report();
  for (const id of after) if (!before.has(id)) report.ok(id, "created");
  for (const id of AIRFLOW_DEFAULT_IDS) if (before.has(id) && !report.has(id)) report.ok(id, "skipped", "create");
  if (report.created.length === 0) d.note("No default connection was added: they all existed already.");
  await printReport(d, report);
}
