#!/usr/bin/env bats
# process (args, env, cwd, user, umask), hostname, domainname, readonly root.

load helpers

@test "hostname: set in a new uts namespace" {
	cfg '.hostname = "bats-host"'
	set_cmd 'hostname; cat /proc/sys/kernel/hostname'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bats-host ]
	[ "${lines[1]}" = bats-host ]
	[ "$(hostname)" != bats-host ]
}

@test "domainname: set in a new uts namespace" {
	# runc 1.1.5 ignores .domainname (support came in runc 1.2).
	if is_runc; then skip "runc 1.1.5 does not set domainname"; fi
	cfg '.domainname = "bats.example"'
	set_cmd 'cat /proc/sys/kernel/domainname'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = bats.example ]
	[ "$(cat /proc/sys/kernel/domainname)" != bats.example ]
}

@test "env: variables reach the process verbatim" {
	cfg '.process.env += ["FOO=bar baz", "EMPTY=", "EQ=a=b"]'
	set_cmd 'echo "[$FOO][$EMPTY][$EQ][$PATH]"'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "[bar baz][][a=b][/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin]" ]
}

@test "env: only the configured variables, not the runtime's" {
	set_cmd 'env | sort | cut -d= -f1 | tr "\n" " "'
	BATS_SHOULD_NOT_LEAK=1 run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output != *BATS_SHOULD_NOT_LEAK* ]]
	[[ $output == *FOO* || $output == *PATH* ]]
	[[ $output == *TERM* ]]
}

@test "cwd: the process starts in process.cwd" {
	cfg '.process.cwd = "/etc"'
	set_cmd 'pwd'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = /etc ]
}

@test "cwd: a missing cwd is created (writable root)" {
	cfg '.root.readonly = false | .process.cwd = "/work/dir"'
	set_cmd 'pwd'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = /work/dir ]
}

@test "user: uid and gid" {
	cfg '.process.user = {"uid": 1000, "gid": 1001}'
	set_cmd 'id -u; id -g; id -G'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = 1001 ]
}

@test "user: additionalGids" {
	cfg '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [2000, 2001]}'
	set_cmd 'id -G; grep ^Groups: /proc/self/status'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "1001 2000 2001 " ]
	[ "$(echo ${lines[1]})" = "Groups: 2000 2001" ]
}

@test "user: root has no supplementary groups unless asked" {
	set_cmd 'grep ^Groups: /proc/self/status'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "Groups:" ]
}

@test "user: a non-root uid cannot write a root-owned dir" {
	cfg '.process.user = {"uid": 1000, "gid": 1000} | .root.readonly = false'
	set_cmd 'touch /etc/x 2>&1; echo rc=$?'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"Permission denied"* ]]
	[ ! -e "$BUNDLE/rootfs/etc/x" ]
}

@test "umask: process.user.umask" {
	cfg '.process.user.umask = 63 | .root.readonly = false'
	set_cmd 'umask; touch /tmp/f; stat -c %a /tmp/f'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0077 ]
	[ "${lines[1]}" = 600 ]
}

@test "umask: 0022 by default" {
	set_cmd 'umask'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = 0022 ]
}

@test "root.readonly: the root cannot be written" {
	set_cmd 'touch /x 2>&1; echo rc=$?; awk "\$5 == \"/\"" /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"Read-only file system"* ]]
	[[ ${lines[2]} == *" ro,"* || ${lines[2]} == *" ro "* ]]
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "root.readonly false: the root can be written" {
	cfg '.root.readonly = false'
	set_cmd 'echo data > /x'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$BUNDLE/rootfs/x")" = data ]
}

@test "root.path: an absolute path works" {
	mv "$BUNDLE/rootfs" "$T/elsewhere"
	on_teardown "mv '$T/elsewhere' '$BUNDLE/rootfs'"
	cfg '.root.path = $p' --arg p "$T/elsewhere"
	set_cmd 'echo abs'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = abs ]
}

@test "process: the capabilities asked for, no more" {
	set_cmd 'grep ^CapEff: /proc/self/status'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
	[ "$(echo $output)" = "CapEff: 0000000020000420" ]
}

@test "process: noNewPrivileges is set" {
	set_cmd 'grep ^NoNewPrivs: /proc/self/status'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "NoNewPrivs: 1" ]
}

@test "capabilities: one outside the runtime's bounding set fails create, naming it" {
	# this host's bounding set lacks CAP_SYS_RESOURCE; elsewhere pick any the runtime lacks
	local missing=""
	for c in CAP_SYS_RESOURCE CAP_SYS_MODULE CAP_MAC_ADMIN; do
		capsh --decode="$(awk '/^CapBnd/ {print $2}' /proc/self/status)" | grep -qi "${c,,}" || { missing=$c; break; }
	done
	[ -n "$missing" ] || skip "the runtime's bounding set has every capability tried"
	cfg '.process.capabilities.bounding += [$c] | .process.capabilities.permitted += [$c]' --arg c "$missing"
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	if is_berth; then
		[[ $output == *".process.capabilities.bounding["*"$missing"* ]]
	fi
	[ -z "$(rt list -q)" ]
}

# ---------------------------------------------------------------- exec

# start_sleeping: a running container whose init sleeps.
start_sleeping() {
	set_cmd 'sleep 300'
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" running
}

@test "exec: the runtime's own failures exit 255; the process's status passes through" {
	start_sleeping
	run rt exec "$CID" /no/such/program
	[ "$status" -eq 255 ]
	run rt exec "$TID-nope" true
	[ "$status" -eq 255 ]
	run rt exec --cwd relative "$CID" true
	[ "$status" -eq 255 ]
	run rt exec "$CID" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run rt exec "$CID" sh -c 'exit 1'
	[ "$status" -eq 1 ]
	# a bad command line is an ordinary usage error
	run rt exec
	[ "$status" -eq 1 ]
}

@test "exec into a paused container: 255 unless --ignore-paused, which runs it once resumed" {
	share_dir
	start_sleeping
	rt pause "$CID"
	run rt exec "$CID" touch /shared/refused
	[ "$status" -eq 255 ]
	[[ $output == *paused* ]]
	[ ! -e "$T/shared/refused" ]
	rt exec --ignore-paused "$CID" touch /shared/ran </dev/null >"$T/exec.out" 2>&1 &
	local exec_pid=$!
	sleep 0.5
	# frozen with the container until resume
	[ ! -e "$T/shared/ran" ]
	rt resume "$CID"
	local rc=0
	wait "$exec_pid" || rc=$?
	cat "$T/exec.out"
	[ "$rc" -eq 0 ]
	[ -e "$T/shared/ran" ]
}
