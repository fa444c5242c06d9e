#!/usr/bin/env bash
# Make sure PostgreSQL, Redis and InfluxDB answer on 127.0.0.1 (install them with apt-get if absent).
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
wait_for() {  # name, command...
  local name="$1"; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && { echo "==> $name is up"; return 0; }; sleep 1; done
  echo "!! $name did not come up" >&2; return 1
}

# PostgreSQL
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432

# Redis
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis redis-cli -h 127.0.0.1 ping

# InfluxDB (Debian's 1.x package; HTTP API on 127.0.0.1:8086)
influx_ping() {  # true when GET /ping answers 204
  local status=""
  { exec 3<>/dev/tcp/127.0.0.1/8086 && printf 'GET /ping HTTP/1.0\r\n\r\n' >&3 && read -r _ status _ <&3; } 2>/dev/null
  exec 3<&- 2>/dev/null
  [ "$status" = 204 ]
}
if ! influx_ping; then
  command -v influxd >/dev/null 2>&1 || apt_install influxdb
  as_root start-stop-daemon --start --oknodo --background --chuid influxdb \
    --make-pidfile --pidfile /run/influxdb-ci.pid --startas /bin/sh -- -c \
    'INFLUXDB_HTTP_BIND_ADDRESS=127.0.0.1:8086 INFLUXDB_HTTP_LOG_ENABLED=false exec influxd -config /etc/influxdb/influxdb.conf >>/var/log/influxdb/ci.log 2>&1'
fi
wait_for InfluxDB influx_ping
