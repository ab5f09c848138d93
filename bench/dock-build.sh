#!/bin/bash
# bench/dock-build.sh: `dock build` against `podman build` (buildah, runc) and docker's classic
# builder (DOCKER_BUILDKIT=0, a private dockerd, where one starts) on the same Dockerfiles and
# context, the engines interleaved per iteration (the one that goes first rotates).
# Prints medians (min-max) in ms and dock's ratio to podman and docker.
#
#   bash bench/dock-build.sh          full run (N=5, a few minutes)
#   QUICK=1 bash bench/dock-build.sh  N=2
#   DOCK=path BERTH=path N=…          binaries (dock-archive, berth-shim beside dock); iterations
#   NO_DOCKER=1                       leave docker out; DOCKERD, DOCKER_CLI: its binaries
#   BENCH_OUT=dir                     keep the raw samples
#
# Rows, for a 10-step Dockerfile (RUN, COPY, ENV, WORKDIR, CMD) and a 3-stage one (COPY --from):
#   cold    build --no-cache (every RUN is a container, every COPY a layer)
#   cached  the same build again, nothing changed (every step from the cache)
# RUN steps get no network in every engine (dock's default, --network none for the others).
# Each engine has a private store in the temp dir (podman: --root/--runroot, overlay; docker:
# its own data root, overlay2); busybox goes into each with `load`.  Runs in a private mount
# namespace; a trap removes the temp dir, its mounts and the dockerd.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
if [ "${1:-}" != --inner ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
	for t in unshare podman python3 /usr/sbin/runc; do
		command -v "$t" >/dev/null || { echo "bench: missing $t" >&2; exit 1; }
	done
	exec unshare -m --propagation private bash "${BASH_SOURCE[0]}" --inner
fi
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
# shellcheck source=bench/dockerd.sh
. "$HERE/dockerd.sh"

N=${N:-$([ -n "${QUICK:-}" ] && echo 2 || echo 5)}
W=$(mktemp -d "${TMPDIR:-/tmp}/dock-build-bench.XXXXXX") || exit 1
ERRLOG=$W/errors.log
: >"$ERRLOG"
mkdir -p "$W/data" "$W/bin"
ENGINES="dock podman"
freeze_dock

cleanup() {
	trap - EXIT INT TERM
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
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$W/events.log"
CONF
export CONTAINERS_CONF=$W/containers.conf

# shellcheck disable=SC2034 # used through eng's nameref
ENG_dock=("$W/bin/dock" --root "$W/dock/root" --runroot "$W/dock/run")
# shellcheck disable=SC2034
ENG_podman=(podman --root "$W/p/root" --runroot "$W/p/run" --tmpdir "$W/p/tmp" --storage-driver overlay
	--cgroup-manager cgroupfs --events-backend file --runtime /usr/sbin/runc)
# shellcheck disable=SC2034
ENG_docker=(env DOCKER_BUILDKIT=0 DOCKER_HOST="unix://$W/dd/docker.sock" DOCKER_CONFIG="$W/dd/cli" "$DOCKER_CLI")
eng() {
	local -n _a=ENG_$1
	shift
	"${_a[@]}" "$@"
}
# the build command line of each engine (RUN without network everywhere)
build() {
	local e=$1
	shift
	case $e in
	dock) eng dock build -q "$@" ;;
	podman) eng podman build -q --pull=never --network none "$@" ;;
	docker) eng docker build -q --network none "$@" ;;
	esac
}
order() {
	local -a es
	read -ra es <<<"$ENGINES"
	local k n=${#es[@]}
	for ((k = 0; k < n; k++)); do printf '%s ' "${es[$(((k + $1) % n))]}"; done
}
sample() { # ROW ENGINE ARGS...
	local row=$1 e=$2
	shift 2
	timed build "$e" "$@"
	if [ "$T_RC" -eq 0 ]; then rec "$row" "$e" "$T_WALL"; else fail "$row" "$e"; fi
}

echo "# dock build bench: N=$N; $(uptime | sed 's/.*\(load average\)/\1/')" >&2
echo "# podman $(podman version --format '{{.Client.Version}}' 2>/dev/null) (buildah), $(/usr/sbin/runc --version | head -1); dock $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)" >&2
if [ -n "${NO_DOCKER:-}" ]; then
	echo "# docker: left out (NO_DOCKER)" >&2
elif dd_start "$W/dd"; then
	ENGINES+=" docker"
	echo "# docker $(dkr version --format '{{.Server.Version}}' 2>/dev/null) (private dockerd, classic builder)" >&2
else
	echo "# docker: skipped: $DD_SKIP" >&2
	dd_stop
fi

python3 "$TOP/tests/make-image.py" "$W/busybox.tar" >/dev/null
for e in $ENGINES; do
	eng "$e" load -q -i "$W/busybox.tar" >/dev/null 2>>"$ERRLOG" || echo "# $e: load failed" >&2
done

# the context and the Dockerfiles
C=$W/ctx
mkdir -p "$C/dir"
head -c 1M /dev/urandom >"$C/f1"
for k in $(seq 20); do echo "$k" >"$C/dir/$k"; done
cat >"$C/Dockerfile.steps" <<'DF'
FROM busybox
ENV A=1 B=2
RUN echo one > /one
COPY f1 /f1
RUN cat /f1 > /copy1
ENV C=3
COPY dir /dir
RUN ls /dir > /list
WORKDIR /app
RUN echo done > /app/done
CMD ["sh"]
DF
cat >"$C/Dockerfile.multi" <<'DF'
FROM busybox AS build
RUN mkdir /out && echo built > /out/a
COPY f1 /out/f1
FROM busybox AS second
RUN echo two > /two
FROM busybox
COPY --from=build /out /out
COPY --from=second /two /two
CMD ["cat", "/out/a"]
DF

ROWS="steps multi"
for df in $ROWS; do
	echo "# $df: cold and cached" >&2
	for ((i = 0; i < N; i++)); do
		for e in $(order "$i"); do sample "cold-$df" "$e" --no-cache -f "$C/Dockerfile.$df" -t "b-$df" "$C"; done
		for e in $(order "$i"); do sample "cached-$df" "$e" -f "$C/Dockerfile.$df" -t "b-$df" "$C"; done
	done
done

printf '\n%-24s' "row (ms)"
for e in $ENGINES; do printf '%-26s' "$e"; done
printf '%-14s%s\n' "dock/podman" "dock/docker"
for df in $ROWS; do
	for kind in cold cached; do
		row=$kind-$df
		printf '%-24s' "$row"
		for e in $ENGINES; do printf '%-26s' "$(cell "$row" "$e" 1000)"; done
		d=$(median "$row" dock 1000)
		printf '%-14s%s\n' "$(ratio "$d" "$(median "$row" podman 1000)")" "$(ratio "$d" "$(median "$row" docker 1000)")"
	done
done
if [ -s "$ERRLOG" ]; then
	echo "# errors (first lines of $ERRLOG):" >&2
	head -n 5 "$ERRLOG" >&2
fi
