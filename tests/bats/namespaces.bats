#!/usr/bin/env bats
# Namespaces, seen from inside the container: new ones, joined ones, user namespace mappings.

load helpers

# ns_inside: print "TYPE LINK" for each namespace of the container's process.
ns_inside() {
	set_cmd 'for n in cgroup ipc mnt net pid uts user; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
}

host_ns() { readlink "/proc/$$/ns/$1"; }
inside_ns() { printf '%s\n' "${lines[@]}" | awk -v n="$1" '$1 == n { print $2 }'; }

@test "namespaces: each configured one is new, the others are the host's" {
	ns_inside
	for n in cgroup ipc mnt net pid uts; do
		[ -n "$(inside_ns $n)" ]
		[ "$(inside_ns $n)" != "$(host_ns $n)" ] || { echo "$n is the host's"; return 1; }
	done
	[ "$(inside_ns user)" = "$(host_ns user)" ]
}

@test "namespaces: without network and uts entries the host's are shared" {
	cfg '.linux.namespaces -= [{"type": "network"}, {"type": "uts"}] | del(.hostname)'
	ns_inside
	[ "$(inside_ns net)" = "$(host_ns net)" ]
	[ "$(inside_ns uts)" = "$(host_ns uts)" ]
	[ "$(inside_ns pid)" != "$(host_ns pid)" ]
}

@test "pid namespace: the container's process is pid 1 and sees only its own processes" {
	set_cmd 'echo $$; ls -d /proc/[0-9]* | wc -l'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" -le 3 ]
}

@test "network namespace: a new one has only lo" {
	set_cmd 'ls /sys/class/net'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
}

@test "network namespace: joined by path" {
	touch "$T/netns"
	on_teardown "umount '$T/netns'"
	unshare --net="$T/netns" true
	ino=$(stat -L -c %i "$T/netns")
	cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]' --arg p "$T/netns"
	set_cmd 'readlink /proc/self/ns/net'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "net:[$ino]" ]
}

@test "network namespace: joined by path, links made there are visible inside" {
	touch "$T/netns"
	on_teardown "umount '$T/netns'"
	unshare --net="$T/netns" ip link add bats0 type veth peer name bats1
	cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]' --arg p "$T/netns"
	set_cmd 'ls /sys/class/net | sort | tr "\n" " "'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "bats0 bats1 lo " ]
}

@test "uts namespace: joined by path of another container's" {
	set_cmd 'exec sleep 1000'
	cfg '.hostname = "first"'
	create_ctr "$CID-a"
	pid=$(ctr_pid "$CID-a")
	cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "uts" then .path = $p else . end] | del(.hostname)' --arg p "/proc/$pid/ns/uts"
	set_cmd 'hostname'
	run rt run --bundle "$BUNDLE" "$CID-b"
	[ "$status" -eq 0 ]
	[ "$output" = first ]
}

@test "user namespace: uid and gid mappings are applied" {
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	set_cmd 'cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "$(echo ${lines[1]})" = "0 200000 65536" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" != "$(readlink /proc/$$/ns/user)" ]
}

@test "user namespace: the process runs as the mapped host uid" {
	share_dir
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'touch /shared/made-inside'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$T/shared/made-inside")" = 101000:101000 ]
}

@test "user namespace: several mapping ranges" {
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 300000, "size": 10}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_cmd 'cat /proc/self/uid_map'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 1000" ]
	[ "$(echo ${lines[1]})" = "1000 300000 10" ]
}

@test "cgroup namespace: the container sees its cgroup as the root" {
	set_cmd 'cat /proc/self/cgroup'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	# every hierarchy's path is / inside a new cgroup namespace
	[ -n "$output" ]
	[ -z "$(printf '%s\n' "${lines[@]}" | awk -F: '$3 != "/"')" ]
}

@test "ipc namespace: a new one has no host SysV objects" {
	set_cmd 'cat /proc/sysvipc/shm | wc -l'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" -eq 1 ]
}

@test "time namespace: offsets apply to CLOCK_MONOTONIC and CLOCK_BOOTTIME" {
	# runc 1.1.5 has no time namespace support (it came in runc 1.2).
	if is_runc; then skip "runc 1.1.5 does not support the time namespace"; fi
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	cfg '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 864000, "nanosecs": 0}, "boottime": {"secs": 864000, "nanosecs": 0}}'
	set_cmd 'cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
	host_up=$(cut -d. -f1 /proc/uptime)
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -ge $((host_up + 864000)) ]
	[ "${lines[1]}" != "$(readlink /proc/$$/ns/time)" ]
}

@test "mount namespace: without one the container shares ours, and delete takes its mounts away" {
	if is_runc; then skip "runc 1.1.5 fails (and leaks mounts) without a mount namespace here"; fi
	cfg '.linux.namespaces |= map(select(.type != "mount"))'
	set_cmd 'readlink /proc/self/ns/mnt; exec sleep 1000'
	local before
	before=$(grep -c . /proc/self/mountinfo)
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" running
	[ "$(readlink /proc/"$(ctr_pid "$CID")"/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ]
	# its /proc and /dev are in our namespace, under the rootfs
	grep -q " $BUNDLE/rootfs/proc " /proc/self/mountinfo
	rt delete --force "$CID"
	! grep -q " $BUNDLE/rootfs" /proc/self/mountinfo
	[ "$(grep -c . /proc/self/mountinfo)" -eq "$before" ]
}

@test "mount namespace: without one, a rootfs that is itself a mount point is left mounted" {
	if is_runc; then skip "runc 1.1.5 fails (and leaks mounts) without a mount namespace here"; fi
	cfg '.linux.namespaces |= map(select(.type != "mount"))'
	set_cmd 'true'
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	on_teardown "umount -l '$BUNDLE/rootfs' 2>/dev/null"
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	# our own bind is still there, exactly once
	[ "$(grep -c " $BUNDLE/rootfs " /proc/self/mountinfo)" -eq 1 ]
	umount "$BUNDLE/rootfs"
}
