#!/usr/bin/env bats
# kill: signals by name, with or without SIG, by number, the default, --all.

load helpers

# The container's init traps the signals it may receive and writes their names to
# /shared/sig (pid 1 of a pid namespace only gets the signals it handles).
trap_container() {
	share_dir
	set_cmd 'for s in TERM USR1 USR2 HUP INT; do trap "echo $s > /shared/sig.tmp; mv /shared/sig.tmp /shared/sig" $s; done
touch /shared/ready
while :; do sleep 0.05; done'
	create_ctr "$CID"
	rt start "$CID"
	wait_file "$T/shared/ready"
}

got_signal() {
	wait_file "$T/shared/sig"
	[ "$(cat "$T/shared/sig")" = "$1" ]
	rm -f "$T/shared/sig"
}

@test "kill: default signal is SIGTERM" {
	trap_container
	run rt kill "$CID"
	[ "$status" -eq 0 ]
	got_signal TERM
}

@test "kill: signal name without SIG prefix" {
	trap_container
	run rt kill "$CID" USR1
	[ "$status" -eq 0 ]
	got_signal USR1
}

@test "kill: signal name with SIG prefix" {
	trap_container
	run rt kill "$CID" SIGUSR2
	[ "$status" -eq 0 ]
	got_signal USR2
}

@test "kill: signal by number" {
	trap_container
	run rt kill "$CID" 1
	[ "$status" -eq 0 ]
	got_signal HUP
	run rt kill "$CID" 10
	[ "$status" -eq 0 ]
	got_signal USR1
}

@test "kill: several signals in a row; the container keeps running" {
	trap_container
	for s in INT SIGHUP 15; do rt kill "$CID" "$s"; done
	wait_file "$T/shared/sig"
	[ "$(ctr_status "$CID")" = running ]
}

@test "kill KILL: the container becomes stopped" {
	trap_container
	pid=$(ctr_pid "$CID")
	run rt kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
	wait_gone "$pid"
}

@test "kill 9: by number" {
	trap_container
	run rt kill "$CID" 9
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
}

@test "kill: an unknown signal name fails and sends nothing" {
	trap_container
	run rt kill "$CID" SIGNOPE
	[ "$status" -ne 0 ]
	sleep 0.1
	[ ! -e "$T/shared/sig" ]
	[ "$(ctr_status "$CID")" = running ]
}

@test "kill --all: every process of the container gets the signal" {
	share_dir
	set_cmd 'sleep 1000 & sleep 1000 & touch /shared/ready; wait'
	create_ctr "$CID"
	rt start "$CID"
	wait_file "$T/shared/ready"
	pid=$(ctr_pid "$CID")
	kids=$(grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status | cut -d/ -f3)
	[ "$(echo $kids | wc -w)" -eq 2 ]
	run rt kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
	for k in $kids; do wait_gone "$k"; done
}

@test "kill -a: short form of --all" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	run rt kill -a "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
}

@test "kill: a created container can be killed" {
	create_ctr "$CID"
	run rt kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
}

@test "kill: a stopped container fails" {
	set_cmd 'exit 0'
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" stopped
	run rt kill "$CID" KILL
	[ "$status" -eq 1 ]
	[ -n "$output" ]
	[ "$(ctr_status "$CID")" = stopped ]
}

@test "kill KILL: a paused container stops (no resume needed)" {
	# crun 1.8 signals the frozen init and leaves it frozen: it dies only on resume
	[[ $RUNTIME_KIND != crun ]] || skip "crun 1.8 does not thaw a paused container for SIGKILL"
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	rt pause "$CID"
	run rt kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
}

@test "kill --all KILL: a paused container stops" {
	set_cmd 'sleep 1000 & exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	rt pause "$CID"
	run rt kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
}

@test "kill --all: a stopped container is no error (as runc)" {
	set_cmd 'exit 0'
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" stopped
	run rt kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	[ "$(ctr_status "$CID")" = stopped ]
}

@test "kill: unknown id fails" {
	run rt kill "$TID-nope" KILL
	[ "$status" -eq 1 ]
	if is_berth; then [[ $output == *"$TID-nope"* ]]; fi
}

@test "kill ID 0: a liveness probe, with and without --all; a stopped container fails it" {
	set_cmd 'sleep 300'
	create_ctr "$CID"
	run rt kill "$CID" 0
	[ "$status" -eq 0 ]
	rt start "$CID"
	wait_status "$CID" running
	run rt kill "$CID" 0
	[ "$status" -eq 0 ]
	run rt kill --all "$CID" 0
	[ "$status" -eq 0 ]
	# nothing was sent
	[ "$(ctr_status "$CID")" = running ]
	rt kill "$CID" KILL
	wait_status "$CID" stopped
	run rt kill "$CID" 0
	[ "$status" -eq 1 ]
}
