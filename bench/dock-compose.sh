#!/bin/bash
# bench/dock-compose.sh: `dock compose up -d` and `down` of a 5-service project against
# podman-compose (Debian's 1.0.3, over podman 4.3 + runc) and docker-compose (Debian's 1.29,
# over a private dockerd, bench/dockerd.sh, where one starts), the engines interleaved per
# iteration (the one that goes first rotates).  Prints medians (min-max) in ms and dock's ratio
# to the others.
#
#   bash bench/dock-compose.sh          full run (N=8)
#   QUICK=1 bash bench/dock-compose.sh  N=3
#   DOCK=path BERTH=path N=…            binaries (dock-archive, berth-shim beside dock); iterations
#   NO_DOCKER=1                         leave docker-compose out; DOCKERD, DOCKER_CLI: its binaries
#   BENCH_OUT=dir                       keep the raw samples
#
# The project (the same file for all): db (healthcheck, ready at once, checked every 250 ms),
# app (built from a Dockerfile, FROM busybox + RUN), web (httpd, after app), cache (nc
# listening), worker (after db is healthy and cache is started); a named volume and the
# default network, so service names resolve.  The built image is made once per engine before
# the timed rounds (`compose build`): the rows time `up -d` of a project whose images exist,
# then its `down` (stop with SIGKILL as the stop signal, so no row waits out a grace period).
# podman-compose 1.0.3 does not wait for `condition: service_healthy` (it starts in order
# only), so its `up` does less than the others'.
# Each engine has a private store in the temp dir; busybox goes in with `load`.  Runs in a
# private mount and network namespace (lo up): the bridges and rules the engines make for the
# project's network stay in it; a trap removes the temp dir, its mounts and the dockerd.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
if [ "${1:-}" != --inner ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
	for t in unshare podman python3 /usr/sbin/runc; do
		command -v "$t" >/dev/null || { echo "bench: missing $t" >&2; exit 1; }
	done
	exec unshare -m -n --propagation private sh -c 'ip link set lo up && exec bash "$0" --inner' "${BASH_SOURCE[0]}"
fi
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
# shellcheck source=bench/dockerd.sh
. "$HERE/dockerd.sh"

N=${N:-$([ -n "${QUICK:-}" ] && echo 3 || echo 8)}
W=$(mktemp -d "${TMPDIR:-/tmp}/dock-compose-bench.XXXXXX") || exit 1
ERRLOG=$W/errors.log
: >"$ERRLOG"
mkdir -p "$W/data" "$W/bin"
ENGINES="dock"
freeze_dock

cleanup() {
	trap - EXIT INT TERM
	for e in $ENGINES; do down "$e" >/dev/null 2>&1; done
	dd_stop
	local m
	for m in $(awk -v d="$W/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	if [ -n "${BENCH_OUT:-}" ]; then
		mkdir -p "$BENCH_OUT" && cp -r "$W/data/." "$BENCH_OUT/" && cp "$ERRLOG" "$BENCH_OUT/"
	fi
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$W/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$W/events.log"
CONF
export CONTAINERS_CONF=$W/containers.conf
PODMAN_ARGS="--root $W/p/root --runroot $W/p/run --tmpdir $W/p/tmp --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --runtime /usr/sbin/runc"

# compose ENGINE ARGS…: the engine's compose on the project (its own copy of the directory)
compose() {
	local e=$1
	shift
	case $e in
	dock) (cd "$W/proj-dock" && "$W/bin/dock" --root "$W/dock/root" --runroot "$W/dock/run" compose -p bench "$@") ;;
	podman) (cd "$W/proj-podman" && podman-compose --podman-args="$PODMAN_ARGS" -p bench "$@") ;;
	docker) (cd "$W/proj-docker" && DOCKER_HOST="unix://$DD/docker.sock" DOCKER_CONFIG="$DD/cli" \
		DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0 docker-compose -p bench "$@") ;;
	esac
}
up() { compose "$1" up -d; }
down() { compose "$1" down -v; }
load_busybox() {
	# shellcheck disable=SC2086 # PODMAN_ARGS is words
	case $1 in
	dock) "$W/bin/dock" --root "$W/dock/root" --runroot "$W/dock/run" load -q -i "$W/busybox.tar" ;;
	podman) podman $PODMAN_ARGS load -q -i "$W/busybox.tar" ;;
	docker) dkr load -q -i "$W/busybox.tar" ;;
	esac
}
order() {
	local -a es
	read -ra es <<<"$ENGINES"
	local k n=${#es[@]}
	for ((k = 0; k < n; k++)); do printf '%s ' "${es[$(((k + $1) % n))]}"; done
}

echo "# dock compose bench: N=$N; $(uptime | sed 's/.*\(load average\)/\1/')" >&2
if command -v podman-compose >/dev/null; then
	ENGINES+=" podman"
	echo "# podman-compose $(podman-compose version 2>/dev/null | sed -n 's/.*podman-compose[r]* version *//p' | head -1), podman $(podman version --format '{{.Client.Version}}' 2>/dev/null), $(/usr/sbin/runc --version | head -1)" >&2
else
	echo "# podman-compose: skipped: not installed (apt-get install podman-compose)" >&2
fi
if [ -n "${NO_DOCKER:-}" ]; then
	echo "# docker-compose: left out (NO_DOCKER)" >&2
elif ! command -v docker-compose >/dev/null; then
	echo "# docker-compose: skipped: not installed (apt-get install docker-compose)" >&2
elif dd_start "$W/dd"; then
	ENGINES+=" docker"
	echo "# docker-compose $(docker-compose version --short 2>/dev/null), docker $(dkr version --format '{{.Server.Version}}' 2>/dev/null) (private dockerd)" >&2
else
	echo "# docker-compose: skipped: $DD_SKIP" >&2
	dd_stop
fi
echo "# dock $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)" >&2

python3 "$TOP/tests/make-image.py" "$W/busybox.tar" >/dev/null
for e in $ENGINES; do
	load_busybox "$e" >/dev/null 2>>"$ERRLOG" || echo "# $e: load failed" >&2
done

# the project
mkdir -p "$W/proj/app"
printf 'FROM busybox\nRUN echo built > /built\nCMD ["sleep", "1000"]\n' >"$W/proj/app/Dockerfile"
cat >"$W/proj/docker-compose.yml" <<'YAML'
version: "2.4"
services:
  db:
    image: busybox
    command: ["sh", "-c", "touch /tmp/ready; exec sleep 1000"]
    stop_signal: SIGKILL
    volumes: ["dbdata:/data"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 250ms
      timeout: 2s
      retries: 20
  app:
    build: ./app
    image: bench-app:latest
    stop_signal: SIGKILL
  web:
    image: busybox
    command: ["httpd", "-f", "-p", "80", "-h", "/"]
    stop_signal: SIGKILL
    depends_on: [app]
  cache:
    image: busybox
    command: ["nc", "-lk", "-p", "6379"]
    stop_signal: SIGKILL
  worker:
    image: busybox
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_healthy
      cache:
        condition: service_started
volumes:
  dbdata:
YAML
for e in $ENGINES; do
	cp -r "$W/proj" "$W/proj-$e"
	compose "$e" build >/dev/null 2>>"$ERRLOG" || echo "# $e: build failed" >&2
done

# a warm-up round (page cache, the first network's bridge), not counted
for e in $ENGINES; do
	up "$e" >/dev/null 2>>"$ERRLOG" || echo "# $e: warm-up up failed (see below)" >&2
	down "$e" >/dev/null 2>>"$ERRLOG"
done

for ((i = 0; i < N; i++)); do
	for e in $(order "$i"); do
		timed up "$e"
		if [ "$T_RC" -eq 0 ]; then rec up "$e" "$T_WALL"; else fail up "$e"; fi
		timed down "$e"
		if [ "$T_RC" -eq 0 ]; then rec down "$e" "$T_WALL"; else fail down "$e"; fi
	done
done

ratio() { # ROW E: dock's median / E's
	local a b
	a=$(stats "$W/data/$1.dock" 1 | cut -d' ' -f1)
	b=$(stats "$W/data/$1.$2" 1 | cut -d' ' -f1)
	[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }' || printf 'n/a'
}
head="| row (ms) |"
sep="|---|"
for e in $ENGINES; do head+=" $e |"; sep+="---|"; done
for e in $ENGINES; do [ "$e" != dock ] && head+=" dock/$e |" && sep+="---|"; done
echo "$head"
echo "$sep"
for row in up down; do
	line="| \`$row\` |"
	for e in $ENGINES; do line+=" $(cell "$row" "$e" 1000) |"; done
	for e in $ENGINES; do [ "$e" != dock ] && line+=" $(ratio "$row" "$e") |"; done
	echo "$line"
done
# the engines' own output (their progress lines) is in ERRLOG: shown only when a sample failed
if ls "$W/data/"*.fail >/dev/null 2>&1; then
	echo "# some samples failed; the engines' output (last 30 lines of $(wc -l <"$ERRLOG")):" >&2
	tail -n 30 "$ERRLOG" | sed 's/^/#   /' >&2
fi
