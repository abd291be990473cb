#!/usr/bin/env bash
# Stops the processes that up.sh started (SIGTERM: they drain NATS and close Postgres).
set -uo pipefail
cd "$(dirname "$0")/../.."
for f in .run/pids/*.pid; do
  [ -f "$f" ] || continue
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$f"
done
[ "${1:-}" = "--quiet" ] || echo "stopped"
