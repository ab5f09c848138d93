#!/bin/bash
# capture-runtime.sh: an OCI runtime that keeps a copy of every config.json it is handed, then
# runs the real one.  collect-seeds.sh passes it as podman's --runtime, as the OCI suite's RUNTIME
# and as the bats tests' RUNTIME, so the seeds are the configs real clients generate.
# Environment: CAPTURE_DIR (where copies go, named by content hash), CAPTURE_RUNTIME (the real
# runtime, default berth next to the repo's build).
set -u
real=${CAPTURE_RUNTIME:?}
verb='' bundle=$PWD
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  a=${args[i]}
  case $a in
    create | run) [ -z "$verb" ] && verb=$a ;;
    --bundle | -bundle | -b | --b) bundle=${args[i + 1]:-} ;;
    --bundle=* | -bundle=* | -b=*) bundle=${a#*=} ;;
  esac
done
if [ -n "$verb" ] && [ -n "${CAPTURE_DIR:-}" ] && [ -f "$bundle/config.json" ]; then
  sum=$(sha256sum "$bundle/config.json" | cut -c1-16)
  cp "$bundle/config.json" "$CAPTURE_DIR/${CAPTURE_PREFIX:-captured}-$sum.json" 2>/dev/null
fi
exec "$real" "$@"
