#!/usr/bin/env bats
# Docker swarm services on berth (issue 18): two private dockerds (Debian's docker.io, 20.10) with
# the runtime under test ($RUNTIME) as their default runtime, each in network, mount and UTS
# namespaces of its own, joined by a veth pair this file makes between those two network
# namespaces (10.77.0.1 and 10.77.0.2; it never appears in the host's).  The tests run in order
# and build on each other: swarm init and join, an overlay network, a replicated service whose
# tasks reach each other by name across the two nodes, scale, a rolling update, a killed task
# replaced, and nothing left after `service rm` and `swarm leave`.
# This kernel has no IPVS, so traffic to a service's virtual IP (and the ingress mesh) cannot
# work here; that the service's name resolves to its virtual IP is checked, traffic goes to the
# tasks by their own names and through tasks.SERVICE.
#
# Each node, as tests/bats/dock-docker.bats's dockerd: a sleep (the anchor) holds its namespaces;
# tmpfs there hide /run, /opt and /etc/docker; its own --data-root, --exec-root, socket,
# pidfile, config file (trust key), TMPDIR, a modprobe that loads nothing, a cgroup parent named
# after this run, --iptables=false, no default bridge.  The image (busybox, with its httpd) is
# made here by tests/make-image.py and loaded into both: nothing is pulled.
# teardown_file stops both dockerds by pid, kills by pid whatever is left in their namespaces,
# cgroups or directory, ends the anchors (the veth pair goes with their network namespaces), and
# fails if anything was left.  Without dockerd, the docker client, or VXLAN, every test skips
# and says why.  DOCKERD and DOCKER_CLI pick the binaries.

DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
if [[ -z ${DOCKER_CLI:-} ]]; then
	DOCKER_CLI=/usr/bin/docker
	[[ -x $DOCKER_CLI ]] || DOCKER_CLI=$(command -v docker || true)
fi
RUNTIME=${RUNTIME:-$BATS_TEST_DIRNAME/../../berth}
IMG=berth-swarm-busybox:test

alive() {
	local s
	s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[[ -n $s && $s != Z ]]
}

# the docker client for node N (1 or 2)
dkr() {
	local n=$1
	shift
	DOCKER_HOST=unix://$SW/n$n/docker.sock DOCKER_CONFIG=$SW/n$n/cli timeout 120 "$DOCKER_CLI" "$@"
}

# wait_for SECONDS COMMAND…: until COMMAND succeeds
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 2; i++)); do
		"$@" && return 0
		sleep 0.5
	done
	"$@"
}

# the pid the anchor of node N wrote, if it still is that sleep
anchor_of() {
	local a
	a=$(cat "$SW/n$1/anchor.pid" 2>/dev/null) || return 1
	[[ $a =~ ^[0-9]+$ ]] && alive "$a" && [[ $(tr '\0' ' ' <"/proc/$a/cmdline" 2>/dev/null) == "sleep infinity " ]] && echo "$a"
}

sw_start_node() {
	local n=$1 d=$SW/n$1 a i
	mkdir -p "$d/bin" "$d/cli" "$d/tmp"
	printf '#!/bin/sh\n# dockerd may ask for kernel modules: load none\nexit 0\n' >"$d/bin/modprobe"
	chmod 755 "$d/bin/modprobe"
	jq -n --arg key "$d/key.json" --arg rt "$RUNTIME" \
		'{"deprecated-key-path": $key, runtimes: {berth: {path: $rt}}, "default-runtime": "berth"}' >"$d/daemon.json"
	# every fd but 0-2 closed (bats waits for its own), then the anchor in new namespaces
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		exec unshare -m -n -u --propagation private sh -c '
			ip link set lo up
			hostname "$1"
			for m in /run /opt /etc/docker; do [ -d "$m" ] && mount -t tmpfs -o mode=755 tmpfs "$m"; done
			echo $$ >"$2"
			exec sleep infinity' sh "swarm-$n" "$d/anchor.pid" </dev/null >/dev/null 2>&1
	) &
	for ((i = 0; i < 100; i++)); do
		# once it is that sleep, its sh has set up everything before it
		a=$(anchor_of "$n") && break
		sleep 0.05
	done
	[[ -n $a ]] || return 1
	echo "$a" >"$d/anchor"
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		exec nsenter -t "$a" -m -n -u env PATH="$d/bin:$PATH" TMPDIR="$d/tmp" DOCKER_TMPDIR="$d/tmp" \
			"$DOCKERD" --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
			-H "unix://$d/docker.sock" --pidfile "$d/docker.pid" \
			--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
			--storage-driver vfs --cgroup-parent "$SW_CGROUP-$n" \
			</dev/null >"$d/dockerd.log" 2>&1
	) &
	echo $! >"$d/dockerd.pid"
	return 0
}

setup_file() {
	# bats 1.8 reports a skip in setup_file as a failure: note why, skip in setup
	SW_SKIP=""
	export SW_SKIP
	local b
	for b in unshare nsenter ip jq python3 timeout; do
		command -v $b >/dev/null || SW_SKIP="$b is not installed"
	done
	[[ -x $DOCKERD ]] || SW_SKIP="no dockerd at $DOCKERD (Debian's docker.io)"
	[[ -n $DOCKER_CLI && -x $DOCKER_CLI ]] || SW_SKIP="no docker client"
	[[ -x $RUNTIME ]] || SW_SKIP="RUNTIME=$RUNTIME is not an executable"
	[[ -z $SW_SKIP ]] && ! unshare -n ip link add vx0 type vxlan id 42 dstport 4789 2>/dev/null &&
		SW_SKIP="this kernel cannot make VXLAN links (overlay networks need them)"
	[[ -n $SW_SKIP ]] && return 0

	SW=$(mktemp -d "${TMPDIR:-/tmp}/berth-swarm.XXXXXX")
	chmod 755 "$SW"
	case $SW in /run/* | /var/run/* | /opt/* | /etc/docker/*)
		SW_SKIP="TMPDIR ($SW) is under a directory the private dockerds hide"
		return 0
		;;
	esac
	SW_CGROUP=berth-swarm-${SW##*.}
	export SW SW_CGROUP
	sw_start_node 1 || {
		SW_SKIP="node 1's namespaces did not come up"
		return 0
	}
	sw_start_node 2 || {
		SW_SKIP="node 2's namespaces did not come up"
		return 0
	}
	local a1 a2 n i
	a1=$(cat "$SW/n1/anchor") a2=$(cat "$SW/n2/anchor")
	# the wire between the two nodes, made in their namespaces
	ip link add sw1 netns "$a1" type veth peer name sw2 netns "$a2"
	nsenter -t "$a1" -n sh -c 'ip addr add 10.77.0.1/24 dev sw1 && ip link set sw1 up'
	nsenter -t "$a2" -n sh -c 'ip addr add 10.77.0.2/24 dev sw2 && ip link set sw2 up'
	for n in 1 2; do
		for ((i = 0; i < 300; i++)); do
			alive "$(cat "$SW/n$n/dockerd.pid")" || break
			dkr "$n" version >/dev/null 2>&1 && break
			sleep 0.1
		done
		if ! dkr "$n" version >/dev/null 2>&1; then
			SW_SKIP="dockerd $n did not start: $(grep -v '^$' "$SW/n$n/dockerd.log" | tail -n 3 | tr '\n' ' ' | cut -c1-400)"
			return 0
		fi
	done
	python3 "$BATS_TEST_DIRNAME/../make-image.py" "$SW/busybox.tar" --tag "$IMG" >/dev/null
	dkr 1 load -i "$SW/busybox.tar" >/dev/null
	dkr 2 load -i "$SW/busybox.tar" >/dev/null
}

setup() {
	[[ -z $SW_SKIP ]] || skip "$SW_SKIP"
}

# pids of what the run left: in a node's namespaces (while its anchor holds them), in its
# cgroups, or naming its directory
sw_pids() {
	local n a f=()
	for n in 1 2; do
		a=$(anchor_of "$n") || continue
		f+=(-o -path '*/ns/net' -lname "$(readlink "/proc/$a/ns/net" | sed 's/.*\[/*[[]/')")
		f+=(-o -path '*/ns/mnt' -lname "$(readlink "/proc/$a/ns/mnt" | sed 's/.*\[/*[[]/')")
	done
	{
		((${#f[@]})) && find /proc/[0-9]*/ns/net /proc/[0-9]*/ns/mnt -maxdepth 0 \( -false "${f[@]}" \) 2>/dev/null | cut -d/ -f3
		grep -lsF "$SW/" /proc/[0-9]*/cmdline | cut -d/ -f3
		cat /sys/fs/cgroup/*/"$SW_CGROUP"-*/{,*/}cgroup.procs /sys/fs/cgroup/"$SW_CGROUP"-*/{,*/}cgroup.procs 2>/dev/null
	} | sort -u | while read -r p; do
		[[ $p != "$$" && $p != "$BASHPID" && $p != "$(anchor_of 1)" && $p != "$(anchor_of 2)" ]] && alive "$p" && echo "$p"
	done
	return 0
}

teardown_file() {
	[[ -n ${SW:-} && -d $SW ]] || return 0
	local leaks="" n p i m
	for n in 1 2; do
		p=$(cat "$SW/n$n/dockerd.pid" 2>/dev/null) || continue
		alive "$p" && kill -TERM "$p" 2>/dev/null
	done
	for n in 1 2; do
		p=$(cat "$SW/n$n/dockerd.pid" 2>/dev/null) || continue
		for ((i = 0; i < 200; i++)); do
			alive "$p" || break
			sleep 0.1
		done
		if alive "$p"; then
			leaks+=" dockerd $n did not stop in 20 s;"
			kill -KILL "$p" 2>/dev/null
		fi
		wait "$p" 2>/dev/null
	done
	for p in $(sw_pids); do
		leaks+=" process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-100));"
		kill -KILL "$p" 2>/dev/null
	done
	for ((i = 0; i < 50; i++)); do
		[[ -z $(sw_pids) ]] && break
		sleep 0.1
	done
	for n in 1 2; do
		p=$(anchor_of "$n") && kill -TERM "$p" 2>/dev/null
	done
	for m in $(awk '{print $5}' /proc/self/mountinfo | grep -F "$SW/" | sort -r); do
		leaks+=" mount $m;"
		umount -l "$m" 2>/dev/null
	done
	find /sys/fs/cgroup/*/"$SW_CGROUP"-* /sys/fs/cgroup/"$SW_CGROUP"-* -depth -type d -exec rmdir {} + 2>/dev/null
	for m in /sys/fs/cgroup/*/"$SW_CGROUP"-* /sys/fs/cgroup/"$SW_CGROUP"-*; do
		[[ -d $m ]] && leaks+=" cgroup $m;"
	done
	ip link show sw1 >/dev/null 2>&1 && leaks+=" sw1 in the host's network namespace;"
	rm -rf "$SW"
	if [[ -n $leaks ]]; then
		echo "# the private dockerds left:$leaks" >&2
		return 1
	fi
}

# the service's tasks that should be running: "NAME.SLOT.ID NODE" lines
running_tasks() {
	dkr 1 service ps web -f desired-state=running --format '{{.Name}}.{{.ID}} {{.Node}} {{.CurrentState}}' --no-trunc |
		awk '$3 == "Running" { print $1, $2 }'
}
n_running() { [[ $(running_tasks | wc -l) == "$1" ]]; }
# a running task's container on node N
task_container() { dkr "$1" ps -q -f label=com.docker.swarm.service.name=web | head -n 1; }
# in a task container on node N: COMMAND…
in_task() {
	local n=$1 c
	shift
	c=$(task_container "$n")
	[[ -n $c ]] || return 1
	dkr "$n" exec "$c" "$@"
}
# GET / of ADDRESS from a task container on node N: what it serves is its hostname
http_get() {
	in_task "$1" sh -c 'printf "GET /index.html HTTP/1.0\r\n\r\n" | nc -w 5 "$1" 80 | tail -n 1' sh "$2"
}
# the addresses NAME resolves to from node N's task (Docker's embedded DNS)
resolve() {
	in_task "$1" nslookup "$2" 127.0.0.11 | awk '/^Address/ && !/127\.0\.0\.11/ { print $NF }' | sort
}

@test "swarm init and join: two nodes, both Ready, berth the default runtime" {
	[[ $(dkr 1 info --format '{{.DefaultRuntime}}') == berth ]]
	[[ $(dkr 2 info --format '{{.DefaultRuntime}}') == berth ]]
	dkr 1 swarm init --advertise-addr 10.77.0.1 --listen-addr 10.77.0.1:2377 >/dev/null
	local token
	token=$(dkr 1 swarm join-token -q worker)
	dkr 2 swarm join --token "$token" --advertise-addr 10.77.0.2 --listen-addr 10.77.0.2:2377 10.77.0.1:2377
	wait_for 30 eval '[[ $(dkr 1 node ls --format "{{.Hostname}} {{.Status}}" | sort | tr "\n" " ") == "swarm-1 Ready swarm-2 Ready " ]]'
	[[ $(dkr 2 info --format '{{.Swarm.LocalNodeState}}') == active ]]
}

@test "an overlay network and a replicated service: one task on each node, run by berth" {
	dkr 1 network create -d overlay --attachable swarmnet >/dev/null
	# each task serves its hostname (its container id) and ends on TERM
	dkr 1 service create --detach --no-resolve-image --name web --replicas 2 --network swarmnet \
		--placement-pref spread=node.hostname --stop-grace-period 2s "$IMG" \
		sh -c 'hostname >/tmp/index.html; trap "exit 0" TERM; httpd -f -p 80 -h /tmp & wait' >/dev/null
	wait_for 60 n_running 2
	run running_tasks
	echo "$output"
	[[ $(awk '{print $2}' <<<"$output" | sort | tr '\n' ' ') == "swarm-1 swarm-2 " ]]
	local n c
	for n in 1 2; do
		c=$(task_container "$n")
		[[ $(dkr "$n" inspect -f '{{.HostConfig.Runtime}}' "$c") == berth ]]
		# berth itself knows the container (dockerd's state root for the runtime named berth)
		"$RUNTIME" --root "$SW/n$n/exec/runtime-berth/moby" state "$c" | jq -e '.status == "running"'
	done
}

@test "the service's tasks reach each other by name across the two nodes" {
	local vip ips n ip name c
	# the service's name resolves to its virtual IP (no IPVS here to carry traffic to it)
	vip=$(dkr 1 service inspect web --format '{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}')
	[[ -n $vip ]]
	[[ $(resolve 1 web) == "${vip%/*}" ]]
	[[ $(resolve 2 web) == "${vip%/*}" ]]
	# tasks.web: every task, from either node; each answers with its own container's hostname
	ips=$(resolve 1 tasks.web)
	[[ $(wc -l <<<"$ips") == 2 ]]
	[[ $(resolve 2 tasks.web) == "$ips" ]]
	local seen=""
	for ip in $ips; do
		for n in 1 2; do
			run http_get "$n" "$ip"
			echo "node $n -> $ip: $output"
			[[ $output =~ ^[0-9a-f]{12}$ ]]
		done
		seen+="$output "
	done
	[[ $seen == *"$(task_container 1)"* && $seen == *"$(task_container 2)"* ]]
	# each task by its own name (SERVICE.SLOT.TASKID), from the other node
	while read -r name n; do
		[[ $n == swarm-1 ]] && from=2 || from=1
		c=$(dkr "${n#swarm-}" ps -q -f name="$name")
		run http_get "$from" "$name"
		echo "node $from -> $name: $output"
		[[ $output == "$c" ]]
	done < <(running_tasks)
}

@test "scale: four tasks, all in tasks.web" {
	dkr 1 service scale --detach web=4 >/dev/null
	wait_for 60 n_running 4
	wait_for 20 eval '[[ $(resolve 2 tasks.web | wc -l) == 4 ]]'
	# every node runs some of them
	[[ $(running_tasks | awk '{print $2}' | sort -u | tr '\n' ' ') == "swarm-1 swarm-2 " ]]
}

@test "a rolling update replaces every task, one at a time" {
	local before after
	before=$(running_tasks | awk '{print $1}' | sort)
	dkr 1 service update --detach --update-parallelism 1 --update-delay 0s --env-add BERTH_SWARM=2 web >/dev/null
	wait_for 90 eval '[[ $(dkr 1 service inspect web --format "{{.UpdateStatus.State}}") == completed ]]'
	wait_for 30 n_running 4
	after=$(running_tasks | awk '{print $1}' | sort)
	[[ -z $(comm -12 <(echo "$before") <(echo "$after")) ]]
	local n
	for n in 1 2; do
		[[ $(in_task "$n" sh -c 'echo $BERTH_SWARM') == 2 ]]
	done
	# the old tasks were shut down, not failed
	[[ $(dkr 1 service ps web --format '{{.DesiredState}} {{.CurrentState}}' | grep -c '^Shutdown Shutdown') == 4 ]]
}

@test "a killed task is replaced" {
	local c pid old
	c=$(task_container 2)
	old=$(dkr 2 inspect -f '{{index .Config.Labels "com.docker.swarm.task.id"}}' "$c")
	pid=$(dkr 2 inspect -f '{{.State.Pid}}' "$c")
	[[ $pid -gt 1 ]]
	kill -KILL "$pid"
	wait_for 60 eval '[[ $(dkr 1 service ps web --no-trunc -f id='"$old"' --format "{{.CurrentState}}") == Failed* ]]'
	wait_for 60 n_running 4
	! running_tasks | grep -q "$old"
	[[ $(dkr 1 service ps web --no-trunc -f id="$old" --format '{{.Error}}') == *137* ]]
}

@test "service rm and swarm leave leave nothing behind" {
	local n c
	dkr 1 service rm web >/dev/null
	for n in 1 2; do
		wait_for 30 eval '[[ -z $(dkr '"$n"' ps -aq) ]]'
	done
	dkr 1 network rm swarmnet >/dev/null
	dkr 2 swarm leave >/dev/null
	dkr 1 swarm leave --force >/dev/null
	for n in 1 2; do
		[[ $(dkr "$n" info --format '{{.Swarm.LocalNodeState}}') == inactive ]]
		# no overlay or ingress network: only the local defaults (and docker_gwbridge, which
		# dockerd keeps for later)
		wait_for 20 eval '[[ -z $(dkr '"$n"' network ls --format "{{.Name}}" | grep -vxE "bridge|host|none|docker_gwbridge") ]]'
		# no container left in berth's state, no process in the node's cgroup parent
		[[ -z $(ls -A "$SW/n$n/exec/runtime-berth/moby" 2>/dev/null) ]]
		[[ -z $(cat /sys/fs/cgroup/*/"$SW_CGROUP-$n"/{,*/}cgroup.procs /sys/fs/cgroup/"$SW_CGROUP-$n"/{,*/}cgroup.procs 2>/dev/null) ]]
		# the sandboxes' network namespaces: dockerd unmounts and removes their files on its
		# garbage collection, up to a minute later; until then each must be empty (lo alone: no
		# container's veth, no overlay bridge or VXLAN link)
		run nsenter -t "$(cat "$SW/n$n/anchor")" -m sh -c '
			for f in "$1"/*; do
				[ -e "$f" ] || continue
				links=$(nsenter --net="$f" ip -o link show 2>/dev/null | grep -v ": lo:")
				[ -z "$links" ] || echo "$f: $links"
			done' sh "$SW/n$n/exec/netns"
		echo "$output"
		[[ $status == 0 && -z $output ]]
		[[ -z $(nsenter -t "$(cat "$SW/n$n/anchor")" -n ip -o link show type vxlan) ]]
	done
}
