// Baseline for `airconn import`: one POST /api/v2/connections per connection, one after the other (how
// `airflow connections import` and a naive script work). Reads an `airflow connections export` JSON file.
// Usage: node import-one-by-one.mjs FILE [N]  (only the first N connections; the bench extrapolates to the file).
import { readFileSync } from "node:fs";
const file = JSON.parse(readFileSync(process.argv[2], "utf8"));
const n = Number(process.argv[3] ?? Infinity);
const headers = {
  authorization: `Bearer ${process.env.AIRCONN_TOKEN}`,
  accept: "application/json",
  "content-type": "application/json",
};
let i = 0;
for (const [connection_id, c] of Object.entries(file)) {
  if (i++ >= n) break;
  const res = await fetch(`${process.env.AIRCONN_API_URL}/api/v2/connections`, {
    method: "POST",
    headers,
    body: JSON.stringify({ connection_id, ...c }),
  });
  await res.arrayBuffer();
  if (res.status !== 201) {
    console.error(`HTTP ${res.status} for ${connection_id}`);
    process.exit(1);
  }
}
