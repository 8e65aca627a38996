#!/usr/bin/env bash
# Runs a command with the project's toolchain: setup first (idempotent, quiet), then the command with
# Node >= 22.13 and node_modules/.bin first on PATH. Every npm script goes through here, so the
# README's commands work on a machine that has only the system Node 20.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
exec "$@"
