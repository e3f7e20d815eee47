// What diff.test.ts and apply.test.ts compare: a server and a connections file (airconn YAML) that differ in every
// way a plan knows: one id the same, one changed (host; its password from ${PW}, not compared), one only in the file
// (with secrets), one only on the server.
export const SERVER = [
  { connection_id: "same", conn_type: "http", host: "h" },
  { connection_id: "chg", conn_type: "postgres", host: "old", port: 5432, password: "pw" },
  { connection_id: "extra_one", conn_type: "http" },
];

export const YAML = `connections:
  - connection_id: same
    conn_type: http
    host: h
  - connection_id: chg
    conn_type: postgres
    host: new
    port: 5432
    password: \${PW}
  - connection_id: fresh
    conn_type: http
    host: f
    password: secret1
    extra: {api_key: k, region: eu}
`;

/** The environment YAML's ${PW} comes from. */
export const ENV = { PW: "pw2" };

/** A file holding only the connection that is the same on the server. */
export const IN_SYNC = "connections:\n  - {connection_id: same, conn_type: http, host: h}\n";
