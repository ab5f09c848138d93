#!/usr/bin/env bats
# podman (Debian's 4.3) with Debian's conmon drives the runtime: `podman --runtime RUNTIME`.
# Issue 7: what podman does to a runtime, berth must take as runc does.
#
#   bats tests/bats/podman.bats                                  berth from the build dir
#   RUNTIME=/usr/sbin/runc bats tests/bats/podman.bats           check the tests against runc
#   RUNTIME=$PWD/tests/crun-hybrid.sh bats tests/bats/podman.bats   ... and against crun
#   PODMAN_CONMON=PATH                                           another conmon (default Debian's)
#
# One private storage per file (setup_file): --root, --runroot, --tmpdir under one temp dir, vfs,
# cgroupfs, the file events backend (its log tells teardown which containers a test made), no
# network beyond loopback (netns "none"), a containers.conf whose rlimits fit this machine (podman's
# defaults exceed its hard limits) and whose runtime_supports_json names the runtime, so podman
# hands it --log-format=json.  The image is busybox-static, imported from a tarball made here.
#
# Teardown removes what the test left with podman, then fails the test if anything of its
# containers remains: the runtime's state dir, a cgroup, a mount, a process (the container's or
# its conmon).

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

PODMAN_CONMON=${PODMAN_CONMON:-/usr/bin/conmon}
IMG=localhost/berth-busybox:test

# podman looks the runtime up by its name; "berth" is what issue 7 is about, the basename of
# RUNTIME lets the same file check itself against runc and crun-hybrid.sh
setup_file() {
	pd_setup_file "runtime_supports_json = [\"berth\", \"${RUNTIME##*/}\"]"
}

teardown_file() { pd_teardown_file; }

setup() {
	[[ -z $PODMAN_SKIP ]] || skip "$PODMAN_SKIP"
	C=c$BATS_TEST_NUMBER-$$
	V=$PD/vol-$C # a host dir a test may bind-mount
	EV0=$(wc -l <"$PD/events.log" 2>/dev/null || echo 0)
	_MOUNTS_BEFORE=$(_mount_points)
}

teardown() {
	[[ -z $PODMAN_SKIP ]] || return 0
	local ids id leaks=() x i
	# the containers this test made: create events since setup
	ids=$(tail -n +$((EV0 + 1)) "$PD/events.log" 2>/dev/null |
		jq -r 'select(.Type == "container" and .Status == "create") | .ID' 2>/dev/null | sort -u)
	# the storage is this file's own and tests run one at a time: all of it goes
	pm pod rm -af -t 0 >/dev/null 2>&1 || true
	pm rm -af -t 0 >/dev/null 2>&1 || true
	rm -rf "$V"
	for ((i = 0; i < 40; i++)); do
		x=""
		for id in $ids; do x+=$(_ctr_pids "$id"); done
		[[ -z $x ]] && break
		sleep 0.05
	done
	for id in $ids; do
		x=$(_ctr_pids "$id")
		[[ -n $x ]] && leaks+=("processes of ${id:0:12}: $(echo $x)") && kill -9 $x 2>/dev/null
		x=$(ls -d /run/berth/"$id" /run/runc/"$id" /run/crun/"$id" 2>/dev/null)
		if [[ -n $x ]]; then
			leaks+=("runtime state: $x")
			(_exec_clean timeout -k 5 10 "$RUNTIME" delete --force "$id" >/dev/null 2>&1)
		fi
		x=$(ls -d /sys/fs/cgroup/*"$id"* /sys/fs/cgroup/*/*"$id"* /sys/fs/cgroup/*/*/*"$id"* 2>/dev/null)
		if [[ -n $x ]]; then
			leaks+=("cgroups: $(echo $x)")
			rmdir $x 2>/dev/null
		fi
		x=$(grep -F "$id" /proc/self/mountinfo | awk '{ print $5 }')
		[[ -n $x ]] && leaks+=("mounts: $(echo $x)") && umount -l $x 2>/dev/null
	done
	x=$(awk -v d="$PD/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
	[[ -n $x ]] && leaks+=("mounts under $PD: $(echo $x)") && umount -l $x 2>/dev/null
	x=$(_new_mounts)
	[[ -n $x ]] && leaks+=("new mounts on the host: $(echo $x)")
	if ((${#leaks[@]})); then
		printf '# LEAK: %s\n' "${leaks[@]}" >&2
		return 1
	fi
}

# _ctr_pids ID: live processes of container ID: in its cgroup, or naming it on their command
# line (its conmon).  (The bracket keeps grep from finding its own command line.)
_ctr_pids() {
	local id=$1 f p
	{
		grep -ls "libpod-$id" /proc/[0-9]*/cgroup
		grep -ls "${id:0:1}[${id:1:1}]${id:2}" /proc/[0-9]*/cmdline
	} 2>/dev/null | while read -r f; do
		p=${f#/proc/}
		p=${p%%/*}
		[[ $p != "$$" && $p != "$BASHPID" ]] && pid_alive "$p" && echo "$p"
	done | sort -u
}

# wait_log NAME TEXT: poll the container's log until it holds TEXT (10 s at most).
wait_log() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(pm logs "$1" 2>&1) == *"$2"* ]] && return 0
		sleep 0.1
	done
	echo "# $1: no '$2' in its log: $(pm logs "$1" 2>&1)" >&2
	return 1
}

# st NAME: "status exitcode" as podman sees it.
st() { pm inspect "$1" --format '{{.State.Status}} {{.State.ExitCode}}'; }

@test "podman: info names the runtime and Debian's conmon" {
	run pm info --format '{{.Host.OCIRuntime.Path}}|{{.Host.Conmon.Path}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$RUNTIME|$PODMAN_CONMON" ]
}

@test "podman: run prints stdout and stderr and returns the exit status, -i feeds stdin" {
	run pm run --rm --name "$C" "$IMG" sh -c 'echo hello from podman; echo to stderr >&2; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"hello from podman"* && $output == *"to stderr"* ]]
	run pm_in $'line1\nline2\n' run -i --rm --name "$C" "$IMG" sh -c 'cat; echo eof'
	[ "$status" -eq 0 ]
	[ "$output" = $'line1\nline2\neof' ]
	# --rm: nothing left
	run pm ps -a -q
	[ -z "$output" ]
}

@test "podman: the runtime gets --log-format=json, and podman reports its JSON error" {
	run -127 pm run --name "$C" "$IMG" /nonexistent
	echo "$output"
	# podman maps the runtime's "no such file" to 127 only if it read the runtime's message
	[ "$status" -eq 127 ]
	# the one line is podman's error (no complaint about cleaning up after the failed create)
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "Error: "*nonexistent* ]]
	# podman passes --log RUNDIR/oci-log only with --log-format=json: every line there is JSON
	local log
	log=$(dirname "$(pm inspect "$C" --format '{{.ConmonPidFile}}')")/oci-log
	cat "$log"
	[ -s "$log" ]
	jq -e -s 'all(.[]; (.level | type) == "string" and (.msg | type) == "string" and (.time | type) == "string")' "$log"
	msg=$(jq -r -s 'map(select(.level == "error")) | last | .msg' "$log")
	[[ $msg == *nonexistent* ]]
	[[ ${lines[0]} == *"$msg"* ]]
}

@test "podman: run -d, logs, inspect; conmon is the init's parent" {
	run pm run -d --name "$C" "$IMG" sh -c 'echo out-line; echo err-line >&2; sleep 1; echo last-line'
	[ "$status" -eq 0 ]
	local id=$output
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	run pm inspect "$C" --format '{{.ID}} {{.State.Status}} {{.State.ConmonPid}} {{.State.Pid}} {{.OCIRuntime}}'
	echo "$output"
	read -r iid st mon pid rtm <<<"$output"
	[ "$iid" = "$id" ]
	[ "$st" = running ]
	[ "$rtm" = "$RUNTIME" ]
	[ "$(readlink "/proc/$mon/exe")" = "$(readlink -f "$PODMAN_CONMON")" ]
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$mon" ]
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sh -c echo out-line; echo err-line >&2; sleep 1; echo last-line " ]
	# follow to the end: conmon saw the exit
	run pm logs -f "$C"
	echo "$output"
	[[ $output == *out-line* && $output == *err-line* && $output == *last-line* ]]
	run pm wait "$C"
	[ "$output" = 0 ]
	[ "$(st "$C")" = "exited 0" ]
	run pm logs --tail 1 "$C"
	[ "$output" = last-line ]
}

@test "podman: run -it and exec -it, typed into a terminal" {
	command -v script >/dev/null || skip "no script(1)"
	run in_pty $'typed-in-run\n' run -it --name "$C" "$IMG" sh -c 'tty; read a; echo run-got $a; exit 5'
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == */dev/pts/* && $output == *"run-got typed-in-run"* ]]
	pm rm "$C" >/dev/null
	pm run -d --name "$C" "$IMG" sleep 100 >/dev/null
	run in_pty $'typed-in-exec\n' exec -it "$C" sh -c 'read a; echo exec-got $a; tty; exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"exec-got typed-in-exec"* && $output == */dev/pts/* ]]
}

@test "podman: exec with its exit status, -i, -t, -u, -w, -e, -d" {
	pm run -d --name "$C" "$IMG" sleep 1000 >/dev/null
	run pm exec "$C" sh -c 'echo exec-out; echo exec-err >&2'
	[ "$status" -eq 0 ]
	[[ $output == *exec-out* && $output == *exec-err* ]]
	run pm exec "$C" sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run -127 pm exec "$C" /nonexistent
	echo "$output"
	[ "$status" -eq 127 ]
	run pm_in $'piped\n' exec -i "$C" cat
	[ "$status" -eq 0 ]
	[ "$output" = piped ]
	run pm exec -t "$C" sh -c 'tty; [ -t 1 ] && echo is-a-tty'
	echo "$output"
	[[ $output == */dev/pts/* && $output == *is-a-tty* ]]
	run pm exec -u 1000:1001 "$C" sh -c 'echo $(id -u) $(id -g)'
	[ "$output" = "1000 1001" ]
	run pm exec -w /tmp "$C" pwd
	[ "$output" = /tmp ]
	run pm exec -e FOO=from-exec -e BAR=2 "$C" sh -c 'echo $FOO $BAR'
	[ "$output" = "from-exec 2" ]
	# the exec'd process is in the container's namespaces: it sees the init as pid 1
	run pm exec "$C" sh -c 'tr "\0" " " </proc/1/cmdline'
	[ "$output" = "sleep 1000 " ]
	run pm exec -d "$C" sh -c 'echo detached > /tmp/d'
	[ "$status" -eq 0 ]
	for ((i = 0; i < 100; i++)); do
		run pm exec "$C" cat /tmp/d
		[ "$output" = detached ] && break
		sleep 0.05
	done
	[ "$output" = detached ]
}

@test "podman: stats --no-stream reads the container's cgroup" {
	pm run -d --name "$C" --memory 64m "$IMG" sh -c 'sleep 1000 & sleep 1000 & wait' >/dev/null
	local id
	id=$(pm inspect "$C" --format '{{.ID}}')
	for ((i = 0; i < 100; i++)); do
		run pm stats --no-stream --format '{{.ID}}|{{.PIDs}}|{{.MemUsage}}' "$C"
		[[ $output == *"|3|"* ]] && break
		sleep 0.05
	done
	echo "$output"
	[ "$status" -eq 0 ]
	IFS='|' read -r sid pids mem <<<"$output"
	[ "$sid" = "${id:0:12}" ]
	[ "$pids" = 3 ]
	[[ $mem == *" / 67.11MB" && $mem != "0B /"* ]]
}

@test "podman: pause stops all progress, unpause resumes it; rm -f of a paused container" {
	pm run -d --name "$C" "$IMG" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done' >/dev/null
	local pid n1 n2
	pid=$(pm inspect "$C" --format '{{.State.Pid}}')
	wait_file "/proc/$pid/root/tmp/n"
	pm pause "$C"
	[ "$(st "$C")" = "paused 0" ]
	n1=$(cat "/proc/$pid/root/tmp/n")
	sleep 0.5
	n2=$(cat "/proc/$pid/root/tmp/n")
	[ "$n1" = "$n2" ]
	run pm exec "$C" true
	[ "$status" -ne 0 ]
	pm unpause "$C"
	[ "$(st "$C")" = "running 0" ]
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "/proc/$pid/root/tmp/n")" != "$n2" ] && break
		sleep 0.05
	done
	[ "$(cat "/proc/$pid/root/tmp/n")" != "$n2" ]
	# a frozen container is removed too (the runtime thaws it to kill it)
	pm pause "$C"
	pm rm -f -t 0 "$C" >/dev/null
	run pm ps -a -q
	[ -z "$output" ]
	wait_gone "$pid"
}

@test "podman: stop runs the init's TERM trap, start runs it again, stop -t 0 kills" {
	mkdir -p "$V"
	pm run -d --name "$C" -v "$V:/out" "$IMG" \
		sh -c 'trap "echo bye > /out/bye; exit 0" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	# (a signal before the trap is set would be ignored: the container's init has no handler yet)
	wait_log "$C" ready
	local pid1 pid2
	pid1=$(pm inspect "$C" --format '{{.State.Pid}}')
	run pm stop -t 20 "$C"
	[ "$status" -eq 0 ]
	[ "$(st "$C")" = "exited 0" ]
	[ "$(cat "$V/bye")" = bye ]
	rm "$V/bye"
	run pm start "$C"
	[ "$status" -eq 0 ]
	[ "$(st "$C")" = "running 0" ]
	pid2=$(pm inspect "$C" --format '{{.State.Pid}}')
	[ "$pid2" != "$pid1" ]
	for ((i = 0; i < 100; i++)); do
		[ "$(pm logs "$C" | grep -c ready)" = 2 ] && break
		sleep 0.1
	done
	[ "$(pm logs "$C" | grep -c ready)" = 2 ]
	run pm stop -t 0 "$C"
	[ "$status" -eq 0 ]
	[ "$(st "$C")" = "exited 137" ]
	[ ! -e "$V/bye" ]
}

@test "podman: kill -s delivers the named signal" {
	pm run -d --name "$C" "$IMG" sh -c 'trap "echo got-usr1" USR1; trap "echo got-hup" HUP; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_log "$C" ready
	pm kill -s USR1 "$C" >/dev/null
	wait_log "$C" got-usr1
	pm kill -s SIGHUP "$C" >/dev/null
	wait_log "$C" got-hup
	[ "$(st "$C")" = "running 0" ]
	pm kill -s 9 "$C" >/dev/null
	run pm wait "$C"
	[ "$output" = 137 ]
	[ "$(st "$C")" = "exited 137" ]
}

@test "podman: rm refuses a running container, rm -f removes it; rm of created and exited ones" {
	pm run -d --name "$C" "$IMG" sleep 1000 >/dev/null
	local pid
	pid=$(pm inspect "$C" --format '{{.State.Pid}}')
	run pm rm "$C"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(st "$C")" = "running 0" ]
	run pm rm -f -t 0 "$C"
	[ "$status" -eq 0 ]
	wait_gone "$pid"
	run pm ps -a -q
	[ -z "$output" ]
	# created by the runtime (podman init), never started
	pm create --name "$C" "$IMG" sleep 1000 >/dev/null
	pm init "$C" >/dev/null
	[ "$(pm inspect "$C" --format '{{.State.Status}}')" = initialized ]
	pid=$(pm inspect "$C" --format '{{.State.Pid}}')
	pid_alive "$pid"
	run pm rm -f -t 0 "$C"
	[ "$status" -eq 0 ]
	wait_gone "$pid"
	# exited
	pm run --name "$C" "$IMG" true
	run pm rm "$C"
	[ "$status" -eq 0 ]
	run pm ps -a -q
	[ -z "$output" ]
}

@test "podman: --restart on-failure runs the container again (conmon's exit command)" {
	pm run -d --name "$C" --restart on-failure:2 "$IMG" sh -c 'echo run; exit 1' >/dev/null
	for ((i = 0; i < 200; i++)); do
		[ "$(pm inspect "$C" --format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}')" = "2 exited 1" ] && break
		sleep 0.05
	done
	[ "$(pm inspect "$C" --format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}')" = "2 exited 1" ]
	[ "$(pm logs "$C" | grep -c run)" = 3 ]
}

@test "podman: a pod's containers join its infra container's namespaces" {
	[[ -x /usr/libexec/podman/catatonit ]] || skip "no catatonit for the pod's infra container"
	# (the infra image is built locally from catatonit, once per storage)
	pm pod create --name "$C" --network none >/dev/null
	pm run -d --pod "$C" --name "$C-a" "$IMG" sleep 1000 >/dev/null
	pm run -d --pod "$C" --name "$C-b" "$IMG" sleep 1000 >/dev/null
	local infra pi pa pb ns
	infra=$(pm pod inspect "$C" --format '{{.InfraContainerID}}')
	pi=$(pm inspect "$infra" --format '{{.State.Pid}}')
	pa=$(pm inspect "$C-a" --format '{{.State.Pid}}')
	pb=$(pm inspect "$C-b" --format '{{.State.Pid}}')
	for ns in net uts ipc; do
		[ "$(readlink "/proc/$pa/ns/$ns")" = "$(readlink "/proc/$pi/ns/$ns")" ]
		[ "$(readlink "/proc/$pb/ns/$ns")" = "$(readlink "/proc/$pi/ns/$ns")" ]
		[ "$(readlink "/proc/$pi/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ]
	done
	[ "$(readlink "/proc/$pa/ns/pid")" != "$(readlink "/proc/$pb/ns/pid")" ]
	run pm exec "$C-b" hostname
	[ "$output" = "$C" ]
	pm pod rm -f -t 0 "$C" >/dev/null
	run pm ps -a -q
	[ -z "$output" ]
}

@test "podman: --read-only makes / read-only, /tmp stays writable" {
	run pm run --rm --name "$C" --read-only "$IMG" sh -c \
		'touch /x 2>&1; echo root=$?; touch /tmp/x && echo tmp=$?; awk "\$2 == \"/\" { print \$4 }" /proc/mounts | cut -d, -f1'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Read-only file system"* ]]
	[[ $output == *root=1* && $output == *tmp=0* ]]
	[ "${lines[-1]}" = ro ]
	run pm run --rm --name "$C" "$IMG" sh -c 'touch /x && echo writable'
	[ "$output" = writable ]
}

@test "podman: --network container:ID shares the network namespace" {
	# the first container brings its loopback up and listens on it; the line it gets goes to
	# its log (a plain `nc -l` may exit at its stdin's EOF before it reads the socket)
	pm run -d --name "$C" --cap-add NET_ADMIN "$IMG" sh -c 'ip link set lo up && echo up && exec nc -l -p 7777 -e sh -c "read l; echo got-\$l >&2"' >/dev/null
	wait_log "$C" up
	local id p1 p2 p3
	id=$(pm inspect "$C" --format '{{.ID}}')
	pm run -d --name "$C-2" --network "container:$id" "$IMG" sleep 1000 >/dev/null
	pm run -d --name "$C-3" --network none "$IMG" sleep 1000 >/dev/null
	p1=$(pm inspect "$C" --format '{{.State.Pid}}')
	p2=$(pm inspect "$C-2" --format '{{.State.Pid}}')
	p3=$(pm inspect "$C-3" --format '{{.State.Pid}}')
	[ "$(readlink "/proc/$p1/ns/net")" = "$(readlink "/proc/$p2/ns/net")" ]
	[ "$(readlink "/proc/$p1/ns/net")" != "$(readlink "/proc/$p3/ns/net")" ]
	[ "$(readlink "/proc/$p1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	# ... but not the rest
	[ "$(readlink "/proc/$p1/ns/pid")" != "$(readlink "/proc/$p2/ns/pid")" ]
	# the loopback that the first container brought up is the second's
	run pm exec "$C-2" sh -c 'ip link show lo'
	[[ $output == *"state UNKNOWN"* || $output == *"LOOPBACK,UP"* ]]
	# (nc may not listen yet when "up" is printed)
	run pm exec "$C-2" sh -c 'for i in $(seq 100); do echo hello-over-lo | nc 127.0.0.1 7777 && exit 0; sleep 0.1; done; exit 1'
	echo "$output"
	[ "$status" -eq 0 ]
	wait_log "$C" got-hello-over-lo
	run pm exec "$C-3" sh -c 'echo hello | nc 127.0.0.1 7777'
	[ "$status" -ne 0 ]
}

@test "podman: --memory, --cpus, --cpu-shares, --pids-limit land in the container's cgroup" {
	pm run -d --name "$C" --memory 64m --cpus 0.5 --cpu-shares 512 --pids-limit 33 "$IMG" sleep 1000 >/dev/null
	local id pid
	id=$(pm inspect "$C" --format '{{.ID}}')
	pid=$(pm inspect "$C" --format '{{.State.Pid}}')
	# where podman put it (cgroupfs: the parent's libpod-ID), which is also where it reads stats
	local cg
	cg=$(cg_of "$pid" memory)
	[[ $cg == /*/libpod-"$id" ]]
	[ "$(cg_get "$cg" memory.limit)" = 67108864 ]
	[ "$(cg_get "$cg" cpu.quota)" = 50000 ]
	[ "$(cg_get "$cg" cpu.period)" = 100000 ]
	[ "$(cg_get "$cg" cpu.shares)" = "$(shares_seen 512)" ]
	[ "$(cg_get "$cg" pids.max)" = 33 ]
	pm rm -f -t 0 "$C" >/dev/null
	pm run -d --name "$C" --cpu-quota 30000 --cpu-period 60000 "$IMG" sleep 1000 >/dev/null
	pid=$(pm inspect "$C" --format '{{.State.Pid}}')
	cg=$(cg_of "$pid" cpu)
	[ "$(cg_get "$cg" cpu.quota)" = 30000 ]
	[ "$(cg_get "$cg" cpu.period)" = 60000 ]
}

@test "podman: the limits are enforced: --pids-limit stops forks, --memory kills" {
	# the inner shell dies at its first failed fork; its sleeps stay, counted
	run pm run --rm --name "$C" --pids-limit 5 "$IMG" sh -c \
		'sh -c "for i in 1 2 3 4 5 6 7 8; do sleep 30 & done"; read n 2>/dev/null </sys/fs/cgroup/pids/pids.current || read n </sys/fs/cgroup/pids.current; echo pids=$n'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"can't fork"* ]]
	[[ $output == *pids=4* ]]
	run pm run --rm --name "$C" --memory 16m --memory-swap 16m "$IMG" \
		dd if=/dev/zero of=/dev/null bs=64M count=1
	echo "$output"
	[ "$status" -eq 137 ]
}
