#!/bin/bash
# Run every test suite and end with one line "N passed, N failed, N skipped".
#   unit  tests/unit/test-*   (TAP; also ASAN_UNIT_DIR's copies when set: the sanitizer build)
#   oci   tests/oci/run.sh    (TAP; as root)
#   bats  tests/bats          (TAP; as root) but dock's files
#   dock  tests/bats/dock-*.bats, inside a private mount and network namespace (lo up), so the
#         front-end's overlay mounts and netns files can never reach the host's
#   dockcompat  dock-container.bats and dock-network.bats again with runc as the runtime and
#         with conmon as the shim,
#         and (when ASAN_UNIT_DIR has one) with the ASan/UBSan build of dock, berth and berth-shim
#   compat  berth-shim's, containerd's and podman's tests with runc and crun as the runtime
#         (when installed), so those tests are checked against runtimes other than ours
#   oldkernel  the runtime bats files that reach its old-kernel fallbacks (no openat2, pidfd,
#         clone3, close_range), with those system calls made to fail (tests/old-kernel.sh)
#   cri   tests/cri/run.sh (TAP; as root): Kubernetes' CRI validation suite (critest, built outside
#         this repo; its path in CRITEST) against a private containerd 1.6 running the runtime, and
#         again with runc (cri/runc) to tell the suite's own failures from ours; skipped, with the
#         reason, when CRITEST is not set.  (Docker swarm is tests/bats/swarm.bats, in bats.)
#   leaks tests/leaks/run.sh  (TAP; as root: valgrind on each verb and on berth-shim's life,
#         and LeakSanitizer on ASAN_UNIT_DIR's berth and berth-shim when built there)
#   fuzz  tests/fuzz/run.sh   (TAP; libFuzzer targets built with clang, FUZZ_SECONDS each)
# Environment: BUILDDIR (binaries, default .), SRCDIR (default: this script's repo),
# SUITES (default "unit oci bats dock dockcompat compat oldkernel cri leaks fuzz"), BERTH_HOOKS_BIN
# (a berth configured with --enable-test-hooks, for tests/bats/faults.bats, which skips without it),
# CRITEST (critest, for cri).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BUILDDIR=$(cd "${BUILDDIR:-.}" && pwd)
SUITES=${SUITES:-unit oci bats dock dockcompat compat oldkernel cri leaks fuzz}
export RUNTIME=${RUNTIME:-$BUILDDIR/berth}
log=$(mktemp -d /tmp/berth-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

pass=0 fail=0 skip=0
# count one TAP stream (file $1, suite label $2); echo the failures
count() {
  local p f s
  # "ok … # skip" and "not ok … # TODO" (a known failure) are skipped, not passed or failed
  p=$(grep -E '^ok ' "$1" | grep -cvE '# (skip|SKIP|TODO)')
  f=$(grep -E '^not ok ' "$1" | grep -cvE '# TODO')
  s=$(grep -cE '^(ok .*# (skip|SKIP|TODO)|not ok .*# TODO)' "$1")
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
  printf '%-12s %4d passed, %4d failed, %4d skipped\n' "$2" "$p" "$f" "$s"
  grep -E '^not ok ' "$1" | grep -vE '# TODO' | sed 's/^/    /'
}

# a suite that dies without a plan line counts as one failure
run_suite() {
  local label=$1; shift
  local out=$log/${label//\//-}.tap
  "$@" >"$out" 2>"${out%.tap}.err"
  local rc=$?
  count "$out" "$label"
  if [ "$rc" -ne 0 ] && ! grep -qE '^not ok ' "$out"; then
    echo "    not ok - $label exited $rc without a failing test:"; tail -n 20 "${out%.tap}.err" | sed 's/^/      /'
    fail=$((fail + 1))
  fi
}

for suite in $SUITES; do
  case $suite in
  unit)
    for t in "$BUILDDIR"/tests/unit/test-*; do
      [ -x "$t" ] && run_suite "unit/${t##*/}" "$t"
    done
    if [ -n "${ASAN_UNIT_DIR:-}" ]; then
      for t in "$ASAN_UNIT_DIR"/tests/unit/test-*; do
        [ -x "$t" ] && run_suite "asan/${t##*/}" "$t"
      done
    fi
    ;;
  oci)
    OCI_CHECK=$BUILDDIR/tests/oci/oci-check run_suite oci bash "$SRCDIR/tests/oci/run.sh"
    ;;
  bats)
    files=()
    for f in "$SRCDIR"/tests/bats/*.bats; do
      case ${f##*/} in dock-*) ;; *) files+=("$f") ;; esac
    done
    run_suite bats bats --tap "${files[@]}"
    ;;
  dock)
    files=("$SRCDIR"/tests/bats/dock-*.bats)
    run_suite dock unshare -m -n --propagation private sh -c 'ip link set lo up && exec bats --tap "$@"' sh "${files[@]}"
    ;;
  dockcompat)
    # the tests themselves, checked with another runtime and another monitor
    if command -v runc >/dev/null; then
      DOCK_RUNTIME=$(command -v runc) run_suite dockcompat/runc unshare -m -n --propagation private \
        sh -c 'ip link set lo up && exec bats --tap "$@"' sh "$SRCDIR/tests/bats/dock-container.bats" \
        "$SRCDIR/tests/bats/dock-network.bats"
    fi
    if command -v conmon >/dev/null; then
      DOCK_SHIM=$(command -v conmon) run_suite dockcompat/conmon unshare -m -n --propagation private \
        sh -c 'ip link set lo up && exec bats --tap "$@"' sh "$SRCDIR/tests/bats/dock-container.bats" \
        "$SRCDIR/tests/bats/dock-network.bats"
    fi
    if [ -x "${ASAN_UNIT_DIR:-}/dock" ]; then
      DOCK=$ASAN_UNIT_DIR/dock run_suite dockcompat/asan unshare -m -n --propagation private \
        sh -c 'ip link set lo up && exec bats --tap "$@"' sh "$SRCDIR/tests/bats/dock-container.bats" \
        "$SRCDIR/tests/bats/dock-content.bats" "$SRCDIR/tests/bats/dock-network.bats"
    fi
    ;;
  compat)
    # the client tests (berth-shim, containerd, podman) are checked against the reference
    # runtimes too, so a failure there tells a broken test from a berth regression
    for f in shim containerd podman; do
      if command -v runc >/dev/null; then
        RUNTIME=$(command -v runc) run_suite "compat/$f-runc" bats --tap "$SRCDIR/tests/bats/$f.bats"
      fi
      if command -v crun >/dev/null; then
        RUNTIME=$SRCDIR/tests/crun-hybrid.sh run_suite "compat/$f-crun" bats --tap "$SRCDIR/tests/bats/$f.bats"
      fi
    done
    ;;
  oldkernel)
    # a wrapper with the runtime written in: containerd and podman clear the environment
    printf '#!/bin/sh\nexec %s %s "$@"\n' "$SRCDIR/tests/old-kernel.sh" "$RUNTIME" >"$log/old-kernel-runtime"
    chmod +x "$log/old-kernel-runtime"
    files=()
    for f in lifecycle mounts kill delete process security containerd; do files+=("$SRCDIR/tests/bats/$f.bats"); done
    RUNTIME=$log/old-kernel-runtime run_suite oldkernel bats --tap "${files[@]}"
    ;;
  cri)
    if [ -z "${CRITEST:-}" ]; then
      printf '%-12s skipped: CRITEST is not set (the path of a critest built from kubernetes-sigs/cri-tools)\n' cri
      skip=$((skip + 1))
    else
      run_suite cri bash "$SRCDIR/tests/cri/run.sh"
      if command -v runc >/dev/null; then
        RUNTIME=$(command -v runc) run_suite cri/runc bash "$SRCDIR/tests/cri/run.sh"
      fi
    fi
    ;;
  leaks)
    BUILDDIR=$BUILDDIR run_suite leaks bash "$SRCDIR/tests/leaks/run.sh"
    ;;
  fuzz)
    run_suite fuzz bash "$SRCDIR/tests/fuzz/run.sh"
    ;;
  esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
