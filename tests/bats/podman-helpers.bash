# Shared by podman.bats (podman + Debian's conmon driving the runtime) and shim-podman.bats
# (podman driving berth-shim as its conmon): one private podman per file.
#
# pd_setup_file [ENGINE-LINES]: PD, a temp dir holding podman's --root, --runroot and --tmpdir
# (vfs storage, cgroupfs, the file events backend logging to $PD/events.log), a containers.conf whose rlimits fit this
# machine (podman's defaults exceed its hard limits and it lacks CAP_SYS_RESOURCE), no network
# beyond loopback, plus ENGINE-LINES in its [engine] table; $PD/podman, one command line for pm
# and for script(1); and the image IMG, busybox-static imported from a tarball made here.
# Needs PODMAN_CONMON, RUNTIME and IMG.  bats 1.8 reports a skip in setup_file as a failure:
# PODMAN_SKIP says why, setup skips.
pd_setup_file() {
	PODMAN_SKIP=""
	command -v podman >/dev/null || PODMAN_SKIP="podman is not installed"
	[[ -x $RUNTIME ]] || PODMAN_SKIP="RUNTIME=$RUNTIME is not an executable"
	[[ -x $PODMAN_CONMON ]] || PODMAN_SKIP="PODMAN_CONMON=$PODMAN_CONMON is not an executable"
	export PODMAN_SKIP
	[[ -z $PODMAN_SKIP ]] || return 0
	PD=$(mktemp -d "${TMPDIR:-/tmp}/berth-podman.XXXXXX")
	cat >"$PD/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PD/events.log"
${1:-}
EOF
	cat >"$PD/podman" <<EOF
#!/bin/sh
exec podman --root "$PD/root" --runroot "$PD/runroot" --tmpdir "$PD/tmp" --storage-driver vfs \\
	--cgroup-manager cgroupfs --events-backend file --runtime "$RUNTIME" --conmon "$PODMAN_CONMON" "\$@"
EOF
	chmod +x "$PD/podman"
	"$BATS_TEST_DIRNAME/../make-bundle.sh" "$PD/image" true >/dev/null
	tar -C "$PD/image/rootfs" -cf "$PD/busybox.tar" .
	rm -rf "$PD/image"
	export PD CONTAINERS_CONF=$PD/containers.conf PODMAN_CONMON RUNTIME
	pm import --change CMD=/bin/sh "$PD/busybox.tar" "$IMG" >/dev/null
}

# pd_teardown_file: every pod, container and image of this file's podman, then its tree.
pd_teardown_file() {
	if [[ -z ${PD:-} || ! -d $PD ]]; then
		return 0
	fi
	pm pod rm -af -t 0 >/dev/null 2>&1 || true
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm rmi -af >/dev/null 2>&1 || true
	local m
	for m in $(awk -v d="$PD/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -rf --one-file-system "$PD"
	# podman's cgroupfs parent; rmdir leaves it alone while anything else uses it
	find /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent -depth -type d -exec rmdir {} + 2>/dev/null || true
}

# pm ARGS...: this file's podman, without bats's fds, bounded in time.
pm() { (_exec_clean timeout -k 5 60 "$PD/podman" "$@"); }

# pm_in INPUT ARGS...: pm with INPUT on its stdin.
pm_in() {
	local input=$1
	shift
	printf '%s' "$input" | pm "$@"
}

# in_pty INPUT ARGS...: podman ARGS on a fresh pty (script), INPUT typed after a second.
in_pty() {
	local input=$1 cmd
	shift
	printf -v cmd '%q ' "$PD/podman" "$@"
	(
		sleep 1
		printf '%s' "$input"
		sleep 1
	) | (_exec_clean timeout -k 5 60 script -qec "$cmd" /dev/null)
}
