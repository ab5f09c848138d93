#!/usr/bin/env bats
# containerd 1.6 (Debian's) driving the runtime as it drives runc: `ctr run --runc-binary`,
# through containerd-shim-runc-v2, which calls the runtime with --root, --log BUNDLE/log.json
# --log-format json and create / start / exec --process / kill / pause / resume / ps / delete.
#
#   bats tests/bats/containerd.bats                                 berth from the build dir
#   RUNTIME=/usr/sbin/runc bats tests/bats/containerd.bats          the tests checked on runc
#   RUNTIME=tests/crun-hybrid.sh bats tests/bats/containerd.bats    ... and on crun
#
# A private containerd per file (containerd-helpers.bash); after every test nothing of its
# containers may remain: shim, shim socket, bundle, snapshot, mount, runtime state, process,
# cgroup.  ctr 1.6 has no `task update`: one test calls the runtime's `update --resources -`
# itself, as the shim would.

load helpers
load containerd-helpers

# the memory limit in `ctr task metrics --format json`: v1's metrics have .memory.usage.limit, v2's
# .memory.usage_limit
MEM_LIMIT='(.memory.usage | objects | .limit) // .memory.usage_limit'

setup_file() { cd_setup_file; }
teardown_file() { cd_teardown_file; }
setup() { cd_setup; }
teardown() { cd_teardown; }

@test "ctr run: output and exit status; the shim's create / start / delete calls" {
	run ctr_run --rm "$IMG" "$CID" sh -c 'echo "hello from $BATS_LEAK_TAG"; exit 7' </dev/null
	echo "$output"
	[ "$status" -eq 7 ]
	[[ $output == *"hello from $TID"* ]]
	local b="[^ ]*/$NS/$CID"
	called "$CID" "^--root $ROOT --log $b/log\.json --log-format json create --bundle $b --pid-file $b/init\.pid $CID => 0"
	called "$CID" "json start $CID => 0"
	called "$CID" "json delete $CID => 0"
	# then the shim's cleanup: `delete --force` of the container already gone, which must succeed
	# as runc's does (a failure is a warning in containerd's log for every container)
	called "$CID" "json delete --force $CID => 0"
	run calls "$CID"
	[[ $output != *"=> "[1-9]* ]]
	run c containers ls -q
	[[ $output != *"$CID"* ]]
}

@test "ctr run: stdin reaches the container" {
	# (ctr 1.6 does not close the task's stdin at its own stdin's end: read a known amount)
	run ctr_run --rm "$IMG" "$CID" sh -c 'read -r a; read -r b; echo "got: $a, $b"' < <(printf 'one\ntwo\n')
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "got: one, two" ]
}

@test "ctr run: --env and --cwd" {
	run ctr_run --rm --env FOO=bar --cwd /tmp "$IMG" "$CID" sh -c 'echo "$FOO"; pwd' </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'bar\n/tmp')" ]
}

@test "ctr run --config: a whole spec (user, groups, pids limit, hostname, rootfs path)" {
	cp -a "$PROTO_BUNDLE/rootfs" "$T/rootfs"
	c oci spec |
		jq --arg r "$T/rootfs" --arg cg "/$NS/$CID" --arg t "BATS_LEAK_TAG=$TID" '
			.root = {path: $r, readonly: true} | .linux.cgroupsPath = $cg | .hostname = "cfg-host" |
			.process.user = {uid: 1000, gid: 1000, additionalGids: [27]} | .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", $t] |
			.process.args = ["sh", "-c", "id; hostname; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max"] |
			.linux.resources.pids = {limit: 42} |
			.mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "nodev", "noexec"]}]' >"$T/spec.json"
	run c run --config "$T/spec.json" --runc-binary "$CD/runtime" --runc-root "$T/rr" \
		--fifo-dir "$T/fifo" --rm "$CID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"uid=1000 gid=1000 groups=27"* ]]
	[[ $output == *cfg-host* ]]
	[[ $output == *42* ]]
}

@test "ctr run -t: the container gets a terminal through --console-socket" {
	# (the sleep: with a tty, ctr may lose output of a process that exits at once — seen with runc)
	run in_tty "$(ctr_run_cmd --rm -t "$IMG" "$CID" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-ttys; sleep 0.2; exit 3')"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *both-ttys* ]]
	called "$CID" "create --bundle .*--console-socket [^ ]+ .*$CID => 0"
}

@test "ctr run: memory and cpu limits, seen inside the container" {
	# ctr's default spec has no cgroup mount (CRI adds one): ask for it
	run ctr_run --rm --mount type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:nodev:noexec --memory-limit 67108864 --cpu-quota 50000 --cpu-period 100000 --cpu-shares 512 \
		"$IMG" "$CID" sh -c "$CG_IN" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '67108864\n50000 100000\n%s' "$(shares_seen 512)")" ]
}

@test "ctr run: containerd's spec options (--seccomp, --read-only, caps, --privileged, --uidmap, --net-host)" {
	local st='grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t\n" "  "'
	run ctr_run --rm --seccomp "$IMG" "$CID" sh -c "$st" </dev/null
	echo "$output"
	[[ $output == *"Seccomp: 2"* && $output == *"NoNewPrivs: 1"* ]]

	run ctr_run --rm --read-only --allow-new-privs "$IMG" "$CID" sh -c "$st; touch /x" </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Read-only file system"* && $output == *"NoNewPrivs: 0"* ]]

	# containerd's default set (a80425fb) + SYS_ADMIN (bit 21) - CHOWN (bit 0)
	run ctr_run --rm --cap-add CAP_SYS_ADMIN --cap-drop CAP_CHOWN "$IMG" "$CID" sh -c "$st" </dev/null
	echo "$output"
	[[ $output == *"CapEff: 00000000a82425fa"* ]]

	# every capability this host can give, and the host's devices
	local bnd
	bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	run ctr_run --rm --privileged "$IMG" "$CID" sh -c "$st; ls /dev" </dev/null
	echo "$output"
	[[ $output == *"CapEff: $bnd"* && $output == *kmsg* ]]

	run ctr_run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMG" "$CID" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u' </dev/null
	echo "$output"
	[ "$(echo $output)" = "0 100000 65536 0 100000 65536 0" ]

	run ctr_run --rm --net-host "$IMG" "$CID" ls /sys/class/net </dev/null
	echo "$output"
	[ "$(echo $output)" = "$(echo $(ls /sys/class/net))" ]
}

@test "ctr run -d: task ls / ps / metrics, the host cgroup, kill, exit status on delete" {
	ctr_run -d --memory-limit 33554432 --cpu-quota 20000 "$IMG" "$CID" sleep 1000 </dev/null
	[ "$(task_status "$CID")" = RUNNING ]
	local pid
	pid=$(task_pid "$CID")
	# the pid containerd reports is the container's init (it carries the test's tag)
	grep -qz "^BATS_LEAK_TAG=$TID\$" "/proc/$pid/environ"
	[ "$(cg_get "/$NS/$CID" memory.limit)" = 33554432 ]
	[ "$(cg_get "/$NS/$CID" cpu.quota)" = 20000 ]
	cg_get "/$NS/$CID" procs | grep -qx "$pid"

	run c task ps "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"$pid"* ]]
	called "$CID" "json ps --format json $CID => 0"

	run c task metrics --format json "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq .pids.current <<<"$output")" = 1 ]
	[ "$(jq "$MEM_LIMIT" <<<"$output")" = 33554432 ]

	run c task kill -s KILL "$CID"
	[ "$status" -eq 0 ]
	wait_task "$CID" STOPPED
	called "$CID" "json kill $CID 9 => 0"
	run c task rm "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exit code 137"* ]]
	c containers rm "$CID"
}

@test "update --resources - on a containerd task, as the shim calls it; ctr task metrics sees it" {
	# ctr 1.6 has no `task update`: call the runtime the way containerd-shim-runc-v2 does
	ctr_run_d "$CID" sleep 1000
	local b
	b=$(ls -d "$CD/state/io.containerd.runtime.v2.task/$NS/$CID")
	(_exec_clean "$CD/runtime" --root "$ROOT" --log "$b/log.json" --log-format json update --resources - "$CID" \
		<<<'{"memory": {"limit": 50331648}, "cpu": {"shares": 256, "quota": 30000, "period": 100000}, "pids": {"limit": 33}}')
	run c task metrics --format json "$CID"
	echo "$output"
	[ "$(jq "$MEM_LIMIT" <<<"$output")" = 50331648 ]
	[ "$(jq .pids.limit <<<"$output")" = 33 ]
	[ "$(cg_get "/$NS/$CID" cpu.shares)" = "$(shares_seen 256)" ]
	[ "$(cg_get "/$NS/$CID" cpu.quota)" = 30000 ]
	rm_task "$CID"
}

@test "ctr task kill: the default signal reaches the init, kill --all every process" {
	ctr_run_d "$CID" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	c task kill "$CID"
	wait_task "$CID" STOPPED
	called "$CID" "json kill $CID 15 => 0"
	run c task rm "$CID"
	[[ $output == *"exit code 42"* ]]
	c containers rm "$CID"

	# --all: a second process of the container dies with its init
	ctr_run_d "$CID-2" sleep 1000
	ctr_exec -d --exec-id extra "$CID-2" sleep 999 </dev/null
	local pids
	pids=$(cg_get "/$NS/$CID-2" procs)
	[ "$(wc -w <<<"$pids")" -eq 2 ]
	c task kill --all -s KILL "$CID-2"
	wait_task "$CID-2" STOPPED
	called "$CID-2" "json kill --all $CID-2 9 => 0"
	local p
	for p in $pids; do wait_gone "$p"; done
	rm_task "$CID-2"
}

@test "ctr task exec: output, exit status, stdin, user and cwd" {
	ctr_run_d "$CID" sleep 1000
	run ctr_exec --exec-id e1 "$CID" sh -c 'echo out; echo err >&2; exit 5' </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == *out* && $output == *err* ]]
	called "$CID" "json exec --process [^ ]+ --detach --pid-file [^ ]*/$CID/e1\.pid $CID => 0"

	run ctr_exec --exec-id e2 --user 1000 --cwd /tmp "$CID" sh -c 'id -u; pwd; echo "$BATS_LEAK_TAG"' </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1000\n/tmp\n%s' "$TID")" ]

	run ctr_exec --exec-id e3 "$CID" sh -c 'read -r x; echo "got $x"' < <(echo ping)
	[ "$output" = "got ping" ]
	rm_task "$CID"
}

@test "ctr task exec -t: a terminal for the exec'd process; -d leaves it running" {
	ctr_run_d "$CID" sleep 1000
	run in_tty "$(ctr_cmd task exec --fifo-dir "$T/fifo" -t --exec-id e1 "$CID" sh -c 'tty; [ -t 0 ] && echo tty-in; sleep 0.2; exit 4')"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"/dev/pts/"* && $output == *tty-in* ]]
	called "$CID" "json exec .*--console-socket [^ ]+ .*$CID => 0"

	ctr_exec -d --exec-id e2 "$CID" sleep 999 </dev/null
	run c task ps "$CID"
	echo "$output"
	[ "$(grep -cE '^[0-9]+ ' <<<"$output")" -eq 2 ]
	rm_task "$CID"
}

@test "ctr task pause / resume: no progress while paused" {
	mkdir -m 777 "$T/shared"
	ctr_run -d --mount "type=bind,src=$T/shared,dst=/shared,options=rbind:rw" "$IMG" "$CID" \
		sh -c 'i=0; while :; do i=$((i+1)); echo $i >/shared/n.tmp; mv /shared/n.tmp /shared/n; sleep 0.02; done' </dev/null
	wait_file "$T/shared/n"
	c task pause "$CID"
	[ "$(task_status "$CID")" = PAUSED ]
	[ "$(cg_get "/$NS/$CID" frozen)" = 1 ]
	called "$CID" "json pause $CID => 0"
	local a b i
	a=$(cat "$T/shared/n")
	sleep 0.3
	b=$(cat "$T/shared/n")
	[ "$a" = "$b" ]

	c task resume "$CID"
	[ "$(task_status "$CID")" = RUNNING ]
	called "$CID" "json resume $CID => 0"
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "$T/shared/n")" != "$a" ] && break
		sleep 0.05
	done
	[ "$(cat "$T/shared/n")" != "$a" ]
	rm_task "$CID"
}

@test "ctr task rm -f: a running task is killed and deleted" {
	ctr_run_d "$CID" sleep 1000
	local pid
	pid=$(task_pid "$CID")
	run c task rm -f "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	wait_gone "$pid"
	run c task ls
	[[ $output != *"$CID"* ]]
	c containers rm "$CID"
}

@test "ctr task kill -s KILL / rm -f of a paused task: it stops" {
	# crun 1.8 signals the frozen init and leaves it frozen: it dies only on resume
	[[ $RUNTIME_KIND != crun ]] || skip "crun 1.8 does not thaw a paused container for SIGKILL"
	ctr_run_d "$CID" sleep 1000
	c task pause "$CID"
	c task kill -s KILL "$CID"
	wait_task "$CID" STOPPED
	run c task rm "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exit code 137"* ]]
	c containers rm "$CID"

	ctr_run_d "$CID-2" sleep 1000
	c task pause "$CID-2"
	run c task rm -f "$CID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	c containers rm "$CID-2"
}

@test "ctr task rm -f of a task that has exited" {
	ctr_run_d "$CID" true
	wait_task "$CID" STOPPED
	run c task rm -f "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	# the shim still signals what may be left in the cgroup
	called "$CID" "json kill --all $CID 9 => 0"
	c containers rm "$CID"
}

@test "a task in another's pid namespace: what its init leaves behind is killed with it" {
	ctr_run_d "$CID" sleep 1000
	local pid
	pid=$(task_pid "$CID")
	# not its own pid namespace: when the init exits the shim kills the rest (kill --all)
	run ctr_run --rm --with-ns "pid:/proc/$pid/ns/pid" "$IMG" "$CID-2" sh -c 'sleep 999 & echo started' </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = started ]
	called "$CID-2" "json kill --all $CID-2 9 => 0"
	[ ! -e "$(cg_dir pids "/$NS/$CID-2")" ]
	rm_task "$CID"
}

@test "errors reach the user: a command that does not exist (create)" {
	run ctr_run --rm "$IMG" "$CID" /no/such/binary </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	local msg
	msg=$(last_error "$CID" create)
	echo "# the runtime's last error: $msg"
	[ -n "$msg" ]
	[[ $output == *"$msg"* ]]
	run c containers ls -q
	[[ $output != *"$CID"* ]]
}

@test "errors reach the user: exec of a command that does not exist" {
	ctr_run_d "$CID" sleep 1000
	run ctr_exec --exec-id e1 "$CID" /no/such/binary </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	local msg
	msg=$(last_error "$CID" exec)
	echo "# the runtime's last error: $msg"
	[ -n "$msg" ]
	[[ $output == *"$msg"* ]]
	# the container is unharmed
	run ctr_exec --exec-id e2 "$CID" echo still-here </dev/null
	[ "$output" = still-here ]
	rm_task "$CID"
}

@test "errors reach the user: an invalid spec (unknown namespace type)" {
	cp -a "$PROTO_BUNDLE/rootfs" "$T/rootfs"
	c oci spec |
		jq --arg r "$T/rootfs" --arg cg "/$NS/$CID" --arg t "BATS_LEAK_TAG=$TID" '
			.root = {path: $r, readonly: true} | .linux.cgroupsPath = $cg | .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", $t] |
			.process.args = ["true"] | .linux.namespaces += [{type: "foo"}]' >"$T/spec.json"
	run c run --config "$T/spec.json" --runc-binary "$CD/runtime" --runc-root "$T/rr" \
		--fifo-dir "$T/fifo" --rm "$CID" </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	local msg
	msg=$(last_error "$CID" create)
	echo "# the runtime's last error: $msg"
	[ -n "$msg" ]
	[[ $output == *"$msg"* ]]
	if is_berth; then [[ $msg == *'.linux.namespaces'* ]]; fi
}
