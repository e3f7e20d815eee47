// Baseline for `airconn import`: every connection of the file in ONE bulk request
// (PATCH /api/v2/connections, one "create" action). The lower bound for the number of round trips.
import { readFileSync } from "node:fs";
const file = JSON.parse(readFileSync(process.argv[2], "utf8"));
const entities = Object.entries(file).map(([connection_id, c]) => ({ connection_id, ...c }));
const res = await fetch(`${process.env.AIRCONN_API_URL}/api/v2/connections`, {
  method: "PATCH",
  headers: {
    authorization: `Bearer ${process.env.AIRCONN_TOKEN}`,
    accept: "application/json",
    "content-type": "application/json",
  },
  body: JSON.stringify({ actions: [{ action: "create", entities, action_on_existence: "fail" }] }),
});
const body = await res.json();
if (res.status !== 200 || body.create?.errors?.length || body.create?.success?.length !== entities.length) {
  console.error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  process.exit(1);
}
