# Sourced, not run: puts a Node >= 22.13 first on PATH (the project's own copy in .tools/node when the
# system one is older). One place names the version the setup installs.
ARTHA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARTHA_NODE_VERSION="22.23.3"
ARTHA_NODE_MIN="22.13.0"
if [[ -x "$ARTHA_ROOT/.tools/node/bin/node" && ":$PATH:" != *":$ARTHA_ROOT/.tools/node/bin:"* ]]; then
  export PATH="$ARTHA_ROOT/.tools/node/bin:$ARTHA_ROOT/node_modules/.bin:$PATH"
elif [[ ":$PATH:" != *":$ARTHA_ROOT/node_modules/.bin:"* ]]; then
  export PATH="$ARTHA_ROOT/node_modules/.bin:$PATH"
fi
export PONDER_TELEMETRY_DISABLED=true
export HARDHAT_DISABLE_TELEMETRY_PROMPT=true
export DO_NOT_TRACK=1
# Node's experimental-feature warning for node:sqlite is noise in every log line.
export NODE_NO_WARNINGS=1

artha_node_ok() {
  local v
  v="$(node --version 2>/dev/null)" || return 1
  v="${v#v}"
  [[ "$(printf '%s\n%s\n' "$ARTHA_NODE_MIN" "$v" | sort -V | head -1)" == "$ARTHA_NODE_MIN" ]]
}
