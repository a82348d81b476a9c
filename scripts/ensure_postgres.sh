#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres: start the
# local cluster if it is down, install it with apt-get only if it is absent.
set -euo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1 && ready; then exit 0; fi
if [ ! -d /etc/postgresql ] || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "PostgreSQL not installed: installing it with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  ver=$(ls /etc/postgresql | head -1)
  conf="/etc/postgresql/$ver/main"
  sed -i -E 's/^(local|host)(\s+all\s+all\s+.*\s+)(peer|scram-sha-256|md5)$/\1\2trust/' "$conf/pg_hba.conf"
  grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf" || echo "host all all 127.0.0.1/32 trust" >> "$conf/pg_hba.conf"
  sed -i -E 's/^(local\s+all\s+postgres\s+)peer/\1trust/' "$conf/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
exit 1
