#!/usr/bin/env bats
# Protections against known container escapes, each reproducing the attack.

load helpers

# CVE-2019-5736: until execve, the container's init (and an exec'd process) is
# runtime code inside the container's pid namespace; the container must not be
# able to reach the runtime binary through /proc/PID/exe, nor its fds.
@test "CVE-2019-5736: a created container's init exe and fds are out of the container's reach" {
	set_cmd 'true'
	cp "$RUNTIME" "$T/runtime-copy"
	create_ctr "$CID"
	run rt exec "$CID" sh -c '
		readlink /proc/1/exe && echo LINK-READ
		cat /proc/1/exe >/dev/null 2>&1 && echo EXE-READ
		(echo x >>/proc/1/exe) 2>/dev/null && echo EXE-WRITTEN
		for f in /proc/1/fd/*; do cat "$f" </dev/null >/dev/null 2>&1 && echo "FD-OPENED $f"; done
		cd /proc/1/cwd 2>/dev/null && echo CWD-ENTERED
		echo done'
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = done ]
	[[ $output != *EXE-WRITTEN* ]]
	# runc runs its init from a sealed memfd copy, so reading it is harmless
	# there; berth's init is not dumpable, so none of it is reachable
	if is_berth; then
		[[ $output != *LINK-READ* && $output != *EXE-READ* ]]
		[[ $output != *FD-OPENED* && $output != *CWD-ENTERED* ]]
	fi
	cmp "$RUNTIME" "$T/runtime-copy"
}

# The same with every capability inside a user namespace: the process then holds
# all the capabilities the init has (so only the init's not being dumpable keeps
# it out), but none over the host.
@test "CVE-2019-5736: in a user namespace with all capabilities, the init's exe is still out of reach" {
	chown -R 100000:100000 "$BUNDLE/rootfs"
	local all
	# every capability the runtime itself may give (its bounding set)
	all=$(capsh --decode="$(awk '/^CapBnd/ {print $2}' /proc/self/status)" | sed 's/.*=//' | tr , '\n' |
		tr a-z A-Z | jq -R . | jq -sc .)
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c}
		| .mounts |= map(select(.type != "cgroup"))' --argjson c "$all"
	set_cmd 'true'
	cp "$RUNTIME" "$T/runtime-copy"
	create_ctr "$CID"
	run rt exec "$CID" sh -c '
		grep CapEff /proc/self/status
		readlink /proc/1/exe && echo LINK-READ
		(echo x >>/proc/1/exe) 2>/dev/null && echo EXE-WRITTEN
		echo done'
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = done ]
	[[ $output == *"CapEff:	$(awk '/^CapBnd/ {print $2}' /proc/self/status)"* ]]
	[[ $output != *EXE-WRITTEN* ]]
	is_berth || return 0
	[[ $output != *LINK-READ* ]]
	cmp "$RUNTIME" "$T/runtime-copy"
}

# CVE-2024-21626: no fd of the runtime (or of its caller) may reach the
# container, and process.cwd must not resolve outside the rootfs through one.
@test "CVE-2024-21626: no fd of the runtime or of its caller leaks into the container" {
	set_cmd 'ls /proc/self/fd | sort -n | tr "\n" " "'
	exec 7</ 8>"$T/caller-fd"
	run rt run --bundle "$BUNDLE" "$CID"
	exec 7<&- 8>&-
	[ "$status" -eq 0 ]
	# 0 1 2 and the fd ls itself opened on /proc/self/fd
	[ "$output" = "0 1 2 3 " ]
}

@test "CVE-2024-21626: process.cwd through /proc/self/fd/N never lands outside the rootfs" {
	echo host-secret >"$T/secret"
	for n in 3 4 5 6 7 8 9 10; do
		cfg '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		set_cmd 'pwd; cat secret 2>/dev/null; cat ../secret 2>/dev/null; ls /proc/self/cwd/ 2>/dev/null | head -3'
		run rt run --bundle "$BUNDLE" "$CID-$n"
		[[ $output != *host-secret* ]]
		[[ $output != *unreachable* ]]
		rt delete --force "$CID-$n" 2>/dev/null || true
	done
}

@test "CVE-2024-21626: exec --cwd through /proc/self/fd/N never lands outside the rootfs" {
	echo host-secret >"$T/secret"
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	for n in 3 4 5 6 7 8 9 10; do
		run rt exec --cwd "/proc/self/fd/$n" "$CID" sh -c 'pwd; cat secret 2>/dev/null; cat ../secret 2>/dev/null'
		[[ $output != *host-secret* ]]
		[[ $output != *unreachable* ]]
	done
}

# CVE-2021-30465: mount destinations are resolved inside the rootfs; a symlink
# swapped in while the runtime mounts can't send a mount onto the host.  Race
# it: a loop in the rootfs flips a path between a directory and a symlink to a
# host directory while containers with a mount there are created.
@test "CVE-2021-30465: racing a symlink swap on a mount destination never mounts on the host" {
	mkdir -p "$T/host-dir"
	touch "$T/host-dir/untouched"
	cfg '.root.readonly = false'
	add_mount '{"destination": "/race/target", "type": "tmpfs", "source": "race", "options": ["size=1m"]}'
	set_cmd 'true'
	mkdir -p "$BUNDLE/rootfs/race"
	(
		set +e
		while :; do
			rm -rf "$BUNDLE/rootfs/race/target"
			mkdir "$BUNDLE/rootfs/race/target"
			rm -rf "$BUNDLE/rootfs/race/target"
			ln -s "$T/host-dir" "$BUNDLE/rootfs/race/target"
		done 2>/dev/null
	) &
	local flipper=$!
	on_teardown "kill $flipper 2>/dev/null; wait $flipper 2>/dev/null"
	for i in $(seq 1 20); do
		rt run --bundle "$BUNDLE" "$CID-$i" >/dev/null 2>&1 || true
		rt delete --force "$CID-$i" >/dev/null 2>&1 || true
	done
	kill "$flipper"
	wait "$flipper" 2>/dev/null || true
	# the host dir was never covered by a mount, and still has its file
	! grep -q " $T/host-dir " /proc/self/mountinfo
	[ -e "$T/host-dir/untouched" ]
}

# in_tty CMD...: CMD with a terminal (script(1)'s pty) as its stdio and controlling terminal,
# as runc wants for `run`/`exec -t` without --console-socket; none of bats's fds go along.
in_tty() {
	(_exec_clean timeout -k 5 30 script -qec "$(printf '%q ' "$@")" /dev/null </dev/null)
}

@test "a pty given to a non-root process (run, exec -t) is owned by that user" {
	command -v script >/dev/null || skip "script(1) is needed for a terminal"
	cfg '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
	set_cmd 'stat -c "owner=%u" "$(tty)"'
	run in_tty "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[[ $output == *owner=1000* ]]

	cfg '.process.terminal = false | .process.user = {uid: 0, gid: 0}'
	set_cmd 'sleep 1000'
	create_ctr "$CID-x"
	rt start "$CID-x"
	run in_tty "$RUNTIME" --root "$ROOT" exec -t --user 1001:1001 "$CID-x" sh -c 'stat -c "owner=%u" "$(tty)"'
	echo "$output"
	[[ $output == *owner=1001* ]]
}

# --no-pivot leaves the host's root (with its /proc and /sys) in the container's mount namespace,
# under the chroot.  The kernel lets a user namespace mount a fresh proc or sysfs only while a
# fully visible one is in its mount namespace; the container's own have masked paths on them,
# the host's don't: through them a nested user namespace could mount a bare /proc (runc's
# no_pivot.bats does the same).
@test "--no-pivot: the container can't mount a fresh /proc or /sys past the masked ones" {
	cfg '.process.capabilities.bounding += ["CAP_SETFCAP"] | .process.capabilities.permitted += ["CAP_SETFCAP"]
		| .process.capabilities.effective += ["CAP_SETFCAP"]'
	set_cmd 'unshare -mrpf sh -c "mount -t proc none /proc && echo PROC-MOUNTED; mount -t sysfs none /sys && echo SYSFS-MOUNTED; echo done"'
	run rt run --no-pivot --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = done ]
	[[ $output != *PROC-MOUNTED* ]]
	[[ $output != *SYSFS-MOUNTED* ]]
}

# CVE-2023-28642: with /proc (or /sys) a symlink in the rootfs, proc would be mounted where the
# link points and the masked and read-only paths, applied under /proc, would miss it.
@test "CVE-2023-28642: a rootfs whose /proc or /sys is a symlink is refused" {
	local d
	for d in proc sys; do
		rm -rf "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/sys" "$BUNDLE/rootfs/elsewhere"
		mkdir -p "$BUNDLE/rootfs/elsewhere" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/sys"
		rm -rf "$BUNDLE/rootfs/$d"
		ln -s elsewhere "$BUNDLE/rootfs/$d"
		run create_ctr "$CID-$d"
		echo "$output"
		[ "$status" -ne 0 ]
		if is_berth; then [[ $output == *"/$d"* ]]; fi
		[ -z "$(rt list -q)" ]
		[ -z "$(ls -A "$BUNDLE/rootfs/elsewhere")" ]
	done
}
