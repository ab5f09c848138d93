#!/usr/bin/env bats
# list: table, -q, --format json.

load helpers

@test "list: empty root, table has only the header" {
	run rt list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == ID* && ${lines[0]} == *STATUS* && ${lines[0]} == *PID* ]]
}

@test "list -q: empty root prints nothing" {
	run rt list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "list --format json: empty root is an empty list" {
	run rt list --format json
	[ "$status" -eq 0 ]
	# runc prints null, berth []
	echo "$output" | jq -e 'length == 0'
	if is_berth; then [ "$(echo "$output" | jq -c .)" = '[]' ]; fi
}

@test "list: a root that does not exist lists nothing" {
	run "$RUNTIME" --root "$T/nope" list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "list: table has a header and one line per container" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID-a"
	create_ctr "$CID-b"
	rt start "$CID-b"
	run rt list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == ID* ]]
	pa=$(ctr_pid "$CID-a")
	pb=$(ctr_pid "$CID-b")
	printf '%s\n' "${lines[@]:1}" | grep -Eq "^$CID-a +$pa +created +$BUNDLE "
	printf '%s\n' "${lines[@]:1}" | grep -Eq "^$CID-b +$pb +running +$BUNDLE "
}

@test "list -q: prints the ids, one a line" {
	create_ctr "$CID-a"
	create_ctr "$CID-b"
	run rt list -q
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' "$CID-a" "$CID-b")" ]
	run rt list --quiet
	[ "${#lines[@]}" -eq 2 ]
}

@test "list --format json: an array of states" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID-a"
	create_ctr "$CID-b"
	rt start "$CID-b"
	run rt list --format json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg a "$CID-a" --arg b "$CID-b" --arg bundle "$BUNDLE" '
		type == "array" and length == 2
		and (map(select(.id == $a))[0] | .status == "created" and .pid > 0 and .bundle == $bundle and (.created | type == "string"))
		and (map(select(.id == $b))[0] | .status == "running" and .pid > 0)'
	[ "$(echo "$output" | jq -r --arg b "$CID-b" '.[] | select(.id == $b) | .pid')" = "$(ctr_pid "$CID-b")" ]
}

@test "list -f json and --format=json: same thing" {
	create_ctr "$CID"
	run rt list -f json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$CID" '.[0].id == $id'
	run rt list --format=json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$CID" '.[0].id == $id'
}

@test "list --format table: explicit table" {
	create_ctr "$CID"
	run rt list --format table
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == ID* ]]
	[[ ${lines[1]} == "$CID "* ]]
}

@test "list: a stopped container is listed as stopped" {
	set_cmd 'exit 0'
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" stopped
	run rt list --format json
	echo "$output" | jq -e '.[0].status == "stopped"'
}

@test "list --format: an unknown format fails" {
	run rt list --format yaml
	[ "$status" -eq 1 ]
}
