#!/usr/bin/env bash
# Runs the shared Airflow conformance checks against the local fake Airflow (packages/fake-airflow/src/main.ts),
# as Airflow 3.2.1 and as 3.3.2, each with test_connection disabled and enabled, multi_team off as in Airflow, plus
# 3.3.2 with multi_team on (5 runs). Exits non-zero if any run failed. Usage: scripts/conformance.sh [extra airflow-conformance.sh args, e.g. --only list -v]
# AIRFLOW_VERSIONS="3.3.2" limits the versions (default "3.2.1 3.3.2").
set -u
cd "$(dirname "$0")/.." || exit 2
SHARED=${SHARED:-../shared}
CHECK="$SHARED/tools/airflow-conformance.sh"
if [ ! -f "$CHECK" ]; then
  echo "conformance: $CHECK not found (set SHARED=...); skipping"
  exit 0
fi

PIDS=()
TMP=$(mktemp -d "${TMPDIR:-/tmp}/airconn-conformance.XXXXXX")
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME ARGS...: starts the fake on a free port; sets URL and TOKEN.
start_server() {
  local name=$1 out="$TMP/$1.out" i
  shift
  # one process (node + the tsx loader), so that killing it stops the server (npx would leave it running)
  node --import tsx packages/fake-airflow/src/main.ts --port 0 --max-page-limit 100 "$@" >"$out" 2>"$TMP/$name.err" &
  PIDS+=($!)
  for i in $(seq 1 300); do
    if [ -s "$out" ]; then break; fi
    if ! kill -0 "${PIDS[${#PIDS[@]}-1]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ ! -s "$out" ]; then
    echo "conformance: the fake server ($name) did not start:" >&2
    cat "$TMP/$name.err" >&2
    return 1
  fi
  URL=$(jq -r .url "$out")
  TOKEN=$(jq -r .token "$out")
}

status=0
run() {
  local version=$1 mode=$2 team=$3 server_args=()
  shift 3
  [ "$team" = on ] && server_args+=(--multi-team)
  echo "== conformance: Airflow $version, test_connection=$mode, multi_team $team"
  if ! start_server "$version-$mode-$team" --airflow-version "$version" --test-connection "$mode" "${server_args[@]}"; then status=1; return; fi
  bash "$CHECK" --url "$URL" --token "$TOKEN" --username admin --password admin \
    --test-connection "$(printf '%s' "$mode" | tr '[:upper:]' '[:lower:]')" --max-page-limit 100 "$@" || status=1
}

for v in ${AIRFLOW_VERSIONS:-3.2.1 3.3.2}; do
  run "$v" Disabled off "$@"
  run "$v" Enabled off "$@"
  case $v in 3.3.*) run "$v" Enabled on "$@" ;; esac
done
exit $status
