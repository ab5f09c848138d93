#!/usr/bin/env bats
# berth-shim driven directly, as podman drives conmon, over RUNTIME (berth by default; runc and
# crun check the test itself): create, start, logs, attach, resize, exec, exit status and exit
# command, timeout, OOM, bad flags.  See shim-helpers.bash.

load helpers
load shim-helpers

# ---------------------------------------------------------------- command line

@test "shim: --version is conmon's format, which podman parses" {
	run "$SHIM" --version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^conmon\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ ${lines[1]} == commit:* ]]
}

@test "shim: --help lists the options" {
	run "$SHIM" --help
	[ "$status" -eq 0 ]
	[[ $output == *--exit-command-arg* && $output == *--log-size-max* && $output == *"-t, --terminal"* ]]
}

@test "shim: bad command lines fail before anything starts" {
	run "$SHIM" --cid
	[ "$status" -eq 1 ]
	is_berth_shim || skip "the messages below are berth-shim's"
	[[ $output == *"--cid requires a value"* ]]
	run "$SHIM" -u x -r "$RUNTIME"
	[ "$status" -eq 1 ]
	[[ $output == *"Use --cid"* ]]
	run "$SHIM" -c x -r "$RUNTIME"
	[ "$status" -eq 1 ]
	[[ $output == *"Use --cuuid"* ]]
	run "$SHIM" -c x -u x
	[ "$status" -eq 1 ]
	[[ $output == *"Use --runtime"* ]]
	run "$SHIM" -c x -u x -r /nonexistent/runtime
	[ "$status" -eq 1 ]
	[[ $output == *"/nonexistent/runtime"* ]]
	run "$SHIM" -c x -u x -r "$RUNTIME" --timeout soon
	[ "$status" -eq 1 ]
	[[ $output == *"not an integer"* ]]
	run "$SHIM" -c x -u x -r "$RUNTIME" -e
	[ "$status" -eq 1 ]
	[[ $output == *"--exec-process-spec"* ]]
	run "$SHIM" -c x -u x -r "$RUNTIME" -l bogus:driver
	[ "$status" -eq 1 ]
	[[ $output == *"No such log driver"* ]]
	# and a failure goes to the sync pipe too, for the caller to show
	SHIM_NO_RUNTIME= shim_start --exit-delay=-1
	[ "$SHIM_RC" -eq 1 ]
	[ "$(sync_data)" -eq -1 ]
	[[ $(sync_message) == *exit-delay* ]]
}

@test "shim: unknown flags are ignored (with a debug message); --opt=value and short forms work" {
	is_berth_shim || skip "conmon rejects unknown flags"
	set_cmd 'echo ok'
	shim_start --log-level=debug --no-such-flag some-value --another=1 -Z --log-label a=b \
		--sdnotify-socket /nonexistent --log-size-max=100000 -T0
	[ "$SHIM_RC" -eq 0 ]
	[[ $SHIM_OUT == *"ignoring unknown option --no-such-flag some-value"* ]]
	[[ $SHIM_OUT == *"ignoring unknown option --another"* ]]
	[[ $SHIM_OUT == *"ignoring unknown option -Z"* ]]
	pid=$(sync_data)
	[ "$pid" -gt 0 ]
	rt start "$CID"
	[ "$(wait_exit_file)" = 0 ]
}

# ---------------------------------------------------------------- create, start, logs, exit

@test "shim: create reports the pid, start runs it, the log is k8s-file, the exit status is kept" {
	set_cmd 'echo out1; echo err1 >&2; printf "no newline"; sleep 0.2; echo; echo out2; exit 3'
	shim_start
	[ "$SHIM_RC" -eq 0 ]
	pid=$(sync_data)
	[ "$pid" -gt 0 ]
	[ "$(cat "$T/pid")" = "$pid" ]
	[ "$(ctr_status "$CID")" = created ]
	[ "$(ctr_pid "$CID")" = "$pid" ]
	# the monitor: a live berth-shim, the container's parent, in a session of its own
	mon=$(shim_pid)
	is_shim "$mon"
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$mon" ]
	[ "$(ps -o sid= -p "$mon" | tr -d ' ')" = "$mon" ]
	# the runtime has been reaped: the container is the monitor's only child
	[ "$(ps -o pid= --ppid "$mon" | tr -d ' ')" = "$pid" ]
	[ -S "$BUNDLE/attach" ] && [ -p "$BUNDLE/ctl" ] && [ -p "$BUNDLE/winsz" ]
	[ "$(readlink "$T/sockets/$CID")" = "$BUNDLE" ]

	rt start "$CID"
	[ "$(wait_exit_file)" = 3 ]
	[ "$(cat "$T/persist/exit")" = 3 ]
	wait_gone "$mon"
	if is_berth_shim; then
		# (conmon 2.1.6 leaves the link behind)
		[ ! -e "$T/sockets/$CID" ]
	fi

	run cat "$T/ctr.log"
	echo "$output"
	ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2})'
	for l in "${lines[@]}"; do
		[[ $l =~ ^$ts\ (stdout|stderr)\ [PF]\ .*$ ]]
	done
	[[ $output =~ $ts\ stdout\ F\ out1 ]]
	[[ $output =~ $ts\ stderr\ F\ err1 ]]
	[[ $output =~ $ts\ stdout\ P\ no\ newline ]]
	[[ $output =~ $ts\ stdout\ F\ out2 ]]
	# the P piece and the F line that ends it make "no newline"
	run awk '$2 == "stdout" { t = $0; sub(/^[^ ]+ [^ ]+ [PF] /, "", t); printf "%s%s", t, ($3 == "F" ? "\n" : "") }' "$T/ctr.log"
	[ "$output" = $'out1\nno newline\nout2' ]
}

@test "shim: a runtime failure goes to the sync pipe as -1 with the runtime's message" {
	cfg '.ociVersion = 42 | del(.process)'
	shim_start
	[ "$(sync_data)" = -1 ]
	msg=$(sync_message)
	echo "$msg"
	[ -n "$msg" ]
	sleep 0.2
	[ ! -e "$T/exits/$CID" ]
	! is_shim "$(shim_pid)"
}

@test "shim: waits for _OCI_STARTPIPE before creating, then writes --conmon-pidfile" {
	need_runtime
	set_cmd 'true'
	mkfifo "$T/start"
	exec 8<>"$T/start"
	SHIM_KEEP_FDS=8 _OCI_STARTPIPE=8 shim_start &
	job=$!
	sleep 0.5
	[ ! -s "$SYNC" ]
	[ ! -e "$T/shim.1.pid" ]
	[ ! -e "$T/pid" ]
	echo go >&8
	exec 8>&-
	wait "$job"
	SYNC=$T/sync.1
	[ "$(sync_data)" -gt 0 ]
	SHIM_N=1
	is_shim "$(shim_pid)"
	rt start "$CID"
	[ "$(wait_exit_file)" = 0 ]
}

@test "shim: --sync keeps the monitor in the foreground and exits with the container's status" {
	need_runtime
	set_cmd 'exit 5'
	: >"$T/sync.1"
	SYNC=$T/sync.1
	(
		export _OCI_SYNCPIPE=9
		KEEP_FDS=9
		_exec_clean "$SHIM" --api-version 1 -c "$CID" -u "$CID" -r "$RUNTIME" --runtime-arg --root \
			--runtime-arg "$ROOT" -b "$BUNDLE" -p "$T/pid" -l "$T/ctr.log" --exit-dir "$T/exits" \
			--socket-dir-path "$T/sockets" --conmon-pidfile "$T/shim.1.pid" --sync
	) 9>"$SYNC" </dev/null >"$T/out" 2>&1 &
	job=$!
	[ "$(sync_data)" -gt 0 ]
	# no fork: the pid file names the process we started (a subshell that exec'd the shim);
	# conmon writes --conmon-pidfile only when it forks
	if is_berth_shim; then
		[ "$(cat "$T/shim.1.pid")" = "$job" ]
	fi
	rt start "$CID"
	rc=0
	wait "$job" || rc=$?
	[ "$rc" -eq 5 ]
	[ "$(wait_exit_file)" = 5 ]
}

@test "shim: a container killed by a signal exits 128+N; SIGTERM to the shim goes to the container" {
	# (an init ignores the signals it has no handler for: this one has one)
	set_cmd 'trap "echo got TERM; exit 143" TERM; while :; do sleep 0.1; done'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	wait_status "$CID" running
	kill -TERM "$(shim_pid)"
	[ "$(wait_exit_file)" = 143 ]
	grep -q 'stdout F got TERM' "$T/ctr.log"
}

@test "shim: a container killed by SIGKILL exits 137" {
	set_cmd 'sleep 100'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	wait_status "$CID" running
	rt kill "$CID" KILL
	[ "$(wait_exit_file)" = 137 ]
}

@test "shim: the exit command runs after the delay, with its args" {
	set_cmd 'exit 2'
	printf '#!/bin/sh\necho "$@" > %s/exitcmd.tmp\ndate +%%s.%%N >> %s/exitcmd.tmp\nmv %s/exitcmd.tmp %s/exitcmd.out\n' \
		"$T" "$T" "$T" "$T" >"$T/exitcmd.sh"
	chmod +x "$T/exitcmd.sh"
	shim_start --exit-command "$T/exitcmd.sh" --exit-command-arg one --exit-command-arg "two three" --exit-delay 1
	sync_data >/dev/null
	rt start "$CID"
	[ "$(wait_exit_file)" = 2 ]
	exited=$(date +%s.%N)
	[ ! -e "$T/exitcmd.out" ]
	wait_file "$T/exitcmd.out"
	[ "$(head -1 "$T/exitcmd.out")" = "one two three" ]
	ran=$(tail -1 "$T/exitcmd.out")
	awk -v a="$exited" -v b="$ran" 'BEGIN { exit !(b - a > 0.7) }'
	wait_gone "$(shim_pid)"
}

@test "shim: --timeout kills the container and records -1" {
	set_cmd 'sleep 100'
	shim_start --timeout 1
	pid=$(sync_data)
	rt start "$CID"
	start=$SECONDS
	[ "$(wait_exit_file)" = -1 ]
	((SECONDS - start <= 4))
	wait_gone "$pid"
	wait_gone "$(shim_pid)"
}

# ---------------------------------------------------------------- logs

@test "shim: --log-size-max truncates; ctl '2 0 0' starts a new log file" {
	set_cmd 'i=0; while [ $i -lt 200 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; read x; echo after-reopen'
	shim_start -i --log-size-max 2000
	sync_data >/dev/null
	rt start "$CID"
	for ((i = 0; i < 100; i++)); do
		grep -q line-199 "$T/ctr.log" && break
		sleep 0.05
	done
	size=$(stat -c %s "$T/ctr.log")
	echo "size $size"
	((size <= 2000))
	grep -q line-199 "$T/ctr.log"
	! grep -q 'line-0-' "$T/ctr.log"
	# an outside rotation: the file moved away, the shim told to reopen
	mv "$T/ctr.log" "$T/ctr.log.old"
	echo "2 0 0" >"$BUNDLE/ctl"
	wait_file "$T/ctr.log"
	attach_bg "$T/att" 'go\n'
	wait_exit_file
	run cat "$T/ctr.log"
	echo "$output"
	[[ $output == *"stdout F after-reopen"* ]]
	! grep -q after-reopen "$T/ctr.log.old"
}

@test "shim: --log-rotate keeps --log-max-files old logs instead of truncating" {
	is_berth_shim || skip "conmon 2.1.6 has no --log-rotate"
	set_cmd 'i=0; while [ $i -lt 100 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done'
	shim_start --log-size-max 1000 --log-rotate --log-max-files 2
	sync_data >/dev/null
	rt start "$CID"
	wait_exit_file
	ls -l "$T"/ctr.log*
	[ -e "$T/ctr.log.1" ] && [ -e "$T/ctr.log.2" ] && [ ! -e "$T/ctr.log.3" ]
	for f in "$T"/ctr.log*; do (($(stat -c %s "$f") <= 1000)); done
	grep -q line-99- "$T/ctr.log"
	# oldest to newest, the lines follow on
	run bash -c "cat $T/ctr.log.2 $T/ctr.log.1 $T/ctr.log | sed 's/.*line-\([0-9]*\)-.*/\1/'"
	[ "$output" = "$(seq $((100 - ${#lines[@]})) 99)" ]
}

@test "shim: -l with a bare path is a k8s-file log; -l none logs nothing" {
	set_cmd 'echo hi'
	shim_start -l "$T/bare.log" -l none
	sync_data >/dev/null
	rt start "$CID"
	wait_exit_file
	grep -q 'stdout F hi' "$T/bare.log"
}

# ---------------------------------------------------------------- attach and stdin

@test "shim: attach gets stdout (2) and stderr (3) packets; input goes to stdin; EOF closes it" {
	set_cmd 'echo ready; read a; echo "got $a"; echo oops >&2; cat; echo "stdin closed"'
	shim_start -i
	sync_data >/dev/null
	attach_bg "$T/att" 'hello\nrest of input'
	rt start "$CID"
	[ "$(wait_exit_file)" = 0 ]
	run wait_attach "$T/att"
	echo "$output"
	[[ $output == *"stdout=b'ready\\ngot hello\\nrest of inputstdin closed\\n'"* ]]
	[[ $output == *"stderr=b'oops\\n'"* ]]
	[[ $output == *"3:b'oops\\n'"* ]]
	grep -q 'stdout F got hello' "$T/ctr.log"
}

@test "shim: --leave-stdin-open keeps stdin open when the client leaves" {
	set_cmd 'read a; echo "first $a"; read b; echo "second $b"'
	shim_start -i --leave-stdin-open
	sync_data >/dev/null
	attach_bg "$T/att1" 'one\n'
	rt start "$CID"
	for ((i = 0; i < 100; i++)); do
		grep -q 'first one' "$T/ctr.log" 2>/dev/null && break
		sleep 0.05
	done
	grep -q 'first one' "$T/ctr.log"
	kill "$ATTACH_PID"
	sleep 0.2
	[ "$(ctr_status "$CID")" = running ]
	attach_bg "$T/att2" 'two\n'
	[ "$(wait_exit_file)" = 0 ]
	grep -q 'second two' "$T/ctr.log"
}

@test "shim: without -i the container's stdin is /dev/null" {
	set_cmd 'cat; echo "eof at once"'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	[ "$(wait_exit_file)" = 0 ]
	grep -q 'eof at once' "$T/ctr.log"
}

# ---------------------------------------------------------------- terminal

@test "shim: -t takes the pty from the console socket; ctl and winsz resize it" {
	cfg '.process.terminal = true'
	set_cmd 'read a; stty size; read b; stty size; echo "tty $(tty)"'
	shim_start -t -i --leave-stdin-open
	sync_data >/dev/null
	echo "1 33 111" >"$BUNDLE/ctl"
	attach_bg "$T/att" 'x\n'
	rt start "$CID"
	for ((i = 0; i < 100; i++)); do
		grep -q '33 111' "$T/ctr.log" 2>/dev/null && break
		sleep 0.05
	done
	echo "44 122" >"$BUNDLE/winsz"
	sleep 0.1
	kill "$ATTACH_PID"
	attach_bg "$T/att2" 'y\n'
	[ "$(wait_exit_file)" = 0 ]
	run cat "$T/ctr.log"
	echo "$output"
	[[ $output == *"stdout F 33 111"* ]]
	[[ $output == *"stdout F 44 122"* ]]
	[[ $output == *"tty /dev/pts/"* ]]
	run wait_attach "$T/att2"
	[[ $output == *"stdout=b'y\\r\\n44 122\\r\\ntty /dev/pts/"* ]]
}

# ---------------------------------------------------------------- exec

# exec_spec FILE SCRIPT: a process.json running `sh -c SCRIPT`, from the bundle's process.
exec_spec() {
	jq --arg s "$2" '.process | .args = ["sh", "-c", $s]' "$BUNDLE/config.json" >"$1"
}

@test "shim: exec (detached) runs the process, logs it, sends its pid then its status" {
	set_cmd 'sleep 100'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	mkdir "$T/exec"
	exec_spec "$T/exec/process.json" 'echo exec-out; echo exec-err >&2; exit 7'
	SYNC_MAIN=$SYNC
	shim_start -e --exec-process-spec "$T/exec/process.json" -p "$T/exec/pid" -b "$T/exec" \
		-l "$T/exec/log" --exit-dir "$T/exec" --persist-dir "$T/exec" --full-attach -u "$CID-exec" \
		--conmon-pidfile "$T/exec/shim.pid"
	[ "$SHIM_RC" -eq 0 ]
	[ "$(sync_data 1)" -gt 0 ]
	[ "$(sync_data 2)" = 7 ]
	[ "$(cat "$T/exec/$CID")" = 7 ]
	grep -q 'stdout F exec-out' "$T/exec/log"
	grep -q 'stderr F exec-err' "$T/exec/log"
	[ "$(ctr_status "$CID")" = running ]
	# --full-attach: no link in the socket dir
	[ ! -e "$T/sockets/$CID-exec" ]
}

@test "shim: exec --exec-attach signals the attach pipe, waits for the start pipe, streams output" {
	set_cmd 'sleep 100'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	mkdir "$T/exec"
	exec_spec "$T/exec/process.json" 'read a; echo "exec got $a"; exit 4'
	mkfifo "$T/start" "$T/attachpipe"
	exec 7<>"$T/attachpipe" 8<>"$T/start"
	echo go >&8 # the first go: "you are in your cgroup"
	SHIM_KEEP_FDS="7 8" _OCI_STARTPIPE=8 _OCI_ATTACHPIPE=7 shim_start -e --exec-attach -i \
		--exec-process-spec "$T/exec/process.json" -p "$T/exec/pid" -b "$T/exec" -l "$T/exec/log" \
		--exit-dir "$T/exec" --full-attach -u "$CID-exec" --conmon-pidfile "$T/exec/shim.pid"
	read -r -t 10 line <&7
	[ "$line" = '{"data": 0}' ]
	exec 7>&-
	# not started before the second go
	sleep 0.3
	[ ! -s "$SYNC" ]
	BUNDLE=$T/exec attach_bg "$T/att" 'hi\n'
	echo go >&8
	exec 8>&-
	[ "$(sync_data 1)" -gt 0 ]
	[ "$(sync_data 2)" = 4 ]
	run wait_attach "$T/att"
	echo "$output"
	[[ $output == *"stdout=b'exec got hi\\n'"* ]]
}

@test "shim: exec -t gets its own pty through the console socket" {
	set_cmd 'sleep 100'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	mkdir "$T/exec"
	exec_spec "$T/exec/process.json" 'tty; stty size; exit 6'
	jq '.terminal = true' "$T/exec/process.json" >"$T/exec/p.json"
	shim_start -e -t --exec-process-spec "$T/exec/p.json" -p "$T/exec/pid" -b "$T/exec" \
		-l "$T/exec/log" --exit-dir "$T/exec" -u "$CID-exec"
	[ "$(sync_data 1)" -gt 0 ]
	[ "$(sync_data 2)" = 6 ]
	run cat "$T/exec/log"
	echo "$output"
	[[ $output == *"stdout F /dev/pts/"* ]]
}

@test "shim: exec with --timeout kills the process and says so on the sync pipe" {
	set_cmd 'sleep 100'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	mkdir "$T/exec"
	exec_spec "$T/exec/process.json" 'sleep 100'
	shim_start -e -T 1 --exec-process-spec "$T/exec/process.json" -p "$T/exec/pid" -b "$T/exec" \
		-l "$T/exec/log" --exit-dir "$T/exec" -u "$CID-exec"
	epid=$(sync_data 1)
	[ "$epid" -gt 0 ]
	[ "$(sync_data 2)" = -1 ]
	[ "$(sync_message 2)" = "command timed out" ]
	wait_gone "$epid"
	[ "$(ctr_status "$CID")" = running ]
}

@test "shim: exec of a missing command reports -1 and the runtime's message" {
	set_cmd 'sleep 100'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	mkdir "$T/exec"
	jq '.process | .args = ["/no/such/binary"]' "$BUNDLE/config.json" >"$T/exec/process.json"
	shim_start -e --exec-process-spec "$T/exec/process.json" -p "$T/exec/pid" -b "$T/exec" \
		-l "$T/exec/log" --exit-dir "$T/exec" -u "$CID-exec"
	first=$(sync_data 1)
	echo "first $first: $(cat "$SYNC")"
	# runc and crun fail the exec itself (-1); a runtime that starts the process and lets it
	# fail to execve reports a pid, then 127
	if [ "$first" = -1 ]; then
		[ -n "$(sync_message 1)" ]
	else
		[ "$(sync_data 2)" = 127 ]
	fi
}

# ---------------------------------------------------------------- OOM

@test "shim: an OOM kill leaves 'oom' in the persist dir and the bundle" {
	[[ -e /sys/fs/cgroup/memory/memory.oom_control || $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] ||
		skip "no memory cgroup"
	cfg '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	set_cmd 'l=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null)
		[ "$l" = 16777216 ] || exit 99; exec dd if=/dev/zero of=/dev/null bs=64M count=1'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	status=$(wait_exit_file)
	echo "status $status"
	[ "$status" != 99 ] || skip "$RUNTIME_KIND does not apply .linux.resources.memory here"
	[ "$status" = 137 ]
	[ -e "$T/persist/oom" ]
	if is_berth_shim; then
		# (as newer conmons do; 2.1.6 writes only the persist dir's)
		[ -e "$BUNDLE/oom" ]
	fi
}

@test "shim: a container that exits normally leaves no 'oom' file" {
	set_cmd 'echo fine'
	shim_start
	sync_data >/dev/null
	rt start "$CID"
	[ "$(wait_exit_file)" = 0 ]
	[ ! -e "$T/persist/oom" ]
}
