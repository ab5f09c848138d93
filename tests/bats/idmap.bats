#!/usr/bin/env bats
# Idmapped bind mounts ("idmap" option, or uidMappings/gidMappings on the mount).

load helpers

setup() {
	berth_setup
	is_runc && skip "runc 1.1 has no idmapped mounts"
	mkdir -p "$T/src"
	echo hi >"$T/src/f"
	chown 0:0 "$T/src/f"
	set_cmd 'ls -ln /mnt/mapped/f /mnt/plain/f | awk "{print \$3\":\"\$4\" \"\$NF}"'
}

@test "idmap: with the container's user namespace mappings, host root's file is the container root's" {
	chown -R 100000:100000 "$BUNDLE/rootfs"
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup"))'
	add_mount "{\"destination\": \"/mnt/mapped\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"bind\", \"idmap\"]}"
	add_mount "{\"destination\": \"/mnt/plain\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"bind\"]}"
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0:0 /mnt/mapped/f" ]
	[ "${lines[1]}" = "65534:65534 /mnt/plain/f" ]
}

@test "idmap: the mount's own uidMappings apply without a user namespace" {
	add_mount "{\"destination\": \"/mnt/mapped\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"bind\"],
		\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1234, \"size\": 1}],
		\"gidMappings\": [{\"containerID\": 0, \"hostID\": 4321, \"size\": 1}]}"
	add_mount "{\"destination\": \"/mnt/plain\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"bind\"]}"
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1234:4321 /mnt/mapped/f" ]
	[ "${lines[1]}" = "0:0 /mnt/plain/f" ]
}

@test "idmap: without any mapping it fails, naming the mount, and leaves nothing" {
	add_mount "{\"destination\": \"/mnt/mapped\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"bind\", \"idmap\"]}"
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *'.mounts['*'idmap needs uidMappings'* ]]
	[ -z "$(rt list -q)" ]
}

@test "idmap: only bind mounts can be idmapped" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}'
	cfg '.mounts[-1].uidMappings = [{"containerID": 0, "hostID": 1, "size": 1}] | .mounts[-1].gidMappings = [{"containerID": 0, "hostID": 1, "size": 1}]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *'must be bind mounts'* ]]
}
