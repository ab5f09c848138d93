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

# damage_state HOW: damage the test container's state.json in place: "truncate" (cut half-way),
# "garbage" (not JSON), "empty".
damage_state() {
	local f=$ROOT/$CID/state.json
	case $1 in
	truncate) truncate -s $(($(stat -c %s "$f") / 2)) "$f" ;;
	garbage) printf 'not json at all \x01\x02' >"$f" ;;
	empty) : >"$f" ;;
	esac
}

# start_live: run -d a container that sleeps; sets PID (its init) and CG (its cgroup dirs).
start_live() {
	set_cmd 'exec sleep 1000'
	cfg '.linux.cgroupsPath = "/" + $id' --arg id "$CID"
	rt_detached run -d --bundle "$BUNDLE" "$CID"
	PID=$(ctr_pid "$CID")
	[ "$PID" -gt 0 ]
	CG=$(ls -d /sys/fs/cgroup/*/"$CID")
	[ -n "$CG" ]
}

@test "damaged state: list says damaged (with the live pid), state says damaged, delete without --force refuses" {
	local how
	for how in truncate garbage empty; do
		start_live
		damage_state "$how"
		run rt list
		echo "$output"
		if is_berth; then
			[[ ${lines[1]} == "$CID "* ]]
			[[ ${lines[1]} == *" damaged "* ]]
			[[ ${lines[1]} == *" $PID "* ]]
			[[ ${lines[1]} != *stopped* ]]
			run rt list -f json
			[ "$(jq -r '.[0].status' <<<"$output")" = damaged ]
		else
			# runc leaves it out; it never shows it stopped either
			[[ $output != *stopped* ]]
		fi
		run rt state "$CID"
		[ "$status" -ne 0 ]
		if is_berth; then [[ $output == *damaged* ]]; fi
		run rt delete "$CID"
		[ "$status" -ne 0 ]
		kill -0 "$PID"
		# put it back and end it, for the next round
		if is_berth; then
			rt delete --force "$CID"
		else
			kill -9 "$PID"
			wait_gone_all "$PID"
			for d in $CG; do rmdir "$d"; done
			rm -rf "${ROOT:?}/$CID"
		fi
	done
}

@test "damaged state: delete --force kills the container's process and removes its cgroups and state" {
	is_berth || skip "runc fails to delete it and leaves the process running"
	local how d
	for how in truncate garbage empty; do
		start_live
		damage_state "$how"
		run rt delete --force "$CID"
		echo "$output"
		[ "$status" -eq 0 ]
		wait_gone_all "$PID"
		! kill -0 "$PID" 2>/dev/null
		for d in $CG; do [ ! -e "$d" ]; done
		[ ! -e "$ROOT/$CID" ]
		[ -z "$(rt list -q)" ]
	done
}

@test "damaged state: with the second record damaged too, delete --force fails naming what it could not clean" {
	is_berth || skip "berth's second record"
	start_live
	cp "$ROOT/$CID/state.json" "$T/state.good"
	damage_state garbage
	echo '{' >"$ROOT/$CID/record.json"
	run rt delete --force "$CID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *damaged* ]]
	[[ $output == *"$ROOT/$CID"* ]]
	# no success while the process lives on: it is still there, and so is its state dir
	kill -0 "$PID"
	[ -d "$ROOT/$CID" ]
	cp "$T/state.good" "$ROOT/$CID/state.json"
	rt delete --force "$CID"
}
