# shellcheck shell=bash disable=SC2034
# bench/lib.sh: helpers for bench/run.sh (sourced, not run).
# Timing uses bash builtins only ($EPOCHREALTIME and the `time` keyword), so the
# loop adds no fork of its own around the command being measured.

export LC_ALL=C
TIMEFORMAT='%3U %3S'

# timed CMD...: runs CMD with stdout and stderr to $ERRLOG; sets T_WALL (µs),
# T_CPU (ms, user+sys of CMD and everything it waited for) and T_RC.
timed() {
	local t0 t1 u s
	t0=${EPOCHREALTIME/./}
	{ time "$@" >/dev/null 2>>"$ERRLOG"; } 2>"$W/.tf"
	T_RC=$?
	t1=${EPOCHREALTIME/./}
	T_WALL=$((10#$t1 - 10#$t0))
	read -r u s <"$W/.tf"
	u=${u/./}; s=${s/./}
	T_CPU=$((10#$u + 10#$s))
}

# rec ROW RT VALUE: append one sample.
rec() { printf '%s\n' "$3" >>"$W/data/$1.$2"; }
# fail ROW RT: count one failed sample.
fail() { printf 'x\n' >>"$W/data/$1.$2.fail"; }

# stats FILE SCALE: "median min max mean n" of the samples in FILE, each divided by SCALE.
stats() {
	[ -s "$1" ] || return 1
	sort -n "$1" | awk -v sc="$2" '{ v[NR] = $1 / sc; s += v[NR] }
		END { n = NR; m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2;
		      printf "%.6g %.6g %.6g %.6g %d\n", m, v[1], v[n], s / n, n }'
}

# fmt NUM: a number with 3 significant digits, no exponent.
fmt() {
	awk -v x="$1" 'BEGIN { a = x < 0 ? -x : x;
		if (x == int(x) && a < 100000) printf "%d", x; else if (a >= 100) printf "%.0f", x; else if (a >= 10) printf "%.1f", x;
		else if (a >= 1) printf "%.2f", x; else printf "%.3f", x }'
}

# cell ROW RT SCALE [max]: "median (min–max)" for a row, "n/a", or "FAIL".
# With "max", the cell is "max (median)" instead.
cell() {
	local f="$W/data/$1.$2" med min max mean n
	if [ -e "$W/data/$1.$2.na" ]; then printf 'n/a'; return; fi
	if ! read -r med min max mean n < <(stats "$f" "$3"); then
		if [ -e "$f.fail" ]; then printf 'FAIL'; else printf -- '-'; fi
		return
	fi
	if [ "${4:-}" = max ]; then
		printf '%s (med %s)' "$(fmt "$max")" "$(fmt "$med")"
	elif [ "$n" -eq 1 ]; then
		printf '%s' "$(fmt "$med")"
	else
		printf '%s (%s-%s)' "$(fmt "$med")" "$(fmt "$min")" "$(fmt "$max")"
	fi
	[ -e "$f.fail" ] && printf ' [%d failed]' "$(wc -l <"$f.fail")"
	return 0
}

# median ROW RT SCALE: just the median (empty when there is none).
median() {
	local med rest
	[ -e "$W/data/$1.$2.na" ] && return 0
	read -r med rest < <(stats "$W/data/$1.$2" "$3") && printf '%s' "$med"
	return 0
}

# mean ROW RT SCALE: the mean (empty when there is none; n/a when the row is n/a for RT).
mean() {
	local med min max mn rest
	[ -e "$W/data/$1.$2.na" ] && { printf 'n/a'; return 0; }
	read -r med min max mn rest < <(stats "$W/data/$1.$2" "$3") && fmt "$mn"
	return 0
}

# ratio A B: A/B to 2 decimals, or n/a.
ratio() {
	if [ -z "$1" ] || [ -z "$2" ]; then printf 'n/a'; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# readpid FILE: sets pid from a pid file (runtimes write it without a newline).
readpid() { pid=; read -r pid <"$1" 2>/dev/null; [ -n "$pid" ]; }

# pids_of_exe PATH: pids whose executable is PATH (to count runtime processes left behind).
pids_of_exe() {
	local p e
	for p in /proc/[0-9]*; do
		e=$(readlink "$p/exe" 2>/dev/null) || continue
		[ "$e" = "$1" ] && printf '%s\n' "${p#/proc/}"
	done
	return 0
}

# cg_mem PID: memory.usage_in_bytes (v1) or memory.current (v2) of PID's memory cgroup, in bytes.
cg_mem() {
	local line path
	while IFS= read -r line; do
		case $line in
		*:memory:*) path=${line#*:memory:}
			[ -r "/sys/fs/cgroup/memory$path/memory.usage_in_bytes" ] &&
				cat "/sys/fs/cgroup/memory$path/memory.usage_in_bytes" && return 0 ;;
		0::*) path=${line#0::}
			[ -r "/sys/fs/cgroup$path/memory.current" ] &&
				cat "/sys/fs/cgroup$path/memory.current" && return 0 ;;
		esac
	done <"/proc/$1/cgroup"
	return 1
}

# freeze_dock: copy dock, dock-archive, berth and berth-shim ($DOCK / $BERTH, else the build's)
# into $W/bin, so a rebuild during the run cannot fail samples; exits when one is missing
freeze_dock() {
	local dir
	dir=$(dirname "${DOCK:-$TOP/dock}")
	cp "${DOCK:-$TOP/dock}" "$W/bin/dock" && cp "${BERTH:-$TOP/berth}" "$W/bin/berth" &&
		cp "$dir/dock-archive" "$W/bin/dock-archive" && cp "$dir/berth-shim" "$W/bin/berth-shim" || {
		echo "bench: no dock/dock-archive/berth/berth-shim (run make)" >&2
		rm -rf "$W"
		exit 1
	}
}
