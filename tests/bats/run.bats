#!/usr/bin/env bats
# run: foreground, exit status, detached, --keep.

load helpers

@test "run: foreground output reaches the caller" {
	set_cmd 'echo out; echo err >&2'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "out err" ] || [ "${lines[*]}" = "err out" ]
}

@test "run: stdout and stderr stay separate" {
	set_cmd 'echo out; echo err >&2'
	rt run --bundle "$BUNDLE" "$CID" >"$T/out" 2>"$T/err"
	[ "$(cat "$T/out")" = out ]
	[ "$(cat "$T/err")" = err ]
}

@test "run: stdin reaches the container" {
	set_cmd 'read line; echo "got $line"'
	run sh -c 'echo hello | "$@"' sh "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "got hello" ]
}

@test "run: exit status propagates (exit 3 -> 3)" {
	set_cmd 'exit 3'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 3 ]
}

@test "run: exit status 0" {
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "run: killed by a signal -> 128+signal (container kills itself with SIGKILL: 137)" {
	# Without a pid namespace the shell is not an init, so it can SIGKILL itself.
	cfg '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'kill -9 $$; sleep 5'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 137 ]
}

@test "run: SIGTERM to itself -> 143" {
	cfg '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'kill -TERM $$; sleep 5'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 143 ]
}

@test "run: killed from outside with kill KILL -> 137" {
	set_cmd 'exec sleep 1000'
	run_bg "$CID"
	wait_status "$CID" running
	rt kill "$CID" KILL
	rc=0
	wait "$RUN_PID" || rc=$?
	[ "$rc" -eq 137 ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
}

@test "run: the container is removed after it exits" {
	set_cmd 'exit 0'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(rt list -q)" ]
	[ -z "$(ls -A "$ROOT")" ]
}

@test "run: the container is removed after a non-zero exit too" {
	set_cmd 'exit 7'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 7 ]
	[ -z "$(rt list -q)" ]
}

@test "run --keep: the container remains, stopped, and can be deleted" {
	set_cmd 'exit 5'
	run rt run --keep --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 5 ]
	[ "$(ctr_status "$CID")" = stopped ]
	[ "$(rt list -q)" = "$CID" ]
	run rt delete "$CID"
	[ "$status" -eq 0 ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
}

@test "run -d: returns at once with the container running" {
	set_cmd 'exec sleep 1000'
	run rt_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(ctr_status "$CID")" = running ]
	pid_alive "$(ctr_pid "$CID")"
}

@test "run --detach: long form; the container can then be killed and deleted" {
	set_cmd 'exec sleep 1000'
	run rt_detached run --detach --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	pid=$(ctr_pid "$CID")
	rt kill "$CID" KILL
	wait_status "$CID" stopped
	rt delete "$CID"
	wait_gone "$pid"
}

@test "run -d: a container that exits stays, stopped, until deleted" {
	share_dir
	set_cmd 'touch /shared/done'
	run rt_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	wait_file "$T/shared/done"
	wait_status "$CID" stopped
	rt delete "$CID"
}

@test "run --pid-file: holds the container's pid" {
	set_cmd 'exec sleep 1000'
	run rt_detached run -d --pid-file "$T/pid" --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/pid")" = "$(ctr_pid "$CID")" ]
}

@test "run: an existing id fails and leaves the running container alone" {
	set_cmd 'exec sleep 1000'
	rt_detached run -d --bundle "$BUNDLE" "$CID"
	pid=$(ctr_pid "$CID")
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[ "$(ctr_status "$CID")" = running ]
	[ "$(ctr_pid "$CID")" = "$pid" ]
}

@test "run: the command's arguments are passed verbatim" {
	cfg '.process.args = ["echo", "a b", "*", "$HOME", ""]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = 'a b * $HOME ' ]
}

@test "run: a command that does not exist fails and leaves nothing" {
	cfg '.process.args = ["/no/such/binary"]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(rt list -q)" ]
}

@test "run: signals ignored by the runtime's caller are not ignored in the container" {
	cfg '.process.args = ["grep", "^SigIgn", "/proc/self/status"]'
	# a caller that ignores INT and QUIT, as a background job of a script does
	run bash -c 'trap "" INT QUIT; exec "$@"' _ "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "SigIgn:	0000000000000000" ]
}
