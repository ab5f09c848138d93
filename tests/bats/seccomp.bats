#!/usr/bin/env bats
# seccomp: real profiles loaded into real containers.

load helpers

FIXTURES=$BATS_TEST_DIRNAME/../unit/fixtures

setup_file() {
	berth_setup_file
	# sysno: raw syscalls by number, from inside the container (skipped without a static gcc)
	SYSNO=$BATS_FILE_TMPDIR/sysno
	gcc -static -O2 -o "$SYSNO" "$BATS_TEST_DIRNAME/sysno.c" 2>/dev/null || SYSNO=
	export SYSNO
}

# use_sysno: /sysno in the bundle's rootfs, or skip the test.
use_sysno() {
	[[ -n $SYSNO ]] || skip "sysno needs gcc -static"
	cp "$SYSNO" "$BUNDLE/rootfs/sysno"
}

@test "seccomp: docker's default profile: ordinary work runs, unshare/mount/keyctl are refused" {
	cfg --slurpfile p "$FIXTURES/seccomp-docker-default.json" '.linux.seccomp = $p[0]'
	set_cmd 'echo ok > /dev/null && ls / >/dev/null && echo normal-ok
		unshare -m true 2>/dev/null; echo unshare=$?
		mount -t tmpfs t /tmp 2>/dev/null; echo mount=$?
		grep "^Seccomp:" /proc/self/status'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *normal-ok* ]]
	[[ $output == *unshare=1* ]]
	[[ $output == *mount=1* ]]
	[[ $output == *"Seccomp:	2"* ]]
}

@test "seccomp: podman's default profile loads and behaves" {
	cfg --slurpfile p "$FIXTURES/seccomp-podman-default.json" '.linux.seccomp = $p[0]'
	set_cmd 'ls / >/dev/null && echo normal-ok; unshare -m true 2>/dev/null; echo unshare=$?'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *normal-ok* ]]
	[[ $output == *unshare=1* ]]
}

@test "seccomp: a blocked syscall fails with the errno the profile asks" {
	cfg '.root.readonly = false
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}'
	set_cmd 'mkdir /tmp/x; echo rc=$?'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"Function not implemented"* ]]
	[[ $output == *rc=1* ]]
}

@test "seccomp: argument rules match only the given arguments" {
	# personality(0xffffffff) only queries; block every other value
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
				args: [{index: 0, value: 8, op: "SCMP_CMP_EQ"}]}]}'
	set_cmd 'linux32 true; echo linux32=$?; linux64 true; echo x86_64=$?'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *linux32=1* ]]
	[[ $output == *x86_64=0* ]]
}

@test "seccomp: SCMP_ACT_KILL kills the process with SIGSYS" {
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["getcwd"], action: "SCMP_ACT_KILL_PROCESS"}]}'
	set_cmd 'pwd'
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	run rt run --bundle "$BUNDLE" "$CID"
	# 128 + SIGSYS (31)
	[ "$status" -eq 159 ]
}

@test "seccomp: exec'd processes get the container's filter" {
	cfg --slurpfile p "$FIXTURES/seccomp-docker-default.json" '.linux.seccomp = $p[0]'
	set_cmd 'sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	run rt exec "$CID" sh -c 'unshare -m true 2>/dev/null; echo unshare=$?; grep "^Seccomp:" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output == *unshare=1* ]]
	[[ $output == *"Seccomp:	2"* ]]
}

@test "seccomp: a bad profile fails create with the JSON path, and leaves nothing" {
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_BOGUS"}]}'
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	if is_berth; then
		[[ $output == *'.linux.seccomp.syscalls[0].action'* ]]
	fi
	[ -z "$(rt list -q)" ]
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener fd and the state to listenerPath" {
	command -v python3 >/dev/null || skip "python3 is needed for the listener"
	is_runc && skip "runc 1.1's listener protocol predates the spec's"
	python3 - "$T/listener.sock" "$T/listener.out" <<-'PY' &
		import json, os, socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(sys.argv[1]); s.listen(1)
		c, _ = s.accept()
		msg, fds, _, _ = socket.recv_fds(c, 65536, 4)
		st = json.loads(msg)
		with open(sys.argv[2], "w") as f:
		    json.dump({"fds": len(fds), "pid": st["pid"], "status": st["state"]["status"],
		               "id": st["state"]["id"], "metadata": st.get("metadata"), "names": st["fds"]}, f)
	PY
	local lpid=$!
	on_teardown "kill $lpid 2>/dev/null"
	wait_file "$T/listener.sock"
	cfg --arg l "$T/listener.sock" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $l,
		listenerMetadata: "meta-1", syscalls: [{names: ["getcwd"], action: "SCMP_ACT_NOTIFY"}]}'
	set_cmd 'sleep 1000'
	create_ctr "$CID"
	wait_file "$T/listener.out"
	jq -e --arg id "$CID" '.fds == 1 and .pid > 0 and .id == $id and .metadata == "meta-1" and .names == ["seccompFd"]' "$T/listener.out"
}

@test "seccomp: a syscall the profile doesn't know fails with ENOSYS; left-out and explicit ones keep theirs" {
	use_sysno
	# docker's profile (default EPERM) without getppid (110), and getpgrp (111) given EACCES
	cfg --slurpfile p "$FIXTURES/seccomp-docker-default.json" '.linux.seccomp = ($p[0]
		| .syscalls |= map(.names -= ["getppid", "getpgrp"])
		| .syscalls += [{names: ["getpgrp"], action: "SCMP_ACT_ERRNO", errnoRet: 13}])'
	# 1000: a number no architecture has; 0x40000000 + 1000: the same through x32;
	# 39 (getpid) allowed; clone3 (435) the profile's own ENOSYS rule
	cfg '.process.args = ["/sysno", "1000", "1073742824", "110", "111", "39", "435"]'
	run rt run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1000=38"* ]]
	[[ $output == *"1073742824=38"* ]]
	[[ $output == *"110=1"* ]]
	[[ $output == *"111=13"* ]]
	[[ $output == *"39=0"* ]]
	[[ $output == *"435=38"* ]]
}

@test "seccomp: the ENOSYS rule covers the native architecture when the profile lists none" {
	use_sysno
	is_runc && skip "runc 1.1 puts the ENOSYS stub only on the profile's listed architectures"
	cfg --slurpfile p "$FIXTURES/seccomp-docker-default.json" '.linux.seccomp = ($p[0] | del(.architectures)
		| .syscalls |= map(.names -= ["getppid"]))'
	cfg '.process.args = ["/sysno", "1000", "110", "39"]'
	run rt run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1000=38"* ]]
	[[ $output == *"110=1"* ]]
	[[ $output == *"39=0"* ]]
}
