#!/usr/bin/env bash
# Ensures a PostgreSQL server answers on 127.0.0.1:5432 with a role `artha` (password `artha`, may create
# databases), for the indexer's Postgres tests and for running the indexer at scale on this machine. When
# none runs and we are root with apt, installs Debian's postgresql and starts its cluster (Debian's default
# listens on localhost only). Otherwise stops with the exact thing to do. ARTHA_SKIP_POSTGRES=1 skips it.
set -euo pipefail
log() { printf '[postgres] %s\n' "$*" >&2; }
[[ "${ARTHA_SKIP_POSTGRES:-}" == "1" ]] && exit 0

as_postgres() { su postgres -s /bin/sh -c "$1"; }
answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! answers; then
  if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null; then
    log "no PostgreSQL answers on 127.0.0.1:5432."
    log "Install and start one (Debian/Ubuntu: 'sudo apt-get install postgresql'), create a role"
    log "'artha' with password 'artha' and CREATEDB, or set ARTHA_SKIP_POSTGRES=1 to skip the Postgres tests."
    exit 1
  fi
  if ! command -v pg_ctlcluster >/dev/null; then
    log "installing Debian's postgresql"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  read -r version cluster < <(pg_lsclusters --no-header | awk 'NR == 1 { print $1, $2 }')
  if [[ -z "${version:-}" ]]; then
    version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    cluster=main
    pg_createcluster "$version" "$cluster" >/dev/null
  fi
  log "starting the PostgreSQL $version/$cluster cluster"
  pg_ctlcluster "$version" "$cluster" start
  for _ in $(seq 1 30); do answers && break; sleep 1; done
  answers || { log "PostgreSQL did not answer within 30 s; see /var/log/postgresql/"; exit 1; }
fi

if [[ "$(id -u)" == "0" ]] && ! as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'artha'\"" | grep -q 1; then
  log "creating the role artha"
  as_postgres "psql -qc \"CREATE ROLE artha LOGIN CREATEDB PASSWORD 'artha'\""
fi
