#!/usr/bin/env bats
# Faults: berth killed with SIGKILL (the OOM killer, an operator's kill -9) at each stage of
# `create` and `run`, and berth-shim killed while its container runs.  Whatever was half made
# must be found (`list`) and removed by `delete --force` of the ordinary build: no state dir,
# no cgroup in any hierarchy (every v1 controller and the unified one), no mount in our
# namespace, no process (the init, or a hook the runtime was running).
#
# The stop points exist only in a berth configured with --enable-test-hooks
# (src/libcrun/test-points.h): BERTH_HOOKS_BIN names one (.ci/run builds _build-hooks/berth).
# Without it those tests skip, saying why.  berth cannot persist a namespace by bind-mounting
# it to a path (.linux.namespaces[].path only joins one), so there is no such mount to leak.

load helpers
load shim-helpers

# stop_at POINT VERB [ARGS...]: the test build of berth with BERTH_TEST_STOP_AT=POINT; STOP_RC
# is its exit status, STOP_OUT what it printed.  Its environment carries the leak tag, so an
# init or a hook it left is caught by the leak check even before it execs.
stop_at() {
	local point=$1 rc=0
	shift
	is_berth || skip "the stop points are berth's (RUNTIME is $RUNTIME_KIND)"
	[[ -n ${BERTH_HOOKS_BIN:-} ]] ||
		skip "BERTH_HOOKS_BIN is unset: it names a berth configured with --enable-test-hooks (.ci/run builds _build-hooks/berth)"
	[[ -x $BERTH_HOOKS_BIN ]] || {
		echo "# BERTH_HOOKS_BIN=$BERTH_HOOKS_BIN is not an executable" >&2
		return 1
	}
	# (the braces keep bash's "Killed" notice out of the test's output)
	{
		(
			export BERTH_TEST_STOP_AT=$point BATS_LEAK_TAG=$TID
			_exec_clean timeout -k 5 30 "$BERTH_HOOKS_BIN" --root "$ROOT" "$@"
		) </dev/null >"$T/stop.out" 2>&1 || rc=$?
	} 2>/dev/null
	STOP_RC=$rc
	STOP_OUT=$(cat "$T/stop.out")
}

# died_at POINT: the test build stopped itself there, by SIGKILL (status 128 + 9).
died_at() {
	if [[ $STOP_OUT != *"BERTH_TEST_STOP_AT=$1: killing myself with SIGKILL"* ]]; then
		echo "# berth did not stop at $1: status $STOP_RC, output: $STOP_OUT" >&2
		return 1
	fi
	[ "$STOP_RC" -eq 137 ]
}

# fault_bundle [PRESTART [CREATE_RUNTIME]]: what the fault tests create: limits in the memory and
# pids cgroups, a bind mount of a host dir, a prestart and a createRuntime hook (shell scripts,
# default `true`, carrying the leak tag), and a process that marks /shared/started and sleeps.
fault_bundle() {
	share_dir
	set_cmd 'touch /shared/started; exec sleep 1000'
	cfg '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 64}
		| .hooks = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", $p], "env": [$tag]}],
		            "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", $c], "env": [$tag]}]}' \
		--arg p "${1:-true}" --arg c "${2:-true}" --arg tag "BATS_LEAK_TAG=$TID"
}

# The cgroup hierarchies mounted here: every v1 controller and the unified one (hybrid), or
# the one cgroup2 (pure v2).
hierarchies() { findmnt -rn -t cgroup,cgroup2 -o TARGET; }

# cgroup_everywhere ID: ID's cgroup exists in every hierarchy, with its memory limit.
cgroup_everywhere() {
	local h
	for h in $(hierarchies); do
		[[ -d $h/$1 ]] || {
			echo "# no cgroup $h/$1" >&2
			return 1
		}
	done
	if [[ -f /sys/fs/cgroup/memory/$1/memory.limit_in_bytes ]]; then
		[ "$(cat "/sys/fs/cgroup/memory/$1/memory.limit_in_bytes")" = 67108864 ]
	else
		[ "$(cat "/sys/fs/cgroup/$1/memory.max")" = 67108864 ]
	fi
}

# listed_stopped ID: `list` shows ID, stopped (a create that died is not running, and
# `delete` is what to do with it).
listed_stopped() {
	local st
	st=$(rt list --format json | jq -r --arg id "$1" '.[] | select(.id == $id) | .status')
	[[ $st == stopped ]] || {
		echo "# list: $1 is '$st', not stopped" >&2
		return 1
	}
}

# nothing_left: the leak check of the teardown, now, after the test's own delete: no process
# of the test, nothing in the state root, no cgroup, no mount under $T.
nothing_left() {
	local i p c
	for ((i = 0; i < 100; i++)); do
		p=$(_leaked_pids || true)
		[[ -z $p ]] && break
		sleep 0.05
	done
	if [[ -n $p ]]; then
		echo "# processes left:" >&2
		ps -o pid,ppid,stat,args -p "$(echo $p | tr ' ' ,)" >&2
		return 1
	fi
	c=$(ls -A "$ROOT")
	[[ -z $c ]] || {
		echo "# state left in $ROOT: $c" >&2
		return 1
	}
	c=$(_leaked_cgroups || true)
	[[ -z $c ]] || {
		echo "# cgroups left: $(echo $c)" >&2
		return 1
	}
	c=$(_mounts_under_t || true)
	[[ -z $c ]] || {
		echo "# mounts left: $(echo $c)" >&2
		return 1
	}
}

# deleted_clean: `delete --force` (the ordinary build) succeeds and leaves nothing.
deleted_clean() {
	run rt delete --force "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	nothing_left
}

# ---------------------------------------------------------------- create

@test "faults: the ordinary build has no stop points" {
	is_berth || skip "a property of berth's build"
	run grep -c BERTH_TEST_STOP_AT "$RUNTIME"
	[ "$output" = 0 ]
	if [[ -n ${BERTH_HOOKS_BIN:-} ]]; then
		grep -q BERTH_TEST_STOP_AT "$BERTH_HOOKS_BIN"
	fi
}

@test "faults: with no stop point asked for, the test build runs a container as usual" {
	fault_bundle
	set_cmd 'echo hello; exit 7'
	stop_at no-such-point run --bundle "$BUNDLE" "$CID"
	echo "$STOP_OUT"
	[ "$STOP_RC" -eq 7 ]
	[ "$STOP_OUT" = hello ]
	nothing_left
}

@test "faults: create killed before the state dir is claimed leaves nothing" {
	fault_bundle
	stop_at before-claim create --bundle "$BUNDLE" "$CID"
	died_at before-claim
	[ -z "$(rt list -q)" ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
	nothing_left
}

@test "faults: create killed right after it claimed the state dir: listed, delete --force removes it" {
	fault_bundle
	stop_at claimed create --bundle "$BUNDLE" "$CID"
	died_at claimed
	[ -d "$ROOT/$CID" ] && [ ! -e "$ROOT/$CID/state.json" ]
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: create killed once it recorded the cgroup it is about to make" {
	fault_bundle
	stop_at state-early create --bundle "$BUNDLE" "$CID"
	died_at state-early
	listed_stopped "$CID"
	[ "$(ctr_status "$CID")" = stopped ]
	deleted_clean
}

@test "faults: create killed after making the cgroup: delete --force removes it from every hierarchy" {
	fault_bundle
	stop_at cgroup-made create --bundle "$BUNDLE" "$CID"
	died_at cgroup-made
	cgroup_everywhere "$CID"
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: create killed after cloning the init: the init dies with it" {
	fault_bundle
	stop_at cloned create --bundle "$BUNDLE" "$CID"
	died_at cloned
	cgroup_everywhere "$CID"
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: create killed when the init has done its mounts (before the hooks)" {
	fault_bundle
	stop_at mounts-done create --bundle "$BUNDLE" "$CID"
	died_at mounts-done
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: create killed while a prestart hook runs: the hook dies too" {
	fault_bundle 'exec sleep 1000'
	stop_at hook-prestart create --bundle "$BUNDLE" "$CID"
	died_at hook-prestart
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: create killed while a createRuntime hook runs: the hook dies too" {
	fault_bundle true 'exec sleep 1000'
	stop_at hook-createRuntime create --bundle "$BUNDLE" "$CID"
	died_at hook-createRuntime
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: create killed when the init reported its rootfs ready (before state.json)" {
	fault_bundle
	stop_at child-ready create --bundle "$BUNDLE" "$CID"
	died_at child-ready
	listed_stopped "$CID"
	[ "$(ctr_status "$CID")" = stopped ]
	deleted_clean
}

@test "faults: create killed after writing state.json: its init dies by itself, never to be started" {
	fault_bundle
	stop_at state-written create --bundle "$BUNDLE" "$CID"
	died_at state-written
	pid=$(jq -r .pid "$ROOT/$CID/state.json")
	[ "$pid" -gt 0 ]
	# before any delete: an init that nobody will start must not wait for `start`
	wait_gone "$pid"
	[ "$(ctr_status "$CID")" = stopped ]
	run rt start "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$T/shared/started" ]
	deleted_clean
}

@test "faults: create killed just before it hands the init over: the init dies by itself" {
	fault_bundle
	stop_at handoff create --bundle "$BUNDLE" --pid-file "$T/pid" "$CID"
	died_at handoff
	pid=$(cat "$T/pid")
	[ "$pid" -gt 0 ]
	wait_gone "$pid"
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: create through an intermediate process (joining a pid namespace) killed after state.json" {
	# the init has no parent-death signal there (the intermediate exits on purpose): it must
	# still end when the runtime does
	create_ctr "$CID-a"
	apid=$(ctr_pid "$CID-a")
	fault_bundle
	cfg '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "/proc/$apid/ns/pid"
	stop_at state-written create --bundle "$BUNDLE" "$CID"
	died_at state-written
	pid=$(jq -r .pid "$ROOT/$CID/state.json")
	[ "$pid" -gt 0 ]
	wait_gone "$pid"
	[ ! -e "$T/shared/started" ]
	# the container whose namespace it joined is untouched
	pid_alive "$apid"
	run rt delete --force "$CID"
	[ "$status" -eq 0 ]
	rt delete --force "$CID-a"
	nothing_left
}

@test "faults: create without a mount namespace killed when the rootfs is ready: delete takes its mounts away" {
	if is_runc; then skip "runc 1.1.5 fails without a mount namespace here"; fi
	fault_bundle
	cfg '.linux.namespaces |= map(select(.type != "mount"))'
	stop_at child-ready create --bundle "$BUNDLE" "$CID"
	died_at child-ready
	# the container's /proc and the bind of the host dir are in our namespace
	grep -q " $BUNDLE/rootfs/proc " /proc/self/mountinfo
	grep -q " $BUNDLE/rootfs/shared " /proc/self/mountinfo
	listed_stopped "$CID"
	deleted_clean
}

# ---------------------------------------------------------------- run

@test "faults: run killed when the init reported ready: delete --force cleans up" {
	fault_bundle
	stop_at child-ready run --bundle "$BUNDLE" "$CID"
	died_at child-ready
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: run killed before it starts the init: the init dies by itself, never runs" {
	fault_bundle
	stop_at handoff run --bundle "$BUNDLE" "$CID"
	died_at handoff
	pid=$(jq -r .pid "$ROOT/$CID/state.json")
	wait_gone "$pid"
	[ ! -e "$T/shared/started" ]
	listed_stopped "$CID"
	deleted_clean
}

@test "faults: run killed while its container runs: the container is running, delete --force stops it" {
	fault_bundle
	stop_at running run --bundle "$BUNDLE" "$CID"
	died_at running
	wait_file "$T/shared/started"
	[ "$(ctr_status "$CID")" = running ]
	pid=$(ctr_pid "$CID")
	deleted_clean
	! pid_alive "$pid"
}

# ---------------------------------------------------------------- berth-shim

@test "faults: berth-shim killed with SIGKILL while its container runs: state says stopped once it exits, delete works" {
	share_dir
	set_cmd 'touch /shared/up; while [ ! -e /shared/go ]; do sleep 0.1; done; exit 3'
	shim_start
	[ "$SHIM_RC" -eq 0 ]
	pid=$(sync_data)
	[ "$pid" -gt 0 ]
	rt start "$CID"
	wait_file "$T/shared/up"
	mon=$(shim_pid)
	is_shim "$mon"
	kill -9 "$mon"
	wait_gone "$mon"
	# the container outlives its monitor, and is still berth's to see
	[ "$(ctr_status "$CID")" = running ]
	[ "$(ctr_pid "$CID")" = "$pid" ]
	touch "$T/shared/go"
	wait_status "$CID" stopped
	run rt state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .pid <<<"$output")" = 0 ]
	# nobody was left to write the exit file
	[ ! -e "$T/exits/$CID" ]
	run rt delete "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	nothing_left
}
