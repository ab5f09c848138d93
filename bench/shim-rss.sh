#!/bin/bash
# bench/shim-rss.sh: resident memory of the monitor that stays with each container,
# berth-shim against conmon, both driving the same runtime (berth) with the same
# conmon command line podman uses, for N idle containers (50; QUICK=1: 10).
#
#   bash bench/shim-rss.sh            (as root, from the repository root)
#   BERTH=… SHIM=… CONMON=… N=… bash bench/shim-rss.sh
#
# Prints one line per monitor: median, min-max and total RSS (KiB), and the ratio.
set -u
N=${N:-50}
[ "${QUICK:-0}" = 1 ] && N=10
BERTH=$(readlink -f "${BERTH:-./berth}")
SHIM=$(readlink -f "${SHIM:-./berth-shim}")
CONMON=${CONMON:-$(command -v conmon || true)}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/berth-shimrss.XXXXXX)
TAG=sr$$

declare -A MON=([berth-shim]="$SHIM" [conmon]="$CONMON")

cleanup() {
	local mon id pf pid
	for mon in "${!MON[@]}"; do
		[ -d "$W/root-$mon" ] || continue
		for id in $("$BERTH" --root "$W/root-$mon" list -q 2>/dev/null); do
			"$BERTH" --root "$W/root-$mon" delete --force "$id" >/dev/null 2>&1
		done
	done
	# monitors still alive: only the ones we started, by their pid files
	for pf in "$W"/*.mon; do
		[ -f "$pf" ] || continue
		pid=$(cat "$pf" 2>/dev/null) && [ -n "$pid" ] || continue
		case $(readlink "/proc/$pid/exe" 2>/dev/null) in "$SHIM"* | "$CONMON"*) kill "$pid" 2>/dev/null ;; esac
	done
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -depth -type d -name "$TAG-*" -exec rmdir {} + 2>/dev/null
	rm -rf "$W"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"$HERE/../tests/make-bundle.sh" "$W/b" sleep 1000 >/dev/null || exit 1
mkdir -p "$W/exits" "$W/sock"

rss_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

results=()
for mon in berth-shim conmon; do
	bin=${MON[$mon]}
	[ -n "$bin" ] && [ -x "$bin" ] || { results+=("$mon n/a"); continue; }
	R=$W/root-$mon
	: >"$W/rss.$mon"
	for ((i = 1; i <= N; i++)); do
		id=$TAG-$mon-$i
		mkdir -p "$W/persist/$id"
		_OCI_SYNCPIPE=9 "$bin" --api-version 1 -c "$id" -u "$id" -n "$id" -r "$BERTH" \
			--runtime-arg --root --runtime-arg "$R" -b "$W/b" -p "$W/$id.pid" -l "k8s-file:$W/$id.log" \
			--exit-dir "$W/exits" --persist-dir "$W/persist/$id" --socket-dir-path "$W/sock" \
			--conmon-pidfile "$W/$id.mon" 9>"$W/$id.sync" </dev/null >/dev/null 2>>"$W/errors" || continue
		# the monitor reports {"data": PID} once the runtime created the container
		for ((t = 0; t < 200; t++)); do [ -s "$W/$id.sync" ] && break; sleep 0.05; done
		"$BERTH" --root "$R" start "$id" 2>>"$W/errors" || continue
	done
	sleep 0.5 # let every monitor reach its steady loop
	for pf in "$W/$TAG-$mon-"*.mon; do
		pid=$(cat "$pf" 2>/dev/null) && [ -n "$pid" ] && rss_of "$pid" >>"$W/rss.$mon"
	done
	n=$(grep -c . "$W/rss.$mon")
	if [ "$n" -eq 0 ]; then results+=("$mon failed: $(tail -n 1 "$W/errors")"); continue; fi
	read -r med min max tot < <(sort -n "$W/rss.$mon" | awk '{a[NR]=$1; t+=$1} END {print a[int((NR+1)/2)], a[1], a[NR], t}')
	results+=("$(printf '%-10s %3d containers: RSS per monitor %s KiB (%s-%s), total %s KiB' "$mon" "$n" "$med" "$min" "$max" "$tot")")
	eval "MED_${mon//-/_}=$med"
done
printf '\nmonitor memory (%s idle containers each, runtime berth)\n' "$N"
printf '  %s\n' "${results[@]}"
if [ -n "${MED_berth_shim:-}" ] && [ -n "${MED_conmon:-}" ]; then
	printf '  berth-shim / conmon RSS: %s\n' "$(awk -v a="$MED_berth_shim" -v b="$MED_conmon" 'BEGIN {printf "%.2f", a / b}')"
fi
