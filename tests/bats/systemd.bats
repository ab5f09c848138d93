#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup): a transient scope with Delegate=yes in the
# slice of cgroupsPath "slice:prefix:name"; resources written in the scope and known to
# systemd; update, pause, kill --all, exec through the scope; delete stops the unit.
# Needs systemd as PID 1 and cgroup2 alone at /sys/fs/cgroup (tests/vm gives both); where
# systemd is not running, only the refusal is checked.  Written against runc 1.1's driver.

load helpers

have_systemd_v2() {
	[[ $(cat /proc/1/comm 2>/dev/null) == systemd ]] && [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] &&
		command -v systemctl >/dev/null
}

setup() {
	berth_setup
	SCOPE=berth-$CID.scope
	SCOPE_DIR=/sys/fs/cgroup/system.slice/$SCOPE
}

need_systemd() {
	have_systemd_v2 || skip "needs systemd as PID 1 and cgroup2 at /sys/fs/cgroup (PID 1 is $(cat /proc/1/comm), /sys/fs/cgroup is $(stat -fc %T /sys/fs/cgroup)); run it in tests/vm"
}

# sd ARGS...: the runtime with the systemd driver
sd() { rt --systemd-cgroup "$@"; }
sd_create() { rt_detached --systemd-cgroup create --bundle "$BUNDLE" "$@"; }

start_sleeping() {
	set_cmd 'sleep 300'
	sd_create "$CID"
	sd start "$CID"
	wait_status "$CID" running
}

prop() { systemctl show -p "$2" --value "$1"; }

# nothing of the container left: no state, no unit, no cgroup directory
no_leftovers() {
	local unit=${1:-$SCOPE} dir=${2:-$SCOPE_DIR}
	[[ -z $(ls "$ROOT") ]] || {
		echo "# state left: $(ls "$ROOT")" >&2
		return 1
	}
	[[ ! -e $dir ]] || {
		echo "# cgroup left: $dir" >&2
		return 1
	}
	if have_systemd_v2; then
		local s
		s=$(systemctl show -p LoadState --value "$unit" 2>/dev/null)
		[[ $s == not-found || -z $s ]] || {
			echo "# unit $unit left: LoadState=$s ActiveState=$(prop "$unit" ActiveState)" >&2
			return 1
		}
	fi
}

@test "systemd: without systemd, --systemd-cgroup says so and leaves nothing" {
	have_systemd_v2 && skip "systemd is running here"
	run sd run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *"systemd is not running (PID 1 is"* ]]
	no_leftovers
	run sd list -q
	[[ -z $output ]]
}

@test "systemd: without the flag, nothing talks to D-Bus" {
	command -v strace >/dev/null || skip "needs strace"
	set_cmd true
	run strace -f -e trace=connect -o "$T/trace" "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	! grep -q 'dbus\|/run/systemd/private' "$T/trace"
}

@test "systemd: default scope berth-ID.scope in system.slice, Delegate=yes, init in it" {
	need_systemd
	start_sleeping
	pid=$(ctr_pid "$CID")
	[[ $(cat /proc/$pid/cgroup) == "0::/system.slice/$SCOPE" ]]
	[ -d "$SCOPE_DIR" ]
	[[ $(prop "$SCOPE" ActiveState) == active ]]
	[[ $(prop "$SCOPE" Delegate) == yes ]]
	[[ $(prop "$SCOPE" Slice) == system.slice ]]
	[[ $(prop "$SCOPE" Description) == "berth container $CID" ]]
	# state remembers the driver and the cgroupfs path
	jq -e '.systemd_cgroup == true' "$ROOT/$CID/state.json"
	jq -e --arg p "/system.slice/$SCOPE" '.cgroup_path == $p' "$ROOT/$CID/state.json"
	# inside, with a cgroup namespace, the container's cgroup is the root
	run sd exec "$CID" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	sd kill "$CID" KILL
	wait_status "$CID" stopped
	sd delete "$CID"
	no_leftovers
}

@test "systemd: cgroupsPath slice:prefix:name, a nested slice expanded" {
	need_systemd
	cfg '.linux.cgroupsPath = "berthtest-sub.slice:bt:" + $id' --arg id "$CID"
	on_teardown systemctl stop berthtest-sub.slice berthtest.slice
	start_sleeping
	unit=bt-$CID.scope
	dir=/sys/fs/cgroup/berthtest.slice/berthtest-sub.slice/$unit
	[ -d "$dir" ]
	pid=$(ctr_pid "$CID")
	grep -qx "$pid" "$dir/cgroup.procs"
	[[ $(prop "$unit" Slice) == berthtest-sub.slice ]]
	sd delete -f "$CID"
	no_leftovers "$unit" "$dir"
}

@test "systemd: resources in the scope's files and in systemd's properties" {
	need_systemd
	cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50},
	     "cpu": {"shares": 512, "quota": 50000, "period": 100000}}'
	start_sleeping
	[[ $(cat "$SCOPE_DIR/memory.max") == 67108864 ]]
	[[ $(cat "$SCOPE_DIR/pids.max") == 50 ]]
	[[ $(cat "$SCOPE_DIR/cpu.max") == "50000 100000" ]]
	[[ $(prop "$SCOPE" MemoryMax) == 67108864 ]]
	[[ $(prop "$SCOPE" TasksMax) == 50 ]]
	# a daemon-reload re-applies systemd's copy: it must be ours
	systemctl daemon-reload
	[[ $(cat "$SCOPE_DIR/memory.max") == 67108864 ]]
	[[ $(cat "$SCOPE_DIR/pids.max") == 50 ]]
	# update: the files and systemd's copy
	sd update --memory 134217728 --pids-limit 70 "$CID"
	[[ $(cat "$SCOPE_DIR/memory.max") == 134217728 ]]
	[[ $(cat "$SCOPE_DIR/pids.max") == 70 ]]
	[[ $(prop "$SCOPE" MemoryMax) == 134217728 ]]
	[[ $(prop "$SCOPE" TasksMax) == 70 ]]
	systemctl daemon-reload
	[[ $(cat "$SCOPE_DIR/memory.max") == 134217728 ]]
	sd delete -f "$CID"
	no_leftovers
}

@test "systemd: pause, resume, ps, kill --all, events through the scope" {
	need_systemd
	start_sleeping
	sd exec -d "$CID" sleep 301
	run sd ps "$CID"
	[ "$status" -eq 0 ]
	sd pause "$CID"
	[[ $(ctr_status "$CID") == paused ]]
	grep -q 'frozen 1' "$SCOPE_DIR/cgroup.events"
	sd resume "$CID"
	[[ $(ctr_status "$CID") == running ]]
	run sd events --stats "$CID"
	[ "$status" -eq 0 ]
	jq -e '.data.pids.current >= 2' <<<"$output"
	sd kill --all "$CID" KILL
	wait_status "$CID" stopped
	sd delete "$CID"
	no_leftovers
}

@test "systemd: run in the foreground leaves no unit" {
	need_systemd
	set_cmd 'cat /proc/self/cgroup; exit 3'
	run sd run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 3 ]
	no_leftovers
}

@test "systemd: an OOM-killed container's name can be reused" {
	need_systemd
	cfg '.linux.resources = {"memory": {"limit": 33554432, "swap": 33554432}}'
	set_cmd 'x=; while :; do x="$x$x-0123456789abcdef0123456789abcdef"; done'
	run sd run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	no_leftovers
	set_cmd true
	cfg 'del(.linux.resources)'
	sd run --bundle "$BUNDLE" "$CID"
	no_leftovers
}

@test "systemd: a cgroupsPath not in slice:prefix:name form is refused, nothing left" {
	cfg '.linux.cgroupsPath = "/berth/" + $id' --arg id "$CID"
	run sd run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *'.linux.cgroupsPath'*'slice:prefix:name'* ]]
	no_leftovers
	cfg '.linux.cgroupsPath = "not-a-slice:p:" + $id' --arg id "$CID"
	run sd run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *'not a systemd slice name'* ]]
	no_leftovers
}
