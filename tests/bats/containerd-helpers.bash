# containerd (Debian's 1.6) driving the runtime under test through containerd-shim-runc-v2, as
# `ctr run --runc-binary RUNTIME` does.  Loaded after helpers.bash by containerd.bats.
#
# Per file (cd_setup_file / cd_teardown_file): a private containerd in $CD, started here and
# stopped by its pid: its own config.toml, root, state, grpc and ttrpc sockets, no CRI plugin,
# a namespace of its own ($NS, also the parent cgroup of every container), and a busybox image
# ($IMG) made here from Debian's busybox-static as an OCI image-layout tarball and imported.
#
# The shim runs $CD/runtime, a wrapper that records every call (argv and exit status) in
# $CD/calls.log and, when a call fails, keeps the --log JSON in $CD/failed/ID.VERB.json: the shim
# deletes the bundle, and the log with it, before the test can look.
#
# Per test (cd_setup / cd_teardown): helpers.bash's T, TID, CID; the runtime root is
# $T/rr/$NS (so helpers' ROOT and leak check apply); fifos under $T/fifo.  Teardown removes
# what the test left through ctr, then fails the test if anything of it remains: the shim
# process or its socket, containerd's bundle dir, a snapshot, a mount, and helpers.bash's own
# checks (runtime state, processes carrying the test's tag, cgroups named after it).

IMG=localhost/berth-busybox:test
CD_SHIM_SOCKDIR=/run/containerd/s # containerd 1.6 puts every shim's socket there

cd_setup_file() {
	# bats 1.8 reports a skip in setup_file as a failure: note why, skip in setup
	CD_SKIP=""
	local b
	for b in containerd ctr containerd-shim-runc-v2 script; do
		command -v $b >/dev/null || CD_SKIP="$b is not installed"
	done
	[[ -x $RUNTIME ]] || CD_SKIP="RUNTIME=$RUNTIME is not an executable"
	export CD_SKIP
	[[ -z $CD_SKIP ]] || return 0
	berth_setup_file # RUNTIME_KIND, and PROTO_BUNDLE, whose rootfs becomes the image

	CD=$(mktemp -d "${TMPDIR:-/tmp}/berth-ctrd.XXXXXX")
	chmod 755 "$CD"
	NS=bc$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	CD_SOCK=$CD/containerd.sock
	export CD NS CD_SOCK
	mkdir -p "$CD/failed"
	# containerd makes /run/containerd/s for the shims' sockets: remove it after, if it was us
	CD_MADE_RUN=""
	[[ -e /run/containerd ]] || CD_MADE_RUN=1
	export CD_MADE_RUN

	cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.internal.v1.tracing",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CD_SOCK"
[ttrpc]
  address = "$CD_SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CD/opt"
EOF

	cat >"$CD/runtime" <<EOF
#!/bin/bash
# what containerd-shim-runc-v2 runs as its runc: see containerd-helpers.bash
log= verb= prev=
for a in "\$@"; do
	case \$prev in --root | --log | --log-format) [[ \$prev == --log ]] && log=\$a; prev=; continue ;; esac
	[[ -z \$verb && \$a != -* ]] && verb=\$a
	prev=\$a
done
$(printf '%q' "$RUNTIME") "\$@"
rc=\$?
{ printf '%q ' "\$@"; echo "=> \$rc"; } >>$(printf '%q' "$CD/calls.log")
# the log as the shim read it after this call: ID.VERB.json
if ((rc)) && [[ -f \$log ]]; then
	cp "\$log" $(printf '%q' "$CD/failed")/"\$(basename "\$(dirname "\$log")").\$verb.json"
fi
exit \$rc
EOF
	chmod 755 "$CD/runtime"

	(_exec_clean containerd --config "$CD/config.toml" </dev/null >"$CD/containerd.log" 2>&1) &
	CD_PID=$!
	export CD_PID
	local i
	for ((i = 0; i < 200; i++)); do
		c version >/dev/null 2>&1 && break
		sleep 0.05
	done
	c version >/dev/null || {
		echo "# containerd did not come up:" >&2
		tail -5 "$CD/containerd.log" >&2
		return 1
	}
	make_image "$CD/busybox.tar"
	c images import "$CD/busybox.tar" >/dev/null
}

# _ctr_remove ID: whatever state it is in, remove container ID through ctr (for teardown:
# resumed first, a frozen task may not die; each call bounded more tightly).
_ctr_remove() {
	local RT_TIMEOUT=10
	c task resume "$1" >/dev/null 2>&1
	c task kill --all -s KILL "$1" >/dev/null 2>&1
	c task rm -f "$1" >/dev/null 2>&1
	c containers rm "$1" >/dev/null 2>&1
}

cd_teardown_file() {
	[[ -n ${CD:-} && -d $CD ]] || return 0
	local id m i p
	for id in $(c containers ls -q 2>/dev/null); do _ctr_remove "$id"; done
	if [[ -n ${CD_PID:-} ]]; then
		kill "$CD_PID" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			pid_alive "$CD_PID" || break
			sleep 0.05
		done
		kill -9 "$CD_PID" 2>/dev/null
	fi
	# after a test that timed out in teardown: its shims, processes, sockets
	p=$(NS_ONLY=1 _shims)
	[[ -n $p ]] && kill -9 $p 2>/dev/null
	for m in /sys/fs/cgroup/freezer/"$NS"/*/ /sys/fs/cgroup/"$NS"/*/; do
		[[ -e $m/freezer.state ]] && echo THAWED >"$m/freezer.state" 2>/dev/null
		[[ -e $m/cgroup.freeze ]] && echo 0 >"$m/cgroup.freeze" 2>/dev/null
	done
	p=$(cat /sys/fs/cgroup/pids/"$NS"/*/cgroup.procs /sys/fs/cgroup/"$NS"/*/cgroup.procs 2>/dev/null)
	[[ -n $p ]] && kill -9 $p 2>/dev/null && wait_gone_all $p
	for id in $(cat "$CD/ids" 2>/dev/null); do
		CID=$id _shim_sockets | while read -r i; do rm -f "$CD_SHIM_SOCKDIR/$(_shim_socket_name "$i")"; done
	done
	# CD_KEEP_LOGS=DIR keeps containerd's log and the runtime calls, to compare runtimes
	if [[ -n ${CD_KEEP_LOGS:-} ]]; then
		mkdir -p "$CD_KEEP_LOGS" && cp "$CD/containerd.log" "$CD/calls.log" "$CD_KEEP_LOGS/" 2>/dev/null
	fi
	for m in $(awk -v d="$CD/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -rf --one-file-system "$CD"
	# the namespace's parent cgroups (runtimes leave a cgroupsPath's parents in place)
	find /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS" -depth -type d -exec rmdir {} + 2>/dev/null || true
	# the shim's cleanup (`containerd-shim-runc-v2 delete`) may fall back to runc's default root
	rmdir "/run/containerd/runc/$NS" 2>/dev/null
	[[ -z $CD_MADE_RUN ]] || rmdir "$CD_SHIM_SOCKDIR" /run/containerd/runc /run/containerd/fifo /run/containerd 2>/dev/null || true
}

cd_setup() {
	[[ -z $CD_SKIP ]] || skip "$CD_SKIP"
	T=$(mktemp -d "${TMPDIR:-/tmp}/berth-bats.XXXXXX")
	chmod 755 "$T"
	TID=bt$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')
	CID=$TID
	ROOT=$T/rr/$NS
	IO_N=0
	CLEANUPS=()
	_MOUNTS_BEFORE=$(_mount_points)
	mkdir -p "$ROOT" "$T/fifo"
	echo "$TID" >>"$CD/ids"
}

cd_teardown() {
	[[ -n ${T:-} && -d $T ]] || return 0
	local leaks=() id p i m
	for id in $(c containers ls -q 2>/dev/null | grep "^$TID"); do
		leaks+=("container left in containerd: $id")
		_ctr_remove "$id"
	done
	for ((i = 0; i < 100; i++)); do
		[[ -z $(_shims) ]] && break
		sleep 0.05
	done
	p=$(_shims)
	[[ -n $p ]] && leaks+=("shim processes: $(echo $p)") && kill -9 $p 2>/dev/null
	for id in $(_shim_sockets); do
		leaks+=("shim socket of $id")
		rm -f "$CD_SHIM_SOCKDIR/$(_shim_socket_name "$id")"
	done
	m=$(ls -d "$CD/state/io.containerd.runtime.v2.task/$NS/$TID"* 2>/dev/null)
	[[ -n $m ]] && leaks+=("containerd bundle: $(echo $m)")
	m=$(c snapshots ls 2>/dev/null | awk -v t="$TID" 'index($1, t) == 1 { print $1 }')
	[[ -n $m ]] && leaks+=("snapshots: $(echo $m)")
	m=$(awk -v t="$TID" 'index($5, "/" t) { print $5 }' /proc/self/mountinfo)
	if [[ -n $m ]]; then
		leaks+=("mounts: $(echo $m)")
		for i in $(echo "$m" | sort -r); do umount -l "$i" 2>/dev/null; done
	fi
	berth_teardown || leaks+=("(runtime-level, above)")
	if ((${#leaks[@]})); then
		printf '# LEAK: %s\n' "${leaks[@]}" >&2
		return 1
	fi
}

# c ARGS...: ctr on this file's containerd and namespace; only fds 0-2, bounded in time.
c() { (_exec_clean timeout -k 5 "${RT_TIMEOUT:-30}" ctr -a "$CD_SOCK" -n "$NS" "$@"); }

# ctr_run ARGS... (run's flags, then IMAGE ID CMD...): `ctr run` through the runtime under test,
# with the test's runtime root, fifo dir and leak tag.
ctr_run() {
	c run --runc-binary "$CD/runtime" --runc-root "$T/rr" --fifo-dir "$T/fifo" \
		--env "BATS_LEAK_TAG=$TID" "$@"
}

# ctr_run_d ID CMD...: a detached task of IMG.  ctr -d returns once the task has started.
ctr_run_d() {
	local id=$1
	shift
	ctr_run -d "$IMG" "$id" "$@" </dev/null
}

# ctr_exec ARGS...: `ctr task exec`, its fifos in the test's dir (not /run/containerd/fifo).
ctr_exec() { c task exec --fifo-dir "$T/fifo" "$@"; }

# in_tty CMD: CMD (a shell string) with a pty as its stdin/stdout, as ctr -t needs; CRs removed;
# the status is CMD's.
in_tty() { (set -o pipefail; script -qec "$1" /dev/null </dev/null | tr -d '\r'); }

# ctr_cmd ARGS... / ctr_run_cmd ARGS...: the shell-quoted command line `c` / `ctr_run` would run, for in_tty.
# timeout --foreground: without it timeout puts ctr in a process group of its own, which is in the
# background on script's pty unless the shell happened to exec timeout (bash does, dash - script's
# shell when SHELL is unset, as in CI - does not); ctr's tcsetattr then stops it with SIGTTOU.
ctr_cmd() { printf '%q ' timeout --foreground -k 5 "${RT_TIMEOUT:-30}" ctr -a "$CD_SOCK" -n "$NS" "$@"; }
ctr_run_cmd() {
	ctr_cmd run --runc-binary "$CD/runtime" --runc-root "$T/rr" --fifo-dir "$T/fifo" \
		--env "BATS_LEAK_TAG=$TID" "$@"
}

# task_pid ID / task_status ID: from `ctr task ls`.
task_pid() { c task ls | awk -v id="$1" '$1 == id { print $2 }'; }
task_status() { c task ls | awk -v id="$1" '$1 == id { print $3 }'; }

# wait_task ID STATUS: poll `ctr task ls` until STATUS (10 s at most).
wait_task() {
	local i s
	for ((i = 0; i < 200; i++)); do
		s=$(task_status "$1")
		[[ $s == "$2" ]] && return 0
		sleep 0.05
	done
	echo "# task $1: status '$s', waited for '$2'" >&2
	return 1
}

# rm_task ID: kill (KILL), wait until stopped, delete the task and the container.
rm_task() {
	c task kill -s KILL "$1" >/dev/null 2>&1 || true # it may have stopped already
	wait_task "$1" STOPPED
	c task rm "$1" >/dev/null
	c containers rm "$1"
}

# calls ID: the runtime calls made for container ID ("ARGV... => STATUS" lines).
calls() { grep -E "(^| )$1( |$)" "$CD/calls.log"; }

# called ID REGEX: some call for ID matched REGEX (against "ARGV... => STATUS").
called() {
	calls "$1" | grep -qE -- "$2" && return 0
	echo "# no runtime call for $1 matched: $2; the calls were:" >&2
	calls "$1" | sed 's/^/#   /' >&2
	return 1
}

# last_error ID VERB: the msg of the last "error" line in the --log JSON as it was when the
# runtime's VERB call for ID failed (what the shim reads to tell the user why).
last_error() {
	jq -r 'select(.level == "error") | .msg' "$CD/failed/$1.$2.json" 2>/dev/null | tail -1
}

# Shims serving this test's containers (their command line names the namespace and the id);
# with NS_ONLY=1, of every container of this file.
_shims() {
	local f p re="containerd-shim.* -namespace $NS -id $TID"
	[[ -n ${NS_ONLY:-} ]] && re="containerd-shim.* -namespace $NS "
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%%/*}
		tr "\0" " " 2>/dev/null <"$f" | grep -qE "$re" &&
			pid_alive "$p" && echo "$p"
	done
}

# Shim sockets of this test's containers: containerd 1.6 names them sha256(ADDRESS/NS/ID).
_shim_sockets() {
	local id
	for id in $CID $CID-2 $CID-3; do
		[[ -e $CD_SHIM_SOCKDIR/$(_shim_socket_name "$id") ]] && echo "$id"
	done
}
_shim_socket_name() { printf '%s' "$CD_SOCK/$NS/$1" | sha256sum | cut -d' ' -f1; }

# make_image OUT.tar: PROTO_BUNDLE's busybox rootfs as an OCI image-layout tarball, named $IMG.
make_image() {
	local w=$CD/image ld cd md
	mkdir -p "$w/blobs/sha256"
	tar -C "$PROTO_BUNDLE/rootfs" --numeric-owner --owner=0 --group=0 -cf "$w/layer" .
	ld=$(_blob "$w/layer")
	printf '%s' '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:'"${ld% *}"'"]}}' >"$w/config"
	cd=$(_blob "$w/config")
	printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'"${cd% *}"'","size":'"${cd#* }"'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:'"${ld% *}"'","size":'"${ld#* }"'}]}' >"$w/manifest"
	md=$(_blob "$w/manifest")
	printf '%s' '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:'"${md% *}"'","size":'"${md#* }"',"annotations":{"io.containerd.image.name":"'"$IMG"'","org.opencontainers.image.ref.name":"'"${IMG##*:}"'"}}]}' >"$w/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
	tar -C "$w" -cf "$1" oci-layout index.json blobs
	rm -rf "$w"
}

# _blob FILE: move FILE into the layout's blobs; prints "DIGEST SIZE".
_blob() {
	local d s
	s=$(stat -c %s "$1")
	d=$(sha256sum "$1" | cut -d' ' -f1)
	mv "$1" "${1%/*}/blobs/sha256/$d"
	echo "$d $s"
}
