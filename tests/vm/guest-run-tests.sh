#!/bin/bash
# tests/vm/guest-run-tests.sh: runs INSIDE the VM (berth-tests.service, as root), from the
# payload disk run.sh made: P=/mnt/berth holds berth, the tests/ tree with its built binaries,
# and vm.env.  Writes one TAP stream on stdout (run.sh reads it from the guest's ttyS1),
# per-suite TAP and stderr in $P/results/ (run.sh copies them back), and ends with the line
# "N passed, N failed, N skipped", counted the way tests/run-all.sh counts.
#
# Order:
#   vm/        sanity: systemd is PID 1, cgroup2 alone at /sys/fs/cgroup, berth runs
#   probe/     tests/vm/probes.sh: cgroup v2 behaviour of berth's cgroupfs backend
#   unit/      tests/unit/test-*                       (once: driver-independent)
#   DRIVER/oci tests/oci/run.sh, DRIVER/bats tests/bats (per cgroup driver)
# DRIVER is "cgroupfs" (berth's default, the v2 backend here) and then "systemd"
# (RUNTIME_FLAGS=--systemd-cgroup through a wrapper), see SYSTEMD below.
#
# vm.env (written by run.sh) may set:
#   SUITES        default "probe unit oci bats"
#   SYSTEMD       auto (default): run the systemd-driver pass only when
#                 `berth features | jq .linux.cgroup.systemd` is true; yes: always; no: never.
#   BATS_FILTER   passed to bats --filter
#   BATS_FILES    only these files of tests/bats (e.g. "containerd.bats podman.bats")
#   BATS_TEST_TIMEOUT, OCI_TIMEOUT  per-test bounds (default 240 s: TCG is slow)
set -u
P=$(cd "$(dirname "$0")/../.." && pwd)
R=$P/results
rm -rf "$R"
mkdir -p "$R"
[ -f "$P/vm.env" ] && . "$P/vm.env"
SUITES=${SUITES:-probe unit oci bats}
SYSTEMD=${SYSTEMD:-auto}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-240} OCI_TIMEOUT=${OCI_TIMEOUT:-240}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=/tmp HOME=/root
BERTH=$P/berth
bindir=$(mktemp -d /tmp/berth-vm-bin.XXXXXX)
chmod 755 "$bindir"

n=0 pass=0 fail=0 skip=0
t0=$(date +%s)

# test OK|NOTOK DESCRIPTION: one line of the combined stream, counted like run-all.sh
test_line() {
  local res=$1 desc=$2
  n=$((n + 1))
  if [ "$res" = ok ]; then
    echo "ok $n - $desc"
    if [[ $desc =~ \#\ *(skip|SKIP|TODO) ]]; then skip=$((skip + 1)); else pass=$((pass + 1)); fi
  else
    echo "not ok $n - $desc"
    if [[ $desc =~ \#\ *TODO ]]; then skip=$((skip + 1)); else fail=$((fail + 1)); fi
  fi
}
check() { # check DESCRIPTION COMMAND...
  local d=$1
  shift
  if "$@" >&2; then test_line ok "$d"; else test_line notok "$d"; fi
}
diag() { printf '# %s\n' "$@"; }

# emit LABEL: re-emit a TAP stream from stdin, renumbered, each test prefixed "LABEL: ".
# Sets emitted_fail to the number of failures it saw.
emit() {
  local label=$1 l re='^(not )?ok [0-9]*( -)? ?(.*)$'
  emitted_fail=0
  while IFS= read -r l; do
    if [[ $l =~ $re ]]; then
      local not=${BASH_REMATCH[1]} desc=${BASH_REMATCH[3]}
      if [ -n "$not" ]; then
        test_line notok "$label: $desc"
        [[ $desc =~ \#\ *TODO ]] || emitted_fail=$((emitted_fail + 1))
      else
        test_line ok "$label: $desc"
      fi
    elif [[ $l =~ ^Bail\ out ]]; then
      test_line notok "$label: $l"
      emitted_fail=$((emitted_fail + 1))
    elif [[ $l =~ ^[0-9]+\.\.[0-9]+ ]]; then
      : # the sub-plan; the combined stream has its own
    elif [[ $l == \#* ]]; then
      echo "$l"
    elif [ -n "$l" ]; then
      echo "# $l"
    fi
  done
}

# run_suite LABEL COMMAND...: the suite's TAP streams through emit as it runs; a suite that
# exits non-zero without a failing test counts as one failure (as in run-all.sh).
run_suite() {
  local label=$1 file=${1//\//-}
  shift
  local s0 rc
  s0=$(date +%s)
  diag "---- $label: $*"
  emit "$label" < <(
    "$@" 2>"$R/$file.err" </dev/null | tee "$R/$file.tap"
    echo "${PIPESTATUS[0]}" >"$R/$file.rc"
  )
  rc=$(cat "$R/$file.rc" 2>/dev/null || echo 255)
  if [ "$rc" -ne 0 ] && [ "$emitted_fail" -eq 0 ]; then
    test_line notok "$label: exited $rc without a failing test"
    tail -n 20 "$R/$file.err" | sed 's/^/#   /'
  fi
  diag "---- $label: exit $rc, $(($(date +%s) - s0))s"
}

# ---------------------------------------------------------------- the machine itself
diag "berth VM: $(uname -r), $(systemctl --version | head -n 1), booted $(cut -d' ' -f1 /proc/uptime)s ago"
diag "system state: $(systemctl is-system-running 2>&1)"
check "vm: PID 1 is systemd ($(cat /proc/1/comm))" test "$(cat /proc/1/comm)" = systemd
fstype=$(stat -fc %T /sys/fs/cgroup)
check "vm: /sys/fs/cgroup is cgroup2 ($fstype)" test "$fstype" = cgroup2fs
v1=$(awk '$3 == "cgroup" { print $2 }' /proc/mounts | tr '\n' ' ')
check "vm: no cgroup v1 hierarchy mounted (${v1:-none})" test -z "$v1"
ctrl=$(cat /sys/fs/cgroup/cgroup.controllers)
check "vm: root cgroup offers cpu io memory pids ($ctrl)" bash -c \
  'for c in cpu io memory pids; do grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || exit 1; done'
diag "root cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)" \
  "this script's cgroup: $(grep '^0::' /proc/self/cgroup)"
check "vm: berth runs ($("$BERTH" --version 2>&1 | head -n 1))" "$BERTH" --version
features=$("$BERTH" features 2>/dev/null)
diag "berth features .linux.cgroup: $(jq -c .linux.cgroup <<<"$features" 2>&1)"

# ---------------------------------------------------------------- drivers
drivers=cgroupfs
case $SYSTEMD in
yes) drivers="cgroupfs systemd" ;;
no) test_line ok "systemd driver (--systemd-cgroup) # skip SYSTEMD=no" ;;
*)
  # HOOK: the systemd-driver pass turns on by itself once berth reports systemd support.
  if jq -e '.linux.cgroup.systemd == true' <<<"$features" >/dev/null 2>&1; then
    drivers="cgroupfs systemd"
  else
    test_line ok "systemd driver (--systemd-cgroup) # skip berth features: .linux.cgroup.systemd is not true"
  fi
  ;;
esac

for driver in $drivers; do
  RUNTIME_FLAGS=
  [ "$driver" = systemd ] && RUNTIME_FLAGS=--systemd-cgroup
  # The suites take one RUNTIME path: a wrapper adds the driver's flags to every call.
  wrapper=$bindir/berth-$driver
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$BERTH" "$RUNTIME_FLAGS" >"$wrapper"
  chmod 755 "$wrapper"
  export RUNTIME=$wrapper
  diag "==== cgroup driver: $driver (RUNTIME=$wrapper, RUNTIME_FLAGS=$RUNTIME_FLAGS)"
  for suite in $SUITES; do
    case $suite in
    probe)
      [ "$driver" = cgroupfs ] && run_suite "probe" bash "$P/tests/vm/probes.sh"
      ;;
    unit)
      if [ "$driver" = cgroupfs ]; then
        for t in "$P"/tests/unit/test-*; do
          [ -x "$t" ] && [ -f "$t" ] && [[ $t != *.* ]] && run_suite "unit/${t##*/}" "$t"
        done
      fi
      ;;
    oci)
      OCI_CHECK=$P/tests/oci/oci-check run_suite "$driver/oci" bash "$P/tests/oci/run.sh"
      ;;
    bats)
      files=("$P/tests/bats")
      if [ -n "${BATS_FILES:-}" ]; then
        files=()
        for f in $BATS_FILES; do files+=("$P/tests/bats/$f"); done
      fi
      if [ -n "${BATS_FILTER:-}" ]; then
        run_suite "$driver/bats" bats --tap --filter "$BATS_FILTER" "${files[@]}"
      else
        run_suite "$driver/bats" bats --tap "${files[@]}"
      fi
      ;;
    esac
  done
done

# leftovers the suites did not clean: containers' cgroups at the top of the hierarchy
left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d \( -name 'bt*' -o -name 'oci-*' -o -name 'berth*' -o -name 'probe-*' \) \
  ! -name '*.service' ! -name '*.slice' ! -name '*.scope' 2>/dev/null | tr '\n' ' ')
[ -n "$left" ] && diag "cgroups left behind: $left"

echo "1..$n"
diag "guest test time: $(($(date +%s) - t0))s, uptime $(cut -d' ' -f1 /proc/uptime)s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
