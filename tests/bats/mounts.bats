#!/usr/bin/env bats
# Root and mounts: bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup; masked and readonly paths;
# devices; propagation; symlinks in the rootfs.

load helpers

# mnt_line DEST: the container's /proc/self/mountinfo line for mount point DEST (from $output).
mnt_line() { printf '%s\n' "${lines[@]}" | awk -v d="$1" '$5 == d' | tail -1; }

@test "mounts: the default filesystems are mounted with their types" {
	set_cmd 'cat /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $(mnt_line /proc) == *" - proc "* ]]
	[[ $(mnt_line /dev) == *" - tmpfs "* ]]
	[[ $(mnt_line /dev/pts) == *" - devpts "* ]]
	[[ $(mnt_line /dev/shm) == *" - tmpfs "* ]]
	[[ $(mnt_line /dev/mqueue) == *" - mqueue "* ]]
	[[ $(mnt_line /sys) == *" - sysfs "* ]]
	[ -n "$(printf '%s\n' "${lines[@]}" | awk '$5 ~ "^/sys/fs/cgroup"')" ]
}

@test "mounts: options nosuid, nodev, noexec, ro are applied" {
	set_cmd 'cat /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	l=$(mnt_line /dev/shm)
	[[ $l == *nosuid* && $l == *nodev* && $l == *noexec* ]]
	l=$(mnt_line /sys)
	[[ $(echo "$l" | awk '{print $6}') == ro,* ]]
	l=$(mnt_line /dev/pts)
	[[ $l == *ptmxmode=666* && $l == *mode=620* ]]
}

@test "mounts: tmpfs with size and mode" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m", "mode=1770"]}'
	set_cmd 'grep " /scratch " /proc/mounts; stat -c %a /scratch'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "tmpfs /scratch tmpfs "* ]]
	[[ ${lines[0]} == *size=1024k* && ${lines[0]} == *mode=1770* && ${lines[0]} == *nosuid* ]]
	[ "${lines[1]}" = 1770 ]
}

@test "mounts: a tmpfs is writable on a readonly root" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}'
	set_cmd 'echo hi > /scratch/f && cat /scratch/f'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "mounts: bind of a host dir, read-write" {
	mkdir "$T/host"
	echo host-data >"$T/host/in"
	add_mount "{\"destination\": \"/mnt/rw\", \"type\": \"bind\", \"source\": \"$T/host\", \"options\": [\"rbind\", \"rw\"]}"
	set_cmd 'cat /mnt/rw/in; echo container-data > /mnt/rw/out'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = host-data ]
	[ "$(cat "$T/host/out")" = container-data ]
}

@test "mounts: bind of a host dir, read-only" {
	mkdir "$T/host"
	echo host-data >"$T/host/in"
	add_mount "{\"destination\": \"/mnt/ro\", \"type\": \"bind\", \"source\": \"$T/host\", \"options\": [\"bind\", \"ro\"]}"
	set_cmd 'cat /mnt/ro/in; echo x > /mnt/ro/out 2>&1 || echo write-failed'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = host-data ]
	[[ $output == *"Read-only file system"* ]]
	[ ! -e "$T/host/out" ]
	# the host's view of the dir stays writable
	touch "$T/host/still-rw"
}

@test "mounts: bind of a single file" {
	echo file-data >"$T/file"
	add_mount "{\"destination\": \"/etc/bound\", \"type\": \"bind\", \"source\": \"$T/file\", \"options\": [\"bind\", \"ro\"]}"
	set_cmd 'cat /etc/bound'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = file-data ]
}

@test "mounts: rbind carries submounts, bind does not" {
	mkdir -p "$T/host/sub"
	mount -t tmpfs bats-sub "$T/host/sub"
	on_teardown "umount '$T/host/sub'"
	echo sub-data >"$T/host/sub/f"
	add_mount "{\"destination\": \"/mnt/r\", \"type\": \"bind\", \"source\": \"$T/host\", \"options\": [\"rbind\"]}"
	add_mount "{\"destination\": \"/mnt/b\", \"type\": \"bind\", \"source\": \"$T/host\", \"options\": [\"bind\"]}"
	set_cmd 'cat /mnt/r/sub/f; ls /mnt/b/sub | wc -l'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = sub-data ]
	[ "${lines[1]}" = 0 ]
}

@test "mounts: applied in order (a later mount covers an earlier one)" {
	add_mount '{"destination": "/stack", "type": "tmpfs", "source": "first", "options": ["size=1m"]}'
	add_mount '{"destination": "/stack", "type": "tmpfs", "source": "second", "options": ["size=3m"]}'
	set_cmd 'grep " /stack " /proc/mounts; df -k /stack | tail -1'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "first /stack tmpfs "*size=1024k* ]]
	[[ ${lines[1]} == "second /stack tmpfs "*size=3072k* ]]
	[ "$(echo "${lines[2]}" | awk '{print $2}')" -eq 3072 ]
}

@test "mounts: a nested destination is created inside an earlier mount" {
	add_mount '{"destination": "/outer", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/outer/a/b/inner", "type": "tmpfs", "source": "tmpfs", "options": ["size=2m"]}'
	set_cmd 'grep " /outer/a/b/inner " /proc/mounts'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *size=2048k* ]]
}

@test "mounts: bind propagation option (rslave) is accepted" {
	mkdir "$T/host"
	add_mount "{\"destination\": \"/mnt/p\", \"type\": \"bind\", \"source\": \"$T/host\", \"options\": [\"rbind\", \"rslave\"]}"
	set_cmd 'grep " /mnt/p " /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
}

@test "mounts: relatime family and noatime" {
	add_mount '{"destination": "/na", "type": "tmpfs", "source": "tmpfs", "options": ["noatime"]}'
	add_mount '{"destination": "/sa", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime"]}'
	set_cmd 'cat /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $(mnt_line /na) == *noatime* ]]
	[[ $(mnt_line /sa) != *relatime* && $(mnt_line /sa) != *noatime* ]]
}

@test "mounts: nothing the container mounts shows up on the host" {
	mkdir "$T/host"
	add_mount "{\"destination\": \"/mnt/rw\", \"type\": \"bind\", \"source\": \"$T/host\", \"options\": [\"rbind\"]}"
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}'
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	[ -z "$(awk -v t="$T/" 'index($5, t) == 1' /proc/self/mountinfo)" ]
}

# first_existing PATH...: the first PATH that exists on the host (kernels differ).
first_existing() {
	local p
	for p in "$@"; do [[ -e $p ]] && { echo "$p"; return 0; }; done
	return 1
}

@test "maskedPaths: a masked file reads empty, a masked dir is empty" {
	f=$(first_existing /proc/kcore /proc/keys /proc/timer_list)
	d=$(first_existing /sys/firmware /proc/acpi)
	[ -n "$(head -c1 "$f")" ] || [ "$f" = /proc/kcore ]
	[ -n "$(ls -A "$d")" ]
	cfg '.linux.maskedPaths = [$f, $d]' --arg f "$f" --arg d "$d"
	set_cmd "wc -c < $f; ls -A $d | wc -l; touch $d/x 2>&1"
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" -eq 0 ]
	[ "${lines[1]}" -eq 0 ]
	[[ ${lines[2]} == *"Read-only file system"* ]]
}

@test "maskedPaths: a path not listed is visible" {
	[ -n "$(ls -A /sys/firmware)" ] || skip "the host's /sys/firmware is empty"
	cfg '.linux.maskedPaths = ["/proc/kcore"]'
	set_cmd 'ls -A /sys/firmware | wc -l'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" -gt 0 ]
}

@test "maskedPaths: a path that does not exist is ignored" {
	cfg '.linux.maskedPaths += ["/proc/no-such-thing"]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
}

@test "readonlyPaths: writing /proc/sys fails, read works" {
	set_cmd 'err=$( { echo 1 > /proc/sys/kernel/domainname; } 2>&1 ); echo "$err"; cat /proc/sys/kernel/ostype; grep " /proc/sys " /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"Read-only file system"* ]]
	[ "${lines[1]}" = Linux ]
	[[ $(echo "${lines[2]}" | awk '{print $6}') == ro,* ]]
}

@test "readonlyPaths: a listed dir is read-only, others are not" {
	cfg '.linux.readonlyPaths = ["/proc/bus"]'
	set_cmd 'cat /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $(mnt_line /proc/bus | awk '{print $6}') == ro,* ]]
	[[ $(mnt_line /proc | awk '{print $6}') == rw,* ]]
	[ -z "$(mnt_line /proc/sys)" ]
}

@test "devices: the default devices exist as char devices" {
	set_cmd 'for d in null zero full random urandom tty; do [ -c /dev/$d ] && stat -c "$d %t:%T" /dev/$d || echo "$d missing"; done'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "null 1:3 zero 1:5 full 1:7 random 1:8 urandom 1:9 tty 5:0" ]
}

@test "devices: the default devices work" {
	set_cmd 'echo x > /dev/null && head -c 4 /dev/zero | od -An -tx1 && head -c 8 /dev/urandom | wc -c && { echo x > /dev/full; } 2>&1 || true'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "00 00 00 00" ]
	[ "${lines[1]}" = 8 ]
	[[ ${lines[2]} == *"No space left"* ]]
}

@test "devices: a mknod refused with EPERM falls back to binding the host's node" {
	# What a device filter on a parent cgroup does (a podman pod's, on cgroup v2): the
	# container may use /dev/null but not mknod it.  Here a seccomp filter on the runtime
	# makes mknod fail with EPERM.  (runc 1.1.5 fails earlier under this filter.)
	[[ $RUNTIME_KIND != runc ]] || skip "runc 1.1.5 fails under a no-mknod filter before its fallback"
	cat >"$T/no-mknod.py" <<-'EOF'
		import ctypes, errno, os, sys
		s = ctypes.CDLL("libseccomp.so.2")
		s.seccomp_init.restype = ctypes.c_void_p
		ctx = ctypes.c_void_p(s.seccomp_init(0x7FFF0000))  # allow the rest
		for name in (b"mknodat", b"mknod"):
		    assert s.seccomp_rule_add(ctx, 0x00050000 | errno.EPERM, s.seccomp_syscall_resolve_name(name), 0) == 0
		assert s.seccomp_load(ctx) == 0
		os.execvp(sys.argv[1], sys.argv[1:])
	EOF
	printf '#!/bin/sh\nexec python3 %s %s "$@"\n' "$T/no-mknod.py" "$RUNTIME" >"$T/rt-no-mknod"
	chmod +x "$T/rt-no-mknod"
	set_cmd 'stat -c "%F %t:%T" /dev/null /dev/zero; echo x > /dev/null && head -c 2 /dev/zero | wc -c'
	RUNTIME=$T/rt-no-mknod run rt run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3" ]
	[ "${lines[1]}" = "character special file 1:5" ]
	[ "${lines[2]}" = 2 ]
}

@test "devices: /dev symlinks fd, stdin, stdout, stderr, ptmx" {
	set_cmd 'for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fd /proc/self/fd" ]
	[ "${lines[1]}" = "stdin /proc/self/fd/0" ]
	[ "${lines[2]}" = "stdout /proc/self/fd/1" ]
	[ "${lines[3]}" = "stderr /proc/self/fd/2" ]
	[ "${lines[4]}" = "ptmx pts/ptmx" ]
}

@test "devices: /dev/stdout works through the symlink" {
	set_cmd 'echo via-symlink > /dev/stdout'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = via-symlink ]
}

@test "devices: /dev holds nothing from the host" {
	set_cmd '[ -e /dev/vda ] || [ -e /dev/sda ] || [ -e /dev/mem ] || [ -e /dev/kmsg ] && echo leaked || echo clean'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = clean ]
}

@test "linux.devices: adds a device node with its mode and owner" {
	cfg '.linux.devices = [{"path": "/dev/bats-null", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 12, "gid": 34}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_cmd 'stat -c "%F %t:%T %a %u:%g" /dev/bats-null; echo x > /dev/bats-null && echo written'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3 666 12:34" ]
	[ "${lines[1]}" = written ]
}

@test "linux.devices: a device in a subdirectory" {
	cfg '.linux.devices = [{"path": "/dev/sub/dir/zero", "type": "c", "major": 1, "minor": 5}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]'
	set_cmd 'head -c 2 /dev/sub/dir/zero | od -An -tx1'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "00 00" ]
}

@test "rootfsPropagation: private" {
	cfg '.linux.rootfsPropagation = "private"'
	set_cmd 'awk "\$5 == \"/\"" /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output != *shared:* && $output != *master:* ]]
}

@test "rootfsPropagation: shared" {
	# runc 1.1.5 makes the rootfs mount private again before pivot_root (it takes the rootfs
	# bind for the "parent mount"), so "shared" never reaches the container's root.
	if is_runc; then skip "runc 1.1.5 drops rootfsPropagation shared"; fi
	cfg '.linux.rootfsPropagation = "shared"'
	set_cmd 'awk "\$5 == \"/\"" /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *shared:* ]]
}

@test "rootfsPropagation: rslave" {
	cfg '.linux.rootfsPropagation = "rslave"'
	set_cmd 'awk "\$5 == \"/\"" /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output != *shared:* ]]
}

@test "rootfsPropagation: unbindable" {
	# runc 1.1.5 applies unbindable before bind-mounting the rootfs, which the kernel refuses
	if is_runc; then skip "runc 1.1.5 fails rootfsPropagation unbindable"; fi
	cfg '.linux.rootfsPropagation = "unbindable"'
	set_cmd 'awk "\$5 == \"/\"" /proc/self/mountinfo'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *unbindable* ]]
}

@test "symlink in the rootfs: a mount destination cannot be redirected to the host" {
	# rootfs/evil -> $T/host-target (absolute, so it would name a host path if followed
	# outside the rootfs).  The mount must land at rootfs/$T/host-target, not on the host.
	ln -s "$T/host-target" "$BUNDLE/rootfs/evil"
	cfg '.root.readonly = false'
	add_mount '{"destination": "/evil", "type": "tmpfs", "source": "bats-evil", "options": ["size=1m"]}'
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	pid=$(ctr_pid "$CID")
	# not on the host, and the host path was not even created
	[ ! -e "$T/host-target" ]
	[ -z "$(awk -v t="$T/host-target" '$5 == t' /proc/self/mountinfo)" ]
	# inside, the tmpfs is where the symlink resolves within the rootfs
	grep -q " $T/host-target .* - tmpfs bats-evil " "/proc/$pid/mountinfo"
}

@test "symlink in the rootfs: a relative ../ symlink stays inside the rootfs" {
	ln -s ../../../../../../../../../../"$T"/host-target2 "$BUNDLE/rootfs/evil2"
	cfg '.root.readonly = false'
	add_mount '{"destination": "/evil2", "type": "tmpfs", "source": "bats-evil2"}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[ ! -e "$T/host-target2" ]
	[ -z "$(awk -v t="$T/host-target2" '$5 == t' /proc/self/mountinfo)" ]
}

@test "symlink in the rootfs: a bind source outside the rootfs is not written through a symlinked destination" {
	mkdir "$T/victim"
	ln -s "$T/victim" "$BUNDLE/rootfs/evil3"
	mkdir "$T/src"
	touch "$T/src/payload"
	cfg '.root.readonly = false'
	add_mount "{\"destination\": \"/evil3\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"bind\"]}"
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	pid=$(ctr_pid "$CID")
	# the host dir got nothing, and no mount
	[ -z "$(ls -A "$T/victim")" ]
	[ -z "$(awk -v t="$T/victim" '$5 == t' /proc/self/mountinfo)" ]
	# inside, the bind is where the symlink resolves within the rootfs
	[ -n "$(awk -v t="$T/victim" '$5 == t' "/proc/$pid/mountinfo")" ]
	[ -e "$BUNDLE/rootfs/$T/victim/payload" ] || nsenter -t "$pid" -m test -e "$T/victim/payload"
}

@test "mounts: a read-only /dev tmpfs with /dev/pts, /dev/shm, /dev/mqueue after it" {
	# the later mounts and the default devices are made first, /dev goes read-only at the end
	cfg '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	set_cmd 'grep " /dev " /proc/self/mounts | grep -q "[ ,]ro[ ,]" && echo dev-ro
		touch /dev/x 2>/dev/null || echo dev-not-writable
		[ -c /dev/null ] && echo > /dev/null && echo null-ok
		[ -c /dev/pts/ptmx ] && echo pts-ok
		grep -q " /dev/shm tmpfs rw" /proc/self/mounts && touch /dev/shm/f && echo shm-rw
		grep -q " /dev/mqueue mqueue" /proc/self/mounts && echo mqueue-ok'
	run rt run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	for w in dev-ro dev-not-writable null-ok pts-ok shm-rw mqueue-ok; do
		[[ $output == *$w* ]]
	done
}

@test "mounts: a read-only tmpfs with a later mount nested in it" {
	cfg '.root.readonly = true'
	add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "mode=755"]}'
	add_mount '{"destination": "/data/inner/deep", "type": "tmpfs", "source": "tmpfs", "options": ["rw"]}'
	set_cmd 'touch /data/x 2>/dev/null || echo outer-ro
		touch /data/inner/deep/y && echo inner-rw'
	run rt run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *outer-ro* ]]
	[[ $output == *inner-rw* ]]
}

# The container's root (host uid 100000) can't reach a source under a 0700 host-root directory;
# the runtime opens the source before the container enters its user namespace.
@test "user namespace: a bind source the container's root can't reach is mounted (create and exec)" {
	chown -R 100000:100000 "$BUNDLE/rootfs"
	mkdir -p "$T/locked/src" "$BUNDLE/rootfs/data" "$BUNDLE/rootfs/file"
	rmdir "$BUNDLE/rootfs/file" && touch "$BUNDLE/rootfs/file"
	echo hello >"$T/locked/src/f"
	echo single >"$T/locked/single"
	chmod 700 "$T/locked"
	chmod 755 "$T/locked/src"
	chmod 644 "$T/locked/src/f" "$T/locked/single"
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup"))'
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/locked/src\", \"options\": [\"rbind\", \"ro\"]}"
	add_mount "{\"destination\": \"/file\", \"type\": \"bind\", \"source\": \"$T/locked/single\", \"options\": [\"bind\"]}"
	set_cmd 'cat /data/f /file; touch /data/x 2>/dev/null || echo data-ro; sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	run rt exec --cwd /data "$CID" sh -c 'cat f /file'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = single ]
	run rt exec "$CID" sh -c 'touch /data/x 2>/dev/null || echo data-ro'
	[ "$output" = data-ro ]
}
