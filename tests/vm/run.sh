#!/bin/bash
# tests/vm/run.sh [--shell]: run berth's test suites in a pure cgroup v2 + systemd Debian 12 VM
# under qemu TCG (no KVM needed), and print the guest's TAP, ending with its line
# "N passed, N failed, N skipped".  Exit status 0 only if the guest ran to that line with
# 0 failed; 1 on failures, a timeout or a guest that never reported.
#
#   1. tests/vm/build-image.sh: the cached image (built on first use, ~10 min).
#   2. A payload disk, made with `mkfs.ext4 -d` from a staging dir (no mount, no loop device):
#      berth (and berth-shim / dock if built), the tests/ tree with its built binaries
#      (tests/unit/test-*, tests/oci/oci-check), and vm.env (the settings below).
#   3. qemu-system-x86_64 -accel tcg boots vmlinuz + initrd with root=/dev/vda (a qcow2 overlay
#      over the cached image, thrown away after), the payload as /dev/vdb, the guest console on
#      ttyS0 -> console.log and the tests' TAP on ttyS1 -> results.tap, streamed here as it comes.
#      systemd starts berth-tests.service, which runs tests/vm/guest-run-tests.sh and powers off.
#   4. The per-suite logs come back out of the payload disk with debugfs (again, no mount).
#   Everything of the run is kept in $BERTH_VM_DIR/last/ (console.log, results.tap, results/).
#
# --shell: boot the same VM interactively (serial console on this terminal, root autologin,
# tests not started; the payload is /dev/vdb: `mount LABEL=berth-payload /mnt/berth`).
# Leave with `poweroff` (or Ctrl-A x).
#
# Environment:
#   BUILDDIR        where berth and the built test binaries are (default: this repository)
#   SRCDIR          the repository whose tests/ is copied (default: this repository)
#   BERTH_VM_DIR    cache and run directory (default /var/tmp/berth-vm)
#   BERTH_VM_TIMEOUT  seconds before qemu is killed (default 4500: 75 min; a full run takes ~50)
#   BERTH_VM_MEM, BERTH_VM_SMP   guest memory (MiB, default 2048) and CPUs (default 2)
#   SUITES          guest suites (default "probe unit oci bats")
#   SYSTEMD         auto|yes|no: the second pass with the systemd cgroup driver
#                   (RUNTIME_FLAGS=--systemd-cgroup); auto = when `berth features` says
#                   .linux.cgroup.systemd is true
#   BATS_FILTER     only the bats tests whose names match (bats --filter)
#   BATS_FILES      only these files of tests/bats (e.g. "containerd.bats podman.bats")
#   BATS_TEST_TIMEOUT, OCI_TIMEOUT  per-test bounds in the guest (default 240 s)
#   BERTH_VM_VERBOSE=1  also stream the guest console here
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SRCDIR=$(cd "${SRCDIR:-$top}" && pwd)
BUILDDIR=$(cd "${BUILDDIR:-$top}" && pwd)
VM_DIR=${BERTH_VM_DIR:-/var/tmp/berth-vm}
TIMEOUT=${BERTH_VM_TIMEOUT:-4500}
MEM=${BERTH_VM_MEM:-2048}
SMP=${BERTH_VM_SMP:-2}
shell=0
[ "${1:-}" = --shell ] && shell=1

log() { printf 'vm: %s\n' "$*" >&2; }
[ "$(id -u)" -eq 0 ] || {
  log "must run as root"
  exit 1
}
[ -x "$BUILDDIR/berth" ] || {
  log "no $BUILDDIR/berth: build first (./configure && make)"
  exit 1
}

t_start=$(date +%s)
image=$(BERTH_VM_DIR=$VM_DIR "$here/build-image.sh")
t_image=$(date +%s)
log "image: $image ($((t_image - t_start))s)"

run=$(mktemp -d "$VM_DIR/run.XXXXXX")
qpid=
tailpid=
collected=0
# the per-suite logs, read out of the payload's ext4 image without mounting it
collect() {
  [ $collected -eq 0 ] && [ -f "$run/payload.raw" ] || return 0
  collected=1
  debugfs -R "rdump /results $run" "$run/payload.raw" >/dev/null 2>&1 || true
  debugfs -R "dump /results-stderr.log $run/results/guest-stderr.log" "$run/payload.raw" >/dev/null 2>&1 || true
}
cleanup() {
  local rc=$?
  set +e
  [ -n "$tailpid" ] && kill "$tailpid" 2>/dev/null
  if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
    kill "$qpid" 2>/dev/null
    sleep 1
    kill -9 "$qpid" 2>/dev/null
  fi
  collect
  # keep the last run's logs, drop its disks
  rm -f "$run/root.qcow2" "$run/payload.raw"
  rm -rf --one-file-system "$run/payload" "$VM_DIR/last"
  mv "$run" "$VM_DIR/last" 2>/dev/null || rm -rf --one-file-system "$run"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- payload disk
p=$run/payload
mkdir -p "$p"
tar -C "$SRCDIR" --exclude='*.o' --exclude='*.log' --exclude='*.trs' -cf - tests | tar -C "$p" -xf -
# the guest side of this harness is always this one, whatever SRCDIR's tests/ holds
mkdir -p "$p/tests/vm"
cp "$here"/*.sh "$p/tests/vm/"
for b in berth berth-shim dock; do
  [ -x "$BUILDDIR/$b" ] && cp "$BUILDDIR/$b" "$p/$b"
done
# built test programs (the same place when building in tree)
for f in "$BUILDDIR"/tests/unit/test-* "$BUILDDIR/tests/oci/oci-check"; do
  [ -f "$f" ] && [ -x "$f" ] && [[ ${f##*/} != *.* ]] && cp "$f" "$p/${f#"$BUILDDIR"/}"
done
{
  for v in SUITES SYSTEMD BATS_FILTER BATS_FILES BATS_TEST_TIMEOUT OCI_TIMEOUT; do
    [ -n "${!v:-}" ] && printf '%s=%q\n' "$v" "${!v}"
  done
  printf 'HOST_COMMIT=%q\n' "$(git -C "$SRCDIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$p/vm.env"
size=$(($(du -sm "$p" | cut -f1) + 512))
mkfs.ext4 -q -F -L berth-payload -d "$p" "$run/payload.raw" "${size}M"
qemu-img create -q -f qcow2 -F raw -b "$image/root.raw" "$run/root.qcow2"

# ---------------------------------------------------------------- boot
append="root=/dev/vda rw console=ttyS0,115200 systemd.unified_cgroup_hierarchy=1 panic=1 net.ifnames=0 loglevel=4"
# Under TCG every CR3 write flushes qemu's soft TLB: page-table isolation and the other
# speculation mitigations (pointless in an emulator) cost the fork/exec-heavy suites dearly.
append+=" mitigations=off"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "$MEM" -smp "$SMP" -nodefaults -no-user-config -nic none
  -kernel "$image/vmlinuz" -initrd "$image/initrd.img"
  -drive "file=$run/root.qcow2,if=virtio,format=qcow2,cache=unsafe"
  -drive "file=$run/payload.raw,if=virtio,format=raw,cache=unsafe"
  -no-reboot)

if [ $shell -eq 1 ]; then
  "${qemu[@]}" -nographic -serial mon:stdio -append "$append"
  exit 0
fi

: >"$run/results.tap"
: >"$run/console.log"
"${qemu[@]}" -display none -monitor none \
  -serial "file:$run/console.log" -serial "file:$run/results.tap" \
  -append "$append berth.run=1" >"$run/qemu.log" 2>&1 &
qpid=$!
log "qemu pid $qpid, TCG, ${SMP} CPUs, ${MEM}M; timeout ${TIMEOUT}s; logs in $VM_DIR/last/"
if [ "${BERTH_VM_VERBOSE:-0}" = 1 ]; then
  tail -n +1 -F --pid="$qpid" "$run/console.log" "$run/results.tap" 2>/dev/null | tr -d '\r' &
else
  tail -n +1 -F --pid="$qpid" "$run/results.tap" 2>/dev/null | tr -d '\r' &
fi
tailpid=$!

timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
  if [ $(($(date +%s) - t_image)) -ge "$TIMEOUT" ]; then
    timed_out=1
    log "timeout after ${TIMEOUT}s: killing qemu ($qpid)"
    kill "$qpid" 2>/dev/null || true
    sleep 2
    kill -9 "$qpid" 2>/dev/null || true
    break
  fi
  sleep 2
done
wait "$qpid" 2>/dev/null || true
qpid=
sleep 1
kill "$tailpid" 2>/dev/null || true
wait "$tailpid" 2>/dev/null || true
tailpid=
t_end=$(date +%s)

collect

tr -d '\r' <"$run/results.tap" >"$run/results.tap.clean" && mv "$run/results.tap.clean" "$run/results.tap"
boot=$(sed -n 's/.* booted \([0-9.]*\)s ago.*/\1/p' "$run/results.tap" | head -n 1)
log "times: image $((t_image - t_start))s, VM (boot ${boot:-?}s + tests) $((t_end - t_image))s, total $((t_end - t_start))s"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$run/results.tap" | tail -n 1 || true)
if [ -z "$summary" ]; then
  if [ $timed_out -eq 1 ]; then
    why="timed out after ${TIMEOUT}s"
  elif grep -q '^# guest-run-tests.sh exited' "$run/results.tap"; then
    why="guest-run-tests.sh stopped before its summary line"
  else
    why="the guest stopped without reporting"
  fi
  echo "not ok - vm: $why"
  if [ -s "$run/results/guest-stderr.log" ]; then
    echo "# guest-run-tests.sh's last stderr lines:"
    tail -n 10 "$run/results/guest-stderr.log" | sed 's/^/#   /'
  fi
  echo "# the console's last lines:"
  tail -n 30 "$run/console.log" | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g; s/^/#   /'
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
[ $timed_out -eq 1 ] && echo "# vm: timed out after the summary line"
echo "$summary"
[[ $summary =~ ^[0-9]+\ passed,\ 0\ failed ]] && [ $timed_out -eq 0 ]
