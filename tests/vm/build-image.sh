#!/bin/bash
# tests/vm/build-image.sh: build (or reuse) the Debian 12 VM the cgroup v2 + systemd tests boot.
#
# Everything comes from Debian's package mirror: debootstrap bookworm (minbase + the kernel,
# systemd as PID 1, dbus, and the runtime/test dependencies of berth's binaries and suites) into a
# directory, then `mkfs.ext4 -d` turns that directory into a raw ext4 image without mounting
# anything (no loop device, no root-only mounts of the image).  The kernel and initrd are copied
# out beside it, so qemu boots them directly (-kernel/-initrd, root=/dev/vda).
#
# The guest boots to a root autologin on ttyS0.  With "berth.run=1" on the kernel command line
# (run.sh passes it) the unit berth-tests.service mounts the payload disk (label berth-payload,
# /dev/vdb) on /mnt/berth, runs /mnt/berth/tests/vm/guest-run-tests.sh with its TAP on ttyS1,
# and powers the machine off.  The test logic lives on the payload, so changing it needs no
# rebuild.
#
# The image is cached in $BERTH_VM_DIR (default /var/tmp/berth-vm) under image-KEY/, where KEY
# is a hash of this script's code (comments and blank lines excluded): editing the package list or
# the guest configuration rebuilds, editing a comment does not.  Older images are removed.
# Debian's .debs are cached in $BERTH_VM_DIR/debs so a rebuild downloads nothing new.
#
# Prints the image directory (vmlinuz, initrd.img, root.raw) on stdout; progress on stderr.
# Environment: BERTH_VM_DIR, BERTH_VM_MIRROR (default http://deb.debian.org/debian),
# BERTH_VM_REBUILD=1 (rebuild even if cached).  Run as root.
set -euo pipefail

VM_DIR=${BERTH_VM_DIR:-/var/tmp/berth-vm}
MIRROR=${BERTH_VM_MIRROR:-http://deb.debian.org/debian}
ROOT_SIZE=4G
PACKAGES=(
  # boot: kernel (its initrd has virtio_blk and ext4), init, bus
  linux-image-amd64 initramfs-tools systemd systemd-sysv dbus udev kmod e2fsprogs
  # what berth's test suites run
  bats jq busybox-static iproute2 util-linux procps python3 coreutils findutils grep sed gawk
  # the clients of containerd.bats and podman.bats
  containerd podman conmon catatonit containernetworking-plugins
  # the prebuilt binaries' shared libraries
  libc6 libseccomp2 libcap2 libyajl2 libsystemd0
)

log() { printf 'build-image: %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || {
  log "must run as root"
  exit 1
}

self=$(readlink -f "$0")
key=$(grep -vE '^[[:space:]]*(#|$)' "$self" | sha256sum | cut -c1-12)
out=$VM_DIR/image-$key
if [ -f "$out/ok" ] && [ "${BERTH_VM_REBUILD:-0}" != 1 ]; then
  log "cached image $out"
  echo "$out"
  exit 0
fi

# host tools, from Debian's packages
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi

mkdir -p "$VM_DIR/debs"
exec 9>"$VM_DIR/lock"
flock 9 # one build at a time; a second caller then finds the first one's image
if [ -f "$out/ok" ] && [ "${BERTH_VM_REBUILD:-0}" != 1 ]; then
  echo "$out"
  exit 0
fi

work=$VM_DIR/build.$$
rootfs=$work/rootfs
# debootstrap mounts proc/sys (and more) inside the target; never leave one behind
cleanup() {
  local m
  if [ -d "$rootfs" ]; then
    awk -v r="$rootfs" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
  fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
rm -rf --one-file-system "$work"
mkdir -p "$work"

start=$(date +%s)
log "debootstrap bookworm from $MIRROR into $rootfs"
include=$(printf '%s,' "${PACKAGES[@]}")
if ! debootstrap --variant=minbase --include="${include%,}" --cache-dir="$VM_DIR/debs" \
  bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
  tail -n 40 "$work/debootstrap.log" >&2
  [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 40 "$rootfs/debootstrap/debootstrap.log" >&2
  exit 1
fi
log "debootstrap done in $(($(date +%s) - start))s"

# ---------------------------------------------------------------- guest configuration
etc=$rootfs/etc
echo berth-vm >"$etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 berth-vm\n::1 localhost ip6-localhost ip6-loopback\n' >"$etc/hosts"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$etc/fstab"
# a fixed machine-id: not a first boot, so nothing prompts on the console
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$etc/machine-id"
echo >>"$etc/machine-id"
# root without a password, logged in automatically on the serial console
sed -i 's/^root:[^:]*:/root::/' "$etc/shadow"
mkdir -p "$etc/systemd/system/serial-getty@ttyS0.service.d"
cat >"$etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %I $TERM
EOF
# nothing that wakes up on its own: a TCG guest is slow enough
for u in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer systemd-firstboot.service systemd-timesyncd.service getty@tty1.service; do
  ln -sf /dev/null "$etc/systemd/system/$u"
done
# a hung unit must not hold the power-off for long
mkdir -p "$etc/systemd/system.conf.d"
printf '[Manager]\nDefaultTimeoutStopSec=10s\n' >"$etc/systemd/system.conf.d/berth.conf"

# the test unit: payload disk in, TAP out on ttyS1, then power off
mkdir -p "$rootfs/usr/local/sbin" "$rootfs/mnt/berth"
cat >"$rootfs/usr/local/sbin/berth-vm-entry" <<'EOF'
#!/bin/bash
# Run by berth-tests.service when the kernel command line has berth.run=1.
set -u
out=/dev/ttyS1
stty -F "$out" raw -echo 115200 2>/dev/null || true
say() { printf '%s\n' "$*" >"$out"; }
finish() {
  sync
  systemctl --no-block poweroff || poweroff -f
  exit 0
}
for i in $(seq 1 60); do
  [ -e /dev/disk/by-label/berth-payload ] && break
  sleep 1
done
if ! mount /dev/disk/by-label/berth-payload /mnt/berth; then
  say "Bail out! cannot mount the payload disk (label berth-payload)"
  say "0 passed, 1 failed, 0 skipped"
  finish
fi
guest=/mnt/berth/tests/vm/guest-run-tests.sh
if [ ! -f "$guest" ]; then
  say "Bail out! no $guest on the payload disk"
  say "0 passed, 1 failed, 0 skipped"
  finish
fi
bash "$guest" >"$out" 2>/mnt/berth/results-stderr.log
say "# guest-run-tests.sh exited $?"
finish
EOF
chmod 755 "$rootfs/usr/local/sbin/berth-vm-entry"
cat >"$etc/systemd/system/berth-tests.service" <<'EOF'
[Unit]
Description=berth test suites from the payload disk
ConditionKernelCommandLine=berth.run=1
After=local-fs.target dbus.service systemd-udevd.service systemd-udev-trigger.service
Wants=dbus.service

[Service]
Type=exec
ExecStart=/usr/local/sbin/berth-vm-entry
StandardInput=null
StandardOutput=journal
StandardError=journal
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/berth-tests.service "$etc/systemd/system/multi-user.target.wants/berth-tests.service"

# ---------------------------------------------------------------- kernel, initrd, image
kernel=$(ls "$rootfs"/boot/vmlinuz-* | sort -V | tail -n 1)
initrd=$rootfs/boot/initrd.img-${kernel##*/vmlinuz-}
[ -f "$kernel" ] && [ -f "$initrd" ] || {
  log "no kernel or initrd in $rootfs/boot"
  exit 1
}
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs/debootstrap"
log "mkfs.ext4 -d (no mount) $ROOT_SIZE"
mkfs.ext4 -q -F -L berth-root -d "$rootfs" "$work/root.raw" "$ROOT_SIZE" >&2
rm -rf --one-file-system "$rootfs"
{
  echo "built $(date -u +%FT%TZ) in $(($(date +%s) - start))s"
  echo "kernel ${kernel##*/}"
  echo "key $key"
} >"$work/ok"
rm -rf --one-file-system "$out"
mv "$work" "$out"
# older images
for d in "$VM_DIR"/image-*; do
  [ "$d" = "$out" ] || rm -rf --one-file-system "$d"
done
log "image $out ($(cat "$out/ok" | head -n 1))"
echo "$out"
