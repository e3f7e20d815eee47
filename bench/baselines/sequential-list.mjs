// Baseline for `airconn list -o json`: how airflowctl pages, one page of 50 after the other (limit=50&offset=k)
// until total_entries is reached; prints the JSON array. Reads AIRCONN_API_URL and AIRCONN_TOKEN.
const size = Number(process.argv[2] ?? 50);
const headers = { authorization: `Bearer ${process.env.AIRCONN_TOKEN}`, accept: "application/json" };
const all = [];
for (let offset = 0, total = Infinity; offset < total; offset += size) {
  const res = await fetch(`${process.env.AIRCONN_API_URL}/api/v2/connections?limit=${size}&offset=${offset}`, {
    headers,
  });
  if (!res.ok) {
    console.error(`HTTP ${res.status}`);
    process.exit(1);
  }
  const page = await res.json();
  total = page.total_entries;
  all.push(...page.connections);
  if (page.connections.length === 0) break;
}
process.stdout.write(JSON.stringify(all, null, 2) + "\n");
