# Shared setup / teardown for dock's end-to-end tests (tests/bats/dock-*.bats).
#
# Each test gets a private store: DROOT ($T/root, dock's --root) and DRUN ($T/run, --runroot),
# so no test touches /var/lib/dock.  `dk ARGS…` runs dock with them (bounded by DK_TIMEOUT,
# default 60 s).  DOCK_RUNTIME / DOCK_SHIM pick the runtime and the monitor (default: the
# berth and berth-shim built beside dock): `DOCK_RUNTIME=/usr/sbin/runc bats …` and
# `DOCK_SHIM=/usr/bin/conmon bats …` check the tests themselves.
#
# The busybox image archives are made once per file (tests/make-image.py, from Debian's
# busybox-static): $BUSYBOX_TAR (docker-archive), $BUSYBOX_OCI (OCI layout, gzip layers).
# `dk_load` loads $BUSYBOX_TAR into the test's store as busybox:latest.
#
# Teardown removes every container the test left (rm -f), then fails the test if anything
# leaked: a mount anywhere on the host that appeared since setup, a process tagged with the
# test's store, or a netns file.

DOCK=${DOCK:-$BATS_TEST_DIRNAME/../../dock}
DOCK_RUNTIME=${DOCK_RUNTIME:-}
DOCK_SHIM=${DOCK_SHIM:-}
MAKE_IMAGE=$BATS_TEST_DIRNAME/../make-image.py
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

dock_setup_file() {
	[[ -x $DOCK ]] || {
		echo "# DOCK=$DOCK is not an executable" >&2
		return 1
	}
	BUSYBOX_TAR=$BATS_FILE_TMPDIR/busybox.tar
	BUSYBOX_OCI=$BATS_FILE_TMPDIR/busybox-oci.tar
	python3 "$MAKE_IMAGE" "$BUSYBOX_TAR" >/dev/null
	python3 "$MAKE_IMAGE" "$BUSYBOX_OCI" --format oci --gzip >/dev/null
	export BUSYBOX_TAR BUSYBOX_OCI
}

dock_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/dock-bats.XXXXXX")
	chmod 755 "$T"
	DROOT=$T/root
	DRUN=$T/run
	_DOCK_MOUNTS_BEFORE=$(_dock_mount_points)
}

setup_file() { dock_setup_file; }
setup() { dock_setup; }
teardown() { dock_teardown; }

# dk ARGS…: dock with the test's store (and DOCK_RUNTIME / DOCK_SHIM when set); only fds 0-2
# reach it, so a container can never hold bats's output pipe open.
dk() {
	local g=(--root "$DROOT" --runroot "$DRUN")
	[[ -n $DOCK_RUNTIME ]] && g+=(--runtime "$DOCK_RUNTIME")
	[[ -n $DOCK_SHIM ]] && g+=(--shim "$DOCK_SHIM")
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		exec timeout -k 5 "${DK_TIMEOUT:-60}" "$DOCK" "${g[@]}" "$@"
	)
}

dk_load() {
	dk load -i "$BUSYBOX_TAR" >/dev/null
}

_dock_mount_points() {
	awk '{print $5}' /proc/self/mountinfo | sort
}

dock_teardown() {
	local leaks=""
	if [[ -d $DROOT/containers ]]; then
		local ids
		ids=$(ls "$DROOT/containers" 2>/dev/null)
		[[ -n $ids ]] && DK_TIMEOUT=30 dk rm -f $ids >/dev/null 2>&1
	fi
	# processes that still run from this test's store (shims, containers' runtimes); a shim
	# may still be running its exit command after `rm -f` returned: give it a moment
	local p i
	for ((i = 0; i < 100; i++)); do
		[[ -z $(grep -l -s -F "$T/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 | while read -r p; do [[ -e /proc/$p && $p != "$$" && $p != "$BASHPID" ]] && echo "$p"; done) ]] && break
		sleep 0.1
	done
	for p in $(grep -l -s -F "$T/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
		# the grep itself matched (its own argument): gone by now
		[[ $p == "$$" || $p == "$BASHPID" || ! -e /proc/$p ]] && continue
		leaks+=" process $p ($(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | cut -c1-80));"
		kill -9 "$p" 2>/dev/null
	done
	local now m
	now=$(_dock_mount_points)
	# new mounts of this test's store, and new mounts anywhere but in another dock test's store
	# (tests of other files may run at the same time on a developer's machine)
	for m in $(comm -13 <(echo "$_DOCK_MOUNTS_BEFORE") <(echo "$now")); do
		case $m in
		"$T"/*) leaks+=" mount $m;" ;;
		*/dock-bats.*) ;;
		*) leaks+=" mount $m;" ;;
		esac
	done
	for m in $(awk '{print $5}' /proc/self/mountinfo | grep -F "$T/" | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	if [[ -d $DRUN/netns ]] && [[ -n $(ls "$DRUN/netns" 2>/dev/null) ]]; then
		leaks+=" netns files: $(ls "$DRUN/netns" | tr '\n' ' ');"
	fi
	# network objects: a container's veth goes with it; the bridges of the test's networks are
	# removed here (dock0, the default bridge's, is shared by every store in this namespace)
	# (a stopped container's veth goes with its namespace, which the kernel frees in the
	# background: wait for that)
	local v
	dock_wait_no_veths
	for v in $(dock_veths); do
		leaks+=" veth $v;"
		ip link del "$v" 2>/dev/null
	done
	if [[ -d $DROOT/networks ]]; then
		for v in $(jq -r '.Dock.Bridge // empty' "$DROOT"/networks/*.json 2>/dev/null); do
			ip link del "$v" 2>/dev/null
		done
	fi
	rm -rf "$T" 2>/dev/null || { sleep 0.5; rm -rf "$T"; }
	# the parent cgroup dock's containers share (/dock, as docker's /docker): gone once empty;
	# rmdir refuses it while another test's container is in it
	rmdir /sys/fs/cgroup/*/dock /sys/fs/cgroup/dock 2>/dev/null || true
	if [[ -n $leaks ]]; then
		echo "# leaked:$leaks" >&2
		return 1
	fi
}

# dock's veths in this namespace (the host ends: veth + 11 hex digits)
dock_veths() {
	ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^veth'
}
# until no dock veth is left (the kernel deletes a dead namespace's links in the background), 5 s
dock_wait_no_veths() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -z $(dock_veths) ]] && return 0
		sleep 0.1
	done
	return 1
}

# --- small assertions

# assert_success / assert_failure [STATUS] after `run`
assert_success() {
	if [[ $status -ne 0 ]]; then
		echo "# expected success, got status $status; output:" >&2
		echo "$output" | sed 's/^/#   /' >&2
		return 1
	fi
}
assert_failure() {
	local want=${1:-}
	if [[ $status -eq 0 ]]; then
		echo "# expected failure, got success; output:" >&2
		echo "$output" | sed 's/^/#   /' >&2
		return 1
	fi
	if [[ -n $want && $status -ne $want ]]; then
		echo "# expected status $want, got $status; output:" >&2
		echo "$output" | sed 's/^/#   /' >&2
		return 1
	fi
}
# assert_output_has STRING
assert_output_has() {
	if [[ $output != *"$1"* ]]; then
		echo "# output lacks: $1" >&2
		echo "$output" | sed 's/^/#   /' >&2
		return 1
	fi
}
