#!/bin/bash
# bench/run.sh: time berth against runc and crun on the same busybox bundle, in one
# run, round-robin per iteration (the first runtime rotates), so machine drift
# cancels out.  Prints a table of medians (min–max) and ratios against crun.
#
#   bash bench/run.sh                 full run (a few minutes)
#   QUICK=1 bash bench/run.sh         short run (< 1 minute)
#   BERTH=path RUNC=path CRUN=path    binaries (default ./berth, runc and crun from PATH)
#   BENCH_OUT=dir                     keep the raw samples (one file per row and runtime)
#
# Needs root, bash >= 5, unshare, /usr/bin/time, busybox and jq (for tests/make-bundle.sh).
# Everything runs inside a private mount namespace in which
# /sys/fs/cgroup/unified/cgroup.controllers is masked by an empty file: crun 1.8
# refuses hybrid cgroup layouts otherwise.  All runtimes run in it, so it is fair.
# See bench/README.md for what every row measures.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

RUNTIMES="berth runc crun"
MASK=/sys/fs/cgroup/unified/cgroup.controllers

# ---------------------------------------------------------------- cleanup
# Runs inside the masked namespace: delete every container we made (by the ids in
# our private roots), then kill, by the pid files we wrote, any process of ours a
# runtime left behind.
inner_cleanup() {
	local rt bin R id pf pid
	[ -n "${W:-}" ] && [ -d "$W" ] || return 0
	for rt in $RUNTIMES; do
		bin=${RTBIN[$rt]:-}; R=$W/root/$rt
		[ -n "$bin" ] && [ -d "$R" ] || continue
		for id in $( { "$bin" --root "$R" list -q 2>/dev/null; ls "$R" 2>/dev/null; } | sort -u); do
			case $id in "$TAG"-*) "$bin" --root "$R" delete --force "$id" >/dev/null 2>&1 ;; esac
		done
	done
	for pf in "$W"/pids/*; do
		[ -f "$pf" ] || continue
		readpid "$pf" || continue
		[ -n "$pid" ] && grep -qs "/$TAG-" "/proc/$pid/cgroup" && kill -9 "$pid" 2>/dev/null
	done
	: >"$W/.cleaned"
}

# Runs in the host namespace at the very end: leftover cgroup dirs of ours, the temp dir.
outer_cleanup() {
	[ -n "${W:-}" ] && [ -d "$W" ] || return 0
	if [ ! -e "$W/.cleaned" ] && [ -e "$W/.started" ]; then
		unshare -m --propagation private bash "$HERE/run.sh" --cleanup
	fi
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -depth -type d -name "$TAG-*" -exec rmdir {} + 2>/dev/null
	if [ -n "${BENCH_OUT:-}" ] && [ -d "$W/data" ]; then
		mkdir -p "$BENCH_OUT" && cp -r "$W/data/." "$BENCH_OUT/" && cp "$W/errors.log" "$BENCH_OUT/" 2>/dev/null
	fi
	rm -rf "$W"
}

mask_cgroup2() {
	# Hybrid layout only: an empty cgroup.controllers makes crun treat v2 as controller-less.
	if [ -e "$MASK" ] && [ -n "$(cat "$MASK" 2>/dev/null)" ]; then
		mount --bind "$W/empty" "$MASK" || { echo "bench: cannot mask $MASK" >&2; return 1; }
	fi
	return 0
}

declare -A RTBIN=([berth]="${BERTH:-}" [runc]="${RUNC:-}" [crun]="${CRUN:-}")

# ---------------------------------------------------------------- outer
if [ "${1:-}" != --inner ] && [ "${1:-}" != --cleanup ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
	for t in unshare chroot jq busybox /usr/bin/time; do
		command -v "$t" >/dev/null || { echo "bench: missing $t" >&2; exit 1; }
	done
	BERTH=$(realpath "${BERTH:-./berth}" 2>/dev/null) || BERTH=
	RUNC=$(command -v "${RUNC:-runc}") || RUNC=
	CRUN=$(command -v "${CRUN:-crun}") || CRUN=
	[ -x "$BERTH" ] || { echo "bench: no berth binary (BERTH=${BERTH:-./berth}); run make first" >&2; exit 1; }
	W=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX") || exit 1
	TAG=bb$$
	export W TAG BERTH RUNC CRUN QUICK="${QUICK:-0}"
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$W/data" "$W/pids" "$W/root/berth" "$W/root/runc" "$W/root/crun"
	: >"$W/empty"; : >"$W/errors.log"
	# measure a private copy: berth is rebuilt often, and a rebuild mid-run would fail samples
	mkdir -p "$W/bin" && cp "$BERTH" "$W/bin/berth" && BERTH_SRC=$BERTH && BERTH=$W/bin/berth || exit 1
	export BERTH BERTH_SRC
	"$HERE/../tests/make-bundle.sh" "$W/true" /bin/true >/dev/null &&
		"$HERE/../tests/make-bundle.sh" "$W/sleep" sleep 1000 >/dev/null &&
		"$HERE/../tests/make-bundle.sh" "$W/sec" /bin/true >/dev/null &&
		jq --slurpfile p "$HERE/../tests/unit/fixtures/seccomp-docker-default.json" '.linux.seccomp = $p[0]' \
			"$W/sec/config.json" >"$W/sec/config.json.new" && mv "$W/sec/config.json.new" "$W/sec/config.json" ||
		{ echo "bench: cannot make the bundles" >&2; exit 1; }
	: >"$W/.started"
	unshare -m --propagation private bash "$HERE/run.sh" --inner
	rc=$?
	# the monitor row: berth-shim against conmon, both over berth
	SHIM=${SHIM:-$(dirname "$BERTH_SRC")/berth-shim} BERTH=$BERTH_SRC bash "$HERE/shim-rss.sh"
	exit $rc
fi

RTBIN=([berth]="$BERTH" [runc]="$RUNC" [crun]="$CRUN")
ERRLOG=$W/errors.log
if [ "$1" = --cleanup ]; then
	mask_cgroup2
	inner_cleanup
	exit 0
fi

# ---------------------------------------------------------------- inner
trap inner_cleanup EXIT
trap 'echo "bench: interrupted, cleaning up" >&2; exit 130' INT TERM HUP
mask_cgroup2 || exit 1

if [ "$QUICK" = 1 ]; then
	N_RUN=20 N_RSS=5 N_LC=10 N_EXEC=10 SIZES="10 50" REPS=5
else
	N_RUN=100 N_RSS=20 N_LC=100 N_EXEC=100 SIZES="50 200" REPS=20
fi
BIG=${SIZES##* }
read -r LOAD0 _ </proc/loadavg

log() { printf '%s\n' "$*" >&2; }

# rotate I WORD...: the words, starting at word I mod count.
rotate() {
	local i=$1; shift
	local a=("$@") n=$# k
	for ((k = 0; k < n; k++)); do printf '%s ' "${a[(i + k) % n]}"; done
}

rt_root() { printf '%s' "$W/root/$1"; }

# Check every runtime once (also a warm-up of the page cache); drop those that fail.
AVAIL=""
for rt in $RUNTIMES; do
	bin=${RTBIN[$rt]}
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then log "bench: $rt not found, its column is n/a"; continue; fi
	ok=1
	for k in 1 2; do
		if ! out=$("$bin" --root "$W/root/$rt" run -b "$W/true" "$TAG-$rt-warm$k" 2>&1); then
			log "bench: $rt run fails here, its column is n/a: $out"; ok=0; break
		fi
	done
	[ $ok = 1 ] && AVAIL="$AVAIL $rt"
done
AVAIL=${AVAIL# }
FLOOR=(unshare --fork --pid --mount --uts --ipc --net chroot "$W/true/rootfs" /bin/true)
"${FLOOR[@]}" || log "bench: the floor command fails"
log "bench: runtimes: $AVAIL; $(for rt in $AVAIL; do printf '%s=%s ' "$rt" "${RTBIN[$rt]}"; done)"
[ -n "$AVAIL" ] || exit 1
for rt in $RUNTIMES; do
	case " $AVAIL " in *" $rt "*) ;; *) for row in run runsec cpu rss lc exec; do : >"$W/data/$row.$rt.na"; done ;; esac
done

# ---------------------------------------------------------------- run /bin/true
log "bench: run /bin/true x $N_RUN"
for ((i = 1; i <= N_RUN; i++)); do
	for rt in $(rotate "$i" $AVAIL floor); do
		if [ "$rt" = floor ]; then
			timed "${FLOOR[@]}"
		else
			timed "${RTBIN[$rt]}" --root "$W/root/$rt" run -b "$W/true" "$TAG-$rt-r$i"
		fi
		if [ "$T_RC" = 0 ]; then rec run "$rt" "$T_WALL"; rec cpu "$rt" "$T_CPU"; else fail run "$rt"; fi
	done
done

# ---------------------------------------------------------------- run with seccomp
# docker's default profile (three x86 architectures): what a docker or
# podman container pays for its filter on every start
log "bench: run /bin/true with docker's seccomp profile x $N_RUN"
for ((i = 1; i <= N_RUN; i++)); do
	for rt in $(rotate "$i" $AVAIL); do
		timed "${RTBIN[$rt]}" --root "$W/root/$rt" run -b "$W/sec" "$TAG-$rt-s$i"
		if [ "$T_RC" = 0 ]; then rec runsec "$rt" "$T_WALL"; else fail runsec "$rt"; fi
	done
done

# ---------------------------------------------------------------- peak RSS of run
log "bench: peak RSS of run x $N_RSS"
for ((i = 1; i <= N_RSS; i++)); do
	for rt in $(rotate "$i" $AVAIL floor); do
		if [ "$rt" = floor ]; then
			/usr/bin/time -f %M -o "$W/.rss" "${FLOOR[@]}" >/dev/null 2>>"$ERRLOG"
		else
			/usr/bin/time -f %M -o "$W/.rss" "${RTBIN[$rt]}" --root "$W/root/$rt" \
				run -b "$W/true" "$TAG-$rt-m$i" >/dev/null 2>>"$ERRLOG"
		fi
		if [ $? = 0 ]; then read -r kb <"$W/.rss"; rec rss "$rt" "$kb"; else fail rss "$rt"; fi
	done
done

# ---------------------------------------------------------------- lifecycle
# create, start, wait until the container's init has exited (polling /proc with
# builtins, the same for every runtime), delete.
wait_exit() {
	local pid=$1 st t0=${EPOCHREALTIME/./}
	while read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null && [ "$st" != Z ] && [ "$st" != X ]; do
		local t=${EPOCHREALTIME/./}
		((10#$t - 10#$t0 > 10000000)) && return 1
	done
	return 0
}
lifecycle() {
	local bin=$1 R=$2 id=$3 pf=$4 pid
	"$bin" --root "$R" create -b "$W/true" --pid-file "$pf" "$id" || return 1
	"$bin" --root "$R" start "$id" || { "$bin" --root "$R" delete --force "$id"; return 1; }
	readpid "$pf" && wait_exit "$pid" || { "$bin" --root "$R" delete --force "$id"; return 1; }
	"$bin" --root "$R" delete "$id"
}
log "bench: lifecycle create+start+wait+delete x $N_LC"
for ((i = 1; i <= N_LC; i++)); do
	for rt in $(rotate "$i" $AVAIL); do
		timed lifecycle "${RTBIN[$rt]}" "$W/root/$rt" "$TAG-$rt-l$i" "$W/pids/$rt.lc"
		if [ "$T_RC" = 0 ]; then rec lc "$rt" "$T_WALL"; else fail lc "$rt"; fi
	done
done

# ---------------------------------------------------------------- exec
EXEC_RT=""
for rt in $AVAIL; do
	bin=${RTBIN[$rt]}
	if ! "$bin" exec --help >/dev/null 2>&1; then : >"$W/data/exec.$rt.na"; continue; fi
	if "$bin" --root "$W/root/$rt" run -d -b "$W/sleep" --pid-file "$W/pids/$rt.ex" "$TAG-$rt-ex" >/dev/null 2>>"$ERRLOG" </dev/null; then
		EXEC_RT="$EXEC_RT $rt"
	else
		fail exec "$rt"
	fi
done
log "bench: exec /bin/true x $N_EXEC (${EXEC_RT# })"
for ((i = 1; i <= N_EXEC; i++)); do
	for rt in $(rotate "$i" $EXEC_RT); do
		timed "${RTBIN[$rt]}" --root "$W/root/$rt" exec "$TAG-$rt-ex" /bin/true
		if [ "$T_RC" = 0 ]; then rec exec "$rt" "$T_WALL"; else fail exec "$rt"; fi
	done
done
for rt in $EXEC_RT; do "${RTBIN[$rt]}" --root "$W/root/$rt" delete --force "$TAG-$rt-ex" >/dev/null 2>>"$ERRLOG"; done

# ---------------------------------------------------------------- scale
declare -A BASEPIDS
for rt in $AVAIL; do BASEPIDS[$rt]=$(pids_of_exe "${RTBIN[$rt]}" | wc -l); done
for n in $SIZES; do
	log "bench: scale: $n containers of 'sleep 1000' per runtime"
	declare -A UPTOT=() DELTOT=()
	for ((i = 1; i <= n; i++)); do
		for rt in $(rotate "$i" $AVAIL); do
			bin=${RTBIN[$rt]} R=$(rt_root "$rt") id=$TAG-$rt-s$n-$i
			timed "$bin" --root "$R" create -b "$W/sleep" --pid-file "$W/pids/$rt.s$n.$i" "$id"
			rc=$T_RC w=$T_WALL
			if [ "$rc" = 0 ]; then timed "$bin" --root "$R" start "$id"; rc=$T_RC; w=$((w + T_WALL)); fi
			if [ "$rc" = 0 ]; then rec "up$n" "$rt" "$w"; UPTOT[$rt]=$((${UPTOT[$rt]:-0} + w)); else fail "up$n" "$rt"; fi
		done
	done
	for rt in $AVAIL; do
		rec "uptot$n" "$rt" "${UPTOT[$rt]:-0}"
		# what the runtime leaves once all are up: its own processes, and the containers' cgroup memory
		left=$(($(pids_of_exe "${RTBIN[$rt]}" | wc -l) - ${BASEPIDS[$rt]}))
		rec "procs$n" "$rt" "$left"
		sum=0 cnt=0
		for ((i = 1; i <= n; i++)); do
			readpid "$W/pids/$rt.s$n.$i" || continue
			b=$(cg_mem "$pid" 2>/dev/null) || continue
			sum=$((sum + b)) cnt=$((cnt + 1))
		done
		[ "$cnt" -gt 0 ] && rec "mem$n" "$rt" $((sum / cnt))
		got=$("${RTBIN[$rt]}" --root "$W/root/$rt" list 2>/dev/null | grep -c -- "$TAG-$rt-s$n-")
		[ "$got" = "$n" ] || log "bench: $rt list shows $got of $n containers"
	done
	for ((j = 1; j <= REPS; j++)); do
		for rt in $(rotate "$j" $AVAIL); do
			timed "${RTBIN[$rt]}" --root "$W/root/$rt" list
			if [ "$T_RC" = 0 ]; then rec "list$n" "$rt" "$T_WALL"; else fail "list$n" "$rt"; fi
			timed "${RTBIN[$rt]}" --root "$W/root/$rt" state "$TAG-$rt-s$n-$(((n + 1) / 2))"
			if [ "$T_RC" = 0 ]; then rec "state$n" "$rt" "$T_WALL"; else fail "state$n" "$rt"; fi
		done
	done
	for ((i = 1; i <= n; i++)); do
		for rt in $(rotate "$i" $AVAIL); do
			timed "${RTBIN[$rt]}" --root "$W/root/$rt" delete --force "$TAG-$rt-s$n-$i"
			if [ "$T_RC" = 0 ]; then rec "del$n" "$rt" "$T_WALL"; DELTOT[$rt]=$((${DELTOT[$rt]:-0} + T_WALL)); else fail "del$n" "$rt"; fi
		done
	done
	for rt in $AVAIL; do rec "deltot$n" "$rt" "${DELTOT[$rt]:-0}"; done
	unset UPTOT DELTOT
done

# ---------------------------------------------------------------- report
COLS="berth runc crun floor"
row() { # LABEL DATAROW SCALE [max] [with-floor]
	local label=$1 r=$2 sc=$3 how=${4:-} fl=${5:-} rt c
	printf '%-44s' "$label"
	for rt in $COLS; do
		if [ "$rt" = floor ] && [ -z "$fl" ]; then c=""; else c=$(cell "$r" "$rt" "$sc" "$how"); fi
		printf ' %-24s' "$c"
	done
	printf '\n'
}
{
	printf '\nberth bench (%s mode), %s, %s CPUs, kernel %s\n' \
		"$([ "$QUICK" = 1 ] && echo quick || echo full)" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$(uname -r)"
	for rt in $RUNTIMES; do printf '  %-6s %s %s\n' "$rt" "$([ $rt = berth ] && echo "$BERTH_SRC (copied)" || echo "${RTBIN[$rt]:-none}")" \
		"$("${RTBIN[$rt]}" --version 2>/dev/null | head -1)"; done
	read -r LOAD1 _ </proc/loadavg
	printf '  load average (1 min) at start %s, at end %s: wall times grow with load, ratios less so\n' "$LOAD0" "$LOAD1"
	printf '  cells: median (min-max); times in ms unless marked\n\n'
	printf '%-44s' ""; for rt in $COLS; do printf ' %-24s' "$rt"; done; printf '\n'
	row "run /bin/true (x$N_RUN)" run 1000 "" f
	row "  CPU user+sys per run (ms, 1 ms steps)" cpu 1 "" f
	row "  peak RSS of run (KiB, max of $N_RSS)" rss 1 max f
	row "run /bin/true, docker's seccomp profile (x$N_RUN)" runsec 1000
	row "create+start+wait+delete (x$N_LC)" lc 1000
	row "exec /bin/true (x$N_EXEC)" exec 1000
	for n in $SIZES; do
		row "scale $n: up, create+start total (s)" "uptot$n" 1000000
		row "scale $n:   create+start per container" "up$n" 1000
		row "scale $n: list (x$REPS)" "list$n" 1000
		row "scale $n: state of one (x$REPS)" "state$n" 1000
		row "scale $n: cgroup memory per container (KiB)" "mem$n" 1024
		row "scale $n: runtime processes left" "procs$n" 1
		row "scale $n: delete --force total (s)" "deltot$n" 1000000
	done
	printf '\n'
	# CPU is quantised to 1 ms, so its ratio uses the mean.
	mean() { local a b c d e; read -r a b c d e < <(stats "$W/data/$1.$2" 1) && printf '%s' "$d"; }
	maxv() { local a b c d e; read -r a b c d e < <(stats "$W/data/$1.$2" 1) && printf '%s' "$c"; }
	line="ratios vs crun (medians; rss: max; cpu: mean):"
	for pair in berth runc; do
		line="$line  $pair/crun:"
		line="$line run $(ratio "$(median run $pair 1)" "$(median run crun 1)")"
		line="$line run+seccomp $(ratio "$(median runsec $pair 1)" "$(median runsec crun 1)")"
		line="$line lifecycle $(ratio "$(median lc $pair 1)" "$(median lc crun 1)")"
		line="$line exec $(ratio "$(median exec $pair 1)" "$(median exec crun 1)")"
		line="$line rss $(ratio "$(maxv rss $pair)" "$(maxv rss crun)")"
		line="$line cpu $(ratio "$(mean cpu $pair)" "$(mean cpu crun)")"
		line="$line list@$BIG $(ratio "$(median "list$BIG" $pair 1)" "$(median "list$BIG" crun 1)")"
		[ $pair = berth ] && line="$line;"
	done
	printf '%s\n' "$line"
	# Under load the medians queue behind other work; the minimums are the best case of each.
	minv() { local a b c d e; read -r a b c d e < <(stats "$W/data/$1.$2" 1) && printf '%s' "$b"; }
	line="ratios vs crun (minimums, less sensitive to load):"
	for pair in berth runc; do
		line="$line  $pair/crun: run $(ratio "$(minv run $pair)" "$(minv run crun)")"
		line="$line lifecycle $(ratio "$(minv lc $pair)" "$(minv lc crun)")"
		line="$line exec $(ratio "$(minv exec $pair)" "$(minv exec crun)")"
		line="$line list@$BIG $(ratio "$(minv "list$BIG" $pair)" "$(minv "list$BIG" crun)")"
		[ $pair = berth ] && line="$line;"
	done
	printf '%s\n' "$line"
	printf 'berth vs floor: run %sx the bare-namespace floor (target <= 2.5); crun %sx, runc %sx\n' \
		"$(ratio "$(median run berth 1)" "$(median run floor 1)")" \
		"$(ratio "$(median run crun 1)" "$(median run floor 1)")" \
		"$(ratio "$(median run runc 1)" "$(median run floor 1)")"
	# growth from the smallest to the largest scale
	SMALL=${SIZES%% *}
	if [ "$SMALL" != "$BIG" ]; then
		printf 'growth %s -> %s containers (x%s):' "$SMALL" "$BIG" "$(ratio "$BIG" "$SMALL")"
		for rt in $AVAIL; do
			printf '  %s: up/ctr %s list %s state %s del/ctr %s' "$rt" \
				"$(ratio "$(median "up$BIG" $rt 1)" "$(median "up$SMALL" $rt 1)")" \
				"$(ratio "$(median "list$BIG" $rt 1)" "$(median "list$SMALL" $rt 1)")" \
				"$(ratio "$(median "state$BIG" $rt 1)" "$(median "state$SMALL" $rt 1)")" \
				"$(ratio "$(median "del$BIG" $rt 1)" "$(median "del$SMALL" $rt 1)")"
		done
		printf '\n'
	fi
	if ls "$W"/data/*.fail >/dev/null 2>&1; then
		printf '\nfailures: %s\nlast errors:\n' "$(cd "$W/data" && ls ./*.fail | sed 's|^\./||; s/\.fail$//' | tr '\n' ' ')"
		tail -n 5 "$ERRLOG" | sed 's/^/  /'
	fi
} 
exit 0
