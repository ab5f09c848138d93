#!/usr/bin/env bats
# Concurrency: many containers in parallel, races of two verbs on one id, 200 containers alive.
#
# A call in a race may win or lose, but it must end cleanly: exit 0, or a non-zero exit with
# a message that names the container (exactly 1 for berth); never a crash, a hang (rt's
# timeout) or a message about a half-made container.  After each round, whatever the race
# left is removed with `delete --force` and nothing of the container may remain.  (runc
# names no container in its errors; where runc 1.1.5 itself deviates, the test says so.)
# CONCURRENCY_ROUNDS sets the rounds per race (default 30).  No timings here: see bench/.

load helpers

# Parallelism of the bulk tests, and rounds per race.
PAR=8
ROUNDS=${CONCURRENCY_ROUNDS:-30}

# fresh CMD...: CMD (functions of this file and helpers.bash) in a new bash with `set -e`.
# Bats's DEBUG and ERR traps run on every command of the test's shell and make these loops
# several times slower; a new bash doesn't inherit them.  A failing command fails CMD, and
# with it the test; what it printed shows in the test's output.
fresh() {
	export RUNTIME RUNTIME_KIND ROOT BUNDLE T CID TID PAR ROUNDS IO_N
	export -f $(declare -F | awk '{print $3}' | grep -v '^bats_\|^_bats')
	bash -c 'set -eE; trap '\''echo "# failed: $BASH_COMMAND (${FUNCNAME[*]})" >&2'\'' ERR; '"$*"
}

# race ROUND_FN: ROUND_FN ID for $ROUNDS fresh ids.
race() {
	local r
	for ((r = 0; r < ROUNDS; r++)); do
		"$1" "$CID-$r"
	done
}

# ---------------------------------------------------------------- helpers of this file

# bg NAME ARGS...: `rt ARGS` as a background job; its exit status, stdout and stderr land in
# $T/NAME.rc, .out, .err.  stdio goes to files: a `create` leaves its init holding them.
# Its pid joins BG; `join` waits for those (a bare `wait` would also wait for bats's own
# background jobs, such as the test timeout's watchdog).
BG=()
bg() {
	local name=$1
	shift
	{
		rc=0
		rt "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err" || rc=$?
		echo "$rc" >"$T/$name.rc"
	} &
	BG+=($!)
}

join() {
	wait "${BG[@]}" || true
	BG=()
}

# clean NAME ID: the call NAME ended cleanly (see the header); prints what it did.
clean() {
	local rc
	rc=$(cat "$T/$1.rc")
	echo "# $1: rc=$rc $(head -c 300 "$T/$1.err" | tr '\n' ' ')"
	((rc == 0)) && return 0
	# 124/137: rt's timeout; above 128: killed by a signal
	if ((rc >= 124)); then
		echo "# $1: no clean error (exit $rc)" >&2
		return 1
	fi
	if [[ ! -s $T/$1.err ]]; then
		echo "# $1: failed without a message" >&2
		return 1
	fi
	# runc's messages don't name the container
	if is_berth && ! grep -qF -- "$2" "$T/$1.err"; then
		echo "# $1: the error does not name $2" >&2
		return 1
	fi
	# a loser must not see the other call's container half made or half removed
	if grep -qiE 'being created|creation failed|state\.json|no such file' "$T/$1.err"; then
		echo "# $1: a half-made container showed through" >&2
		return 1
	fi
	if is_berth && ((rc != 1)); then
		echo "# $1: berth exits 1 on errors, not $rc" >&2
		return 1
	fi
}

rc_of() { cat "$T/$1.rc"; }

# consistent ID: after a race the container is either gone (state fails naming it, list
# doesn't show it) or fully there (state answers with a valid status).
consistent() {
	local out rc=0
	out=$(rt state "$1" 2>&1) || rc=$?
	if ((rc == 0)); then
		[[ $(jq -r .status <<<"$out") =~ ^(created|running|stopped)$ ]] || {
			echo "# $1: bad state: $out" >&2
			return 1
		}
	else
		[[ -n $out ]] && { ! is_berth || [[ $out == *"$1"* ]]; } || {
			echo "# $1: state failed without naming it: $out" >&2
			return 1
		}
		if rt list -q | grep -qxF -- "$1"; then
			echo "# $1: state fails ($out) but list shows it" >&2
			return 1
		fi
	fi
}

# settle ID: remove whatever the round left, then check nothing of it remains.
settle() {
	local id=$1 i p c out
	out=$(rt delete --force "$id" 2>&1) || [[ $out == *"does not exist"* || $out == *"not exist"* ]] || {
		echo "# $id: delete --force after the round failed: $out" >&2
		return 1
	}
	[[ -z $(ls -A "$ROOT") ]] || {
		echo "# state left: $(ls -A "$ROOT")" >&2
		return 1
	}
	for ((i = 0; i < 100; i++)); do
		p=$(_leaked_pids)
		[[ -z $p ]] && break
		sleep 0.02
	done
	[[ -z $p ]] || {
		echo "# processes left: $p" >&2
		return 1
	}
	c=$(_leaked_cgroups) || true
	[[ -z $c ]] || {
		echo "# cgroups left: $c" >&2
		return 1
	}
	c=$(_mounts_under_t)
	[[ -z $c ]] || {
		echo "# mounts left: $c" >&2
		return 1
	}
}

# par FUNC: FUNC ID for every id on stdin, $PAR at a time.
par() {
	local id pids=() p
	while read -r id; do
		"$1" "$id" &
		pids+=($!)
		# keep $PAR running: wait for the oldest when full (`wait -n` could return for
		# one of bats's own jobs)
		while ((${#pids[@]} >= PAR)); do
			wait "${pids[0]}" || true
			pids=("${pids[@]:1}")
		done
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
}

# step ID VERB ARGS...: one call of a job; a failure is written to $T/fail.ID.  (stderr goes
# to a file, not $(...): a created init holds it open.)
step() {
	local id=$1 rc=0
	shift
	rt "$@" </dev/null >/dev/null 2>"$T/err.$id" || rc=$?
	((rc == 0)) && return 0
	echo "$* -> exit $rc: $(cat "$T/err.$id")" >>"$T/fail.$id"
	return 1
}

# wait_stopped ID: poll state until stopped (10 s at most).
wait_stopped() {
	local i
	for ((i = 0; i < 500; i++)); do
		[[ $(rt state "$1" 2>/dev/null | jq -r .status) == stopped ]] && return 0
		sleep 0.02
	done
	echo "never stopped" >>"$T/fail.$1"
	return 1
}

lifecycle() {
	local id=$1
	step "$id" create --bundle "$BUNDLE" "$id" || return
	step "$id" start "$id" || return
	step "$id" kill "$id" KILL || return
	wait_stopped "$id" || return
	step "$id" delete "$id"
}

ids() {
	local i
	for ((i = 1; i <= $1; i++)); do echo "$CID-$i"; done
}

failures() {
	cat "$T"/fail.* 2>/dev/null | head -n 20
}

# ---------------------------------------------------------------- many containers

@test "concurrency: 100 containers created, started, killed and deleted, 8 at a time" {
	set_cmd 'exec sleep 1000'
	fresh 'ids 100 | par lifecycle'
	f=$(failures)
	[[ -z $f ]] || {
		echo "$f" >&2
		false
	}
	[ -z "$(rt list -q)" ]
	[ -z "$(ls -A "$ROOT")" ]
}

create_one() { step "$1" create --bundle "$BUNDLE" "$1"; }
start_one() { step "$1" start "$1"; }
kill_one() { step "$1" kill "$1" KILL; }
delete_one() { step "$1" delete --force "$1"; }

@test "concurrency: 200 containers alive at once, list and state report each" {
	BATS_TEST_TIMEOUT=150
	set_cmd 'exec sleep 1000'
	fresh 'ids 200 | par create_one'
	# 1-180 started, 181-200 left created
	fresh 'ids 180 | par start_one'
	[[ -z $(failures) ]] || {
		failures >&2
		false
	}

	run rt list --format json
	[ "$status" -eq 0 ]
	echo "$output" >"$T/list1.json"
	[ "$(jq length "$T/list1.json")" -eq 200 ]
	[ "$(jq -r '.[].id' "$T/list1.json" | sort)" = "$(ids 200 | sort)" ]
	# running: 1-180, created: 181-200
	[ "$(jq -r '.[] | select(.status == "running") | .id' "$T/list1.json" | sort)" = "$(ids 180 | sort)" ]
	[ "$(jq -r '.[] | select(.status == "created") | .id' "$T/list1.json" | sort)" = "$(seq 181 200 | sed "s/^/$CID-/" | sort)" ]
	# every pid is a live process, no two the same; a running one is the container's process
	# (a created one is still the runtime's init, with the runtime's environment)
	[ "$(jq -r '.[].pid' "$T/list1.json" | sort -u | wc -l)" -eq 200 ]
	jq -r '.[] | "\(.id) \(.pid) \(.status)"' "$T/list1.json" | while read -r id pid st; do
		pid_alive "$pid" || {
			echo "# $id: pid $pid not alive" >&2
			false
		}
		[[ $st != running ]] || grep -qz "^BATS_LEAK_TAG=$TID\$" "/proc/$pid/environ"
	done
	# the table: one line per container plus the header
	[ "$(rt list | wc -l)" -eq 201 ]

	# kill every 4th running one: list says stopped, with pid 0
	fresh 'seq 4 4 180 | sed "s/^/$CID-/" | par kill_one'
	[[ -z $(failures) ]] || {
		failures >&2
		false
	}
	fresh 'for id in $(seq 4 4 180 | sed "s/^/$CID-/"); do wait_status "$id" stopped; done'
	run rt list --format json
	[ "$status" -eq 0 ]
	echo "$output" >"$T/list2.json"
	[ "$(jq length "$T/list2.json")" -eq 200 ]
	[ "$(jq -r '.[] | select(.status == "stopped") | .id' "$T/list2.json" | sort)" = "$(seq 4 4 180 | sed "s/^/$CID-/" | sort)" ]
	[ "$(jq '[.[] | select(.status == "stopped" and .pid != 0)] | length' "$T/list2.json")" -eq 0 ]
	[ "$(jq '[.[] | select(.status == "running")] | length' "$T/list2.json")" -eq 135 ]
	[ "$(jq '[.[] | select(.status == "created")] | length' "$T/list2.json")" -eq 20 ]

	# state agrees with list for a sample of each status
	for n in 1 4 50 99 100 133 180 181 199 200; do
		id=$CID-$n
		s=$(rt state "$id")
		want=$(jq -r --arg id "$id" '.[] | select(.id == $id) | "\(.status) \(.pid)"' "$T/list2.json")
		[ "$(jq -r '"\(.status) \(.pid)"' <<<"$s")" = "$want" ]
		[ "$(jq -r .id <<<"$s")" = "$id" ]
	done

	fresh 'ids 200 | par delete_one'
	[[ -z $(failures) ]] || {
		failures >&2
		false
	}
	[ -z "$(rt list -q)" ]
}

# ---------------------------------------------------------------- races on one id
# Each round is a function of the new id, run by `race` in a `fresh` bash.

round_start_delete() {
	local id=$1
	create_ctr "$id" >/dev/null
	bg start start "$id"
	bg delete delete "$id"
	join
	clean start "$id"
	clean delete "$id"
	# a delete without --force can't remove a created or running container; so the start
	# only loses on runc (which deletes created ones)
	if is_berth; then [ "$(rc_of start)" -eq 0 ]; fi
	consistent "$id"
	settle "$id"
}

@test "race: start vs delete, $ROUNDS rounds" {
	# the process exits at once, so a delete after the start can win too
	set_cmd 'exit 0'
	fresh race round_start_delete
}

round_start_force() {
	local id=$1
	create_ctr "$id" >/dev/null
	bg start start "$id"
	bg delete delete --force "$id"
	join
	clean start "$id"
	clean delete "$id"
	[ "$(rc_of delete)" -eq 0 ]
	if rt state "$id" >/dev/null 2>&1; then
		echo "# $id: still there after delete --force" >&2
		false
	fi
	settle "$id"
}

@test "race: start vs delete --force, $ROUNDS rounds" {
	set_cmd 'exec sleep 1000'
	fresh race round_start_force
}

round_kill_delete() {
	local id=$1
	create_ctr "$id" >/dev/null
	rt start "$id"
	bg kill kill "$id" KILL
	bg delete delete "$id"
	join
	clean kill "$id"
	clean delete "$id"
	# the container can only be gone if the kill came first
	if [ "$(rc_of delete)" -eq 0 ]; then [ "$(rc_of kill)" -eq 0 ]; fi
	consistent "$id"
	settle "$id"
}

@test "race: kill vs delete, $ROUNDS rounds" {
	set_cmd 'exec sleep 1000'
	fresh race round_kill_delete
}

round_delete_force() {
	local id=$1
	create_ctr "$id" >/dev/null
	rt start "$id"
	bg plain delete "$id"
	bg force delete --force "$id"
	join
	clean plain "$id"
	clean force "$id"
	# a running container: the plain delete never removes it, --force always does.  (runc
	# 1.1.5: a plain delete that comes between the kill and the removal of --force
	# succeeds too, and both report the one container deleted.)
	if ! is_runc; then [ "$(rc_of plain)" -ne 0 ]; fi
	[ "$(rc_of force)" -eq 0 ]
	consistent "$id"
	settle "$id"
}

@test "race: delete vs delete --force, $ROUNDS rounds" {
	set_cmd 'exec sleep 1000'
	fresh race round_delete_force
}

round_two_creates() {
	local id=$1 a b loser pid
	bg c1 create --bundle "$BUNDLE" "$id"
	bg c2 create --bundle "$BUNDLE" "$id"
	join
	clean c1 "$id"
	clean c2 "$id"
	a=$(rc_of c1) b=$(rc_of c2)
	if ((a == 0)); then loser=c2; else loser=c1; fi
	# exactly one wins; the loser says the id exists
	[ $(((a == 0) + (b == 0))) -eq 1 ]
	grep -qiE 'exist' "$T/$loser.err"
	# the winner's container is intact: created, its init alive, it starts and runs
	[ "$(ctr_status "$id")" = created ]
	pid=$(ctr_pid "$id")
	pid_alive "$pid"
	rt start "$id"
	[ "$(ctr_status "$id")" = running ]
	[ "$(ctr_pid "$id")" = "$pid" ]
	[ "$(rt list -q)" = "$id" ]
	settle "$id"
}

@test "race: two creates of one id, exactly one wins, $ROUNDS rounds" {
	# runc 1.1.5: the loser's cleanup removes the winner's cgroups and state; its process leaks
	if is_runc; then skip "runc 1.1.5: a losing create destroys the winner's container"; fi
	set_cmd 'exec sleep 1000'
	fresh race round_two_creates
}

round_state_delete() {
	local id=$1 s
	create_ctr "$id" >/dev/null
	rt start "$id"
	bg s1 state "$id"
	bg delete delete --force "$id"
	bg s2 state "$id"
	bg s3 state "$id"
	join
	clean delete "$id"
	[ "$(rc_of delete)" -eq 0 ]
	for s in s1 s2 s3; do
		clean $s "$id"
		# a state that answered is a whole document with a real status
		if [ "$(rc_of $s)" -eq 0 ]; then
			jq -e --arg id "$id" '.id == $id and (.status | test("^(running|stopped)$"))' "$T/$s.out" >/dev/null
		fi
	done
	settle "$id"
}

@test "race: state during delete --force, $ROUNDS rounds" {
	set_cmd 'exec sleep 1000'
	fresh race round_state_delete
}

round_run_reused_id() {
	local id=$1 pid
	run_bg "$id"
	wait_status "$id" running
	# someone deletes the container under the foreground run and makes a new one of that id
	rt delete --force "$id"
	create_ctr "$id" >/dev/null
	pid=$(ctr_pid "$id")
	# the run sees its container die and exits; what it removes must be its own, only
	wait "$RUN_PID" || true
	[ "$(ctr_status "$id")" = created ] || {
		echo "# $id: the new container is gone after the old run exited: $(rt state "$id" 2>&1)" >&2
		false
	}
	[ "$(ctr_pid "$id")" = "$pid" ]
	rt start "$id"
	[ "$(ctr_status "$id")" = running ]
	settle "$id"
}

@test "race: a foreground run's container deleted and re-created: the new one survives, 10 rounds" {
	set_cmd 'exec sleep 1000'
	# The first poststop hook of a round (the run's, which sees the exit first) takes a
	# moment: the new container is made before the run gets to removing its own.
	cfg '.hooks.poststop = [{"path": "/bin/sh", "args": ["sh", "-c", $s]}]' \
		--arg s "mkdir $T/hook.\$(cat | jq -r .id) 2>/dev/null && sleep 0.5; exit 0"
	ROUNDS=10 fresh race round_run_reused_id
}
