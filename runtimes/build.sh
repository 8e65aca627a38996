#!/usr/bin/env bash
# Builds the CPU runtime images offline, with no image registry (docs/runtime-contract.md, "Images").
#
#   runtimes/build.sh [base|torch|agent ...]      (default: torch agent)
#
# stdout carries exactly one line per requested image, its id (sha256:…), in the order asked, so the
# last stdout line is the id of the last image; progress, timings and sizes go to stderr.
#
# Two stages:
#   base   debootstrap a minimal Debian bookworm with python3-torch and python3-numpy, add the job
#          user and the /artha mount points, `docker import` it. Tagged from its recipe alone, so it
#          is built once per machine (about 2 minutes) and a script change never re-runs debootstrap.
#   torch, agent
#          the scripts of runtimes/common plus runtimes/<name>, committed as one small layer on top of
#          the base (`docker commit` keeps the base layer shared instead of importing a second copy
#          of a 1 GB root filesystem per image). The tag is <version>-<hash of those scripts and of
#          the image settings>, so it changes exactly when what runs in the container changes.
# A tag that already exists is not rebuilt; its id is printed all the same.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUNTIME_VERSION="0.1.0"
JOB_UID=10001
JOB_GID=10001
SUITE="bookworm"
PACKAGES="python3-torch,python3-numpy"
# Empty: debootstrap's own default mirror.
MIRROR="${ARTHA_DEBIAN_MIRROR:-}"
# Bump BASE_REV when the base recipe below changes in a way the variables do not show.
BASE_REV=1

# Temporary directories to remove however the script ends.
CLEANUP=()
cleanup() { [[ ${#CLEANUP[@]} -eq 0 ]] || rm -rf "${CLEANUP[@]}"; }
trap cleanup EXIT

log() { printf '[runtime-build] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
short_hash() { sha256sum | cut -c1-12; }
image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null; }
image_mb() { docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f", $1 / 1048576 }'; }

BASE_TAG="arthaain/bookworm-torch-base:${BASE_REV}-$(printf '%s\n' "$SUITE" "$PACKAGES" "$JOB_UID" "$JOB_GID" | short_hash)"

# Settings of the runtime images; part of their tag hash (see image_tag).
image_env() {
  cat <<'EOF'
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PYTHONPATH=/opt/artha/common
PYTHONDONTWRITEBYTECODE=1
PYTHONUNBUFFERED=1
PYTHONHASHSEED=0
HOME=/tmp
LANG=C.UTF-8
OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1
MKL_NUM_THREADS=1
CUBLAS_WORKSPACE_CONFIG=:4096:8
EOF
}
entrypoint_of() {
  case "$1" in
    torch) printf '["python3", "/opt/artha/torch/entry.py"]' ;;
    agent) printf '["python3", "/opt/artha/agent/runner.py"]' ;;
  esac
}
# The files of an image, as paths relative to runtimes/; tests and examples stay out of the image.
image_files() {
  (cd "$HERE" && find common "$1" -maxdepth 1 -type f -name '*.py' | LC_ALL=C sort)
}
# Copies an image's scripts to <stage>/opt/artha/<path>; the tag is computed from this copy, so a
# file edited during a build cannot end up under a tag computed from its old content.
stage_files() {
  local name="$1" stage="$2" f
  mkdir -p "$stage/opt/artha"
  while read -r f; do
    mkdir -p "$stage/opt/artha/$(dirname "$f")"
    cp "$HERE/$f" "$stage/opt/artha/$f"
  done < <(image_files "$name")
}
image_tag() {
  local name="$1" stage="$2" hash
  hash="$(
    cd "$stage/opt/artha"
    find . -type f | LC_ALL=C sort | while read -r f; do printf '%s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "${f#./}"; done
    printf '%s\n' "$BASE_TAG" "$JOB_UID:$JOB_GID" "$(entrypoint_of "$name")"
    image_env
  )"
  printf 'arthaain/%s-cpu:%s-%s' "$name" "$RUNTIME_VERSION" "$(printf '%s' "$hash" | short_hash)"
}

build_base() {
  if image_id "$BASE_TAG" >/dev/null; then
    log "$BASE_TAG exists"
    return
  fi
  [[ "$(id -u)" == "0" ]] || die "building $BASE_TAG runs debootstrap, which needs root (run this as root once)"
  if ! command -v debootstrap >/dev/null; then
    command -v apt-get >/dev/null || die "debootstrap is missing and there is no apt-get to install it"
    log "installing debootstrap"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  local work started
  started="$(now)"
  work="$(mktemp -d /var/tmp/artha-rootfs.XXXXXX)"
  CLEANUP+=("$work")
  log "debootstrap $SUITE with $PACKAGES into $work (about 2 minutes)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$work/rootfs" ${MIRROR:+"$MIRROR"} >"$work/debootstrap.log" 2>&1 ||
    {
      tail -n 20 "$work/debootstrap.log" >&2
      die "debootstrap failed (log above)"
    }
  local r="$work/rootfs"
  # The job user: fixed ids so the node agent can prepare a writable /artha/out for it.
  chroot "$r" groupadd --gid "$JOB_GID" artha
  chroot "$r" useradd --uid "$JOB_UID" --gid "$JOB_GID" --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin artha
  mkdir -p "$r/artha/in/model" "$r/artha/in/data" "$r/artha/out" "$r/opt/artha"
  chown "$JOB_UID:$JOB_GID" "$r/artha/out"
  # Nothing at run time needs the package caches or documentation; the engine supplies DNS files.
  rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r"/usr/share/doc/* \
    "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/var/log/* "$r/etc/resolv.conf" "$r/etc/hostname"
  log "importing $BASE_TAG"
  tar --numeric-owner -C "$r" -c . | docker import --message "debootstrap $SUITE $PACKAGES" - "$BASE_TAG" >/dev/null
  rm -rf "$work"
  log "built $BASE_TAG in $(elapsed "$started") s, size $(image_mb "$BASE_TAG") MB"
}

build_image() {
  local name="$1" stage tag started cid
  stage="$(mktemp -d)"
  CLEANUP+=("$stage")
  stage_files "$name" "$stage"
  tag="$(image_tag "$name" "$stage")"
  if image_id "$tag" >/dev/null; then
    log "$tag exists, size $(image_mb "$tag") MB"
  else
    build_base
    started="$(now)"
    local changes=(--change "USER $JOB_UID:$JOB_GID" --change "WORKDIR /artha/out"
      --change "ENTRYPOINT $(entrypoint_of "$name")" --change 'CMD []'
      --change "LABEL org.arthaain.runtime=$name org.arthaain.runtime.version=$RUNTIME_VERSION")
    while read -r kv; do changes+=(--change "ENV $kv"); done < <(image_env)
    cid="$(docker create "$BASE_TAG" /bin/true)"
    # Scripts are root-owned and read-only to the job user.
    tar --owner=0 --group=0 --numeric-owner --mode='u=rwX,go=rX' -C "$stage" -c opt | docker cp -a - "$cid:/"
    docker commit "${changes[@]}" "$cid" "$tag" >/dev/null
    docker rm "$cid" >/dev/null
    log "built $tag in $(elapsed "$started") s, size $(image_mb "$tag") MB"
  fi
  rm -rf "$stage"
  image_id "$tag"
}

print_tag() {
  local stage
  stage="$(mktemp -d)"
  CLEANUP+=("$stage")
  stage_files "$1" "$stage"
  image_tag "$1" "$stage"
  echo
  rm -rf "$stage"
}

main() {
  local targets=("$@")
  [[ ${#targets[@]} -gt 0 ]] || targets=(torch agent)
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
    die "no Docker engine answers (start one with: bash scripts/docker-engine.sh)"
  # One build at a time on a machine: tests, the benchmark and a person may all call this.
  exec 9>"${TMPDIR:-/tmp}/artha-runtime-build.lock"
  flock 9
  local t
  for t in "${targets[@]}"; do
    case "$t" in
      base)
        build_base
        image_id "$BASE_TAG"
        ;;
      torch | agent) build_image "$t" ;;
      tag:torch | tag:agent) print_tag "${t#tag:}" ;;
      *) die "unknown target '$t' (expected base, torch, agent, tag:torch or tag:agent)" ;;
    esac
  done
}

main "$@"
