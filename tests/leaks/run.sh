#!/bin/bash
# tests/leaks/run.sh: memory leaks and errors of berth's verbs and of berth-shim's whole life,
# as TAP, one line per command and tool.  As root.
#
# Tools:
#   valgrind  memcheck (--leak-check=full --errors-for-leak-kinds=definite,indirect) on the
#             plain build in BUILDDIR.  Children that exec (the container, the runtime a shim
#             starts) run natively (--trace-children=no); forked children that exit are checked
#             too (one log per pid), except exec's, which fork inside the container's mount
#             namespace.  Valgrind 3.19 (Debian 12) has no wrapper for openat2 or pidfd_open and
#             returns ENOSYS, so berth takes its old-kernel paths there (resolve.c, pidref.c).
#             A command that fails on an unknown system call is reported as a skip (it then
#             runs natively, so the next ones have their container), and LSan covers it.
#   lsan      LeakSanitizer (with ASan and UBSan) in the sanitizer build in ASAN_BUILDDIR
#             (default ASAN_UNIT_DIR, as CI sets it; `configure --enable-sanitizers && make
#             berth berth-shim` there); every report file of every process fails the line.
# A tool that is missing is skipped with a reason.
#
# Environment: BUILDDIR (default .), ASAN_BUILDDIR, LEAKS_TOOLS (default "valgrind lsan"),
# LEAKS_KEEP=1 keeps the temp dir.  Exit status 1 if anything failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILDDIR=$(cd "${BUILDDIR:-.}" && pwd)
ASAN_BUILDDIR=${ASAN_BUILDDIR:-${ASAN_UNIT_DIR:-}}
TOOLS=${LEAKS_TOOLS:-valgrind lsan}
PLAIN=$BUILDDIR/berth

W=$(mktemp -d /tmp/berth-leaks.XXXXXX)
chmod 755 "$W"
ROOT=$W/state
IDS=()
cleanup() {
	local id
	for id in "${IDS[@]}"; do
		timeout 10 "$PLAIN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
	done
	[ -n "${LEAKS_KEEP:-}" ] && echo "# kept $W" || rm -rf --one-file-system "$W"
}
trap cleanup EXIT

n=0 failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /'
}

# ------------------------------------------------------------------ bundles

# The bundles: a container that waits (for the verbs), one that prints and exits (run), one
# that exits after a moment (the shim), one with a bad namespace (an error path).
"$top/tests/make-bundle.sh" "$W/wait" sleep 1000 >/dev/null
"$top/tests/make-bundle.sh" "$W/hello" echo hello >/dev/null
"$top/tests/make-bundle.sh" "$W/brief" sh -c 'echo out; echo err >&2; sleep 0.2' >/dev/null
"$top/tests/make-bundle.sh" "$W/bad" true >/dev/null
jq '.linux.namespaces += [{"type": "nope"}]' "$W/bad/config.json" >"$W/bad.json" && mv "$W/bad.json" "$W/bad/config.json"
# valgrind refuses setrlimit(RLIMIT_NOFILE) above its own limit: without rlimits, create gets
# as far as it can under it
for b in wait hello brief; do
	jq 'del(.process.rlimits)' "$W/$b/config.json" >"$W/$b.json" && mv "$W/$b.json" "$W/$b/config.json"
done

# ------------------------------------------------------------------ one command under a tool

# under TOOL LOGDIR CMD...: CMD under the tool, reports in LOGDIR; stdio from/to files in LOGDIR.
under() {
	local tool=$1 logs=$2
	shift 2
	mkdir -p "$logs"
	case $tool in
	valgrind)
		timeout -k 5 120 valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 --trace-children=no --child-silent-after-fork="${VG_CHILD_SILENT:-no}" \
			--log-file="$logs/vg.%p" "$@" </dev/null >"$logs/out" 2>"$logs/err"
		;;
	lsan)
		ASAN_OPTIONS=detect_leaks=1:exitcode=99:log_path=$logs/asan UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan \
			timeout -k 5 60 "$@" </dev/null >"$logs/out" 2>"$logs/err"
		;;
	esac
}

# findings TOOL LOGDIR: what the tool reported (empty: clean).  For valgrind, a process whose
# log has no summary exec'd (the container, the runtime) and is nothing to report.
findings() {
	local f
	case $1 in
	valgrind)
		for f in "$2"/vg.*; do
			[ -e "$f" ] || continue
			grep -q 'ERROR SUMMARY: 0 errors' "$f" && continue
			grep -q 'ERROR SUMMARY' "$f" || continue
			echo "${f##*/}:"
			grep -E '^==[0-9]+== ' "$f" | grep -vE '^==[0-9]+== *$' | sed -n '/definitely lost\|indirectly lost\|Invalid\|uninitialised\|unaddressable\|ERROR SUMMARY\|   at \|   by /p' | head -n 40
		done
		;;
	lsan)
		for f in "$2"/asan.* "$2"/ubsan.*; do
			[ -e "$f" ] && echo "${f##*/}:" && head -n 40 "$f"
		done
		grep -h -A20 -E 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$2/err" 2>/dev/null | head -n 40
		;;
	esac
}

# A command valgrind can't run: it failed, and valgrind said why.
unsupported() {
	[ "$1" = valgrind ] || return 1
	grep -ho 'unhandled amd64-linux syscall: [0-9]*' "$2"/vg.* 2>/dev/null | sort -u | sed 's/.*: 437$/openat2/; s/.*: 434$/pidfd_open/; s/.*: \([0-9]*\)$/syscall \1/' | paste -sd, -
}

# check TOOL NAME WANT_RC CMD...: one TAP line: CMD exits WANT_RC and the tool found nothing.
# Sets RC.  Returns 2 when the tool could not run CMD (reported as a skip).
check() {
	local tool=$1 name=$2 want=$3 logs f why
	shift 3
	logs=$W/$tool/${name//[^A-Za-z0-9]/_}
	RC=0
	under "$tool" "$logs" "$@" || RC=$?
	f=$(findings "$tool" "$logs")
	if [ "$RC" -ne "$want" ] && why=$(unsupported "$tool" "$logs") && [ -n "$why" ]; then
		ok "$tool: $name # skip valgrind $(valgrind --version | sed 's/valgrind-//') has no $why"
		return 2
	fi
	if [ -n "$f" ]; then
		not_ok "$tool: $name: leak or memory error (exit $RC)" "$f"
	elif [ "$RC" -ne "$want" ]; then
		not_ok "$tool: $name: exit $RC, want $want" "$(head -c 600 "$logs/err")"
	else
		ok "$tool: $name"
	fi
	return 0
}

# wait_stopped ID
wait_stopped() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$("$PLAIN" --root "$ROOT" state "$1" 2>/dev/null | jq -r .status)" = stopped ] && return 0
		sleep 0.05
	done
	return 1
}

# ------------------------------------------------------------------ the verbs

verbs() {
	local tool=$1 bin=$2 id=lk-$1-$$ run_id=lk-$1-run-$$
	IDS+=("$id" "$run_id")
	local rt=("$bin" --root "$ROOT")

	# create; where the tool can't, natively, so the verbs after it have a container
	check "$tool" create 0 "${rt[@]}" create --bundle "$W/wait" "$id" ||
		"$PLAIN" --root "$ROOT" create --bundle "$W/wait" "$id" </dev/null >/dev/null 2>&1
	check "$tool" start 0 "${rt[@]}" start "$id" || "$PLAIN" --root "$ROOT" start "$id"
	check "$tool" state 0 "${rt[@]}" state "$id"
	check "$tool" list 0 "${rt[@]}" list
	check "$tool" "list --format json" 0 "${rt[@]}" list --format json
	# exec forks inside the container's mount namespace, where the log file's dir does not
	# exist: valgrind would kill that child.  Its forks go unchecked by valgrind (LSan has them).
	VG_CHILD_SILENT=yes check "$tool" exec 0 "${rt[@]}" exec "$id" sh -c 'echo in the container'
	VG_CHILD_SILENT=yes check "$tool" "exec, failing process" 3 "${rt[@]}" exec "$id" sh -c 'exit 3'
	check "$tool" "delete of a running container (error)" 1 "${rt[@]}" delete "$id"
	check "$tool" kill 0 "${rt[@]}" kill "$id" KILL || "$PLAIN" --root "$ROOT" kill "$id" KILL
	wait_stopped "$id"
	check "$tool" delete 0 "${rt[@]}" delete "$id"
	check "$tool" "state of a missing container (error)" 1 "${rt[@]}" state "$id"
	check "$tool" "create with a bad config.json (error)" 1 "${rt[@]}" create --bundle "$W/bad" "$id"
	check "$tool" run 0 "${rt[@]}" run --bundle "$W/hello" "$run_id"
	"$PLAIN" --root "$ROOT" create --bundle "$W/wait" "$run_id" </dev/null >/dev/null 2>&1
	"$PLAIN" --root "$ROOT" start "$run_id"
	check "$tool" "delete --force of a running container" 0 "${rt[@]}" delete --force "$run_id"
}

# ------------------------------------------------------------------ the shim's whole life

# The shim started as podman starts conmon, the runtime (plain berth) creates the container,
# we start it, it exits, the shim writes the exit file and exits; then every process of the
# shim has written its report.
shim_life() {
	local tool=$1 shim=$2 id=lk-$1-shim-$$ d logs rc=0 i pid f why
	IDS+=("$id")
	d=$W/$tool/shim-files
	logs=$W/$tool/shim
	mkdir -p "$d/exits" "$d/persist" "$d/sockets" "$logs"
	: >"$d/sync"
	(
		export _OCI_SYNCPIPE=9
		under "$tool" "$logs" "$shim" --api-version 1 -c "$id" -u "$id" -n "$id" -r "$PLAIN" \
			--runtime-arg --root --runtime-arg "$ROOT" -b "$W/brief" -p "$d/pid" -l "k8s-file:$d/ctr.log" \
			--exit-dir "$d/exits" --persist-dir "$d/persist" --socket-dir-path "$d/sockets" \
			--conmon-pidfile "$d/shim.pid"
	) 9>"$d/sync" || rc=$?
	# the launcher returns once it has forked the monitor; the sync line comes when the runtime
	# has created the container (jq -e on an empty file succeeds: wait for the line itself)
	for ((i = 0; i < 600; i++)); do
		[ -s "$d/sync" ] && break
		sleep 0.05
	done
	if [ "$rc" -ne 0 ] || ! [ -s "$d/sync" ] || ! jq -e .data "$d/sync" >/dev/null 2>&1; then
		not_ok "$tool: berth-shim, a container's whole life: the shim failed (exit $rc)" "$(cat "$d/sync" "$logs/err" 2>/dev/null | head -c 600)"
		return
	fi
	"$PLAIN" --root "$ROOT" start "$id" 2>"$d/start.err" || echo "start failed: $(cat "$d/start.err")" >>"$d/start.err"
	pid=$(cat "$d/shim.pid" 2>/dev/null)
	for ((i = 0; i < 600; i++)); do
		[ -e "$d/exits/$id" ] && [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.05
	done
	f=$(findings "$tool" "$logs")
	if [ ! -e "$d/exits/$id" ] || kill -0 "$pid" 2>/dev/null; then
		not_ok "$tool: berth-shim, a container's whole life: no exit file, or the shim (pid $pid) did not exit"
	elif [ -n "$f" ]; then
		not_ok "$tool: berth-shim, a container's whole life: leak or memory error" "$f"
	elif [ "$tool" = valgrind ] && [ "$(grep -l 'ERROR SUMMARY' "$logs"/vg.* | wc -l)" -lt 2 ]; then
		# the launcher and the monitor must both have reported
		not_ok "$tool: berth-shim, a container's whole life: fewer than 2 reports" "$(ls "$logs")"
	elif ! grep -q 'stdout F out' "$d/ctr.log" || [ "$(cat "$d/exits/$id")" != 0 ]; then
		not_ok "$tool: berth-shim, a container's whole life: log or exit status wrong" "$(cat "$d/ctr.log" "$d/exits/$id")"
	else
		ok "$tool: berth-shim, a container's whole life"
	fi
	"$PLAIN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
}

# ------------------------------------------------------------------ main

for tool in $TOOLS; do
	case $tool in
	valgrind)
		if ! command -v valgrind >/dev/null; then
			ok "valgrind # skip valgrind is not installed"
			continue
		fi
		verbs valgrind "$BUILDDIR/berth"
		shim_life valgrind "$BUILDDIR/berth-shim"
		;;
	lsan)
		if [ -z "$ASAN_BUILDDIR" ] || [ ! -x "$ASAN_BUILDDIR/berth" ] || [ ! -x "$ASAN_BUILDDIR/berth-shim" ]; then
			ok "lsan # skip no sanitizer build of berth and berth-shim (ASAN_BUILDDIR)"
			continue
		fi
		verbs lsan "$ASAN_BUILDDIR/berth"
		shim_life lsan "$ASAN_BUILDDIR/berth-shim"
		;;
	*)
		not_ok "unknown tool $tool"
		;;
	esac
done
echo "1..$n"
[ "$failed" -eq 0 ]
