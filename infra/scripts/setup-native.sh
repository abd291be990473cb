#!/usr/bin/env bash
# Installs and starts, when missing, what the control plane needs on a Debian-like machine:
# NATS with JetStream, PostgreSQL 15+, pgvector built from Debian's own source package, and
# Debian's supervisor package (up.sh runs the services under a private supervisord), and Debian's
# chromium (the dashboard's end-to-end test).
# Idempotent and tolerant of services that are already running.
set -euo pipefail

log() { printf '[setup] %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
NATS_PORT="${CP_NATS_PORT:-4222}"
PG_PORT="${CP_PG_PORT:-5432}"
apt_updated=0
apt_update_once() { [ "$apt_updated" = 1 ] || { $SUDO apt-get update -qq; apt_updated=1; }; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; return 1; }

ensure_nats() {
  if ! command -v nats-server >/dev/null 2>&1; then
    log "installing nats-server"; apt_update_once; $SUDO apt-get install -y -qq nats-server >/dev/null
  fi
  if port_open "$NATS_PORT"; then log "NATS already listening on $NATS_PORT"; return; fi
  log "starting nats-server with JetStream on 127.0.0.1:$NATS_PORT"
  $SUDO mkdir -p /var/lib/nats-server
  $SUDO start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server)" -- \
    -c "$(cd "$(dirname "${BASH_SOURCE[0]}")/../nats" && pwd)/nats.conf" \
    -a 127.0.0.1 -p "$NATS_PORT" -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port "$NATS_PORT" || { log "NATS did not start"; exit 1; }
}

pg_version() { ls /etc/postgresql 2>/dev/null | sort -n | tail -1; }

ensure_postgres() {
  if [ -z "$(pg_version)" ]; then
    log "installing PostgreSQL"; apt_update_once
    $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  local v; v="$(pg_version)"
  if ! port_open "$PG_PORT"; then
    log "starting PostgreSQL $v"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
    wait_port "$PG_PORT" || { log "PostgreSQL did not start"; exit 1; }
  else
    log "PostgreSQL already listening on $PG_PORT"
  fi
}

ensure_pgvector() {
  local v; v="$(pg_version)"
  if [ -f "/usr/share/postgresql/$v/extension/vector.control" ]; then log "pgvector already installed"; return; fi
  log "building pgvector from Debian's source package for PostgreSQL $v"
  local list=/etc/apt/sources.list.d/cp-trixie-src.list
  if [ ! -f "$list" ]; then
    # Reuse the Debian mirror this machine is already configured with; only the suite differs.
    local mirror
    mirror="$(grep -hoE '^URIs: *[^ ]+/debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')"
    [ -n "$mirror" ] || mirror="$(grep -hoE '^deb +[^ ]+/debian ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')"
    [ -n "$mirror" ] || { log "no Debian mirror configured in apt sources"; exit 1; }
    echo "deb-src $mirror trixie main" | $SUDO tee "$list" >/dev/null
    apt_updated=0
  fi
  apt_update_once
  $SUDO apt-get install -y -qq "postgresql-server-dev-$v" build-essential dpkg-dev >/dev/null
  local dir; dir="$(mktemp -d)"
  ( cd "$dir" && apt-get source -qq pgvector >/dev/null 2>&1 && cd pgvector-*/ \
    && make -s PG_CONFIG="/usr/lib/postgresql/$v/bin/pg_config" >/dev/null \
    && $SUDO make -s install PG_CONFIG="/usr/lib/postgresql/$v/bin/pg_config" >/dev/null )
  rm -rf "$dir"
  [ -f "/usr/share/postgresql/$v/extension/vector.control" ] || { log "pgvector build failed"; exit 1; }
  log "pgvector installed"
}

ensure_supervisor() {
  # Only the programs are needed: up.sh runs a supervisord of its own with .run/supervisord.conf.
  # The package's system-wide service is not used (where there is no init system, as in CI
  # containers, the package's postinst just does not start it).
  if command -v supervisord >/dev/null 2>&1 && command -v supervisorctl >/dev/null 2>&1; then
    log "supervisor already installed"; return
  fi
  log "installing supervisor"; apt_update_once
  $SUDO apt-get install -y -qq supervisor >/dev/null
  command -v supervisord >/dev/null 2>&1 || { log "supervisor install failed"; exit 1; }
}

ensure_chromium() {
  # The dashboard's end-to-end test drives Debian's Chromium with playwright-core (which never
  # downloads a browser of its own).
  if [ -x /usr/bin/chromium ]; then log "chromium already installed"; return; fi
  log "installing chromium"; apt_update_once
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] || { log "chromium install failed"; exit 1; }
}

ensure_trust_or_password() {
  # Our default DSN connects as the postgres role over TCP. On a stock Debian install that needs a
  # password; on these machines it is trust. Set one only when a connection is refused.
  if ! psql "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -Atqc 'select 1' >/dev/null 2>&1; then
    log "setting the postgres role's password for TCP connections"
    $SUDO -u postgres psql -qc "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || \
      su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  fi
}

ensure_nats
ensure_postgres
ensure_pgvector
ensure_trust_or_password
ensure_supervisor
ensure_chromium
log "infrastructure ready: NATS 127.0.0.1:$NATS_PORT, PostgreSQL 127.0.0.1:$PG_PORT (pgvector), supervisor $(supervisord --version)"
