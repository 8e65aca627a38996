#!/usr/bin/env bash
# Ensures a Docker engine answers. When none does and we are root with apt, installs Debian's
# docker.io and starts dockerd in the background (logs in /var/log/artha-dockerd.log). Otherwise
# stops with the exact thing to install.
set -euo pipefail
log() { printf '[docker] %s\n' "$*" >&2; }

engine_up() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
engine_up && exit 0

if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null; then
  log "no Docker engine answers on ${DOCKER_HOST:-unix:///var/run/docker.sock}."
  log "Install one (Debian/Ubuntu: 'sudo apt-get install docker.io && sudo systemctl start docker'),"
  log "and add your user to the 'docker' group, then run this again."
  exit 1
fi

if ! command -v dockerd >/dev/null; then
  log "installing Debian's docker.io"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null; then
  log "starting dockerd"
  nohup dockerd >/var/log/artha-dockerd.log 2>&1 &
fi
for _ in $(seq 1 60); do
  engine_up && { log "engine up: $(docker version --format '{{.Server.Version}}')"; exit 0; }
  sleep 1
done
log "dockerd did not answer within 60 s; its log: /var/log/artha-dockerd.log"
tail -n 20 /var/log/artha-dockerd.log >&2 || true
exit 1
