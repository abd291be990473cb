#!/usr/bin/env bash
# Brings the whole control plane up natively on a Debian-like machine: installs and starts what is
# missing (NATS with JetStream, PostgreSQL, pgvector, Debian's supervisor), installs, builds,
# migrates, then runs provider-sim and the six services under a private supervisord
# (.run/supervisord.conf, rendered from infra/supervisor/), which restarts any that dies. Logs go
# to .run/logs. Prints the URL and a key. Run again, it reuses the running supervisord: the
# services are stopped, the database migrated, the config updated and the services started again.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
RUN="$ROOT/.run"; mkdir -p "$RUN/logs"
CONF="$RUN/supervisord.conf"

bash infra/scripts/setup-native.sh
bash infra/scripts/install.sh
npm run -s build

if [ -z "${CP_GATEWAY_KEYS:-}" ]; then
  [ -f "$RUN/gateway.key" ] || { echo "sk-cp-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$RUN/gateway.key"; chmod 600 "$RUN/gateway.key"; }
  CP_GATEWAY_KEYS="$(cat "$RUN/gateway.key")"
fi
export CP_GATEWAY_KEYS
# The auditor signs checkpoints of the hash chain with an Ed25519 key (docs/audit.md); cpctl checks
# them with .run/audit-public.key. Both base64 DER, one line each (a supervisor value has no newlines).
if [ -z "${CP_AUDIT_SIGNING_KEY:-}" ]; then
  [ -f "$RUN/audit-signing.key" ] || ( umask 077; node -e '
    const { generateKeyPairSync } = require("node:crypto"); const { writeFileSync } = require("node:fs");
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(process.argv[1] + "/audit-signing.key", privateKey.export({ format: "der", type: "pkcs8" }).toString("base64") + "\n");
    writeFileSync(process.argv[1] + "/audit-public.key", publicKey.export({ format: "der", type: "spki" }).toString("base64") + "\n", { mode: 0o644 });' "$RUN" )
  CP_AUDIT_SIGNING_KEY="$(cat "$RUN/audit-signing.key")"
fi
export CP_AUDIT_SIGNING_KEY CP_AUDIT_CHECKPOINT_DIR="${CP_AUDIT_CHECKPOINT_DIR:-$RUN/audit-checkpoints}"
export CP_GATEWAY_HOST="${CP_GATEWAY_HOST:-127.0.0.1}" CP_GATEWAY_PORT="${CP_GATEWAY_PORT:-8080}"
export CP_SIM_PORT="${CP_SIM_PORT:-9900}" CP_PROVIDER_SIM_URL="${CP_PROVIDER_SIM_URL:-http://127.0.0.1:${CP_SIM_PORT:-9900}}"
export CP_DATABASE_URL="${CP_DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/control_plane}"

# Processes of the layout before supervision (.run/pids/*.pid) would hold the ports.
bash infra/scripts/down.sh --legacy --quiet

ctl() { supervisorctl -c "$CONF" "$@"; }
supervisord_pid() { [ -f "$CONF" ] && ctl pid 2>/dev/null | grep -E '^[0-9]+$' || true; }

running="$(supervisord_pid)"
if [ -n "$running" ]; then
  echo "[up] supervisord already running (pid $running): restarting the services under it"
  ctl stop all >/dev/null || true
fi
node dist/apps/auditor/src/migrate.js
# The services' variables (CP_*, OTEL_*, NODE_*, *_API_KEY, PATH, HOME) are written into the config,
# so it is private to this user.
( umask 077; node dist/libs/shared/supervision/src/bin/supervisor-conf.js "$RUN" > "$CONF.new" )
mv "$CONF.new" "$CONF"
if [ -n "$running" ]; then
  ctl update >/dev/null      # programs whose config changed are re-added (and started)
  ctl start all >/dev/null || true
else
  # supervisord gets no environment of its own beyond PATH and HOME: the config is the only source.
  env -i PATH="$PATH" HOME="${HOME:-/root}" supervisord -c "$CONF"
  for _ in $(seq 1 50); do [ -n "$(supervisord_pid)" ] && break; sleep 0.2; done
  [ -n "$(supervisord_pid)" ] || { echo "supervisord did not start; see .run/logs/supervisord.log" >&2; exit 1; }
fi

URL="http://$CP_GATEWAY_HOST:$CP_GATEWAY_PORT"
for _ in $(seq 1 120); do
  if curl -sf "$URL/health" 2>/dev/null | grep -q '"status":"ok"'; then
    echo
    echo "control plane is up: $URL   (logs: .run/logs, stop: bash infra/scripts/down.sh)"
    echo "gateway key:        $(echo "$CP_GATEWAY_KEYS" | cut -d, -f1)"
    echo "try:                curl -s $URL/health"
    echo "supervised by:      supervisorctl -c .run/supervisord.conf status"
    exit 0
  fi
  sleep 0.5
done
echo "the stack did not become healthy in 60 s; see .run/logs" >&2
ctl status >&2 || true
curl -s "$URL/health" >&2 || true
exit 1
