#!/usr/bin/env bats
# create / start / state / kill / delete, and the state machine created -> running -> stopped.

load helpers

@test "lifecycle: created -> running -> stopped, process runs only after start" {
	share_dir
	set_cmd 'touch /shared/started; exec sleep 1000'
	run create_ctr "$CID"
	[ "$status" -eq 0 ]
	[ "$(ctr_status "$CID")" = created ]
	[ ! -e "$T/shared/started" ]
	sleep 0.3 # give a process that ignored the exec fifo a chance to show itself
	[ ! -e "$T/shared/started" ]
	[ "$(ctr_status "$CID")" = created ]

	run rt start "$CID"
	[ "$status" -eq 0 ]
	wait_file "$T/shared/started"
	[ "$(ctr_status "$CID")" = running ]

	run rt kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped

	run rt delete "$CID"
	[ "$status" -eq 0 ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
}

@test "lifecycle: a container whose process exits on its own becomes stopped" {
	set_cmd 'exit 0'
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" stopped
	rt delete "$CID"
}

@test "state: prints the runtime-spec state JSON" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	run rt state "$CID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$CID" --arg b "$BUNDLE" '
		(.ociVersion | startswith("1.")) and .id == $id and .status == "created"
		and (.pid | type == "number" and . > 0) and .bundle == $b'
	pid=$(echo "$output" | jq .pid)
	pid_alive "$pid"
	rt start "$CID"
	run rt state "$CID"
	echo "$output" | jq -e --argjson p "$pid" '.status == "running" and .pid == $p'
}

@test "state: the pid is the container's init, which is pid 1 in its pid namespace" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	pid=$(ctr_pid "$CID")
	grep -q "^NSpid:.*[[:space:]]1\$" "/proc/$pid/status"
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '^sleep 1000'
}

@test "state: status comes from the live process (killed behind the runtime's back -> stopped)" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	pid=$(ctr_pid "$CID")
	kill -9 "$pid"
	wait_status "$CID" stopped
}

@test "state: a created container killed behind the runtime's back is stopped" {
	create_ctr "$CID"
	pid=$(ctr_pid "$CID")
	kill -9 "$pid"
	wait_status "$CID" stopped
	rt delete "$CID"
}

@test "state: unknown id fails" {
	run rt state "$TID-nope"
	[ "$status" -eq 1 ]
	if is_berth; then [[ $output == *"$TID-nope"* ]]; fi
}

@test "start: twice fails and the container keeps running" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	rt start "$CID"
	pid=$(ctr_pid "$CID")
	run rt start "$CID"
	[ "$status" -eq 1 ]
	[ -n "$output" ]
	[ "$(ctr_status "$CID")" = running ]
	[ "$(ctr_pid "$CID")" = "$pid" ]
}

@test "start: a stopped container fails" {
	set_cmd 'exit 0'
	create_ctr "$CID"
	rt start "$CID"
	wait_status "$CID" stopped
	run rt start "$CID"
	[ "$status" -eq 1 ]
	[ "$(ctr_status "$CID")" = stopped ]
}

@test "start: unknown id fails" {
	run rt start "$TID-nope"
	[ "$status" -eq 1 ]
	[ -n "$output" ]
	if is_berth; then [[ $output == *"$TID-nope"* ]]; fi
}

@test "create: an id already in use fails and leaves the first container alone" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	pid=$(ctr_pid "$CID")
	run create_ctr "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *exist* ]]
	if is_berth; then [[ $output == *"$CID"* ]]; fi
	[ "$(ctr_status "$CID")" = created ]
	[ "$(ctr_pid "$CID")" = "$pid" ]
	rt start "$CID"
	[ "$(ctr_status "$CID")" = running ]
}

@test "create: two concurrent creates of one id give exactly one container" {
	set_cmd 'exec sleep 1000'
	for i in 1 2 3 4; do
		rt create --bundle "$BUNDLE" "$CID" </dev/null >"$T/c$i.out" 2>&1 &
		pids[i]=$!
	done
	ok=0
	for i in 1 2 3 4; do
		if wait "${pids[i]}"; then ok=$((ok + 1)); fi
	done
	[ "$ok" -eq 1 ]
	run rt list -q
	[ "$output" = "$CID" ]
	[ "$(ctr_status "$CID")" = created ]
	# exactly one init process was left behind for that id
	n=$(grep -ls "/$CID\$" /proc/[0-9]*/cgroup 2>/dev/null | while read -r f; do
		p=${f#/proc/}; pid_alive "${p%%/*}" && echo "${p%%/*}"; done | sort -u | wc -l)
	if is_runc; then [ "$n" -eq 1 ]; fi
	rt start "$CID"
	[ "$(ctr_status "$CID")" = running ]
}

@test "create: ociVersion 1.0.0 and 1.1.0 are both accepted" {
	for v in 1.0.0 1.1.0; do
		cfg '.ociVersion = $v' --arg v "$v"
		run rt run --bundle "$BUNDLE" "$CID-$v"
		[ "$status" -eq 0 ]
	done
}

@test "create --pid-file: holds the pid, without a newline" {
	run create_ctr "$CID" --pid-file "$T/pid"
	[ "$status" -eq 0 ]
	[[ $(cat "$T/pid") =~ ^[0-9]+$ ]]
	[ "$(cat "$T/pid")" = "$(ctr_pid "$CID")" ]
	[ "$(wc -l <"$T/pid")" -eq 0 ]
}

@test "create --pid-file=PATH with a relative path is relative to the cwd" {
	mkdir "$T/cwd"
	cd "$T/cwd"
	run create_ctr "$CID" --pid-file=rel.pid
	[ "$status" -eq 0 ]
	[ "$(cat "$T/cwd/rel.pid")" = "$(ctr_pid "$CID")" ]
}

@test "create -b / --bundle=: the short and = forms of the bundle flag" {
	run rt_detached create -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	run rt_detached create --bundle="$BUNDLE" "$CID-2"
	[ "$status" -eq 0 ]
	[ "$(ctr_status "$CID")" = created ]
	[ "$(ctr_status "$CID-2")" = created ]
}

@test "create: the bundle defaults to the cwd" {
	cd "$BUNDLE"
	run rt_detached create "$CID"
	[ "$status" -eq 0 ]
	[ "$(rt state "$CID" | jq -r .bundle)" = "$BUNDLE" ]
}

@test "create --no-pivot: the container runs" {
	share_dir
	set_cmd 'echo ok > /shared/out; ls /bin/busybox >> /shared/out'
	run create_ctr "$CID" --no-pivot
	[ "$status" -eq 0 ]
	rt start "$CID"
	wait_status "$CID" stopped
	[ "$(cat "$T/shared/out")" = "ok
/bin/busybox" ]
}

@test "run --no-pivot: output and exit status" {
	set_cmd 'echo no-pivot; exit 4'
	run rt run --no-pivot --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 4 ]
	[ "$output" = no-pivot ]
}

@test "create --no-new-keyring: the container runs" {
	share_dir
	set_cmd 'echo ok > /shared/out'
	run create_ctr "$CID" --no-new-keyring
	[ "$status" -eq 0 ]
	rt start "$CID"
	wait_status "$CID" stopped
	[ "$(cat "$T/shared/out")" = ok ]
}

# /proc/keys lists the keys the reader may view.  Runtimes name the new session keyring after
# the container (runc "_ses.ID", crun and berth "ID"); other keyrings come and go as other
# containers on the machine start, so only keyrings naming this test's id count.
@test "run: by default the container gets a new session keyring" {
	cfg '.linux.maskedPaths -= ["/proc/keys"]'
	set_cmd 'cat /proc/keys'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	printf '%s\n' "${lines[@]}" | awk '$8 == "keyring"' | grep -qF "$CID"
}

@test "run --no-new-keyring: the container keeps the caller's session keyring" {
	cfg '.linux.maskedPaths -= ["/proc/keys"]'
	set_cmd 'cat /proc/keys'
	run rt run --no-new-keyring --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ -n "$(printf '%s\n' "${lines[@]}" | awk '$8 == "keyring"')" ]
	[ -z "$(printf '%s\n' "${lines[@]}" | grep -F "$CID")" ]
}

@test "create --preserve-fds 1: fd 3 reaches the container" {
	share_dir
	echo "from-fd-3" >"$T/fd3"
	set_cmd 'cat <&3 > /shared/out'
	KEEP_FDS=3 rt create --bundle "$BUNDLE" --preserve-fds 1 "$CID" </dev/null >"$T/c.out" 2>&1 3<"$T/fd3"
	rt start "$CID"
	wait_status "$CID" stopped
	[ "$(cat "$T/shared/out")" = from-fd-3 ]
}

@test "run --preserve-fds 1: the container writes to fd 3" {
	set_cmd 'echo to-fd-3 > /proc/self/fd/3'
	KEEP_FDS=3 run rt run --bundle "$BUNDLE" --preserve-fds=1 "$CID" 3>"$T/fd3"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/fd3")" = to-fd-3 ]
}

@test "run: without --preserve-fds, fd 3 is not passed" {
	set_cmd '[ -e /proc/self/fd/3 ] && readlink /proc/self/fd/3 || echo closed'
	KEEP_FDS=3 run rt run --bundle "$BUNDLE" "$CID" 3>"$T/fd3"
	[ "$status" -eq 0 ]
	[ "$output" = closed ]
}

@test "create: the caller's other fds reach neither the waiting init nor the process" {
	share_dir
	set_cmd 'ls -l /proc/self/fd/ > /shared/fds; ls /proc/self/fd | tr "\n" " " > /shared/fdnums'
	KEEP_FDS=7 rt create --bundle "$BUNDLE" "$CID" </dev/null >"$T/c.out" 2>&1 7>"$T/marker"
	pid=$(ctr_pid "$CID")
	[ -z "$(ls -l "/proc/$pid/fd/" | grep "$T/marker")" ]
	rt start "$CID"
	wait_status "$CID" stopped
	[ -s "$T/shared/fds" ]
	[ -z "$(grep marker "$T/shared/fds")" ]
	# 0-2 and the directory ls reads
	[ "$(cat "$T/shared/fdnums")" = "0 1 2 3 " ]
}

@test "create --console-socket: refused without process.terminal" {
	run create_ctr "$CID" --console-socket "$T/console.sock"
	[ "$status" -ne 0 ]
	[ -z "$(rt list -q)" ]
}

@test "create: process.terminal without --console-socket is refused" {
	cfg '.process.terminal = true'
	run create_ctr "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(rt list -q)" ]
}

# console_receiver SOCKET OUT: listen on SOCKET, take the pty master the runtime sends there
# and copy what the container writes to OUT until the container closes its terminal.
console_receiver() {
	python3 - "$1" "$2" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
_, fds, _, _ = socket.recv_fds(c, 1024, 1)
with open(sys.argv[2], "wb") as out:
    while True:
        try:
            d = os.read(fds[0], 4096)
        except OSError:  # EIO: the last slave fd is closed
            break
        if not d:
            break
        out.write(d)
        out.flush()
PY
	RECEIVER_PID=$!
	on_teardown "kill $RECEIVER_PID 2>/dev/null"
	wait_file "$1"
}

@test "create --console-socket: the pty master is sent there and the process has a terminal" {
	command -v python3 >/dev/null || skip "python3 is needed to receive the pty master"
	cfg '.process.terminal = true'
	set_cmd 'tty; [ -t 0 ] && [ -t 1 ] && echo all-tty'
	console_receiver "$T/console.sock" "$T/console.out"
	run create_ctr "$CID" --console-socket "$T/console.sock"
	[ "$status" -eq 0 ]
	rt start "$CID"
	wait_status "$CID" stopped
	timeout 10 tail --pid="$RECEIVER_PID" -f /dev/null
	tr -d '\r' <"$T/console.out" >"$T/console.txt"
	grep -qx '/dev/pts/[0-9]*' "$T/console.txt"
	grep -qx all-tty "$T/console.txt"
}
