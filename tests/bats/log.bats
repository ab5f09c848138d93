#!/usr/bin/env bats
# --log and --log-format.

load helpers

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# Every line of FILE is a JSON object with string level, msg, time (RFC 3339).
assert_json_log() {
	local line t
	[ -s "$1" ]
	while IFS= read -r line; do
		echo "$line" | jq -e 'type == "object" and (.level | type == "string")
			and (.msg | type == "string") and (.time | type == "string")' >/dev/null ||
			{ echo "bad log line: $line"; return 1; }
		t=$(echo "$line" | jq -r .time)
		[[ $t =~ $RFC3339 ]] || { echo "bad time: $t"; return 1; }
	done <"$1"
}

@test "--log-format json: an error writes an error-level JSON line" {
	run rt --log "$T/log.json" --log-format json start "$TID-nope"
	[ "$status" -eq 1 ]
	assert_json_log "$T/log.json"
	jq -se 'map(select(.level == "error")) | length >= 1' "$T/log.json"
	if is_berth; then jq -se --arg id "$TID-nope" 'map(select(.level == "error" and (.msg | contains($id)))) | length >= 1' "$T/log.json"; fi
}

@test "--log=FILE --log-format=json: the = forms" {
	run rt --log="$T/log.json" --log-format=json delete "$TID-nope"
	[ "$status" -eq 1 ]
	assert_json_log "$T/log.json"
	jq -se 'map(select(.level == "error")) | length >= 1' "$T/log.json"
}

@test "--log-format json: a bad config is logged as an error" {
	cfg '.process.args = "sh"'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	run rt --log "$T/log.json" --log-format json create --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -eq 1 ]
	assert_json_log "$T/log.json"
	jq -se 'map(select(.level == "error")) | length >= 1' "$T/log.json"
	if is_berth; then jq -se 'map(select(.msg | contains(".process.args"))) | length >= 1' "$T/log.json"; fi
}

@test "--log appends to an existing file" {
	echo '{"level":"info","msg":"earlier","time":"2020-01-01T00:00:00Z"}' >"$T/log.json"
	rt --log "$T/log.json" --log-format json start "$TID-nope" || true
	rt --log "$T/log.json" --log-format json start "$TID-nope2" || true
	assert_json_log "$T/log.json"
	[ "$(head -1 "$T/log.json" | jq -r .msg)" = earlier ]
	[ "$(jq -s 'map(select(.level == "error")) | length' "$T/log.json")" -ge 2 ]
}

@test "--log-format json --debug: a successful run logs only JSON lines" {
	set_cmd 'echo hello'
	run rt --debug --log "$T/log.json" --log-format json run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	[ -s "$T/log.json" ]
	assert_json_log "$T/log.json"
	jq -se 'map(select(.level == "debug")) | length >= 1' "$T/log.json"
}

@test "--log-format text: an error is written as text" {
	run rt --log "$T/log.txt" --log-format text start "$TID-nope"
	[ "$status" -eq 1 ]
	[ -s "$T/log.txt" ]
	[ "$(head -c1 "$T/log.txt")" != "{" ]
	grep -qi error "$T/log.txt"
}

@test "--log: text is the default format" {
	run rt --log "$T/log.txt" start "$TID-nope"
	[ "$status" -eq 1 ]
	[ -s "$T/log.txt" ]
	[ "$(head -c1 "$T/log.txt")" != "{" ]
	grep -qi error "$T/log.txt"
}

@test "--log-format: an unknown format fails" {
	run rt --log-format yaml list
	[ "$status" -eq 1 ]
	[[ $output == *yaml* ]]
}

@test "without --log, errors go to stderr" {
	rt start "$TID-nope" >"$T/out" 2>"$T/err" || true
	[ -s "$T/err" ]
}
