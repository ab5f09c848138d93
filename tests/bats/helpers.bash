# Shared setup / teardown for the runtime's end-to-end tests.  Runtime-agnostic:
# RUNTIME (default: the berth built in the tree) can be runc or crun to check a test itself.
#
# Each test gets:
#   T        a private temp dir (mode 755, so a mapped uid in a user namespace can reach the bundle)
#   ROOT     a private state root ($T/state), passed as --root by `rt`
#   BUNDLE   a busybox bundle ($T/bundle) copied from a rootfs built once per file
#   TID      a unique token; CID=$TID is the test's container id, use "$TID-x" for more.
#            Ids are unique machine-wide because runc-like runtimes name cgroups after them.
# Teardown kills and force-deletes whatever the test left, then fails the test if anything
# leaked: a mount under $T or any new mount on the host, an entry in $ROOT, a process or a cgroup of the test, or an open
# fd on a file under $T (bundle, state root, fifos, logs) in any process, this shell included.
#
# Every container's environment carries BATS_LEAK_TAG=$TID (that is how leaked processes are
# found); a test that sets .process.env must append to it, not replace it.

RUNTIME=${RUNTIME:-$BATS_TEST_DIRNAME/../../berth}
MAKE_BUNDLE=$BATS_TEST_DIRNAME/../make-bundle.sh
# A runtime that hangs fails the test instead of the whole run; teardown still runs.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

# ---------------------------------------------------------------- file / test setup

berth_setup_file() {
	[[ -x $RUNTIME ]] || {
		echo "# RUNTIME=$RUNTIME is not an executable" >&2
		return 1
	}
	local v
	v=$("$RUNTIME" --version 2>/dev/null | head -1)
	case $v in
	*runc*) RUNTIME_KIND=runc ;;
	*crun*) RUNTIME_KIND=crun ;;
	*) RUNTIME_KIND=berth ;;
	esac
	export RUNTIME RUNTIME_KIND
	# The prebuilt bundle every test copies: one make-bundle.sh per file, not per test.
	PROTO_BUNDLE=$BATS_FILE_TMPDIR/proto
	"$MAKE_BUNDLE" "$PROTO_BUNDLE" true >/dev/null
	export PROTO_BUNDLE
}

berth_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/berth-bats.XXXXXX")
	chmod 755 "$T"
	ROOT=$T/state
	BUNDLE=$T/bundle
	TID=bt$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')
	CID=$TID
	IO_N=0
	CLEANUPS=()
	_MOUNTS_BEFORE=$(_mount_points)
	mkdir -p "$ROOT"
	cp -a "$PROTO_BUNDLE" "$BUNDLE"
	cfg '.process.env += ["BATS_LEAK_TAG=" + $t]' --arg t "$TID"
}

setup_file() { berth_setup_file; }
setup() { berth_setup; }
teardown() { berth_teardown; }

# True unless the runtime under test is runc or crun: berth-only (stricter) assertions go
# behind it, e.g. `if is_berth; then [[ $output == *'.linux.namespaces'* ]]; fi`.
is_berth() { [[ $RUNTIME_KIND == berth ]]; }
is_runc() { [[ $RUNTIME_KIND == runc ]]; }

# ---------------------------------------------------------------- running the runtime

# rt ARGS...: the runtime with the test's --root.  It gets only fds 0-2 (and those in
# KEEP_FDS, e.g. `KEEP_FDS=3 run rt run --preserve-fds 1 ... 3<file`): bats's own fds (3 is
# its output pipe) leaked into a container would make bats wait for that container forever.
# Bounded by RT_TIMEOUT seconds (default 30), so a hung runtime fails one test, not the run.
rt() { (_exec_clean timeout -k 5 "${RT_TIMEOUT:-30}" "$RUNTIME" --root "$ROOT" "$@"); }

# rt_t: rt bounded more tightly, for teardown.
rt_t() { RT_TIMEOUT=10 rt "$@"; }

# _exec_clean CMD...: exec CMD with every fd above 2 closed but those in KEEP_FDS.
_exec_clean() {
	local fd
	for fd in $(ls "/proc/$BASHPID/fd"); do
		((fd > 2)) || continue
		[[ " ${KEEP_FDS:-} " == *" $fd "* ]] && continue
		eval "exec $fd>&-" 2>/dev/null
	done
	exec "$@"
}

# rt_detached VERB ARGS...: for verbs that leave a container behind (create, run -d).  The
# container inherits the runtime's stdio; if that were the pipe `run` captures, bats would wait
# for the container to exit.  So stdio goes to files ($T/io.N.out / .err) and is printed after.
rt_detached() {
	local n=$((++IO_N)) rc=0
	rt "$@" </dev/null >"$T/io.$n.out" 2>"$T/io.$n.err" || rc=$?
	cat "$T/io.$n.out" "$T/io.$n.err"
	return $rc
}

# create_ctr ID [CREATE-FLAGS...]: create ID from $BUNDLE.
create_ctr() {
	local id=$1
	shift
	rt_detached create --bundle "$BUNDLE" "$@" "$id"
}

# run_bg ID [RUN-FLAGS...]: `run` in the foreground, as a background job of the test; sets
# RUN_PID (the runtime's pid) and RUN_OUT (its stdout+stderr).
run_bg() {
	local id=$1
	shift
	RUN_OUT=$T/run.$id.out
	rt run --bundle "$BUNDLE" "$@" "$id" </dev/null >"$RUN_OUT" 2>&1 &
	RUN_PID=$!
}

# ---------------------------------------------------------------- bundle editing

# cfg FILTER [JQ-ARGS...]: edit $BUNDLE/config.json in place with jq.
cfg() {
	local f=$BUNDLE/config.json
	jq "$@" "$f" >"$f.new" && mv "$f.new" "$f"
}

# set_cmd SCRIPT: the container runs `sh -c SCRIPT`.
set_cmd() { cfg '.process.args = ["sh", "-c", $s]' --arg s "$1"; }

# add_mount JSON: append a mount to .mounts.
add_mount() { cfg '.mounts += [$m]' --argjson m "$1"; }

# share_dir: a host dir $T/shared bind-mounted read-write at /shared in the container
# (the mount point is made in advance: a mapped root may not write the host-owned rootfs).
share_dir() {
	mkdir -p "$T/shared" "$BUNDLE/rootfs/shared"
	chmod 777 "$T/shared"
	add_mount "{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$T/shared\", \"options\": [\"rbind\", \"rw\"]}"
}

# ---------------------------------------------------------------- state and polling

ctr_status() { rt state "$1" | jq -r .status; }
ctr_pid() { rt state "$1" | jq -r .pid; }

# wait_status ID STATUS: poll `state` until STATUS (10 s at most).
wait_status() {
	local i s
	for ((i = 0; i < 200; i++)); do
		s=$(ctr_status "$1" 2>/dev/null) || true
		[[ $s == "$2" ]] && return 0
		sleep 0.05
	done
	echo "# $1: status '$s', waited for '$2'" >&2
	return 1
}

# wait_file PATH: poll until PATH exists (10 s at most).
wait_file() {
	local i
	for ((i = 0; i < 200; i++)); do
		[[ -e $1 ]] && return 0
		sleep 0.05
	done
	echo "# $1 never appeared" >&2
	return 1
}

# wait_gone PID: poll until the process is gone or a zombie (10 s at most).
wait_gone() {
	local i
	for ((i = 0; i < 200; i++)); do
		pid_alive "$1" || return 0
		sleep 0.05
	done
	echo "# process $1 still alive" >&2
	return 1
}

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	local s
	s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $s && $s != Z && $s != X ]]
}

# cg_v2: the host runs cgroup v2 alone at /sys/fs/cgroup (as tests/vm does), not this machine's
# hybrid layout.  The client tests (containerd, podman) read cgroups through the helpers below so
# they hold on both.
cg_v2() { [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; }

# cg_of PID CONTROLLER: PID's cgroup path (as in /proc/PID/cgroup) in CONTROLLER's hierarchy, or
# in the unified one on a v2 host.
cg_of() {
	if cg_v2; then
		sed -n 's/^0:://p' "/proc/$1/cgroup"
	else
		awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup"
	fi
}

# cg_dir CONTROLLER PATH: the host's directory of cgroup PATH ("/a/b") for CONTROLLER.
cg_dir() { if cg_v2; then echo "/sys/fs/cgroup$2"; else echo "/sys/fs/cgroup/$1$2"; fi; }

# cg_get PATH SETTING: a setting of cgroup PATH read from the host, in v1's terms on either version:
# memory.limit (bytes), cpu.quota, cpu.period, cpu.shares (v2: cpu.weight; compare with
# shares_seen), pids.max, procs (the cgroup's pids), frozen (1 or 0).
cg_get() {
	local p=$1 f
	if cg_v2; then
		p=/sys/fs/cgroup$p
		case $2 in
		memory.limit) cat "$p/memory.max" ;;
		cpu.quota) read -r f _ <"$p/cpu.max" && echo "$f" ;;
		cpu.period) read -r _ f <"$p/cpu.max" && echo "$f" ;;
		cpu.shares) cat "$p/cpu.weight" ;;
		pids.max) cat "$p/pids.max" ;;
		procs) cat "$p/cgroup.procs" ;;
		frozen) cat "$p/cgroup.freeze" ;;
		esac
	else
		case $2 in
		memory.limit) cat "/sys/fs/cgroup/memory$p/memory.limit_in_bytes" ;;
		cpu.quota) cat "/sys/fs/cgroup/cpu$p/cpu.cfs_quota_us" ;;
		cpu.period) cat "/sys/fs/cgroup/cpu$p/cpu.cfs_period_us" ;;
		cpu.shares) cat "/sys/fs/cgroup/cpu$p/cpu.shares" ;;
		pids.max) cat "/sys/fs/cgroup/pids$p/pids.max" ;;
		procs) cat "/sys/fs/cgroup/pids$p/cgroup.procs" ;;
		frozen) f=$(cat "/sys/fs/cgroup/freezer$p/freezer.state") && [[ $f == FROZEN ]] && echo 1 || echo 0 ;;
		esac
	fi
}

# shares_seen N: what cg_get shows for cpu shares N: N on v1, on v2 the weight the runtime spec's
# conversion gives (as runc, crun and berth convert).
shares_seen() { if cg_v2; then echo $((1 + (($1 - 2) * 9999) / 262142)); else echo "$1"; fi; }

# CG_IN: shell code for inside a container with /sys/fs/cgroup mounted: its memory limit, "quota
# period" and cpu shares (v2: weight), a line each, on either version.
CG_IN='cd /sys/fs/cgroup; if [ -e cgroup.controllers ]; then cat memory.max cpu.max cpu.weight; else
	cat memory/memory.limit_in_bytes; echo "$(cat cpu/cpu.cfs_quota_us) $(cat cpu/cpu.cfs_period_us)"; cat cpu/cpu.shares; fi'

# on_teardown CMD...: run CMD (eval'd) in teardown, before the containers are removed.
on_teardown() { CLEANUPS+=("$*"); }

# ---------------------------------------------------------------- teardown and leak check

# Every mount point in this (the host's) mount namespace, one line per mount, sorted: a
# mount stacked twice on one path is two lines.
_mount_points() { awk '{ print $5 }' /proc/self/mountinfo | sort; }

# Mounts that appeared anywhere since the test's setup and are still there (not only under
# $T: a container without a mount namespace, or a runtime's own bind mounts, mount on the
# host).  Tests run one at a time, so nothing else mounts meanwhile.  A setup that did not
# record _MOUNTS_BEFORE checks nothing here.
_new_mounts() {
	[[ -n ${_MOUNTS_BEFORE:-} ]] || return 0
	comm -13 <(printf '%s\n' "$_MOUNTS_BEFORE") <(_mount_points) | grep -v '^$'
}

# Paths of the mounts under $T visible here, deepest first.
_mounts_under_t() {
	awk -v t="$T/" '{ if (index($5, t) == 1 || $5 == substr(t, 1, length(t) - 1)) print $5 }' /proc/self/mountinfo | sort -r
}

# Pids of live processes that belong to this test's containers: the leak tag in their
# environment (the container process), or a cgroup named after a test id (runtime helpers).
_leaked_pids() {
	local f p
	{
		grep -lsz "^BATS_LEAK_TAG=$TID\$" /proc/[0-9]*/environ
		grep -ls "/$TID" /proc/[0-9]*/cgroup
	} 2>/dev/null | while read -r f; do
		p=${f#/proc/}
		p=${p%%/*}
		[[ $p != "$$" && $p != "$BASHPID" ]] && pid_alive "$p" && echo "$p"
	done | sort -u
}

# _leaked_fds [DIR]: open fds on a file under DIR (default $T), in any process:
# "PID(COMM) FD -> PATH".  This finds what the pid check can't: a process without the tag (a
# shim, a hook's daemon, the test's own shell) still holding a log, a fifo or the state dir
# once the containers are gone.
_leaked_fds() {
	local d=${1:-$T} f l p
	find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 \( -lname "$d/*" -o -lname "$d" \) 2>/dev/null |
		while read -r f; do
			l=$(readlink "$f") || continue
			p=${f#/proc/}
			p=${p%%/*}
			echo "$p($(cat "/proc/$p/comm" 2>/dev/null)) ${f##*/} -> $l"
		done
}

_leaked_cgroups() {
	ls -d /sys/fs/cgroup/"$TID"* /sys/fs/cgroup/*/"$TID"* /sys/fs/cgroup/*/*/"$TID"* 2>/dev/null
}

berth_teardown() {
	local c id pid ids leaks=() i m p
	[[ -n ${T:-} && -d $T ]] || return 0

	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[i]}" || true
	done

	# Whatever the test left: kill by the pid `state` reports, then force-delete.
	ids=$( (rt_t list -q 2>/dev/null; ls -A "$ROOT" 2>/dev/null) | sort -u)
	for id in $ids; do
		pid=$(rt_t state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null) || pid=0
		[[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]] && kill -9 "$pid" 2>/dev/null
		rt_t delete --force "$id" >/dev/null 2>&1 || rt_t delete "$id" >/dev/null 2>&1 || true
	done

	# Leak check.  Processes may take a moment to die after a kill.
	for ((i = 0; i < 40; i++)); do
		[[ -z $(_leaked_pids) ]] && break
		sleep 0.05
	done
	p=$(_leaked_pids)
	[[ -n $p ]] && leaks+=("processes: $(echo $p)") && kill -9 $p 2>/dev/null
	m=$(_mounts_under_t)
	if [[ -n $m ]]; then
		leaks+=("mounts: $(echo $m)")
		for c in $m; do umount -l "$c" 2>/dev/null; done
	fi
	m=$(_new_mounts)
	[[ -n $m ]] && leaks+=("new mounts on the host: $(echo $m)")
	c=$(ls -A "$ROOT" 2>/dev/null)
	[[ -n $c ]] && leaks+=("state root $ROOT not empty: $(echo $c)")
	# a process on its way out may hold its fds a moment longer
	for ((i = 0; i < 20; i++)); do
		c=$(_leaked_fds)
		[[ -z $c ]] && break
		sleep 0.05
	done
	[[ -n $c ]] && leaks+=("open fds: $(echo "$c" | paste -sd ';' | sed 's/;/; /g')")
	c=$(_leaked_cgroups)
	if [[ -n $c ]]; then
		leaks+=("cgroups: $(echo $c)")
		wait_gone_all $p
		for m in $(echo "$c" | sort -r); do rmdir "$m" 2>/dev/null; done
	fi

	rm -rf --one-file-system "$T"
	if ((${#leaks[@]})); then
		printf '# LEAK: %s\n' "${leaks[@]}" >&2
		return 1
	fi
}

wait_gone_all() {
	local p
	for p in "$@"; do wait_gone "$p" || true; done
}
