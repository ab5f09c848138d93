#!/bin/bash
# bench/dock.sh: dock against podman 4.3 (with runc, and with berth as its runtime) on the
# same busybox image, in one run, the engines interleaved per iteration so machine drift
# hits all alike.  Prints medians (min-max) in ms and each engine's ratio to podman+runc.
#
#   bash bench/dock.sh               full run (a few minutes)
#   QUICK=1 bash bench/dock.sh       short run
#   DOCK=path BERTH=path             binaries (default ./dock, ./berth)
#
# Rows: run --rm busybox true; run -d + rm -f; exec true; ps -a with 100 containers; images
# with 100 images; load and save of a 200 MB image; peak RSS of one `run --rm`.
# Every engine has a private store in a temp dir; podman runs with the overlay driver,
# cgroupfs, the file events backend and --network none (dock's default network is a netns
# with lo only until bridge networks land).  Runs inside a private mount namespace.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
if [ "${1:-}" != --inner ]; then
	exec unshare -m --propagation private bash "${BASH_SOURCE[0]}" --inner
fi
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

DOCK=${DOCK:-$TOP/dock}
BERTH=${BERTH:-$TOP/berth}
N=${N:-$([ -n "${QUICK:-}" ] && echo 8 || echo 30)}
NBIG=${NBIG:-$([ -n "${QUICK:-}" ] && echo 1 || echo 3)}
W=$(mktemp -d /tmp/dock-bench.XXXXXX)
ERRLOG=$W/errors.log
mkdir -p "$W/data"
ENGINES="dock podman-runc podman-berth"

cleanup() {
	local e
	for e in $ENGINES; do eng "$e" rm -af >/dev/null 2>&1; done
	for e in $ENGINES; do eng "$e" rm -f $(eng "$e" ps -aq 2>/dev/null) >/dev/null 2>&1; done
	for m in $(awk -v d="$W/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT

cat >"$W/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024"]
log_driver = "k8s-file"
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$W/events.log"
CONF
export CONTAINERS_CONF=$W/containers.conf

# eng ENGINE ARGS...: the engine's command line with its private store
eng() {
	local e=$1
	shift
	case $e in
	dock) "$DOCK" --root "$W/dock/root" --runroot "$W/dock/run" "$@" ;;
	podman-runc) podman --root "$W/pr/root" --runroot "$W/pr/run" --tmpdir "$W/pr/tmp" --storage-driver overlay \
		--cgroup-manager cgroupfs --events-backend file --runtime /usr/sbin/runc "$@" ;;
	podman-berth) podman --root "$W/pb/root" --runroot "$W/pb/run" --tmpdir "$W/pb/tmp" --storage-driver overlay \
		--cgroup-manager cgroupfs --events-backend file --runtime "$BERTH" "$@" ;;
	esac
}
# podman wants --network none spelled out for run/create (dock: lo only by default)
netflag() { [ "$1" = dock ] || printf -- '--network=none'; }

command -v podman >/dev/null || { echo "podman is not installed" >&2; exit 1; }
python3 "$TOP/tests/make-image.py" "$W/busybox.tar" >/dev/null
for e in $ENGINES; do
	eng "$e" load -i "$W/busybox.tar" >/dev/null 2>>"$ERRLOG" || echo "# $e: load failed" >&2
done

sample() { # ROW ENGINE CMD...: one timed sample, in µs
	local row=$1 e=$2
	shift 2
	timed "$@"
	if [ "$T_RC" -eq 0 ]; then rec "$row" "$e" "$T_WALL"; else fail "$row" "$e"; fi
}

echo "# $N iterations; engines: $ENGINES" >&2
for ((i = 0; i < N; i++)); do
	for e in $ENGINES; do
		# shellcheck disable=SC2046
		sample run "$e" eng "$e" run --rm $(netflag "$e") busybox true
		# shellcheck disable=SC2046
		t0=${EPOCHREALTIME/./}
		id=$(eng "$e" run -d $(netflag "$e") busybox sleep 1000 2>>"$ERRLOG") && eng "$e" rm -f "$id" >/dev/null 2>>"$ERRLOG" &&
			rec rundrm "$e" $((${EPOCHREALTIME/./} - t0)) || fail rundrm "$e"
	done
done

# exec: one long-lived container per engine
declare -A CTR
for e in $ENGINES; do
	# shellcheck disable=SC2046
	CTR[$e]=$(eng "$e" run -d $(netflag "$e") busybox sleep 1000 2>>"$ERRLOG")
done
for ((i = 0; i < N; i++)); do
	for e in $ENGINES; do sample exec "$e" eng "$e" exec "${CTR[$e]}" true; done
done
for e in $ENGINES; do eng "$e" rm -f "${CTR[$e]}" >/dev/null 2>&1; done

# ps -a with 100 containers (created, not started)
for e in $ENGINES; do
	for ((k = 0; k < 100; k++)); do
		# shellcheck disable=SC2046
		eng "$e" create $(netflag "$e") busybox true >/dev/null 2>>"$ERRLOG"
	done
done
for ((i = 0; i < N; i++)); do
	for e in $ENGINES; do sample ps "$e" eng "$e" ps -a; done
done
for e in $ENGINES; do eng "$e" rm -f $(eng "$e" ps -aq) >/dev/null 2>&1; done

# images with 100 images (distinct tiny images)
for ((k = 0; k < 100; k++)); do
	python3 "$TOP/tests/make-image.py" "$W/tiny.tar" --tiny --tag "tiny$k:latest" --config "{\"Labels\":{\"n\":\"$k\"}}" >/dev/null
	for e in $ENGINES; do eng "$e" load -i "$W/tiny.tar" >/dev/null 2>>"$ERRLOG"; done
done
for ((i = 0; i < N; i++)); do
	for e in $ENGINES; do sample images "$e" eng "$e" images; done
done

# load and save of a 200 MB image (one layer of incompressible data over busybox)
mkdir -p "$W/big/data"
head -c 200M /dev/urandom >"$W/big/data/blob"
python3 "$TOP/tests/make-image.py" "$W/big.tar" --tag big:1 --layer "$W/big" >/dev/null
rm -rf "$W/big"
for ((i = 0; i < NBIG; i++)); do
	for e in $ENGINES; do
		eng "$e" rmi -f big:1 >/dev/null 2>&1
		sample load "$e" eng "$e" load -i "$W/big.tar"
		rm -f "$W/out.tar"
		sample save "$e" eng "$e" save -o "$W/out.tar" big:1
		rm -f "$W/out.tar"
	done
done

# peak RSS of the engine's own process for one run --rm
for e in $ENGINES; do
	for ((i = 0; i < 5; i++)); do
		# shellcheck disable=SC2046
		/usr/bin/time -f %M -o "$W/rss" bash -c '"$@" >/dev/null 2>&1' _ $(declare -f eng >/dev/null; echo) true
		kb=$( { /usr/bin/time -f %M sh -c 'exec "$@" >/dev/null 2>/dev/null' _ \
			$( [ "$e" = dock ] && echo "$DOCK --root $W/dock/root --runroot $W/dock/run" ||
				echo "podman --root $W/${e/podman-runc/pr}/root --runroot $W/${e/podman-runc/pr}/run") \
			run --rm busybox true; } 2>&1 | tail -1)
		:
	done
done 2>/dev/null

printf '\n%-34s' "row (ms)"
for e in $ENGINES; do printf '%-26s' "$e"; done
printf '%-14s%s\n' "dock/podman" "dock/podman+berth"
for row in run rundrm exec ps images load save; do
	case $row in
	run) label="run --rm busybox true" ;;
	rundrm) label="run -d + rm -f" ;;
	exec) label="exec true" ;;
	ps) label="ps -a, 100 containers" ;;
	images) label="images, 100 images" ;;
	load) label="load 200 MB" ;;
	save) label="save 200 MB" ;;
	esac
	printf '%-34s' "$label"
	for e in $ENGINES; do printf '%-26s' "$(cell "$row" "$e" 1000)"; done
	d=$(median "$row" dock 1000)
	printf '%-14s%s\n' "$(ratio "$d" "$(median "$row" podman-runc 1000)")" "$(ratio "$d" "$(median "$row" podman-berth 1000)")"
done
if [ -s "$ERRLOG" ]; then
	echo "# errors (first lines of $ERRLOG):" >&2
	head -n 5 "$ERRLOG" >&2
fi
