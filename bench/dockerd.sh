# shellcheck shell=bash
# bench/dockerd.sh: a private dockerd for bench/dock.sh (sourced, not run), started as
# tests/bats/dock-docker.bats starts its own, so that it changes nothing on the host:
# - its own network namespace (lo, and the bridges of the networks the bench creates), no
#   iptables, no default bridge, no ip forwarding; published ports go through its userland
#   proxy (docker-proxy, which without iptables carries every connection, 127.0.0.1's too);
# - its own mount namespace, where tmpfs hide /run (containerd keeps shim sockets and runc
#   state under /run/containerd whatever its state dir), /opt and /etc/docker;
# - its own --data-root, --exec-root, socket, pidfile, config file (which moves the trust key),
#   TMPDIR, a modprobe that loads nothing, a cgroup parent named after the run; overlay2.
# A sleep left in its namespaces (the anchor) keeps them, and so their inode numbers, alive
# until dd_stop has killed (by pid) whatever else is still in them; then it ends the anchor.
# dd_start sets DD_SKIP (why not) when dockerd is missing or does not start.

DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
DD="" DD_PID="" DD_ANCHOR="" DD_NETNS="" DD_CGROUP="" DD_SKIP=""

_dd_alive() {
	local s
	s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$s" ] && [ "$s" != Z ]
}

# the docker client, talking only to the private dockerd
dkr() {
	DOCKER_HOST=unix://$DD/docker.sock DOCKER_CONFIG=$DD/cli "$DOCKER_CLI" "$@"
}

# dd_start DIR: start dockerd with its state under DIR (which must not be under /run or /opt)
dd_start() {
	DD=$1
	[ -x "$DOCKERD" ] || { DD_SKIP="no dockerd at $DOCKERD"; return 1; }
	[ -x "$DOCKER_CLI" ] || { DD_SKIP="no docker client at $DOCKER_CLI"; return 1; }
	case $DD in /run/* | /var/run/* | /opt/* | /etc/docker/*)
		DD_SKIP="$DD is under a directory the private dockerd hides"
		return 1 ;;
	esac
	DD_CGROUP=dock-bench-docker-$$
	mkdir -p "$DD/bin" "$DD/cli" "$DD/tmp"
	printf '#!/bin/sh\nexit 0\n' >"$DD/bin/modprobe"
	chmod 755 "$DD/bin/modprobe"
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$DD" >"$DD/daemon.json"
	# DD_CONFIG_EXTRA: a daemon.json whose keys are added (tests/bats/docs-dockerd.bats)
	if [ -n "${DD_CONFIG_EXTRA:-}" ]; then
		jq -s '.[0] * .[1]' "$DD/daemon.json" "$DD_CONFIG_EXTRA" >"$DD/daemon.json.new" &&
			mv "$DD/daemon.json.new" "$DD/daemon.json" || { DD_SKIP="DD_CONFIG_EXTRA: not JSON"; return 1; }
	fi
	local masks="/run /opt"
	[ -d /etc/docker ] && masks+=" /etc/docker"
	DD_MASKS=$masks DD_ANCHOR_FILE=$DD/anchor.pid unshare -m -n --propagation private sh -c '
		set -e
		ip link set lo up
		for m in $DD_MASKS; do mount -t tmpfs -o mode=755 tmpfs "$m"; done
		sleep infinity </dev/null >/dev/null 2>&1 &
		echo $! >"$DD_ANCHOR_FILE"
		exec "$@"' sh \
		env PATH="$DD/bin:$PATH" TMPDIR="$DD/tmp" DOCKER_TMPDIR="$DD/tmp" \
		"$DOCKERD" --config-file "$DD/daemon.json" --data-root "$DD/data" --exec-root "$DD/exec" \
		-H "unix://$DD/docker.sock" --pidfile "$DD/docker.pid" \
		--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
		--userland-proxy=true --storage-driver overlay2 --cgroup-parent "$DD_CGROUP" \
		</dev/null >"$DD/dockerd.log" 2>&1 &
	DD_PID=$!
	local i
	for ((i = 0; i < 300; i++)); do
		_dd_alive "$DD_PID" || break
		[ -S "$DD/docker.sock" ] && dkr version >/dev/null 2>&1 && break
		sleep 0.1
	done
	DD_ANCHOR=$(cat "$DD/anchor.pid" 2>/dev/null)
	if ! _dd_alive "$DD_PID" || ! dkr version >/dev/null 2>&1; then
		DD_SKIP="dockerd did not start: $(grep -v '^$' "$DD/dockerd.log" | tail -n 2 | tr '\n' ' ' | cut -c1-300)"
		return 1
	fi
	DD_NETNS=$(readlink "/proc/$DD_PID/ns/net")
	if [ -z "$DD_NETNS" ] || [ "$DD_NETNS" = "$(readlink /proc/$$/ns/net)" ]; then
		DD_SKIP="dockerd is not in a network namespace of its own"
		return 1
	fi
	return 0
}

# what the private dockerd left: in its network namespace (while the anchor holds it), in its
# cgroups, or naming its directory
_dd_pids() {
	local p
	{
		if [ -n "$DD_ANCHOR" ] && _dd_alive "$DD_ANCHOR" && [ -n "$DD_NETNS" ]; then
			find /proc/[0-9]*/ns/net -maxdepth 0 -lname "*[[]${DD_NETNS//[^0-9]/}]" 2>/dev/null | cut -d/ -f3
		fi
		grep -lsF "$DD/" /proc/[0-9]*/cmdline | cut -d/ -f3
		cat /sys/fs/cgroup/*/"$DD_CGROUP"/{,*/}cgroup.procs /sys/fs/cgroup/"$DD_CGROUP"/{,*/}cgroup.procs 2>/dev/null
	} | sort -u | while read -r p; do
		[ "$p" != "$$" ] && [ "$p" != "$BASHPID" ] && [ "$p" != "$DD_ANCHOR" ] && _dd_alive "$p" && echo "$p"
	done
}

# stop dockerd (by its pid), kill what it left, end the anchor, remove its cgroups
dd_stop() {
	[ -n "$DD" ] || return 0
	local i p
	if [ -n "$DD_PID" ] && _dd_alive "$DD_PID"; then
		kill -TERM "$DD_PID" 2>/dev/null
		for ((i = 0; i < 200; i++)); do
			_dd_alive "$DD_PID" || break
			sleep 0.1
		done
		_dd_alive "$DD_PID" && kill -KILL "$DD_PID" 2>/dev/null
	fi
	[ -n "$DD_PID" ] && wait "$DD_PID" 2>/dev/null
	for p in $(_dd_pids); do kill -KILL "$p" 2>/dev/null; done
	for ((i = 0; i < 50; i++)); do
		[ -z "$(_dd_pids)" ] && break
		sleep 0.1
	done
	if [ -n "$DD_ANCHOR" ] && _dd_alive "$DD_ANCHOR" &&
		[ "$(tr '\0' ' ' <"/proc/$DD_ANCHOR/cmdline" 2>/dev/null)" = "sleep infinity " ]; then
		kill -TERM "$DD_ANCHOR" 2>/dev/null
	fi
	find /sys/fs/cgroup/*/"$DD_CGROUP" /sys/fs/cgroup/"$DD_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
	DD_PID=""
	return 0
}
