// Baseline for `airconn get ID -o json`: the same GET with Node's global fetch, printed as indented JSON.
// No CLI framework, no config, no retries: what a bare script needs. Reads AIRCONN_API_URL and AIRCONN_TOKEN.
const id = process.argv[2];
const res = await fetch(`${process.env.AIRCONN_API_URL}/api/v2/connections/${encodeURIComponent(id)}`, {
  headers: { authorization: `Bearer ${process.env.AIRCONN_TOKEN}`, accept: "application/json" },
});
if (!res.ok) {
  console.error(`HTTP ${res.status}`);
  process.exit(1);
}
process.stdout.write(JSON.stringify(await res.json(), null, 2) + "\n");
