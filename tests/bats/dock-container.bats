#!/usr/bin/env bats
# dock's container verbs end to end: a real store per test, real containers through the shim
# and the runtime (DOCK_RUNTIME / DOCK_SHIM swap them), docker's behaviours users rely on.

load dock-helpers

setup() {
	dock_setup
	dk_load
}

# wait_status NAME STATUS: poll `inspect` until State.Status is STATUS (5 s)
wait_status() {
	local i s
	for ((i = 0; i < 100; i++)); do
		s=$(dk inspect -f '{{.State.Status}}' "$1" 2>/dev/null)
		[[ $s == "$2" ]] && return 0
		sleep 0.05
	done
	echo "# $1 is '$s', not '$2'" >&2
	return 1
}

@test "run: output, exit status, and the container stays as Exited" {
	run dk run --name c1 busybox sh -c 'echo out; echo err >&2; exit 3'
	assert_failure 3
	assert_output_has out
	assert_output_has err
	run dk ps -a --format '{{.Names}} {{.Status}}'
	assert_success
	[[ $output == "c1 Exited (3) "* ]]
	run dk ps -q
	[[ -z $output ]]
}

@test "run --rm removes the container and keeps the status" {
	run dk run --rm busybox sh -c 'exit 7'
	assert_failure 7
	run dk ps -aq
	[[ -z $output ]]
	[[ -z $(ls "$DROOT/containers") ]]
}

@test "run -d returns the ID at once; ps, logs, stop, start, rm" {
	run dk run -d --name web busybox sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
	assert_success
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run dk ps --format '{{.ID}} {{.Names}} {{.Status}}'
	[[ $output == "${id:0:12} web Up "* ]]
	sleep 0.3
	run dk logs web
	[[ $output == started ]]
	run dk stop web
	assert_success
	[[ $output == web ]]
	run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' web
	[[ $output == "exited 0" ]]
	run dk logs web
	[[ $output == $'started\nbye' ]]
	run dk start web
	assert_success
	wait_status web running
	run dk rm web
	assert_failure
	assert_output_has "cannot remove a running container"
	run dk rm -f web
	assert_success
	run dk ps -aq
	[[ -z $output ]]
}

@test "IDs: a unique prefix and the name work; an unknown one is named in the error" {
	id=$(dk create --name pfx busybox true)
	run dk inspect -f '{{.Name}}' "${id:0:5}"
	[[ $output == /pfx ]]
	run dk inspect -f '{{.Id}}' pfx
	[[ $output == "$id" ]]
	run dk rm nosuch
	assert_failure
	assert_output_has "No such container: nosuch"
}

@test "create: a name already in use is refused and nothing is added" {
	dk create --name dup busybox true >/dev/null
	run dk create --name dup busybox true
	assert_failure 125
	assert_output_has 'is already in use'
	[[ $(ls "$DROOT/containers" | wc -l) -eq 1 ]]
}

@test "an unknown image: exit 125, a clear message, nothing left" {
	# --pull never: the default would ask docker.io, and the tests stay on loopback
	run dk run --pull never nosuchimage true
	assert_failure 125
	assert_output_has "nosuchimage"
	[[ -z $(ls "$DROOT/containers") ]]
}

@test "a command that does not exist: 127; one that cannot run: 126" {
	run dk run --rm busybox /nonexistent
	assert_failure 127
	run dk run --rm busybox /etc/passwd
	assert_failure 126
	[[ -z $(ls "$DROOT/containers") ]]
}

@test "exec: output, status, env, workdir, user, and a stopped container is refused" {
	dk run -d --name ex -e FOO=bar busybox sleep 100 >/dev/null
	run dk exec ex sh -c 'echo $FOO; exit 4'
	assert_failure 4
	[[ $output == bar ]]
	run dk exec -e X=1 -w /tmp ex sh -c 'echo $X $(pwd)'
	[[ $output == "1 /tmp" ]]
	run dk exec -u app ex id -u
	[[ $output == 1000 ]]
	run dk exec -u 1000:50 ex id -G
	[[ $output == 50 ]]
	echo input | dk exec -i ex cat >"$T/out"
	[[ $(cat "$T/out") == input ]]
	dk kill ex >/dev/null
	wait_status ex exited
	run dk exec ex true
	assert_failure
	assert_output_has "is not running"
}

@test "kill -s sends the signal; the default is KILL (137)" {
	dk run -d --name k busybox sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done' >/dev/null
	sleep 0.3
	run dk kill -s USR1 k
	assert_success
	run dk wait k
	[[ $output == 42 ]]
	dk start k >/dev/null
	run dk kill k
	run dk wait k
	[[ $output == 137 ]]
}

@test "pause and unpause: a paused counter does not advance, ps says (Paused)" {
	dk run -d --name p busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done' >/dev/null
	sleep 0.3
	run dk pause p
	assert_success
	run dk ps --format '{{.Status}}'
	[[ $output == *"(Paused)" ]]
	a=$(dk exec p cat /tmp/n 2>&1 || true)
	run dk exec p true
	assert_failure
	assert_output_has paused
	n1=$(cat "$DROOT"/containers/*/upper/tmp/n)
	sleep 0.3
	n2=$(cat "$DROOT"/containers/*/upper/tmp/n)
	[[ $n1 == "$n2" ]]
	run dk unpause p
	assert_success
	# it counts again (within 5 s: the machine may be busy)
	for ((i = 0; i < 50; i++)); do
		n3=$(cat "$DROOT"/containers/*/upper/tmp/n)
		((n3 > n2)) && break
		sleep 0.1
	done
	((n3 > n2))
}

@test "CMD and ENTRYPOINT combine as docker's table says" {
	python3 "$MAKE_IMAGE" "$T/ep.tar" --tag ep:1 --config '{"Entrypoint":["echo","ep"],"Cmd":["cmd"]}' >/dev/null
	dk load -i "$T/ep.tar" >/dev/null
	run dk run --rm ep:1
	[[ $output == "ep cmd" ]]
	run dk run --rm ep:1 over
	[[ $output == "ep over" ]]
	run dk run --rm --entrypoint echo ep:1 x y
	[[ $output == "x y" ]]
	# an --entrypoint drops the image's CMD
	run dk run --rm --entrypoint echo ep:1
	[[ $output == "" ]]
}

@test "image config: Env, WorkingDir, User by name; -e and -u override" {
	python3 "$MAKE_IMAGE" "$T/cfg.tar" --tag cfg:1 --config '{"Env":["PATH=/bin:/usr/bin","A=image","B=image"],"WorkingDir":"/home/app","User":"app"}' >/dev/null
	dk load -i "$T/cfg.tar" >/dev/null
	run dk run --rm -e B=flag cfg:1 sh -c 'echo $A $B $(pwd) $(id -u):$(id -g)'
	[[ $output == "image flag /home/app 1000:1000" ]]
	run dk run --rm -u root cfg:1 id -u
	[[ $output == 0 ]]
	run dk run --rm -u nosuchuser cfg:1 true
	assert_failure
	assert_output_has nosuchuser
}

@test "hostname, /etc/hosts, --add-host, --hostname" {
	id=$(dk create --name h busybox sh -c 'hostname; cat /etc/hosts')
	run dk start -a h
	[[ ${lines[0]} == "${id:0:12}" ]]
	assert_output_has "127.0.0.1	localhost"
	run dk run --rm --hostname box --add-host db:10.1.2.3 busybox sh -c 'hostname; grep db /etc/hosts'
	[[ ${lines[0]} == box ]]
	[[ ${lines[1]} == "10.1.2.3	db" ]]
}

@test "network: default has lo and eth0, none only lo (up); host shares the host's; container:X shares X's" {
	run dk run --rm busybox sh -c 'ls /sys/class/net'
	[[ $output == $'eth0\nlo' ]]
	run dk run --rm --network none busybox sh -c 'ls /sys/class/net'
	[[ $output == lo ]]
	run dk run --rm --network none busybox cat /sys/class/net/lo/operstate
	[[ $output == unknown ]]
	run dk run --rm --network host busybox readlink /proc/self/ns/net
	[[ $output == "$(readlink /proc/self/ns/net)" ]]
	run dk run --rm busybox readlink /proc/self/ns/net
	[[ $output != "$(readlink /proc/self/ns/net)" ]]
	dk run -d --name srv busybox nc -l -p 5555 -e echo hi-from-srv >/dev/null
	sleep 0.3
	run dk run --rm --network container:srv busybox sh -c 'nc 127.0.0.1 5555 </dev/null'
	[[ $output == hi-from-srv ]]
	[[ -z $(ls "$DRUN/netns" | grep -v "$(dk inspect -f '{{.Id}}' srv)") ]]
}

@test "--pid and --ipc: container:X joins X's namespaces (X must run; an IPC donor must be shareable); host; own" {
	dk run -d --name a --ipc shareable busybox sleep 100 >/dev/null
	dk run -d --name p busybox sleep 100 >/dev/null
	local apid aipc
	apid=$(dk exec a readlink /proc/self/ns/pid)
	aipc=$(dk exec a readlink /proc/self/ns/ipc)
	run dk run --rm --pid container:a busybox ps -o args
	assert_success
	assert_output_has "sleep 100"
	run dk run --rm --pid container:a busybox readlink /proc/self/ns/pid
	[[ $output == "$apid" ]]
	run dk run --rm busybox readlink /proc/self/ns/pid
	[[ $output != "$apid" && $output != "$(readlink /proc/self/ns/pid)" ]]
	run dk run --rm --pid host busybox readlink /proc/self/ns/pid
	[[ $output == "$(readlink /proc/self/ns/pid)" ]]
	# IPC: the namespace, and what lives in it (a POSIX message queue made in a, a file in its
	# /dev/shm, which docker shares too)
	dk exec a touch /dev/mqueue/from-a
	dk exec a sh -c 'echo shm-of-a >/dev/shm/x'
	run dk run --rm --ipc container:a busybox sh -c 'readlink /proc/self/ns/ipc; ls /dev/mqueue; cat /dev/shm/x'
	assert_success
	[[ ${lines[0]} == "$aipc" && ${lines[1]} == from-a && ${lines[2]} == shm-of-a ]]
	run dk run --rm busybox cat /dev/shm/x
	assert_failure
	run dk run --rm busybox sh -c 'readlink /proc/self/ns/ipc; ls /dev/mqueue'
	[[ ${lines[0]} != "$aipc" && ${#lines[@]} -eq 1 ]]
	run dk run --rm --ipc host busybox readlink /proc/self/ns/ipc
	[[ $output == "$(readlink /proc/self/ns/ipc)" ]]
	run dk run --rm --ipc none busybox sh -c 'readlink /proc/self/ns/ipc; test -e /dev/shm || echo no-shm'
	[[ ${lines[0]} != "$aipc" && ${lines[0]} != "$(readlink /proc/self/ns/ipc)" && ${lines[1]} == no-shm ]]
	# a private IPC namespace is not lent (docker's rule), a stopped container has none to lend
	run dk run --rm --ipc container:p busybox true
	assert_failure 125
	assert_output_has "non-shareable IPC"
	dk create --name c busybox true >/dev/null
	run dk run --rm --pid container:c busybox true
	assert_failure 125
	assert_output_has "cannot join PID of a non running container: c"
	run dk run --rm --ipc container:c busybox true
	assert_failure 125
	assert_output_has "cannot join IPC of a non running container: c"
	run dk run --rm --pid container:nosuch busybox true
	assert_failure 125
	assert_output_has "No such container: nosuch"
	[[ $(dk ps -aq | wc -l) -eq 3 ]]
}

@test "--read-only, --cap-drop, --cap-add, --privileged" {
	run dk run --rm --read-only busybox touch /x
	assert_failure
	run dk run --rm --read-only --tmpfs /tmp busybox touch /tmp/x
	assert_success
	run dk run --rm busybox sh -c 'grep CapEff /proc/self/status'
	[[ $output == *00000000a80425fb ]]
	run dk run --rm --cap-drop ALL busybox sh -c 'grep CapEff /proc/self/status'
	[[ $output == *0000000000000000 ]]
	run dk run --rm --cap-drop ALL --cap-add NET_ADMIN busybox sh -c 'grep CapEff /proc/self/status'
	[[ $output == *0000000000001000 ]]
	run dk run --rm busybox ip link add x type bridge
	assert_failure
	run dk run --rm --privileged busybox sh -c 'grep CapEff /proc/self/status'
	[[ $output != *00000000a80425fb ]]
}

@test "limits: --memory, --pids-limit, --cpus land in the container's cgroup" {
	dk run -d --name lim --memory 64m --pids-limit 50 --cpus 0.5 busybox sleep 100 >/dev/null
	pid=$(dk inspect -f '{{.State.Pid}}' lim)
	mem=$(awk -F: '$2 == "memory" {print $3}' /proc/$pid/cgroup)
	pids=$(awk -F: '$2 == "pids" {print $3}' /proc/$pid/cgroup)
	cpu=$(awk -F: '$2 ~ /cpu,cpuacct|^cpu$/ {print $3}' /proc/$pid/cgroup | head -1)
	[[ $(cat /sys/fs/cgroup/memory$mem/memory.limit_in_bytes) == 67108864 ]]
	[[ $(cat /sys/fs/cgroup/pids$pids/pids.max) == 50 ]]
	q=$(cat /sys/fs/cgroup/cpu$cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu,cpuacct$cpu/cpu.cfs_quota_us)
	[[ $q == 50000 ]]
}

@test "restart policies: on-failure:2 restarts twice, always restarts, stop ends it" {
	dk run -d --name rf --restart on-failure:2 busybox sh -c 'exit 1' >/dev/null
	for ((i = 0; i < 100; i++)); do
		[[ $(dk inspect -f '{{.RestartCount}} {{.State.Status}}' rf) == "2 exited" ]] && break
		sleep 0.1
	done
	run dk inspect -f '{{.RestartCount}} {{.State.Status}}' rf
	[[ $output == "2 exited" ]]
	dk run -d --name ra --restart always busybox sh -c 'sleep 0.2; exit 0' >/dev/null
	for ((i = 0; i < 100; i++)); do
		(($(dk inspect -f '{{.RestartCount}}' ra) >= 2)) && break
		sleep 0.1
	done
	(($(dk inspect -f '{{.RestartCount}}' ra) >= 2))
	run dk stop ra
	assert_success
	sleep 0.6
	run dk inspect -f '{{.State.Status}}' ra
	[[ $output == exited ]]
}

@test "wait prints the exit code; rename; container prune" {
	dk run -d --name w busybox sh -c 'sleep 0.3; exit 5' >/dev/null
	run dk wait w
	[[ $output == 5 ]]
	run dk rename w w2
	assert_success
	run dk inspect -f '{{.Name}}' w2
	[[ $output == /w2 ]]
	dk run -d --name alive busybox sleep 100 >/dev/null
	run dk container prune -f
	assert_success
	assert_output_has Deleted
	run dk ps -a --format '{{.Names}}'
	[[ $output == alive ]]
}

@test "ps: -a, -q, -l, -n, --no-trunc, --filter, --format table" {
	a=$(dk run -d --name a1 -l tier=web busybox sleep 100)
	b=$(dk create --name b1 busybox true)
	run dk ps -q
	[[ $output == "${a:0:12}" ]]
	run dk ps -aq --no-trunc
	[[ $output == *"$a"* && $output == *"$b"* ]]
	run dk ps -l --format '{{.Names}}'
	[[ $output == b1 ]]
	run dk ps -a --filter label=tier=web --format '{{.Names}}'
	[[ $output == a1 ]]
	# label filters must all match (docker ANDs them)
	run dk ps -a --filter label=tier=web --filter label=other --format '{{.Names}}'
	[[ -z $output ]]
	run dk ps -a --filter status=created --format '{{.Names}}'
	[[ $output == b1 ]]
	run dk ps --format 'table {{.Names}}\t{{.Image}}'
	[[ ${lines[0]} == "NAMES     IMAGE" ]]
	[[ ${lines[1]} == "a1        busybox" ]]
	run dk ps --format '{{.Nope}}'
	assert_failure
}

@test "logs: --tail, -t, --since, -f follows until the container exits" {
	dk run -d --name lg busybox sh -c 'for i in 1 2 3 4 5; do echo line$i; done; sleep 1; echo last' >/dev/null
	sleep 0.4
	run dk logs --tail 2 lg
	[[ $output == $'line4\nline5' ]]
	run dk logs -t lg
	[[ ${lines[0]} =~ ^20[0-9-]+T[0-9:.]+Z\ line1$ ]]
	run dk logs --since 1h lg
	[[ ${#lines[@]} -ge 5 ]]
	run dk logs -f lg
	[[ ${lines[-1]} == last ]]
}

@test "-it: a terminal inside, output through it, exit status" {
	command -v script >/dev/null || skip "no script(1)"
	run env SHELL=/bin/bash script -qec "timeout --foreground 20 $DOCK --root $DROOT --runroot $DRUN run -it --rm busybox sh -c 'tty; exit 3'" /dev/null
	[[ $output == *"/dev/pts/0"* ]]
	[[ $status -eq 3 ]]
}

@test "-d -it then attach and detach with ctrl-p ctrl-q; the container keeps running" {
	command -v script >/dev/null || skip "no script(1)"
	dk run -dit --name at busybox sh >/dev/null
	(
		sleep 1
		printf 'echo hello-attach\n'
		sleep 0.5
		printf '\x10\x11'
	) | env SHELL=/bin/bash script -qec "timeout --foreground 20 $DOCK --root $DROOT --runroot $DRUN attach at" /dev/null >"$T/att" 2>&1 || true
	grep -q hello-attach "$T/att"
	run dk inspect -f '{{.State.Status}}' at
	[[ $output == running ]]
}

@test "inspect: docker's shape and --format functions" {
	dk run -d --name in -l a=b -e K=V busybox sleep 100 >/dev/null
	run dk inspect in
	assert_success
	echo "$output" | jq -e '.[0].Id and .[0].State.Running == true and .[0].Config.Labels.a == "b" and (.[0].Config.Env | index("K=V") != null) and .[0].HostConfig != null'
	run dk inspect -f '{{json .Config.Labels}}' in
	[[ $output == '{"a":"b"}' ]]
	run dk inspect -f '{{index .Config.Labels "a"}} {{.State.Running}}' in
	[[ $output == "b true" ]]
	run dk inspect -f '{{.Nope}}' in
	assert_failure
}

@test "two docks at once: 8 parallel runs, all recorded, the store intact" {
	local pids=()
	for i in 1 2 3 4 5 6 7 8; do
		dk run -d --name par$i busybox sleep 100 >"$T/par$i" 2>&1 &
		pids+=($!)
	done
	# only these: bats has a background watchdog of its own (BATS_TEST_TIMEOUT)
	wait "${pids[@]}"
	run dk ps -q
	[[ ${#lines[@]} -eq 8 ]]
	for f in "$DROOT"/containers/*/meta.json; do jq -e .Id "$f" >/dev/null; done
}

@test "a failed start leaves no mount, netns or process behind" {
	run dk run -d --name bad busybox /nonexistent
	assert_failure 127
	[[ -z $(ls "$DRUN/netns") ]]
	! grep -q "$DROOT" /proc/self/mountinfo
	run dk inspect -f '{{.State.Status}}' bad
	[[ $output == created ]]
}

@test "health checks: healthy, unhealthy, shown by ps and inspect" {
	[[ -z $DOCK_SHIM ]] || skip "health checks are berth-shim's (conmon has none)"
	dk run -d --name hok --health-cmd 'test -f /tmp/ok' --health-interval 200ms --health-retries 2 busybox sh -c 'touch /tmp/ok; sleep 100' >/dev/null
	dk run -d --name hbad --health-cmd 'exit 1' --health-interval 200ms --health-retries 2 busybox sleep 100 >/dev/null
	for ((i = 0; i < 150; i++)); do
		[[ $(dk inspect -f '{{.State.Health.Status}}' hok) == healthy && $(dk inspect -f '{{.State.Health.Status}}' hbad) == unhealthy ]] && break
		sleep 0.1
	done
	run dk inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hbad
	# the streak goes on counting after the second failure, as docker's does
	[[ $output == "unhealthy "* && ${output#unhealthy } -ge 2 ]]
	run dk ps --format '{{.Names}} {{.Status}}'
	assert_output_has "hok Up"
	assert_output_has "(healthy)"
	assert_output_has "(unhealthy)"
	run dk inspect -f '{{len .State.Health.Log}}' hok
	(($output >= 1))
}

@test "health checks: the image's CMD-SHELL runs through the container's /bin/sh; start intervals are kept" {
	[[ -z $DOCK_SHIM ]] || skip "health checks are berth-shim's (conmon has none)"
	# the image's check uses the shell's syntax (&&, $(…), quotes) and reports which shell ran it
	python3 "$MAKE_IMAGE" "$T/hc.tar" --tag hc:1 --config '{"Healthcheck":{"Test":["CMD-SHELL","test \"$(cat /tmp/state)\" = ready && readlink /proc/$$/exe && echo \"$0\""],"Interval":200000000,"Retries":2,"StartInterval":100000000}}' >/dev/null
	dk load -i "$T/hc.tar" >/dev/null
	dk run -d --name h1 hc:1 sh -c 'echo ready >/tmp/state; sleep 100' >/dev/null
	dk run -d --name h2 --health-start-interval 50ms --health-start-period 1s hc:1 sleep 100 >/dev/null
	for ((i = 0; i < 150; i++)); do
		[[ $(dk inspect -f '{{.State.Health.Status}}' h1) == healthy && $(dk inspect -f '{{.State.Health.Status}}' h2) == unhealthy ]] && break
		sleep 0.1
	done
	run dk inspect h1
	assert_success
	# the container's busybox sh ran it (the host's /bin/sh is not busybox), as sh -c CMD
	[[ $(jq -r '.[0].State.Health.Status' <<<"$output") == healthy ]]
	jq -e '.[0].State.Health.Log[-1].Output == "/bin/busybox\n/bin/sh\n"' <<<"$output"
	[[ $(jq -c '.[0].Config.Healthcheck.Test' <<<"$output") == '["CMD-SHELL",'* ]]
	[[ $(jq -r '.[0].Config.Healthcheck.StartInterval' <<<"$output") == 100000000 ]]
	run dk inspect h2
	[[ $(jq -r '.[0].State.Health.Status' <<<"$output") == unhealthy ]]
	[[ $(jq -r '.[0].Config.Healthcheck.StartInterval' <<<"$output") == 50000000 ]]
	[[ $(jq -r '.[0].Config.Healthcheck.StartPeriod' <<<"$output") == 1000000000 ]]
	run dk create --health-start-interval soon busybox true
	assert_failure 125
	assert_output_has "--health-start-interval"
}

@test "health checks: during the start period they come every start interval, then every interval" {
	[[ -z $DOCK_SHIM ]] || skip "health checks are berth-shim's (conmon has none)"
	# an hour's interval: only the start interval can make it healthy within the test
	dk run -d --name hs --health-cmd true --health-interval 1h --health-start-period 1h \
		--health-start-interval 100ms busybox sleep 100 >/dev/null
	for ((i = 0; i < 100; i++)); do
		[[ $(dk inspect -f '{{.State.Health.Status}}' hs) == healthy ]] && break
		sleep 0.1
	done
	[[ $(dk inspect -f '{{.State.Health.Status}}' hs) == healthy ]]
	# healthy: the next check is an interval (an hour) away, so the log stops growing
	n=$(dk inspect -f '{{len .State.Health.Log}}' hs)
	sleep 0.5
	[[ $(dk inspect -f '{{len .State.Health.Log}}' hs) == "$n" ]]
}

@test "--init runs an init as PID 1; --ulimit; no-new-privileges; the default seccomp profile" {
	run dk run --rm --init busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	[[ $output == *docker-init* ]]
	run dk run --rm --ulimit nofile=100:200 busybox sh -c 'ulimit -n; ulimit -Hn'
	[[ $output == $'100\n200' ]]
	run dk run --rm --security-opt no-new-privileges busybox grep NoNewPrivs /proc/self/status
	[[ $output == *1 ]]
	run dk run --rm busybox grep Seccomp: /proc/self/status
	[[ $output == *2 ]]
	# docker's profile refuses unshare without CAP_SYS_ADMIN
	run dk run --rm busybox unshare -U true
	assert_failure
	run dk run --rm --security-opt seccomp=unconfined busybox grep Seccomp: /proc/self/status
	[[ $output == *0 ]]
}

@test "--device gives the container a host device node" {
	run dk run --rm --device /dev/zero:/dev/myzero busybox sh -c 'head -c 4 /dev/myzero | od -An -tx1'
	assert_success
	[[ $output == *"00 00 00 00"* ]]
}

@test "volumes end to end: copy-up of the image's content, -v host dirs, rm -v" {
	mkdir -p "$T/host"
	echo from-host >"$T/host/f"
	run dk run --rm -v "$T/host:/mnt:ro" busybox sh -c 'cat /mnt/f; touch /mnt/x'
	[[ ${lines[0]} == from-host ]]
	assert_failure
	run dk run --rm -v etcvol:/etc busybox true
	run dk run --rm -v etcvol:/data busybox cat /data/passwd
	assert_output_has root:x:0:0
	dk run -d --name anon -v /scratch busybox sleep 100 >/dev/null
	vol=$(dk inspect -f '{{range .Mounts}}{{.Name}}{{end}}' anon)
	[[ -n $vol ]]
	run dk volume rm "$vol"
	assert_failure
	assert_output_has "in use"
	dk rm -f -v anon >/dev/null
	run dk volume ls -q
	[[ $output == etcvol ]]
}

@test "a create killed half-way leaves a directory that container prune clears" {
	mkdir -p "$DROOT/containers/$(printf 'a%.0s' {1..64})/upper"
	run dk ps -a -q
	[[ -z $output ]]
	run dk container prune -f
	assert_success
	[[ -z $(ls "$DROOT/containers") ]]
}

@test "run -i passes stdin through (EOF closes it); without -i the container's stdin is empty" {
	run bash -c "echo hello-stdin | $DOCK --root $DROOT --runroot $DRUN run -i --rm busybox cat"
	[[ $output == hello-stdin ]]
	run bash -c "echo hidden | $DOCK --root $DROOT --runroot $DRUN run --rm busybox cat"
	assert_success
	[[ -z $output ]]
}
