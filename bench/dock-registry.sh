#!/bin/bash
# bench/dock-registry.sh: `dock pull` and `dock push` against `podman pull/push` and
# `skopeo copy`, for a ~200 MB image of 5 layers (busybox + four 50 MB layers of random data,
# gzip) on a docker-registry the bench runs on 127.0.0.1 (plain http).  The tools are
# interleaved per iteration (the one that goes first rotates).  Prints medians (min-max) in ms
# and dock's ratio to each.
#
#   bash bench/dock-registry.sh          full run (N=5)
#   QUICK=1 bash bench/dock-registry.sh  N=2
#   DOCK=path N=…                         dock binary (dock-archive beside it); iterations
#   BENCH_OUT=dir                         keep the raw samples
#
# Rows:
#   pull  the image from the registry into an empty store: dock pull; podman pull (its private
#         --root, overlay: fetch, check, unpack); skopeo copy to an OCI layout dir (fetch and
#         check, no unpack: the floor of moving the bytes)
#   push  the image to an empty registry (a new one each sample, so no blob is there to skip
#         or mount): dock push from its store; podman push from its store (it compresses the
#         layers again: its store keeps them unpacked); skopeo copy from the OCI layout dir
#         (the compressed blobs as they are)
# Each tool has a private store in the temp dir; podman and skopeo get --tls-verify=false.
# Runs in a private mount namespace with a tmpfs over /var/lib (podman's and skopeo's blob
# cache); a trap removes the temp dir, its mounts and registries.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
if [ "${1:-}" != --inner ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
	for t in unshare podman skopeo docker-registry python3 curl; do
		command -v "$t" >/dev/null || { echo "bench: missing $t" >&2; exit 1; }
	done
	exec unshare -m --propagation private bash "${BASH_SOURCE[0]}" --inner
fi
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

N=${N:-$([ -n "${QUICK:-}" ] && echo 2 || echo 5)}
W=$(mktemp -d "${TMPDIR:-/tmp}/dock-registry-bench.XXXXXX") || exit 1
ERRLOG=$W/errors.log
: >"$ERRLOG"
mkdir -p "$W/data" "$W/bin"
ENGINES="dock podman skopeo"
cp "${DOCK:-$TOP/dock}" "$W/bin/dock" && cp "$(dirname "${DOCK:-$TOP/dock}")/dock-archive" "$W/bin/dock-archive" || {
	echo "bench: no dock/dock-archive (run make)" >&2
	rm -rf "$W"
	exit 1
}

REG_PIDS=()
cleanup() {
	trap - EXIT INT TERM
	local p m
	for p in "${REG_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME: a registry with its storage under $W/reg-NAME; sets REG (host:port), REG_PID
start_registry() {
	local d=$W/reg-$1 port i
	rm -rf "$d" && mkdir -p "$d/data"
	port=$(free_port)
	printf '%s\n' "version: 0.1" "log: {level: error}" "storage:" "  filesystem: {rootdirectory: $d/data}" \
		"http: {addr: 127.0.0.1:$port}" >"$d/config.yml"
	docker-registry serve "$d/config.yml" >"$d/log" 2>&1 &
	REG_PID=$!
	REG_PIDS+=("$REG_PID")
	REG=127.0.0.1:$port
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://$REG/v2/" && return 0
		sleep 0.1
	done
	echo "bench: registry $1 did not start" >&2
	return 1
}
stop_registry() { # stop_registry PID
	kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
	local p keep=()
	for p in "${REG_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	REG_PIDS=("${keep[@]}")
}

# podman and skopeo (as root) keep a blob location cache under /var/lib/containers/cache
# whatever their roots: a tmpfs over /var/lib keeps it in this namespace, and empty
mount -t tmpfs tmpfs /var/lib || exit 1

# shellcheck disable=SC2034 # used through eng's nameref
ENG_dock=("$W/bin/dock" --root "$W/dock/root" --runroot "$W/dock/run")
# shellcheck disable=SC2034
ENG_podman=(podman --root "$W/p/root" --runroot "$W/p/run" --tmpdir "$W/p/tmp" --storage-driver overlay
	--cgroup-manager cgroupfs --events-backend file)
eng() {
	local -n _c="ENG_$1"
	shift
	"${_c[@]}" "$@"
}

# the image: busybox and four layers of 50 MB of random data, gzip
echo "# making the image" >&2
for l in 1 2 3 4; do
	mkdir -p "$W/layer$l/data"
	head -c $((50 << 20)) /dev/urandom >"$W/layer$l/data/blob$l"
done
python3 "$TOP/tests/make-image.py" "$W/image.tar" --gzip --tag bench/big:1 \
	--layer "$W/layer1" --layer "$W/layer2" --layer "$W/layer3" --layer "$W/layer4" >/dev/null 2>>"$ERRLOG" || {
	echo "bench: make-image.py failed" >&2
	exit 1
}
rm -rf "$W"/layer[1-4]
SIZE_MB=$(($(stat -c %s "$W/image.tar") >> 20))
start_registry src || exit 1
SRC=$REG/bench/big:1
skopeo copy -q --dest-tls-verify=false "docker-archive:$W/image.tar" "docker://$SRC" >/dev/null 2>>"$ERRLOG" || {
	echo "bench: seeding the registry failed" >&2
	exit 1
}
rm -f "$W/image.tar"

echo "# dock registry bench: N=$N, image $SIZE_MB MB in 5 layers; $(uptime | sed 's/.*\(load average\)/\1/')" >&2
echo "# podman $(podman version --format '{{.Client.Version}}' 2>/dev/null), $(skopeo --version); dock $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)" >&2

order() { # order I: the engines rotated by I
	local es n k
	read -r -a es <<<"$ENGINES"
	n=${#es[@]}
	for ((k = 0; k < n; k++)); do printf '%s ' "${es[$(((k + $1) % n))]}"; done
}

# pull_one ENGINE I: empty the tool's copy (untimed), then pull the image (timed)
pull_one() {
	case $1 in
	dock)
		eng dock rmi -f "$SRC" >/dev/null 2>&1
		timed eng dock pull -q "$SRC"
		;;
	podman)
		eng podman rmi -f "$SRC" >/dev/null 2>&1
		timed eng podman pull -q --tls-verify=false "$SRC"
		;;
	skopeo)
		rm -rf "$W/sk-oci"
		timed skopeo copy -q --src-tls-verify=false "docker://$SRC" "oci:$W/sk-oci:big"
		;;
	esac
	if [ "$T_RC" = 0 ]; then rec pull "$1" "$T_WALL"; else fail pull "$1"; fi
}

# push_one ENGINE: to a registry of its own, new for the sample
push_one() {
	start_registry push || { fail push "$1"; return; }
	local dst=$REG/bench/pushed:1 pid=$REG_PID
	case $1 in
	dock)
		eng dock tag "$SRC" "$dst" 2>>"$ERRLOG"
		timed eng dock push -q "$dst"
		eng dock rmi "$dst" >/dev/null 2>&1
		;;
	podman)
		timed eng podman push -q --tls-verify=false "$SRC" "docker://$dst"
		;;
	skopeo)
		timed skopeo copy -q --dest-tls-verify=false "oci:$W/sk-oci:big" "docker://$dst"
		;;
	esac
	if [ "$T_RC" = 0 ]; then rec push "$1" "$T_WALL"; else fail push "$1"; fi
	stop_registry "$pid"
}

for ((i = 0; i < N; i++)); do
	for e in $(order "$i"); do pull_one "$e"; done
	for e in $(order "$i"); do push_one "$e"; done
done

printf '\n%-10s' "row (ms)"
for e in $ENGINES; do printf '%-26s' "$e"; done
printf '%-14s%s\n' "dock/podman" "dock/skopeo"
for row in pull push; do
	printf '%-10s' "$row"
	for e in $ENGINES; do printf '%-26s' "$(cell "$row" "$e" 1000)"; done
	d=$(median "$row" dock 1000)
	printf '%-14s%s\n' "$(ratio "$d" "$(median "$row" podman 1000)")" "$(ratio "$d" "$(median "$row" skopeo 1000)")"
done
if [ -s "$ERRLOG" ]; then
	echo "# errors (first lines of $(wc -l <"$ERRLOG")):" >&2
	head -n 5 "$ERRLOG" | sed 's/^/#   /' >&2
fi
