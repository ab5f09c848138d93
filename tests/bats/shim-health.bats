#!/usr/bin/env bats
# berth-shim's health checks (--health-cmd and friends, ours beyond conmon: conmon has none),
# on a real container: docker's State.Health in <persist-dir>/health.json.  Short intervals keep
# the file fast.  See shim-helpers.bash.

load helpers
load shim-helpers

setup_file() {
	shim_setup_file
	is_berth_shim || skip "health checks are berth-shim's"
}

MS=1000000 # a millisecond in nanoseconds

HJ() { echo "$T/persist/health.json"; }

# wait_health JQ-EXPR: poll health.json until the expression holds (10 s at most).
wait_health() {
	local i
	for ((i = 0; i < 200; i++)); do
		jq -e "$1" "$(HJ)" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "# health.json never matched $1: $(cat "$(HJ)" 2>&1)" >&2
	return 1
}

setup() {
	shim_setup
	# a writable /tmp for the checks that keep state there
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}'
}

# run_ctr SCRIPT [SHIM-FLAGS...]: the container runs SCRIPT under a shim with FLAGS; started.
run_ctr() {
	set_cmd "$1"
	shift
	shim_start "$@"
	[ "$SHIM_RC" -eq 0 ]
	[ "$(sync_data)" -gt 0 ]
	rt start "$CID"
}

# check_pids CMDLINE: live processes of this test (its leak tag) running exactly CMDLINE.
check_pids() {
	local f p
	for f in $(grep -lsz "^BATS_LEAK_TAG=$TID\$" /proc/[0-9]*/environ); do
		p=${f#/proc/}
		p=${p%%/*}
		pid_alive "$p" && [[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) == "$1 " ]] && echo "$p"
	done
	return 0
}

# wait_check_pid CMDLINE: wait for a process running CMDLINE (10 s at most), print its pid.
wait_check_pid() {
	local i p
	for ((i = 0; i < 200; i++)); do
		p=$(check_pids "$1")
		[[ -n $p ]] && echo "$p" && return 0
		sleep 0.05
	done
	echo "# no process '$1'" >&2
	return 1
}

secs() { date -d "$1" +%s.%N; }

@test "health: bad --health-* options fail on the sync pipe; NONE checks nothing" {
	set_cmd 'true'
	shim_start --health-cmd '["RUN","x"]'
	[ "$SHIM_RC" -eq 1 ]
	[ "$(sync_data)" = -1 ]
	[[ $(sync_message) == *"unknown test type"* ]]
	shim_start --health-cmd '["CMD-SHELL","true"]' --health-interval=-1
	[ "$SHIM_RC" -eq 1 ]
	[[ $(sync_message) == *"--health-interval must be 0 or more"* ]]
	shim_start --health-cmd 'not json'
	[ "$SHIM_RC" -eq 1 ]
	[[ $(sync_message) == *"not JSON"* ]]
	run_ctr 'sleep 0.5' --health-cmd '["NONE"]' --health-interval $((100 * MS))
	[ "$(wait_exit_file)" = 0 ]
	[ ! -e "$(HJ)" ]
}

@test "health: not before the start; 'starting' at the start, the first check one interval later, then healthy" {
	set_cmd 'sleep 2; exit 4'
	shim_start --health-cmd '["CMD-SHELL","true"]' --health-interval $((600 * MS))
	[ "$(sync_data)" -gt 0 ]
	# created, not started: no checks
	sleep 0.3
	[ ! -e "$(HJ)" ]
	rt start "$CID"
	wait_file "$(HJ)"
	seen=$(date +%s.%N)
	run cat "$(HJ)"
	echo "$output"
	[ "$(jq -c . <<<"$output")" = '{"Status":"starting","FailingStreak":0,"Log":[]}' ]
	wait_health '.Status == "healthy"'
	first=$(date +%s.%N)
	run cat "$(HJ)"
	echo "$output"
	[ "$(jq '.FailingStreak' <<<"$output")" = 0 ]
	[ "$(jq '.Log | length' <<<"$output")" = 1 ]
	[ "$(jq '.Log[0].ExitCode' <<<"$output")" = 0 ]
	[ "$(jq -r '.Log[0].Output' <<<"$output")" = "" ]
	ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$'
	[[ $(jq -r '.Log[0].Start' <<<"$output") =~ $ts ]]
	[[ $(jq -r '.Log[0].End' <<<"$output") =~ $ts ]]
	# one interval between the start and the first check
	awk -v a="$seen" -v b="$first" 'BEGIN { exit !(b - a > 0.5) }'
	# the container's own exit status is untouched by the checks' (the shim reaps them all)
	[ "$(wait_exit_file)" = 4 ]
	[ "$(jq '.Log | length' "$(HJ)")" -ge 2 ]
}

@test "health: a failing check: 'starting' below the retries, 'unhealthy' at them" {
	run_ctr 'sleep 100' --health-cmd '["CMD","false"]' --health-interval $((200 * MS)) --health-retries 2
	wait_health '.Status == "starting" and .FailingStreak == 1 and (.Log | length) == 1'
	wait_health '.Status == "unhealthy" and .FailingStreak == 2'
	[ "$(jq '.Log[-1].ExitCode' "$(HJ)")" = 1 ]
	# and unhealthy it stays, the streak growing
	wait_health '.Status == "unhealthy" and .FailingStreak >= 3'
}

@test "health: failures during the start period do not count; after it they do" {
	run_ctr 'sleep 100' --health-cmd '["CMD-SHELL","exit 1"]' --health-interval $((200 * MS)) \
		--health-retries 1 --health-start-period $((1500 * MS))
	wait_health '(.Log | length) >= 3'
	run cat "$(HJ)"
	echo "$output"
	# (the 3rd check starts by ~0.8 s, well within 1.5 s)
	[ "$(jq -r .Status <<<"$output")" = starting ]
	[ "$(jq .FailingStreak <<<"$output")" = 0 ]
	wait_health '.Status == "unhealthy" and .FailingStreak == 1'
}

@test "health: a check over its timeout is killed and fails with docker's message" {
	run_ctr 'sleep 100' --health-cmd '["CMD-SHELL","sleep 31"]' --health-interval $((300 * MS)) \
		--health-timeout $((1000 * MS)) --health-retries 1
	pid=$(wait_check_pid 'sleep 31')
	wait_health '(.Log | length) >= 1'
	run cat "$(HJ)"
	echo "$output"
	[ "$(jq -r .Status <<<"$output")" = unhealthy ]
	[ "$(jq .Log[0].ExitCode <<<"$output")" = -1 ]
	[ "$(jq -r .Log[0].Output <<<"$output")" = "Health check exceeded timeout (1s)" ]
	start=$(secs "$(jq -r .Log[0].Start <<<"$output")")
	end=$(secs "$(jq -r .Log[0].End <<<"$output")")
	awk -v a="$start" -v b="$end" 'BEGIN { exit !(b - a >= 0.9 && b - a < 3) }'
	# the check's process in the container is gone (its runtime was reaped before the result)
	wait_gone "$pid"
}

@test "health: the output (stdout and stderr) is captured, 4096 bytes at most" {
	run_ctr 'sleep 100' --health-cmd '["CMD-SHELL","echo out; echo err >&2; if [ -e /tmp/big ]; then head -c 10000 /dev/zero | tr \"\\0\" x; fi; exit 3"]' \
		--health-interval $((200 * MS))
	wait_health '(.Log | length) >= 1'
	run cat "$(HJ)"
	echo "$output"
	[ "$(jq .Log[0].ExitCode <<<"$output")" = 3 ]
	[ "$(jq -r .Log[0].Output <<<"$output")" = $'out\nerr' ]
	rt exec "$CID" touch /tmp/big
	wait_health '.Log[-1].Output | length > 4000'
	out=$(jq -r '.Log[-1].Output' "$(HJ)")
	# docker keeps the first 4096 bytes and says there was more
	[ "${#out}" -eq $((4096 + 3)) ]
	[[ $out == $'out\nerr\nxxx'*'xxx...' ]]
}

@test "health: the log keeps the last 5 results" {
	run_ctr 'sleep 100' --health-cmd '["CMD-SHELL","n=$(cat /tmp/n 2>/dev/null || echo 0); n=$((n + 1)); echo $n >/tmp/n; echo run $n"]' \
		--health-interval $((150 * MS))
	wait_health '.Log[-1].Output == "run 7\n"'
	run cat "$(HJ)"
	echo "$output"
	[ "$(jq '.Log | length' <<<"$output")" = 5 ]
	[ "$(jq -r '[.Log[].Output] | join("")' <<<"$output")" = $'run 3\nrun 4\nrun 5\nrun 6\nrun 7' ]
	[ "$(jq -r .Status <<<"$output")" = healthy ]
}

@test "health: a check that starts passing makes an unhealthy container healthy" {
	run_ctr 'sleep 100' --health-cmd '["CMD-SHELL","test -f /tmp/ok"]' --health-interval $((200 * MS)) \
		--health-retries 1
	wait_health '.Status == "unhealthy"'
	rt exec "$CID" touch /tmp/ok
	wait_health '.Status == "healthy" and .FailingStreak == 0'
	[ "$(jq '.Log[-1].ExitCode' "$(HJ)")" = 0 ]
}

@test "health: no check is left running once the container has exited" {
	# no pid namespace of its own: the check does not die with the container's init, the shim
	# must kill it
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	run_ctr 'sleep 100' --health-cmd '["CMD-SHELL","sleep 31"]' --health-interval $((200 * MS))
	pid=$(wait_check_pid 'sleep 31')
	mon=$(shim_pid)
	# the check runs under the shim: RUNTIME exec, its own process group
	rtpid=$(ps -o pid= --ppid "$mon" | tr -d ' ' | grep -vx "$(ctr_pid "$CID")")
	[ -n "$rtpid" ]
	[[ $(tr '\0' ' ' <"/proc/$rtpid/cmdline") == *" exec --pid-file $T/persist/health-check.pid $CID /bin/sh -c sleep 31 " ]]
	[ "$(ps -o pgid= -p "$rtpid" | tr -d ' ')" = "$rtpid" ]
	rt kill "$CID" KILL
	[ "$(wait_exit_file)" = 137 ]
	# by the time the exit file is there, the check is gone
	! pid_alive "$pid"
	! pid_alive "$rtpid"
	wait_gone "$mon"
	[ -z "$(check_pids 'sleep 31')" ]
	# and no result was made up for it
	[ "$(jq '.Log | length' "$(HJ)")" = 0 ]
}
