# Helpers for the berth-shim tests (on top of helpers.bash, which they load).
#
# The shim is driven as podman drives conmon: the conmon flags, _OCI_SYNCPIPE (here fd 9 on a
# plain file, $SYNC, which the tests poll), optionally _OCI_STARTPIPE / _OCI_ATTACHPIPE (fifos).
# RUNTIME (berth by default, or runc / crun) is handed to the shim with `-r` and the test's
# state root with `--runtime-arg --root --runtime-arg $ROOT`.
#
#   shim_start [FLAGS...]    start the shim for $CID on $BUNDLE; files under $T:
#                            ctr.log (k8s-file log), exits/$CID, persist/exit, shim.N.pid
#                            (--conmon-pidfile), sync.N ($SYNC); SHIM_RC is the launcher's status,
#                            SHIM_OUT its stdout + stderr
#   sync_data [N]            wait for the N-th (default 1st) JSON line on $SYNC, print its .data
#   shim_pid                 the monitor's pid (from the last shim.N.pid)
#   wait_exit_file           wait for $T/exits/$CID and print it
#   attach_bg OUT [INPUT]    a python client on $BUNDLE/attach in the background: every packet
#                            is printed to OUT as "STREAM:repr(bytes)", then all of each
#                            stream as "stdout=repr(bytes)" / "stderr=…" (packet boundaries
#                            depend on timing); INPUT is sent first, then SHUT_WR;
#                            ATTACH_PID is the client's pid
#
# Teardown kills the test's containers first (so each shim sees its container exit and ends on
# its own), then whatever shim is still alive, by the pid it wrote, then runs berth_teardown.

SHIM=${SHIM:-$BATS_TEST_DIRNAME/../../berth-shim}
# SHIM=/usr/bin/conmon runs the same tests over conmon, to check them.

shim_setup_file() {
	berth_setup_file
	[[ -x $SHIM ]] || {
		echo "# SHIM=$SHIM is not an executable (build berth-shim first)" >&2
		return 1
	}
	ATTACH_PY=$BATS_FILE_TMPDIR/attach.py
	cat >"$ATTACH_PY" <<'EOF'
import socket, sys
path, out = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode().decode("unicode_escape").encode() if len(sys.argv) > 3 else b""
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(path)
with open(out + ".tmp", "w") as f:
    print("connected", file=f, flush=True)
    if data:
        s.send(data)
        s.shutdown(socket.SHUT_WR)
    s.settimeout(30)
    streams = {2: b"", 3: b""}
    while True:
        b = s.recv(8193)
        if not b:
            break
        print("%d:%r" % (b[0], b[1:]), file=f, flush=True)
        streams[b[0]] = streams.get(b[0], b"") + b[1:]
    print("stdout=%r" % streams[2], file=f)
    print("stderr=%r" % streams[3], file=f)
import os
os.rename(out + ".tmp", out)
EOF
	# Can RUNTIME run a container on this host at all?  (crun 1.8 refuses hybrid cgroup hosts.)
	# Output to a file, not a pipe: the created container holds the runtime's stdio.
	local id=shimprobe$$$RANDOM rc=0 probe=$BATS_FILE_TMPDIR/probe
	(_exec_clean timeout -k 5 30 "$RUNTIME" --root "$probe" create --bundle "$PROTO_BUNDLE" "$id") \
		</dev/null >"$probe.out" 2>&1 || rc=$?
	((rc == 0)) || SHIM_NO_RUNTIME="$RUNTIME_KIND cannot create a container here: $(cat "$probe.out")"
	(_exec_clean timeout -k 5 30 "$RUNTIME" --root "$probe" delete --force "$id") </dev/null >/dev/null 2>&1 || true
	SHIM_KIND=conmon
	"$SHIM" --version 2>/dev/null | grep -q berth-shim && SHIM_KIND=berth-shim
	export SHIM ATTACH_PY SHIM_NO_RUNTIME SHIM_KIND
}

# is_berth_shim: SHIM is ours, not conmon (SHIM=/usr/bin/conmon checks the tests themselves;
# what only berth-shim promises sits behind this).
is_berth_shim() { [[ $SHIM_KIND == berth-shim ]]; }

# need_runtime: skip the test when RUNTIME cannot run containers on this host.
need_runtime() {
	[[ -z ${SHIM_NO_RUNTIME:-} ]] || skip "$SHIM_NO_RUNTIME"
}

shim_setup() {
	berth_setup
	SHIM_N=0
	mkdir -p "$T/exits" "$T/persist" "$T/sockets"
}

setup_file() { shim_setup_file; }
setup() { shim_setup; }
teardown() {
	shim_teardown
	berth_teardown
}

shim_start() {
	need_runtime
	local n=$((++SHIM_N))
	SYNC=$T/sync.$n
	: >"$SYNC"
	SHIM_RC=0
	(
		export _OCI_SYNCPIPE=9
		KEEP_FDS="9 ${SHIM_KEEP_FDS:-}"
		_exec_clean timeout -k 5 30 "$SHIM" --api-version 1 -c "$CID" -u "$CID" -n "$CID" -r "$RUNTIME" \
			--runtime-arg --root --runtime-arg "$ROOT" -b "$BUNDLE" -p "$T/pid" -l "k8s-file:$T/ctr.log" \
			--exit-dir "$T/exits" --persist-dir "$T/persist" --socket-dir-path "$T/sockets" \
			--conmon-pidfile "$T/shim.$n.pid" "$@"
	) 9>"$SYNC" </dev/null >"$T/shim.$n.out" 2>"$T/shim.$n.err" || SHIM_RC=$?
	SHIM_OUT=$(cat "$T/shim.$n.out" "$T/shim.$n.err")
	[[ -z $SHIM_OUT ]] || echo "$SHIM_OUT"
	return 0
}

sync_data() {
	local want=${1:-1} i
	for ((i = 0; i < 200; i++)); do
		(($(wc -l <"$SYNC") >= want)) && break
		sleep 0.05
	done
	sed -n "${want}p" "$SYNC" | jq -er .data
}

sync_message() { sed -n "${1:-1}p" "$SYNC" | jq -r '.message // empty'; }

shim_pid() { cat "$T/shim.$SHIM_N.pid"; }

# is_shim PID: PID is alive and is a berth-shim (a pid file must not make us kill a stranger).
# (" (deleted)": the binary may be rebuilt while the test runs)
is_shim() {
	local exe
	pid_alive "$1" && exe=$(readlink "/proc/$1/exe") && [[ ${exe% (deleted)} == "$(readlink -f "$SHIM")" ]]
}

wait_exit_file() {
	wait_file "$T/exits/$CID" && cat "$T/exits/$CID"
}

attach_bg() {
	local out=$1 i
	python3 "$ATTACH_PY" "$BUNDLE/attach" "$out" "${2:-}" 3>&- </dev/null >/dev/null 2>"$out.err" &
	ATTACH_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ -s $out.tmp || -s $out ]] && return 0
		sleep 0.05
	done
	cat "$out.err" >&2
	return 1
}

# wait_attach OUT: the client saw the socket close; prints what it got.
wait_attach() {
	wait_file "$1" && cat "$1"
}

shim_teardown() {
	local f pid id i
	[[ -n ${T:-} && -d $T ]] || return 0
	for id in $( (rt_t list -q 2>/dev/null; ls -A "$ROOT" 2>/dev/null) | sort -u); do
		rt_t kill "$id" KILL >/dev/null 2>&1 || true
	done
	for f in "$T"/shim.*.pid; do
		[[ -f $f ]] || continue
		pid=$(cat "$f")
		for ((i = 0; i < 100; i++)); do
			is_shim "$pid" || break
			sleep 0.05
		done
		if is_shim "$pid"; then
			echo "# shim $pid still alive after its container was killed" >&2
			kill -9 "$pid" 2>/dev/null
		fi
	done
	[[ -n ${ATTACH_PID:-} ]] && kill "$ATTACH_PID" 2>/dev/null
	return 0
}
