#!/usr/bin/env bats
# cgroups on this host's v1 hierarchies (hybrid: cgroup2 at /sys/fs/cgroup/unified): every
# resource read back from the cgroup files, on the host and inside the container; behaviour
# (OOM kill, fork bomb, pause, denied devices, update, events); bad resources leave nothing.
# Written against runc 1.1.5; a pure-v2 host runs the same resources in tests/vm.

load helpers

setup() {
	berth_setup
	[[ -d /sys/fs/cgroup/memory && -d /sys/fs/cgroup/freezer ]] || skip "needs the v1 memory and freezer hierarchies"
	# A known place on the host: /sys/fs/cgroup/<controller>/$CID.
	cfg '.linux.cgroupsPath = "/" + $id' --arg id "$CID"
}

# cgf CONTROLLER FILE: a file of the test container's cgroup, seen from the host.
cgf() { cat "/sys/fs/cgroup/$1/$CID/$2"; }

# res JSON: merge JSON into .linux.resources.
res() { cfg '.linux.resources += $r' --argjson r "$1"; }

# start_sleeping: create and start the container running `sleep 300`.
start_sleeping() {
	set_cmd 'sleep 300'
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" running
}

# no_leftovers: no state, no cgroup directory of the test's container.
no_leftovers() {
	local d
	[ -z "$(rt list -q 2>/dev/null)" ]
	[ -z "$(ls -A "$ROOT")" ]
	for d in /sys/fs/cgroup/*/"$CID"; do
		[[ -e $d ]] && {
			echo "# left behind: $d" >&2
			return 1
		}
	done
	return 0
}

# ---------------------------------------------------------------- read back

@test "memory: limit, swap, reservation, swappiness, disableOOMKiller read back on the host and inside" {
	res '{"memory": {"limit": 33554432, "swap": 67108864, "reservation": 16777216, "swappiness": 10, "disableOOMKiller": true}}'
	start_sleeping
	[ "$(cgf memory memory.limit_in_bytes)" = 33554432 ]
	[ "$(cgf memory memory.memsw.limit_in_bytes)" = 67108864 ]
	[ "$(cgf memory memory.soft_limit_in_bytes)" = 16777216 ]
	[ "$(cgf memory memory.swappiness)" = 10 ]
	grep -qx 'oom_kill_disable 1' "/sys/fs/cgroup/memory/$CID/memory.oom_control"
	run rt exec "$CID" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$status" -eq 0 ]
	[ "$output" = 33554432 ]
}

@test "memory: kernel and kernelTCP are accepted (and ignored)" {
	res '{"memory": {"limit": 33554432, "kernel": 16777216, "kernelTCP": 8388608}}'
	start_sleeping
	[ "$(cgf memory memory.limit_in_bytes)" = 33554432 ]
}

@test "cpu: shares, quota, period, realtime read back" {
	res '{"cpu": {"shares": 512, "quota": 50000, "period": 200000, "realtimeRuntime": 10000, "realtimePeriod": 1000000}}'
	start_sleeping
	[ "$(cgf cpu cpu.shares)" = 512 ]
	[ "$(cgf cpu cpu.cfs_quota_us)" = 50000 ]
	[ "$(cgf cpu cpu.cfs_period_us)" = 200000 ]
	[ "$(cgf cpu cpu.rt_runtime_us)" = 10000 ]
	[ "$(cgf cpu cpu.rt_period_us)" = 1000000 ]
	run rt exec "$CID" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us
	[ "$output" = 50000 ]
}

@test "cpuset: cpus and mems read back" {
	res '{"cpu": {"cpus": "0", "mems": "0"}}'
	start_sleeping
	[ "$(cgf cpuset cpuset.cpus)" = 0 ]
	[ "$(cgf cpuset cpuset.mems)" = 0 ]
	run rt exec "$CID" sh -c 'grep Cpus_allowed_list /proc/self/status'
	[[ $output == *$'\t0' ]]
}

@test "pids: limit read back; -1 is max" {
	res '{"pids": {"limit": 10}}'
	start_sleeping
	[ "$(cgf pids pids.max)" = 10 ]
	run rt exec "$CID" cat /sys/fs/cgroup/pids/pids.max
	[ "$output" = 10 ]
	rt delete --force "$CID"
	res '{"pids": {"limit": -1}}'
	start_sleeping
	[ "$(cgf pids pids.max)" = max ]
}

@test "blockIO: throttles read back (weight where the scheduler has one)" {
	local dev
	dev=$(cat /sys/block/*/dev | head -1)
	local maj=${dev%:*} min=${dev#*:}
	res "$(jq -n --argjson a "$maj" --argjson i "$min" '{blockIO: {
		throttleReadBpsDevice: [{major: $a, minor: $i, rate: 1048576}],
		throttleWriteBpsDevice: [{major: $a, minor: $i, rate: 2097152}],
		throttleReadIOPSDevice: [{major: $a, minor: $i, rate: 100}],
		throttleWriteIOPSDevice: [{major: $a, minor: $i, rate: 50}]}}')"
	start_sleeping
	[ "$(cgf blkio blkio.throttle.read_bps_device)" = "$dev 1048576" ]
	[ "$(cgf blkio blkio.throttle.write_bps_device)" = "$dev 2097152" ]
	[ "$(cgf blkio blkio.throttle.read_iops_device)" = "$dev 100" ]
	[ "$(cgf blkio blkio.throttle.write_iops_device)" = "$dev 50" ]
}

@test "blockIO: weight read back" {
	[[ -e /sys/fs/cgroup/blkio/blkio.weight || -e /sys/fs/cgroup/blkio/blkio.bfq.weight ]] ||
		skip "no CFQ or BFQ weight on this host"
	res '{"blockIO": {"weight": 300}}'
	start_sleeping
	[ "$(cgf blkio blkio.weight 2>/dev/null || cgf blkio blkio.bfq.weight)" = 300 ]
}

@test "devices: a whitelist of the spec's rules and runc's default devices" {
	start_sleeping
	run cgf devices devices.list
	local want='b *:* m
c *:* m
c 1:3 rwm
c 1:5 rwm
c 1:7 rwm
c 1:8 rwm
c 1:9 rwm
c 5:0 rwm
c 5:2 rwm
c 10:200 rwm
c 136:* rwm'
	[ "$(sort <<<"$output")" = "$(sort <<<"$want")" ]
}

@test "hugepageLimits: on this hybrid host, hugetlb.2MB.max in the unified hierarchy" {
	is_runc && skip "runc 1.1.5 looks for hugetlb among the v1 hierarchies only and fails"
	[[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "no 2MB huge pages"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "no hugetlb in the unified hierarchy"
	res '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	start_sleeping
	[ "$(cat "/sys/fs/cgroup/unified/$CID/hugetlb.2MB.max")" = 4194304 ]
}

# ---------------------------------------------------------------- behaviour

@test "memory limit: a hungry process is OOM-killed (137)" {
	res '{"memory": {"limit": 33554432, "swap": 33554432}}'
	# busybox tail keeps everything since the last newline: /dev/zero has none
	cfg '.process.args = ["tail", "/dev/zero"]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 137 ]
}

@test "pids limit: a fork bomb is stopped" {
	res '{"pids": {"limit": 10}}'
	set_cmd 'i=0; while [ $i -lt 50 ]; do sleep 30 & i=$((i+1)); done; echo all-started'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *"can't fork"* ]]
	[[ $output != *all-started* ]]
}

@test "pause / resume: a paused container makes no progress" {
	share_dir
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i > /shared/n.tmp; mv /shared/n.tmp /shared/n; sleep 0.02; done'
	create_ctr "$CID"
	rt start "$CID"
	wait_file "$T/shared/n"
	rt pause "$CID"
	[ "$(ctr_status "$CID")" = paused ]
	[ "$(cgf freezer freezer.state)" = FROZEN ]
	local a b c
	a=$(cat "$T/shared/n")
	sleep 0.5
	b=$(cat "$T/shared/n")
	[ "$a" = "$b" ]
	rt resume "$CID"
	[ "$(ctr_status "$CID")" = running ]
	[ "$(cgf freezer freezer.state)" = THAWED ]
	sleep 0.5
	c=$(cat "$T/shared/n")
	((c > b))
}

@test "devices: a device without an allow rule cannot be opened" {
	# /dev/fuse (10:229) is made in the container, but no rule allows it
	cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	set_cmd 'head -c0 /dev/fuse && echo opened; head -c1 /dev/zero >/dev/null && echo zero-ok'
	run rt run --bundle "$BUNDLE" "$CID"
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *opened* ]]
	[[ $output == *zero-ok* ]]
}

@test "devices: an allow rule lets the device be opened" {
	cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	res '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]}'
	set_cmd 'exec 3</dev/fuse && echo opened'
	run rt run --bundle "$BUNDLE" "$CID"
	[[ $output == *opened* ]]
}

@test "devices: deny c 1:5 is overridden by the default devices appended after it (as runc)" {
	res '{"devices": [{"allow": false, "access": "rwm"}, {"allow": false, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]}'
	set_cmd 'head -c1 /dev/zero >/dev/null && echo zero-ok'
	run rt run --bundle "$BUNDLE" "$CID"
	[[ $output == *zero-ok* ]]
}

@test "update --memory --memory-swap --pids-limit change a running container's limits" {
	res '{"memory": {"limit": 33554432, "swap": 33554432}, "pids": {"limit": 10}}'
	start_sleeping
	run rt update --memory 67108864 --memory-swap 134217728 --pids-limit 20 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(cgf memory memory.memsw.limit_in_bytes)" = 134217728 ]
	[ "$(cgf pids pids.max)" = 20 ]
	# and back down (the limit goes before memory+swap)
	run rt update --memory 16777216 --memory-swap 16777216 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 16777216 ]
	[ "$(cgf memory memory.memsw.limit_in_bytes)" = 16777216 ]
}

@test "update --cpu-share --cpu-quota --cpu-period --cpuset-cpus" {
	start_sleeping
	run rt update --cpu-share 256 --cpu-quota 30000 --cpu-period 150000 --cpuset-cpus 0 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf cpu cpu.shares)" = 256 ]
	[ "$(cgf cpu cpu.cfs_quota_us)" = 30000 ]
	[ "$(cgf cpu cpu.cfs_period_us)" = 150000 ]
	[ "$(cgf cpuset cpuset.cpus)" = 0 ]
}

@test "update -r FILE" {
	start_sleeping
	echo '{"memory": {"limit": 50331648}, "pids": {"limit": 30}, "cpu": {"shares": 300}}' >"$T/r.json"
	run rt update -r "$T/r.json" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 50331648 ]
	[ "$(cgf pids pids.max)" = 30 ]
	[ "$(cgf cpu cpu.shares)" = 300 ]
}

@test "update -r - (resources JSON on stdin, as dockerd sends it)" {
	start_sleeping
	run rt update -r - "$CID" <<<'{"memory": {"limit": 41943040}, "pids": {"limit": 12}}'
	[ "$status" -eq 0 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 41943040 ]
	[ "$(cgf pids pids.max)" = 12 ]
}

@test "update: a limit the running container cannot take fails and keeps the old one" {
	res '{"memory": {"limit": 33554432, "swap": 33554432}}'
	start_sleeping
	# memory above memory+swap: the kernel refuses
	run rt update --memory 67108864 "$CID"
	[ "$status" -ne 0 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 33554432 ]
	if is_berth; then [[ $output == *'.linux.resources.memory'* ]]; fi
}

@test "events --stats: one JSON object with the container's limits" {
	res '{"memory": {"limit": 33554432}, "pids": {"limit": 10}}'
	start_sleeping
	run rt events --stats "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" = 33554432 ]
	[ "$(jq -r .data.pids.limit <<<"$output")" = 10 ]
	[ "$(jq -r .data.pids.current <<<"$output")" = 1 ]
	(($(jq -r .data.cpu.usage.total <<<"$output") > 0))
}

@test "events: an OOM kill is reported" {
	res '{"memory": {"limit": 33554432, "swap": 33554432}}'
	set_cmd 'sleep 1; tail /dev/zero; sleep 300'
	create_ctr "$CID"
	rt events --interval 1s "$CID" >"$T/events" 2>&1 &
	local epid=$! i
	on_teardown "kill $epid 2>/dev/null; wait $epid 2>/dev/null"
	rt start "$CID"
	for ((i = 0; i < 100; i++)); do
		grep -q '"type":"oom"' "$T/events" && break
		sleep 0.1
	done
	kill "$epid" 2>/dev/null || true
	grep -q '"type":"oom"' "$T/events"
}

# ---------------------------------------------------------------- bad resources

@test "bad resources: a negative memory limit fails naming the field and leaves nothing" {
	res '{"memory": {"limit": -2}}'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	if is_berth; then [[ $output == *'.linux.resources.memory.limit'* ]]; fi
	no_leftovers
}

@test "bad resources: a negative pids limit other than -1 fails (berth) " {
	is_runc && skip "runc 1.1.5 takes any negative pids limit as max"
	res '{"pids": {"limit": -5}}'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *'.linux.resources.pids.limit'* ]]
	no_leftovers
}

@test "bad resources: an unknown device type fails naming the field and leaves nothing" {
	res '{"devices": [{"allow": true, "type": "x", "major": 1, "minor": 3, "access": "rwm"}]}'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	if is_berth; then [[ $output == *'.linux.resources.devices[0].type'* ]]; fi
	no_leftovers
}

@test "bad resources: a cpuset out of range fails naming the field and leaves nothing" {
	res '{"cpu": {"cpus": "0-4095"}}'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	if is_berth; then [[ $output == *'.linux.resources.cpu.cpus'* ]]; fi
	no_leftovers
}

@test "bad resources: memory swap below the limit fails and leaves nothing" {
	res '{"memory": {"limit": 67108864, "swap": 33554432}}'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	if is_berth; then [[ $output == *'.linux.resources.memory.swap'* ]]; fi
	no_leftovers
}

@test "bad resources: a blkio weight outside 10..1000 fails naming the field and leaves nothing" {
	is_runc && skip "runc 1.1.5 does not check the range at create"
	res '{"blockIO": {"weight": 5}}'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	if is_berth; then [[ $output == *'.linux.resources.blockIO.weight'* ]]; fi
	no_leftovers
}

# ---------------------------------------------------------------- update: runc's flags

@test "update of a paused container: every runc flag, in runc's value forms, lands in its cgroup file" {
	res '{"memory": {"limit": 33554432, "swap": 33554432}}'
	start_sleeping
	rt pause "$CID"
	run rt update --memory 64MiB --memory-swap "128 MB" --memory-reservation 32m --kernel-memory 0 \
		--cpu-share 512 --cpu-period 100000 --cpu-quota 40000 --cpu-rt-period 500000 --cpu-rt-runtime 1000 \
		--cpuset-cpus 0 --cpuset-mems 0 --pids-limit 33 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(cgf memory memory.memsw.limit_in_bytes)" = 134217728 ]
	[ "$(cgf memory memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(cgf cpu cpu.shares)" = 512 ]
	[ "$(cgf cpu cpu.cfs_period_us)" = 100000 ]
	[ "$(cgf cpu cpu.cfs_quota_us)" = 40000 ]
	[ "$(cgf cpu cpu.rt_period_us)" = 500000 ]
	[ "$(cgf cpu cpu.rt_runtime_us)" = 1000 ]
	[ "$(cgf cpuset cpuset.cpus)" = 0 ]
	[ "$(cgf cpuset cpuset.mems)" = 0 ]
	[ "$(cgf pids pids.max)" = 33 ]
	[ "$(ctr_status "$CID")" = paused ]
	# fractions, and -1 for no limit (memory+swap follows the memory)
	run rt update --memory 1.5g --memory-swap -1 --cpu-quota -1 --pids-limit -1 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 1610612736 ]
	[ "$(cgf cpu cpu.cfs_quota_us)" = -1 ]
	[ "$(cgf pids pids.max)" = max ]
	run rt update --memory -1 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf memory memory.memsw.limit_in_bytes)" = "$(cgf memory memory.limit_in_bytes)" ]
	# blkio weight where the I/O scheduler has one (this host's has none)
	if [[ -e /sys/fs/cgroup/blkio/$CID/blkio.weight ]]; then
		rt update --blkio-weight 300 "$CID"
		[ "$(cgf blkio blkio.weight)" = 300 ]
	fi
	rt resume "$CID"
}

@test "update: 0 and empty values leave a limit as it is (pids-limit 0 is not max)" {
	res '{"pids": {"limit": 20}, "memory": {"limit": 33554432}, "cpu": {"shares": 300, "quota": 20000, "period": 100000}}'
	start_sleeping
	run rt update --pids-limit 0 --memory 0 --cpu-share 0 --cpu-quota 0 --cpu-period 0 --blkio-weight 0 --cpuset-cpus "" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf pids pids.max)" = 20 ]
	[ "$(cgf memory memory.limit_in_bytes)" = 33554432 ]
	[ "$(cgf cpu cpu.shares)" = 300 ]
	[ "$(cgf cpu cpu.cfs_quota_us)" = 20000 ]
	# one of quota / period alone keeps the other
	run rt update --cpu-quota 30000 "$CID"
	[ "$(cgf cpu cpu.cfs_period_us)" = 100000 ]
	[ "$(cgf cpu cpu.cfs_quota_us)" = 30000 ]
}

@test "update: bad values fail and change nothing (negative shares or period, a bad size)" {
	res '{"pids": {"limit": 20}}'
	start_sleeping
	local before after
	snap() { for f in pids/pids.max memory/memory.soft_limit_in_bytes cpu/cpu.shares cpu/cpu.cfs_period_us; do cgf "${f%%/*}" "${f#*/}"; done; }
	before=$(snap)
	for args in "--cpu-share -1" "--cpu-period -5" "--memory 12x" "--memory -5" "--memory-reservation 1e3" \
		"--memory-reservation 0x10" "--memory-reservation 7kk" "--blkio-weight x"; do
		run rt update --pids-limit 30 $args "$CID"
		[ "$status" -ne 0 ] || { echo "update $args succeeded"; return 1; }
		after=$(snap)
		[ "$after" = "$before" ] || { echo "update $args changed: $before -> $after"; return 1; }
	done
}

@test "update --kernel-memory, --kernel-memory-tcp: accepted with a warning that they are ignored" {
	start_sleeping
	run rt update --kernel-memory 64m --kernel-memory-tcp 32m "$CID"
	[ "$status" -eq 0 ]
	[[ ${output,,} == *kernel\ memory*ignored* ]]
}

@test "update --l3-cache-schema / --mem-bw-schema: fail on a host without Intel RDT" {
	[[ ! -e /sys/fs/resctrl/info ]] || skip "this host has resctrl"
	start_sleeping
	run rt update --l3-cache-schema 'L3:0=f' "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *RDT* ]]
	run rt update --mem-bw-schema 'MB:0=50' "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *RDT* ]]
}

@test "update -r FILE: the other resource flags are ignored, as runc says" {
	start_sleeping
	echo '{"pids": {"limit": 30}}' >"$T/r.json"
	run rt update -r "$T/r.json" --pids-limit 99 --cpu-share 777 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cgf pids pids.max)" = 30 ]
	[ "$(cgf cpu cpu.shares)" != 777 ]
}

# ---------------------------------------------------------------- exec --cgroup

# pid_cg PID CONTROLLER: PID's cgroup in CONTROLLER's hierarchy, seen from the host.
pid_cg() { awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup"; }

# exec_sleep ARGS...: exec -d `sleep 300` with ARGS; sets EPID.
exec_sleep() {
	rm -f "$T/exec.pid"
	rt_detached exec -d --pid-file "$T/exec.pid" "$@" "$CID" sleep 300
	EPID=$(cat "$T/exec.pid")
}

@test "exec --cgroup CONTROLLER:PATH and PATH: the process joins a sub-cgroup of the container" {
	start_sleeping
	local d subs=()
	for d in /sys/fs/cgroup/*/"$CID"; do
		mkdir "$d/sub"
		subs+=("$d/sub")
		[[ $d == */cpuset/* ]] && cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus" && cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
	done
	on_teardown "rt_t delete --force $CID; rmdir ${subs[*]} 2>/dev/null"

	exec_sleep --cgroup cpu:sub
	[ "$(pid_cg "$EPID" cpu)" = "/$CID/sub" ]
	[ "$(pid_cg "$EPID" memory)" = "/$CID" ]
	kill -9 "$EPID"

	exec_sleep --cgroup cpu,memory:/sub --cgroup pids:sub
	[ "$(pid_cg "$EPID" cpu)" = "/$CID/sub" ]
	[ "$(pid_cg "$EPID" memory)" = "/$CID/sub" ]
	[ "$(pid_cg "$EPID" pids)" = "/$CID/sub" ]
	[ "$(pid_cg "$EPID" freezer)" = "/$CID" ]
	kill -9 "$EPID"

	exec_sleep --cgroup sub
	for c in cpu memory pids freezer devices; do
		[ "$(pid_cg "$EPID" $c)" = "/$CID/sub" ] || { echo "$c: $(pid_cg "$EPID" $c)"; return 1; }
	done
	kill -9 "$EPID"
	wait_gone "$EPID"
}

@test "exec --cgroup: a path outside the container's cgroup, a missing one, a bad form: 255, nothing runs" {
	share_dir
	start_sleeping
	mkdir "/sys/fs/cgroup/cpu/$CID/sub"
	on_teardown "rt_t delete --force $CID; rmdir /sys/fs/cgroup/cpu/$CID/sub 2>/dev/null"
	for arg in "cpu:../.." "cpu:nosuch" "a:b:c" "sub"; do
		run rt exec --cgroup "$arg" "$CID" touch /shared/ran
		[ "$status" -eq 255 ] || { echo "--cgroup $arg: $status"; return 1; }
		[ ! -e "$T/shared/ran" ]
	done
	# a bare PATH must be given alone
	run rt exec --cgroup sub --cgroup cpu:sub "$CID" true
	[ "$status" -eq 255 ]
}

# ---------------------------------------------------------------- a cgroup already in use

@test "create into a cgroup that already holds a process: a warning that it is not empty" {
	local d dirs=()
	for d in /sys/fs/cgroup/*; do
		[[ -d $d && ! -L $d ]] || continue
		mkdir "$d/$CID"
		dirs+=("$d/$CID")
		[[ $d == */cpuset ]] && cat "$d/cpuset.cpus" >"$d/$CID/cpuset.cpus" && cat "$d/cpuset.mems" >"$d/$CID/cpuset.mems"
	done
	sleep 300 &
	local busy=$!
	on_teardown "kill -9 $busy 2>/dev/null; wait $busy 2>/dev/null; rmdir ${dirs[*]} 2>/dev/null"
	for d in "${dirs[@]}"; do echo "$busy" >"$d/cgroup.procs"; done
	set_cmd 'sleep 300'
	run create_ctr "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"not empty"* ]]
	[ "$(ctr_status "$CID")" = created ]
	kill -9 "$busy"
	wait "$busy" || true
}

@test "delete --force removes the sub-cgroups the container made, with what runs in them (v1 and unified)" {
	start_sleeping
	local d h pid
	pid=$(ctr_pid "$CID")
	# sub-cgroups two levels deep in every hierarchy the container has, as a systemd inside would
	# make them; a process of the container moved into one of each
	for h in memory pids unified; do
		d=/sys/fs/cgroup/$h/$CID
		[[ -d $d ]] || continue
		mkdir -p "$d/sub/deeper" "$d/other"
	done
	local init=$pid
	rt_detached exec -d "$CID" sleep 301
	pid=$(grep -vx "$init" "/sys/fs/cgroup/pids/$CID/cgroup.procs")
	[[ $pid =~ ^[0-9]+$ ]]
	for h in memory pids unified; do
		d=/sys/fs/cgroup/$h/$CID
		[[ -d $d ]] && echo "$pid" >"$d/sub/deeper/cgroup.procs"
	done
	run rt delete --force "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	no_leftovers
	wait_gone "$pid"
}
