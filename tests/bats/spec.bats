#!/usr/bin/env bats
# spec: the default config.json.

load helpers

@test "spec: writes a valid config.json in the cwd" {
	mkdir "$T/s"
	cd "$T/s"
	run "$RUNTIME" spec
	[ "$status" -eq 0 ]
	jq -e '(.ociVersion | startswith("1.")) and .root.path == "rootfs"
		and (.process.args | length > 0) and (.process.cwd | startswith("/"))
		and ([.linux.namespaces[].type] | index("mount") and index("pid"))
		and (.mounts | map(.destination) | index("/proc") and index("/dev"))' config.json
	[ "$(ls -A)" = config.json ]
}

@test "spec --bundle DIR: writes DIR/config.json, not in the cwd" {
	mkdir "$T/s" "$T/cwd"
	cd "$T/cwd"
	run "$RUNTIME" spec --bundle "$T/s"
	[ "$status" -eq 0 ]
	jq -e .ociVersion "$T/s/config.json"
	[ -z "$(ls -A "$T/cwd")" ]
}

@test "spec --bundle=DIR and -b DIR" {
	mkdir "$T/s1" "$T/s2"
	run "$RUNTIME" spec --bundle="$T/s1"
	[ "$status" -eq 0 ]
	run "$RUNTIME" spec -b "$T/s2"
	[ "$status" -eq 0 ]
	jq -e .ociVersion "$T/s1/config.json" "$T/s2/config.json"
}

@test "spec: refuses to overwrite an existing config.json" {
	mkdir "$T/s"
	echo '{"mine": true}' >"$T/s/config.json"
	run "$RUNTIME" spec --bundle "$T/s"
	[ "$status" -eq 1 ]
	[[ $output == *config.json* ]]
	[ "$(cat "$T/s/config.json")" = '{"mine": true}' ]
}

@test "spec --bundle: a directory that does not exist fails" {
	run "$RUNTIME" spec --bundle "$T/nope"
	[ "$status" -eq 1 ]
	[ ! -e "$T/nope" ]
}

@test "spec --rootless: a user namespace with uid and gid mappings" {
	mkdir "$T/s"
	run "$RUNTIME" spec --rootless --bundle "$T/s"
	[ "$status" -eq 0 ]
	jq -e '([.linux.namespaces[].type] | index("user"))
		and (.linux.uidMappings | length > 0) and (.linux.gidMappings | length > 0)
		and (.linux.uidMappings[0].containerID == 0)' "$T/s/config.json"
	# the mapping is for the caller's own uid
	jq -e --argjson u "$(id -u)" '.linux.uidMappings[0].hostID == $u' "$T/s/config.json"
	# the default spec has no user namespace
	mkdir "$T/d"
	"$RUNTIME" spec --bundle "$T/d"
	jq -e '[.linux.namespaces[].type] | index("user") | not' "$T/d/config.json"
}

@test "spec: the default config runs the busybox rootfs" {
	mkdir "$T/s"
	cp -a "$BUNDLE/rootfs" "$T/s/rootfs"
	"$RUNTIME" spec --bundle "$T/s"
	BUNDLE=$T/s cfg '.process.terminal = false | .process.args = ["sh", "-c", "echo spec-ok"]
		| .process.env += ["BATS_LEAK_TAG=" + $t]' --arg t "$TID"
	run rt run --bundle "$T/s" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = spec-ok ]
}
