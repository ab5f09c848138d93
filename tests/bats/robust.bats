#!/usr/bin/env bats
# A runtime verb never waits forever, and never loses track of a live container (issue 17):
# a frozen cgroup or a stuck init is reported and cleaned up; a damaged state.json is said to be
# damaged, and `delete --force` still kills and removes what is left of the container.

load helpers

# freeze_cgroup KIND: make the test container's cgroup ("/$CID") beforehand, frozen by the v1
# freezer (KIND v1) or by cgroup2 (v2: the unified hierarchy of this hybrid host, or the only one).
# Teardown thaws it, kills what is in it and removes it (it is not the runtime's to remove).
freeze_cgroup() {
	local d
	if [[ $1 == v1 ]]; then
		[[ -d /sys/fs/cgroup/freezer ]] || skip "no v1 freezer"
		d=/sys/fs/cgroup/freezer/$CID
		mkdir "$d"
		echo FROZEN >"$d/freezer.state"
		CLEANUPS+=("echo THAWED >$d/freezer.state; kill_cgroup $d")
	else
		if cg_v2; then d=/sys/fs/cgroup/$CID; else d=/sys/fs/cgroup/unified/$CID; fi
		[[ -e ${d%/*}/cgroup.controllers ]] || skip "no cgroup2 hierarchy"
		mkdir "$d"
		echo 1 >"$d/cgroup.freeze"
		CLEANUPS+=("echo 0 >$d/cgroup.freeze; kill_cgroup $d")
	fi
	FROZEN_DIR=$d
	cfg '.linux.cgroupsPath = "/" + $id' --arg id "$CID"
}

# kill_cgroup DIR: kill what is in cgroup DIR and remove it.
kill_cgroup() {
	local p i
	for p in $(cat "$1/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	for ((i = 0; i < 100; i++)); do
		rmdir "$1" 2>/dev/null && return 0
		[[ -d $1 ]] || return 0
		sleep 0.05
	done
}

# refused_frozen VERB...: VERB into the frozen cgroup fails in bounded time, saying why, and
# leaves no state, no process in the cgroup, no cgroup of its own (the frozen one stays).
refused_frozen() {
	RT_TIMEOUT=20 run rt_detached "$@" --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] # not the timeout of `rt`
	[[ $output == *frozen* ]]
	[ -z "$(ls -A "$ROOT")" ]
	[ -z "$(cat "$FROZEN_DIR/cgroup.procs")" ]
	[ -d "$FROZEN_DIR" ]
	local d
	for d in /sys/fs/cgroup/*/"$CID"; do
		[[ -e $d && $d != "$FROZEN_DIR" ]] && {
			echo "# left behind: $d" >&2
			return 1
		}
	done
	return 0
}

@test "hang: run -d and create into a cgroup frozen by the v1 freezer fail saying it is frozen" {
	set_cmd 'exec sleep 1000'
	freeze_cgroup v1
	refused_frozen run -d
	refused_frozen create
}

@test "hang: run -d and create into a cgroup frozen by cgroup2 (cgroup.freeze) fail saying it is frozen" {
	# runc 1.1 looks only at the v1 freezer on a hybrid host, and hangs here
	cg_v2 || is_berth || skip "runc checks the v1 freezer only on a hybrid host"
	set_cmd 'exec sleep 1000'
	freeze_cgroup v2
	refused_frozen run -d
	refused_frozen create
}

@test "hang: a created container that was paused: start refuses, resume then start runs it" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt pause "$CID"
	[ "$(ctr_status "$CID")" = paused ]
	RT_TIMEOUT=10 run rt start "$CID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[[ $output == *paused* ]]
	rt resume "$CID"
	[ "$(ctr_status "$CID")" = created ]
	rt start "$CID"
	wait_status "$CID" running
	rt delete --force "$CID"
}

@test "hang: an init frozen while it sets up is reported at once, killed and cleaned up" {
	is_berth || skip "runc waits for the init without a bound"
	# a createContainer hook holds the init long enough to freeze its cgroup under it
	cfg '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 3"]}]'
	cfg '.linux.cgroupsPath = "/" + $id' --arg id "$CID"
	local d=/sys/fs/cgroup/freezer/$CID start=$SECONDS i
	[[ -d /sys/fs/cgroup/freezer ]] || skip "no v1 freezer"
	rt create --bundle "$BUNDLE" "$CID" </dev/null >"$T/create.out" 2>&1 &
	local rt_pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -n $(cat "$d/cgroup.procs" 2>/dev/null) ]] && break
		sleep 0.05
	done
	CLEANUPS+=("echo THAWED >$d/freezer.state")
	echo FROZEN >"$d/freezer.state"
	# a runtime that waits on the frozen init forever is stuck in the freezer too (its child
	# is in there with it until it joins): thaw after 15 s so that teardown can clean up
	for ((i = 0; i < 150; i++)); do
		kill -0 "$rt_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$rt_pid" 2>/dev/null; then
		echo THAWED >"$d/freezer.state"
		wait "$rt_pid" || true
		echo "# the runtime still waited on the frozen init after 15 s" >&2
		return 1
	fi
	local rc=0
	wait "$rt_pid" || rc=$?
	cat "$T/create.out"
	[ "$rc" -ne 0 ]
	[ "$rc" -ne 124 ]
	grep -q frozen "$T/create.out"
	# reported well before the hook would have let the init go on, and the init is gone
	((SECONDS - start < 3))
	[ -z "$(ls -A "$ROOT")" ]
	[ ! -e "$d" ]
}

@test "hang: an init that never reports is killed after BERTH_INIT_TIMEOUT, and nothing is left" {
	is_berth || skip "runc waits for the init without a bound"
	cfg '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "exec sleep 1000"]}]'
	local start=$SECONDS
	BERTH_INIT_TIMEOUT=2 run rt_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *stuck* ]]
	((SECONDS - start < 10))
	[ -z "$(ls -A "$ROOT")" ]
	BERTH_INIT_TIMEOUT=2 run rt run --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -eq 1 ]
	[[ $output == *stuck* ]]
	[ -z "$(ls -A "$ROOT")" ]
}
