// create_default_connections (airflow/utils/db.py) and the generated seed data.
import type { NewConnection } from "./store.js";

type D = Partial<NewConnection> & { conn_type: string };
const d = (connection_id: string, f: D): NewConnection => ({
  connection_id,
  conn_type: f.conn_type,
  description: f.description ?? null,
  host: f.host ?? null,
  login: f.login ?? null,
  schema: f.schema ?? null,
  port: f.port ?? null,
  password: f.password ? f.password : null, // set_password ignores "" -> null
  extra: f.extra ?? null,
  team_name: null,
});

/** The 62 default connections of Airflow 3.2.x (exact list [unconfirmed], fields as in utils/db.py). */
export function defaultConnections(): NewConnection[] {
  return [
    d("airflow_db", { conn_type: "mysql", host: "mysql", login: "root", password: "", schema: "airflow" }),
    d("athena_default", { conn_type: "athena" }),
    d("aws_default", { conn_type: "aws" }),
    d("azure_batch_default", {
      conn_type: "azure_batch",
      login: "<ACCOUNT_NAME>",
      password: "",
      extra: '{"account_url": "<ACCOUNT_URL>"}',
    }),
    d("azure_cosmos_default", {
      conn_type: "azure_cosmos",
      extra: '{"database_name": "<DATABASE_NAME>", "collection_name": "<COLLECTION_NAME>" }',
    }),
    d("azure_data_explorer_default", {
      conn_type: "azure_data_explorer",
      host: "https://<CLUSTER>.kusto.windows.net",
      extra:
        '{"auth_method": "<AAD_APP | AAD_APP_CERT | AAD_CREDS | AAD_DEVICE>", "tenant": "<TENANT ID>", "certificate": "<APPLICATION PEM CERTIFICATE>", "thumbprint": "<APPLICATION CERTIFICATE THUMBPRINT>"}',
    }),
    d("azure_data_lake_default", {
      conn_type: "azure_data_lake",
      extra: '{"tenant": "<TENANT>", "account_name": "<ACCOUNTNAME>" }',
    }),
    d("azure_default", { conn_type: "azure" }),
    d("cassandra_default", { conn_type: "cassandra", host: "cassandra", port: 9042 }),
    d("databricks_default", { conn_type: "databricks", host: "localhost" }),
    d("dingding_default", { conn_type: "http", host: "", password: "" }),
    d("drill_default", {
      conn_type: "drill",
      host: "localhost",
      port: 8047,
      extra: '{"dialect_driver": "drill+sadrill", "storage_plugin": "dfs"}',
    }),
    d("druid_broker_default", {
      conn_type: "druid",
      host: "druid-broker",
      port: 8082,
      extra: '{"endpoint": "druid/v2/sql"}',
    }),
    d("druid_ingest_default", {
      conn_type: "druid",
      host: "druid-overlord",
      port: 8081,
      extra: '{"endpoint": "druid/indexer/v1/task"}',
    }),
    d("elasticsearch_default", { conn_type: "elasticsearch", host: "localhost", schema: "http", port: 9200 }),
    d("emr_default", { conn_type: "emr", extra: "" }),
    d("facebook_default", {
      conn_type: "facebook_social",
      extra:
        '{"account_id": "<AD_ACCOUNT_ID>", "app_id": "<FACEBOOK_APP_ID>", "app_secret": "<FACEBOOK_APP_SECRET>", "access_token": "<FACEBOOK_AD_ACCESS_TOKEN>"}',
    }),
    d("fs_default", { conn_type: "fs", extra: '{"path": "/"}' }),
    d("ftp_default", {
      conn_type: "ftp",
      host: "localhost",
      port: 21,
      login: "airflow",
      password: "airflow",
      extra: '{"key_file": "~/.ssh/id_rsa", "no_host_key_check": true}',
    }),
    d("google_cloud_default", { conn_type: "google_cloud_platform", schema: "default" }),
    d("gremlin_default", { conn_type: "gremlin", host: "gremlin", port: 8182 }),
    d("hive_cli_default", {
      conn_type: "hive_cli",
      port: 10000,
      host: "localhost",
      extra: '{"use_beeline": true, "auth": ""}',
      schema: "default",
    }),
    d("hiveserver2_default", { conn_type: "hiveserver2", host: "localhost", schema: "default", port: 10000 }),
    d("http_default", { conn_type: "http", host: "https://www.httpbin.org/" }),
    d("iceberg_default", { conn_type: "iceberg", host: "https://api.iceberg.io/ws/v1" }),
    d("impala_default", { conn_type: "impala", host: "localhost", port: 21050 }),
    d("kafka_default", { conn_type: "kafka", extra: '{"bootstrap.servers": "broker:29092", "group.id": "my-group"}' }),
    d("kubernetes_default", { conn_type: "kubernetes" }),
    d("kylin_default", { conn_type: "kylin", host: "localhost", port: 7070, login: "ADMIN", password: "KYLIN" }),
    d("leveldb_default", { conn_type: "leveldb", host: "localhost" }),
    d("livy_default", { conn_type: "livy", host: "livy", port: 8998 }),
    d("local_mysql", {
      conn_type: "mysql",
      host: "localhost",
      login: "airflow",
      password: "airflow",
      schema: "airflow",
    }),
    d("metastore_default", {
      conn_type: "hive_metastore",
      host: "localhost",
      extra: '{"authMechanism": "PLAIN"}',
      port: 9083,
    }),
    d("mongo_default", { conn_type: "mongo", host: "mongo", port: 27017 }),
    d("mssql_default", { conn_type: "mssql", host: "localhost", port: 1433 }),
    d("mysql_default", { conn_type: "mysql", login: "root", schema: "airflow", host: "mysql" }),
    d("opensearch_default", { conn_type: "opensearch", host: "localhost", schema: "http", port: 9200 }),
    d("opsgenie_default", { conn_type: "http", host: "", password: "" }),
    d("oracle_default", {
      conn_type: "oracle",
      host: "localhost",
      login: "root",
      password: "password",
      schema: "schema",
      port: 1521,
    }),
    d("oss_default", {
      conn_type: "oss",
      extra:
        '{"auth_type": "AK", "access_key_id": "<ACCESS_KEY_ID>", "access_key_secret": "<ACCESS_KEY_SECRET>", "region": "<YOUR_OSS_REGION>"}',
    }),
    d("pig_cli_default", { conn_type: "pig_cli", schema: "default" }),
    d("pinot_admin_default", { conn_type: "pinot", host: "localhost", port: 9000 }),
    d("pinot_broker_default", {
      conn_type: "pinot",
      host: "localhost",
      port: 9000,
      extra: '{"endpoint": "/query", "schema": "http"}',
    }),
    d("postgres_default", {
      conn_type: "postgres",
      login: "postgres",
      password: "airflow",
      schema: "airflow",
      host: "postgres",
    }),
    d("presto_default", { conn_type: "presto", host: "localhost", schema: "hive", port: 3400 }),
    d("qdrant_default", { conn_type: "qdrant", host: "qdrant", port: 6333 }),
    d("redis_default", { conn_type: "redis", host: "redis", port: 6379, extra: '{"db": 0}' }),
    d("redshift_default", {
      conn_type: "redshift",
      extra:
        '{"iam": true, "cluster_identifier": "<REDSHIFT_CLUSTER_IDENTIFIER>", "port": 5439, "profile": "default", "db_user": "awsuser", "database": "dev", "region": ""}',
    }),
    d("salesforce_default", {
      conn_type: "salesforce",
      login: "username",
      password: "password",
      extra: '{"security_token": "security_token"}',
    }),
    d("segment_default", { conn_type: "segment", extra: '{"write_key": "my-segment-write-key"}' }),
    d("sftp_default", {
      conn_type: "sftp",
      host: "localhost",
      port: 22,
      login: "airflow",
      extra: '{"key_file": "~/.ssh/id_rsa", "no_host_key_check": true}',
    }),
    d("spark_default", { conn_type: "spark", host: "yarn", extra: '{"queue": "root.default"}' }),
    d("sqlite_default", { conn_type: "sqlite", host: "/tmp/sqlite_default.db" }),
    d("ssh_default", { conn_type: "ssh", host: "localhost" }),
    d("tableau_default", {
      conn_type: "tableau",
      host: "https://tableau.server.url",
      login: "user",
      password: "password",
      extra: '{"site_id": "my_site"}',
    }),
    d("teradata_default", {
      conn_type: "teradata",
      host: "localhost",
      login: "user",
      password: "password",
      schema: "schema",
    }),
    d("trino_default", { conn_type: "trino", host: "localhost", schema: "hive", port: 3400 }),
    d("vertica_default", { conn_type: "vertica", host: "localhost", port: 5433 }),
    d("wasb_default", { conn_type: "wasb", extra: '{"sas_token": null}' }),
    d("webhdfs_default", { conn_type: "hdfs", host: "localhost", port: 50070 }),
    d("yandexcloud_default", { conn_type: "yandexcloud", schema: "default" }),
    d("ydb_default", { conn_type: "ydb", host: "grpc://localhost", port: 2135, extra: '{"database": "/local"}' }),
  ];
}

const SEED_TYPES: { type: string; port: number | null; schema: string | null }[] = [
  { type: "postgres", port: 5432, schema: "analytics" },
  { type: "mysql", port: 3306, schema: "app" },
  { type: "http", port: 443, schema: "https" },
  { type: "aws", port: null, schema: null },
  { type: "ssh", port: 22, schema: null },
  { type: "sftp", port: 22, schema: null },
  { type: "google_cloud_platform", port: null, schema: null },
  { type: "snowflake", port: null, schema: "PUBLIC" },
  { type: "redis", port: 6379, schema: null },
  { type: "sqlite", port: null, schema: null },
  { type: "ftp", port: 21, schema: null },
  { type: "mssql", port: 1433, schema: "dbo" },
];
const HOSTS = [
  "db.internal",
  "warehouse.example.com",
  "api.example.org",
  "10.0.12.7",
  "cache-1.prod",
  "files.example.net",
];
const LOGINS = ["airflow", "etl", "svc_reporting", "admin", "reader", null];

/** Seed connection number n (1-based): deterministic and varied. */
export function seedConnection(n: number): NewConnection {
  const t = SEED_TYPES[n % SEED_TYPES.length]!;
  const h = (n * 2654435761) >>> 0; // cheap deterministic hash
  const id = `conn_${String(n).padStart(5, "0")}`;
  const host =
    t.type === "aws" || t.type === "google_cloud_platform"
      ? null
      : t.type === "sqlite"
        ? `/data/db_${n}.sqlite`
        : `${HOSTS[h % HOSTS.length]}`;
  let extra: string | null = null;
  switch (h % 5) {
    case 0:
      extra = `{"region_name": "eu-west-${(h % 3) + 1}", "api_key": "k-${h.toString(16)}"}`;
      break;
    case 1:
      extra = `{"timeout": ${h % 60}, "verify": ${h % 2 === 0 ? "true" : "false"}}`;
      break;
    case 2:
      extra = `{"auth": {"token": "t-${n}", "scopes": ["read", "write"]}, "retries": 3}`;
      break;
    default:
      extra = null;
  }
  return {
    connection_id: id,
    conn_type: t.type,
    description: n % 4 === 0 ? `Seeded ${t.type} connection #${n}` : null,
    host,
    login: host === null ? null : LOGINS[h % LOGINS.length]!,
    schema: t.schema,
    port: t.port === null ? null : n % 7 === 0 ? t.port + (n % 100) : t.port,
    password: n % 3 === 0 ? null : `pw-${h.toString(36)}`,
    extra,
    team_name: null,
  };
}
