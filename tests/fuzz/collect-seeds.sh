#!/bin/bash
# tests/fuzz/collect-seeds.sh OUT: regenerate the spec and state seed corpora into OUT/spec and
# OUT/state from what real tools write (as root, after make; takes a few minutes):
#
#   spec   `berth spec`, `runc spec`, `crun spec` (each also --rootless), `ctr oci spec`
#          (containerd's default, what docker and ctr start from); podman's config.json for a
#          range of `podman run` flags (captured by tests/fuzz/capture-runtime.sh as podman's
#          --runtime); every config tests/oci/run.sh hands the runtime (its cases, and the
#          runtime-tools validation suite when OCI_VALIDATION_DIR is set); every config the
#          bats files below hand it; and, from each config, its "process" (what `exec -p`
#          reads) and its "linux.resources" (what `update -r` reads) alone.
#   state  state.json of containers made by berth (plain, with annotations and hooks, without
#          a mount namespace) and by runc (another runtime's format).
#
# SEEDS_SUITES (default "oci bats") names the test suites to capture; empty skips them (the
# slow part).  The committed corpus (tests/fuzz/corpus) was made this way, then cut down with
# `fuzz-spec -merge=1` to the configs that add coverage (keeping every runtime's and podman's).
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
berth=$top/berth
[ -x "$berth" ] || { echo "build berth first (make)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/berth-seeds.XXXXXX)
pd=
cleanup() {
  set +e
  if [ -n "$pd" ]; then
    pm rm -af -t 0 >/dev/null 2>&1
    pm rmi -af >/dev/null 2>&1
    awk -v d="$pd/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r umount -l 2>/dev/null
    # podman's cgroupfs parent; rmdir leaves it alone while anything else uses it
    find /sys/fs/cgroup/*/libpod_parent -depth -type d -exec rmdir {} + 2>/dev/null
  fi
  "$berth" --root "$tmp/root" delete -f s1 >/dev/null 2>&1
  "$berth" --root "$tmp/root" delete -f s2 >/dev/null 2>&1
  "$berth" --root "$tmp/root" delete -f s3 >/dev/null 2>&1
  runc --root "$tmp/runc" delete -f s4 >/dev/null 2>&1
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
mkdir -p "$out/spec" "$out/state" "$tmp/cap"

# a runtime that keeps every config.json (podman and conmon pass no environment: baked in)
wrapper() { # wrapper NAME REAL
  printf '#!/bin/sh\nCAPTURE_DIR=%s CAPTURE_PREFIX=%s CAPTURE_RUNTIME=%s exec %s "$@"\n' \
    "$tmp/cap" "$1" "$2" "$here/capture-runtime.sh" >"$tmp/rt-$1"
  chmod +x "$tmp/rt-$1"
}

# ---- the runtimes' own defaults
mkdir -p "$tmp/s" && cd "$tmp/s"
"$berth" spec && mv config.json "$out/spec/berth-spec.json"
"$berth" spec --rootless && mv config.json "$out/spec/berth-spec-rootless.json"
if command -v runc >/dev/null; then
  runc spec && mv config.json "$out/spec/runc-spec.json"
  runc spec --rootless && mv config.json "$out/spec/runc-spec-rootless.json"
fi
if command -v crun >/dev/null; then
  crun spec && mv config.json "$out/spec/crun-spec.json"
  crun spec --rootless && mv config.json "$out/spec/crun-spec-rootless.json"
fi
command -v ctr >/dev/null && ctr oci spec >"$out/spec/containerd-default.json"
cd "$top"

# ---- podman
if command -v podman >/dev/null && command -v runc >/dev/null; then
  pd=$tmp/podman
  mkdir -p "$pd"
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\nlog_driver = "k8s-file"\nnetns = "none"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$pd/containers.conf"
  wrapper podman "$(command -v runc)"
  pm() {
    CONTAINERS_CONF=$pd/containers.conf timeout -k 5 60 podman --root "$pd/root" --runroot "$pd/runroot" \
      --tmpdir "$pd/tmp" --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
      --runtime "$tmp/rt-podman" "$@"
  }
  sh "$top/tests/make-bundle.sh" "$pd/image" true >/dev/null
  tar -C "$pd/image/rootfs" -cf "$pd/busybox.tar" .
  pm import --change CMD=/bin/sh "$pd/busybox.tar" localhost/berth-seed:1 >/dev/null
  img=localhost/berth-seed:1
  seccomp=$top/tests/unit/fixtures/seccomp-docker-default.json
  while read -r flags; do
    # shellcheck disable=SC2086
    pm run --rm $flags "$img" true </dev/null >/dev/null 2>&1 || true
  done <<EOF
-t -i
--privileged
--cap-add SYS_ADMIN --cap-drop NET_RAW --security-opt no-new-privileges --read-only --tmpfs /scratch:size=1m,mode=1777
--memory 64m --memory-swap 128m --cpus 0.5 --cpu-shares 512 --pids-limit 50 --cpuset-cpus 0
-u 1000:1000 --group-add 10 -e FOO=bar -w /tmp -h myhost --ulimit nofile=512:512 --sysctl net.ipv4.ip_forward=1
--device /dev/null:/dev/mynull:rwm -v /tmp:/hosttmp:ro --mount type=tmpfs,destination=/t2 --shm-size 1m --init
--security-opt seccomp=unconfined --ipc host --pid host --uts host
--security-opt seccomp=$seccomp --oom-score-adj 100 --annotation a.b/c=d
--uidmap 0:100000:65536 --gidmap 0:100000:65536
--cgroupns private --stop-signal TERM
EOF
  pm run --rm "$img" true </dev/null >/dev/null 2>&1 || true
fi

# ---- the repository's own tests, through a capturing runtime over berth
suites=${SEEDS_SUITES-oci bats}
if [[ " $suites " == *" oci "* ]]; then
  wrapper oci "$berth"
  make -s tests/oci/oci-check >/dev/null 2>&1 || true
  RUNTIME=$tmp/rt-oci OCI_CHECK=$top/tests/oci/oci-check bash "$top/tests/oci/run.sh" >"$tmp/oci.tap" 2>&1 || true
fi
wrapper bats "$berth"
[[ " $suites " == *" bats "* ]] && RUNTIME=$tmp/rt-bats bats --tap "$top/tests/bats/errors.bats" "$top/tests/bats/spec.bats" "$top/tests/bats/mounts.bats" \
  "$top/tests/bats/namespaces.bats" "$top/tests/bats/cgroups.bats" "$top/tests/bats/hooks.bats" \
  "$top/tests/bats/seccomp.bats" "$top/tests/bats/security.bats" "$top/tests/bats/idmap.bats" \
  "$top/tests/bats/process.bats" >"$tmp/bats.tap" 2>&1 || true
cp "$tmp/cap"/* "$out/spec/" 2>/dev/null || true

# ---- process.json and resources, cut from the configs
for f in "$out/spec"/*.json; do
  case ${f##*/} in process-* | resources-*) continue ;; esac
  jq -e '.process' "$f" >"$tmp/p" 2>/dev/null && mv "$tmp/p" "$out/spec/process-$(sha256sum <"$tmp/p" | cut -c1-16).json"
  jq -e '.linux.resources' "$f" >"$tmp/r" 2>/dev/null && mv "$tmp/r" "$out/spec/resources-$(sha256sum <"$tmp/r" | cut -c1-16).json"
done
rm -f "$tmp/p" "$tmp/r"

# ---- state.json
b=$tmp/bundle
sh "$top/tests/make-bundle.sh" "$b" sleep 100 >/dev/null
jq '.linux.cgroupsPath = "/berth-seed/s1"' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
"$berth" --root "$tmp/root" create -b "$b" s1 </dev/null >/dev/null 2>&1 && cp "$tmp/root/s1/state.json" "$out/state/created-plain.json"
jq '.annotations = {"org.opencontainers.image.ref.name": "busybox", "a/b": "c d\n\u00e9"}
    | .hooks = {"poststart": [{"path": "/bin/true"}], "poststop": [{"path": "/bin/true"}]}
    | .linux.cgroupsPath = "/berth-seed/s2"' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
"$berth" --root "$tmp/root" create -b "$b" s2 </dev/null >/dev/null 2>&1 && cp "$tmp/root/s2/state.json" "$out/state/created-annotations-hooks.json"
jq '.linux.namespaces |= map(select(.type != "mount")) | del(.annotations, .hooks) | .linux.cgroupsPath = "/berth-seed/s3"' \
  "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
"$berth" --root "$tmp/root" create -b "$b" s3 </dev/null >/dev/null 2>&1 && cp "$tmp/root/s3/state.json" "$out/state/created-no-mountns.json"
if command -v runc >/dev/null; then
  sh "$top/tests/make-bundle.sh" "$tmp/b4" sleep 100 >/dev/null
  jq '.linux.cgroupsPath = "/berth-seed/s4" | .annotations = {"x": "y"}' "$tmp/b4/config.json" >"$tmp/b4/c" && mv "$tmp/b4/c" "$tmp/b4/config.json"
  runc --root "$tmp/runc" create -b "$tmp/b4" s4 </dev/null >/dev/null 2>&1 && cp "$tmp/runc/s4/state.json" "$out/state/runc-state.json"
fi
for i in 1 2 3 4; do "$berth" --root "$tmp/root" delete -f "s$i" >/dev/null 2>&1 || true; done
runc --root "$tmp/runc" delete -f s4 >/dev/null 2>&1 || true
for d in /sys/fs/cgroup/*/berth-seed; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
ls "$out/spec" | wc -l | xargs echo "spec seeds:"
ls "$out/state" | wc -l | xargs echo "state seeds:"
