#!/usr/bin/env bash
# Stops the stack that up.sh started: `supervisorctl shutdown` stops every service with SIGTERM (they
# drain NATS and close Postgres; SIGKILL after stopwaitsecs), then supervisord exits. Also stops
# processes left by the layout before supervision (.run/pids/*.pid). Safe to run when nothing runs.
#   --legacy  only the old .run/pids processes (up.sh uses this)
#   --quiet   no "stopped" line
set -uo pipefail
cd "$(dirname "$0")/../.."
RUN=.run; CONF="$RUN/supervisord.conf"; PIDFILE="$RUN/supervisord.pid"
legacy_only=0; quiet=0
for a in "$@"; do
  case "$a" in
    --legacy) legacy_only=1 ;;
    --quiet) quiet=1 ;;
    *) echo "usage: down.sh [--legacy] [--quiet]" >&2; exit 2 ;;
  esac
done

# 0 once process $1 is gone, polling every 0.2 s at most $2 times.
gone() { for _ in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done; return 1; }

if [ "$legacy_only" = 0 ]; then
  pid=""
  if [ -f "$CONF" ] && command -v supervisorctl >/dev/null 2>&1; then
    pid="$(supervisorctl -c "$CONF" pid 2>/dev/null | grep -E '^[0-9]+$' || true)"
    [ -z "$pid" ] || supervisorctl -c "$CONF" shutdown >/dev/null
  fi
  # No answer on the socket, but the pidfile names a live supervisord: SIGTERM is a shutdown too.
  if [ -z "$pid" ] && [ -f "$PIDFILE" ]; then
    pid="$(cat "$PIDFILE")"
    if grep -q supervisord "/proc/$pid/cmdline" 2>/dev/null; then kill -TERM "$pid"; else pid=""; fi
  fi
  # Each service gets stopwaitsecs (30 s) before SIGKILL; they stop in parallel.
  if [ -n "$pid" ] && ! gone "$pid" 300; then echo "supervisord ($pid) still running after 60 s" >&2; exit 1; fi
fi

for f in "$RUN"/pids/*.pid; do
  [ -f "$f" ] || continue
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
  gone "$pid" 50
  rm -f "$f"
done
rmdir "$RUN/pids" 2>/dev/null || true
[ "$quiet" = 1 ] || echo "stopped"
