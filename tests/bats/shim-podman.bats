#!/usr/bin/env bats
# podman (Debian's) over berth-shim and berth: `podman --conmon SHIM --runtime RUNTIME`.
#
#   bats tests/bats/shim-podman.bats                                   berth-shim + berth
#   PODMAN_CONMON=/usr/bin/conmon bats tests/bats/shim-podman.bats     conmon + berth
#   RUNTIME=/usr/sbin/runc bats tests/bats/shim-podman.bats            berth-shim + runc
#
# Everything is private (podman-helpers.bash): --root, --runroot, --tmpdir under one temp dir,
# vfs storage, cgroupfs, the file events backend, no network, a containers.conf whose rlimits fit
# this machine, and a busybox-static image imported from a tarball made here.

load helpers
load podman-helpers

PODMAN_CONMON=${PODMAN_CONMON:-$BATS_TEST_DIRNAME/../../berth-shim}
IMG=localhost/berth-busybox:test

setup_file() { pd_setup_file; }
teardown_file() { pd_teardown_file; }

setup() {
	[[ -z $PODMAN_SKIP ]] || skip "$PODMAN_SKIP"
	C=c$BATS_TEST_NUMBER-$$
}

teardown() {
	pm rm -f -t 0 "$C" >/dev/null 2>&1 || true
	# No monitor of ours may outlive its container.
	local p i
	for ((i = 0; i < 40; i++)); do
		p=$(_monitors)
		[[ -z $p ]] && break
		sleep 0.05
	done
	if [[ -n $p ]]; then
		echo "# LEAK: monitors still running: $p" >&2
		kill -9 $p 2>/dev/null
		return 1
	fi
	# nor may any process hold a file of podman's tree (logs, fifos, exit files) after rm
	for ((i = 0; i < 20; i++)); do
		p=$(_leaked_fds "$PD")
		[[ -z $p ]] && break
		sleep 0.05
	done
	if [[ -n $p ]]; then
		echo "# LEAK: open fds: $p" >&2
		return 1
	fi
}

# Monitors started for this file's podman root (their command line names its persist dir).
_monitors() {
	local f p
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%%/*}
		pid_alive "$p" || continue
		tr '\0' ' ' <"$f" 2>/dev/null | grep -q -- "--persist-dir $PD/" && echo "$p"
	done
}

@test "podman: info reports our conmon and its version" {
	run pm info --format '{{.Host.Conmon.Path}}|{{.Host.Conmon.Version}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "$PODMAN_CONMON|conmon version "* ]]
}

@test "podman: run prints the output and returns the exit status" {
	run pm run --rm --name "$C" "$IMG" sh -c 'echo hello from podman; echo to stderr >&2; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"hello from podman"* && $output == *"to stderr"* ]]
}

@test "podman: run -i passes stdin through and closes it" {
	run pm_in $'line1\nline2\n' run -i --rm --name "$C" "$IMG" sh -c 'cat; echo eof'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'line1\nline2\neof' ]
}

@test "podman: run with --log-driver passthrough hands the container our stdio" {
	run pm run --rm --name "$C" --log-driver passthrough "$IMG" sh -c 'echo direct-out; echo direct-err >&2; exit 2'
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *direct-out* && $output == *direct-err* ]]
}

@test "podman: run -t gives the container a terminal" {
	run pm run -t --rm --name "$C" "$IMG" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-ttys'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == */dev/pts/* && $output == *both-ttys* ]]
}

@test "podman: run -it and exec -it, typed into a terminal" {
	command -v script >/dev/null || skip "no script(1)"
	run in_pty $'typed-in-run\n' run -it --name "$C" "$IMG" sh -c 'read a; echo run-got $a; exit 5'
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == *"run-got typed-in-run"* ]]
	pm rm "$C" >/dev/null
	pm run -d --name "$C" "$IMG" sleep 100 >/dev/null
	run in_pty $'typed-in-exec\n' exec -it "$C" sh -c 'read a; echo exec-got $a; tty'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exec-got typed-in-exec"* && $output == */dev/pts/* ]]
}

@test "podman: run -d, logs, inspect; the monitor is ours and alive" {
	run pm run -d --name "$C" "$IMG" sh -c 'echo out-line; echo err-line >&2; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	for ((i = 0; i < 100; i++)); do
		run pm logs "$C"
		[[ $output == *out-line* && $output == *err-line* ]] && break
		sleep 0.05
	done
	[[ $output == *out-line* && $output == *err-line* ]]
	run pm inspect "$C" --format '{{.State.Status}} {{.State.ConmonPid}} {{.State.Pid}}'
	echo "$output"
	read -r st mon pid <<<"$output"
	[ "$st" = running ]
	exe=$(readlink "/proc/$mon/exe")
	[ "${exe% (deleted)}" = "$(readlink -f "$PODMAN_CONMON")" ] # (the binary may be rebuilt meanwhile)
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$mon" ]
	run pm logs --timestamps "$C"
	[[ ${lines[0]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
}

@test "podman: exec, with its exit status, -i and -t" {
	pm run -d --name "$C" "$IMG" sh -c 'while :; do sleep 0.1; done' >/dev/null
	run pm exec "$C" sh -c 'echo exec-out; echo exec-err >&2'
	[ "$status" -eq 0 ]
	[[ $output == *exec-out* && $output == *exec-err* ]]
	run pm exec "$C" sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run pm_in $'piped\n' exec -i "$C" cat
	[ "$status" -eq 0 ]
	[ "$output" = piped ]
	run pm exec -t "$C" sh -c 'tty; [ -t 1 ] && echo is-a-tty'
	echo "$output"
	[[ $output == */dev/pts/* && $output == *is-a-tty* ]]
	run pm exec -d "$C" sleep 1
	[ "$status" -eq 0 ]
}

@test "podman: attach follows a running container's output" {
	pm run -d --name "$C" "$IMG" sh -c 'sleep 1; echo attached-out; echo attached-err >&2; sleep 0.3' >/dev/null
	run pm attach --no-stdin "$C"
	echo "$output"
	[[ $output == *attached-out* && $output == *attached-err* ]]
	# (the exit status may land a moment after the stream ends)
	run pm wait "$C"
	[ "$output" = 0 ]
	run pm inspect "$C" --format '{{.State.Status}}'
	[ "$output" = exited ]
}

@test "podman: pause and unpause" {
	"$RUNTIME" pause --help >/dev/null 2>&1 || skip "$RUNTIME has no pause"
	pm run -d --name "$C" "$IMG" sh -c 'while :; do sleep 0.1; done' >/dev/null
	pm pause "$C"
	[ "$(pm inspect "$C" --format '{{.State.Status}}')" = paused ]
	pm unpause "$C"
	[ "$(pm inspect "$C" --format '{{.State.Status}}')" = running ]
}

@test "podman: stop delivers the stop signal, then the exit code is kept" {
	pm run -d --name "$C" "$IMG" sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	# (a signal before the trap is set would be ignored: the container's init has no handler yet)
	for ((i = 0; i < 100; i++)); do
		[[ $(pm logs "$C") == *ready* ]] && break
		sleep 0.05
	done
	run pm stop -t 10 "$C"
	[ "$status" -eq 0 ]
	[ "$(pm inspect "$C" --format '{{.State.Status}} {{.State.ExitCode}}')" = "exited 7" ]
	run pm wait "$C"
	[ "$output" = 7 ]
}

@test "podman: kill, and rm -f of a running container" {
	pm run -d --name "$C" "$IMG" sleep 100 >/dev/null
	pm kill "$C" >/dev/null
	run pm wait "$C"
	[ "$output" = 137 ]
	pm rm "$C" >/dev/null
	pm run -d --name "$C" "$IMG" sleep 100 >/dev/null
	pm rm -f -t 0 "$C" >/dev/null
	run pm ps -a --format '{{.Names}}'
	[[ $output != *"$C"* ]]
}

@test "podman: a container that runs out of memory is reported OOMKilled" {
	run pm run --name "$C" --memory 16m --memory-swap 16m "$IMG" sh -c \
		'l=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null)
		[ "$l" = 16777216 ] || exit 99; exec dd if=/dev/zero of=/dev/null bs=64M count=1'
	[ "$status" -ne 99 ] || skip "$RUNTIME does not apply memory limits here"
	[ "$status" -eq 137 ]
	if "$PODMAN_CONMON" --version | grep -q '^commit: [0-9a-f]*$\|^commit: unknown'; then
		skip "conmon itself (2.1.6) does not report this OOM kill on this host"
	fi
	[ "$(pm inspect "$C" --format '{{.State.OOMKilled}}')" = true ]
}
