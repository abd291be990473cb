#!/usr/bin/env bash
# Brings the whole control plane up natively on a Debian-like machine: installs and starts what is
# missing (NATS with JetStream, PostgreSQL, pgvector), installs, builds, migrates, then starts
# provider-sim and the six services as processes with logs under .run/logs. Prints the URL and a key.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
RUN="$ROOT/.run"; mkdir -p "$RUN/logs" "$RUN/pids"

bash infra/scripts/setup-native.sh
bash infra/scripts/install.sh
npm run -s build

if [ -z "${CP_GATEWAY_KEYS:-}" ]; then
  [ -f "$RUN/gateway.key" ] || { echo "sk-cp-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$RUN/gateway.key"; chmod 600 "$RUN/gateway.key"; }
  CP_GATEWAY_KEYS="$(cat "$RUN/gateway.key")"
fi
export CP_GATEWAY_KEYS
export CP_GATEWAY_HOST="${CP_GATEWAY_HOST:-127.0.0.1}" CP_GATEWAY_PORT="${CP_GATEWAY_PORT:-8080}"
export CP_SIM_PORT="${CP_SIM_PORT:-9900}" CP_PROVIDER_SIM_URL="${CP_PROVIDER_SIM_URL:-http://127.0.0.1:${CP_SIM_PORT:-9900}}"
export CP_DATABASE_URL="${CP_DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/control_plane}"

bash infra/scripts/down.sh --quiet
node dist/apps/auditor/src/migrate.js

start() {
  local svc="$1"
  OTEL_SERVICE_NAME="$svc" nohup node "dist/apps/$svc/src/main.js" >>"$RUN/logs/$svc.log" 2>&1 &
  echo $! > "$RUN/pids/$svc.pid"
}
start provider-sim
for svc in auditor router tool-governor memory-plane slo-collector gateway; do start "$svc"; done

URL="http://$CP_GATEWAY_HOST:$CP_GATEWAY_PORT"
for _ in $(seq 1 120); do
  if curl -sf "$URL/health" 2>/dev/null | grep -q '"status":"ok"'; then
    echo
    echo "control plane is up: $URL   (logs: .run/logs, stop: bash infra/scripts/down.sh)"
    echo "gateway key:        $(echo "$CP_GATEWAY_KEYS" | cut -d, -f1)"
    echo "try:                curl -s $URL/health"
    exit 0
  fi
  sleep 0.5
done
echo "the stack did not become healthy in 60 s; see .run/logs" >&2
curl -s "$URL/health" >&2 || true
exit 1
