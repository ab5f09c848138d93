#!/usr/bin/env bats
# dock's archives against the real docker (issue 12: "save -o FILE IMAGE… writes an archive docker
# and podman can load"; podman's side is in dock-image.bats): docker loads what `dock save` writes
# with the same image ID, whiteouts included, and runs it; dock loads what `docker save` writes.
#
# setup_file starts a private dockerd (Debian's docker.io, 20.10) that changes nothing on the host:
# - its own network namespace (unshare -n; lo only), no iptables, no bridge, no ip forwarding;
# - its own mount namespace (unshare -m, private propagation), where tmpfs hide /run (containerd
#   puts shim sockets and runc state under /run/containerd whatever its state dir), /opt
#   (containerd makes /opt/containerd) and /etc/docker (dockerd's host config);
# - its own --data-root, --exec-root, socket, pidfile, config file (which also moves dockerd's
#   trust key, else /etc/docker/key.json), TMPDIR, a modprobe that loads nothing, and a cgroup
#   parent named after this run (runc makes it in every hierarchy; teardown removes it).
# dockerd starts its own containerd (under the exec-root).  teardown_file stops dockerd by its
# pid (it stops containerd), then kills by pid anything left in its network or mount namespace
# (a sleep started in them, the anchor, keeps them alive until then, so that their inode numbers
# cannot be another namespace's), in its cgroups or naming its directory, ends the anchor, and
# fails if there was any such thing, a mount under its directory, a cgroup it could not remove,
# or a path only a dockerd makes that appeared on the host.
# If dockerd is missing or does not start, every test skips and says why (its log's tail).
# DOCKERD and DOCKER_CLI pick the binaries (default: /usr/sbin/dockerd, and the docker client of
# the same package, /usr/bin/docker, else the one on PATH).

load dock-helpers

DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
if [[ -z ${DOCKER_CLI:-} ]]; then
	DOCKER_CLI=/usr/bin/docker
	[[ -x $DOCKER_CLI ]] || DOCKER_CLI=$(command -v docker || true)
fi

# what only a dockerd (or the containerd it starts) would make on the host: teardown_file fails
# if any appeared
DD_HOST_PATHS=(/run/docker /run/docker.sock /run/docker.pid /opt/containerd /etc/docker/key.json /var/lib/docker)

# ps_state PID: the process's state letter (R, S, Z …); fails when there is no such process
ps_state() {
	local s
	s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[[ -n $s ]] && echo "$s"
}
alive() {
	local s
	s=$(ps_state "$1") && [[ $s != Z ]]
}

dd_start() {
	DD_HOST_BEFORE=$(ls -d "${DD_HOST_PATHS[@]}" 2>/dev/null || true)
	export DD_HOST_BEFORE
	[[ -x $DOCKERD ]] || {
		DD_SKIP="no dockerd at $DOCKERD"
		return 0
	}
	[[ -n $DOCKER_CLI && -x $DOCKER_CLI ]] || {
		DD_SKIP="no docker client"
		return 0
	}
	command -v unshare >/dev/null || {
		DD_SKIP="no unshare"
		return 0
	}
	DD=$(mktemp -d "${TMPDIR:-/tmp}/dock-docker.XXXXXX")
	chmod 755 "$DD"
	case $DD in /run/* | /var/run/* | /opt/* | /etc/docker/*)
		DD_SKIP="TMPDIR ($DD) is under a directory the private dockerd hides"
		return 0
		;;
	esac
	DD_CGROUP=dock-docker-${DD##*.}
	export DD DD_CGROUP
	mkdir -p "$DD/bin" "$DD/cli" "$DD/tmp"
	printf '#!/bin/sh\n# dockerd may ask for kernel modules: load none\nexit 0\n' >"$DD/bin/modprobe"
	chmod 755 "$DD/bin/modprobe"
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$DD" >"$DD/daemon.json"

	local masks="/run /opt"
	[[ -d /etc/docker ]] && masks+=" /etc/docker"
	# a subshell that closes every fd but 0-2 (bats waits for its own to close) and becomes
	# unshare, then sh, then dockerd: $! is dockerd's pid.  The sh leaves a sleep in the two
	# namespaces, the anchor, which keeps them (and so their inode numbers, by which teardown
	# finds what is left in them) alive until teardown has looked, and then is ended last.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		DD_MASKS=$masks DD_ANCHOR_FILE=$DD/anchor.pid exec unshare -m -n --propagation private sh -c '
			set -e
			ip link set lo up
			for m in $DD_MASKS; do mount -t tmpfs -o mode=755 tmpfs "$m"; done
			sleep infinity </dev/null >/dev/null 2>&1 &
			echo $! >"$DD_ANCHOR_FILE"
			exec "$@"' sh \
			env PATH="$DD/bin:$PATH" TMPDIR="$DD/tmp" DOCKER_TMPDIR="$DD/tmp" \
			"$DOCKERD" --config-file "$DD/daemon.json" --data-root "$DD/data" --exec-root "$DD/exec" \
			-H "unix://$DD/docker.sock" --pidfile "$DD/docker.pid" \
			--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
			--userland-proxy=false --storage-driver vfs --cgroup-parent "$DD_CGROUP" \
			</dev/null >"$DD/dockerd.log" 2>&1
	) &
	DD_PID=$!
	export DD_PID

	local i
	for ((i = 0; i < 300; i++)); do
		alive "$DD_PID" || break
		[[ -S $DD/docker.sock ]] && dkr version >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! alive "$DD_PID"; then
		DD_SKIP="dockerd did not start: $(grep -v '^$' "$DD/dockerd.log" | tail -n 3 | tr '\n' ' ' | cut -c1-400)"
		return 0
	fi
	if ! dkr version >/dev/null 2>&1; then
		DD_SKIP="dockerd did not answer in 30 s: $(tail -n 3 "$DD/dockerd.log" | tr '\n' ' ' | cut -c1-400)"
		return 0
	fi
	dd_anchor
	DD_NETNS=$(readlink "/proc/$DD_PID/ns/net")
	DD_MNTNS=$(readlink "/proc/$DD_PID/ns/mnt")
	export DD_NETNS DD_MNTNS
	# never a dockerd in our own namespaces: that would be the host's network
	if [[ -z $DD_NETNS || $DD_NETNS == "$(readlink /proc/$$/ns/net)" || $DD_MNTNS == "$(readlink /proc/$$/ns/mnt)" ]]; then
		DD_SKIP="dockerd is not in namespaces of its own"
		return 0
	fi
	if [[ -z $DD_ANCHOR || $(readlink "/proc/$DD_ANCHOR/ns/net") != "$DD_NETNS" || $(readlink "/proc/$DD_ANCHOR/ns/mnt") != "$DD_MNTNS" ]]; then
		DD_SKIP="the anchor process is not in dockerd's namespaces"
		return 0
	fi
}

# DD_ANCHOR: the anchor's pid, if it is (still) that sleep
dd_anchor() {
	DD_ANCHOR=""
	local a
	a=$(cat "$DD/anchor.pid" 2>/dev/null) || return 0
	[[ $a =~ ^[0-9]+$ ]] && alive "$a" && [[ $(tr '\0' ' ' <"/proc/$a/cmdline" 2>/dev/null) == "sleep infinity " ]] && DD_ANCHOR=$a
	export DD_ANCHOR
	return 0
}

# the pids of everything the private dockerd left: in its network or mount namespace (containers
# get their own, but sit in its cgroups), in its cgroups, or naming its directory
dd_pids() {
	local f=() p
	# ns links read "net:[INODE]"; an inode number is only the namespace's while it lives: look
	# for them only while the anchor holds them
	[[ -n $DD_ANCHOR ]] && alive "$DD_ANCHOR" && [[ -n $DD_NETNS ]] && f+=(-o -path '*/ns/net' -lname "*[[]${DD_NETNS//[^0-9]/}]")
	[[ -n $DD_ANCHOR ]] && alive "$DD_ANCHOR" && [[ -n $DD_MNTNS ]] && f+=(-o -path '*/ns/mnt' -lname "*[[]${DD_MNTNS//[^0-9]/}]")
	{
		((${#f[@]})) && find /proc/[0-9]*/ns/net /proc/[0-9]*/ns/mnt -maxdepth 0 \( -false "${f[@]}" \) 2>/dev/null | cut -d/ -f3
		grep -lsF "$DD/" /proc/[0-9]*/cmdline | cut -d/ -f3
		[[ -n $DD_CGROUP ]] && cat /sys/fs/cgroup/*/"$DD_CGROUP"/{,*/}cgroup.procs /sys/fs/cgroup/"$DD_CGROUP"/{,*/}cgroup.procs 2>/dev/null
	} | sort -u | while read -r p; do
		# not this shell, and not the finds and greps above (gone by now)
		[[ $p != "$$" && $p != "$BASHPID" && $p != "$DD_ANCHOR" ]] && alive "$p" && echo "$p"
	done
	return 0
}

# (every step may fail without stopping the others: bats runs this under set -e)
dd_stop() {
	[[ -n ${DD:-} && -d $DD ]] || return 0
	local leaks="" p i
	if [[ -n ${DD_PID:-} ]] && alive "$DD_PID"; then
		kill -TERM "$DD_PID" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			alive "$DD_PID" || break
			sleep 0.1
		done
		if alive "$DD_PID"; then
			leaks+=" dockerd ($DD_PID) did not stop in 20 s;"
			kill -KILL "$DD_PID" 2>/dev/null || true
		fi
	fi
	# reap it (it is this shell's child when setup_file stops it); its status does not matter
	[[ -n ${DD_PID:-} ]] && { wait "$DD_PID" 2>/dev/null || true; }
	# the anchor, and (when dockerd died before setup_file read them) its namespaces
	dd_anchor
	if [[ -n $DD_ANCHOR && -z $DD_NETNS ]]; then
		DD_NETNS=$(readlink "/proc/$DD_ANCHOR/ns/net")
		DD_MNTNS=$(readlink "/proc/$DD_ANCHOR/ns/mnt")
	fi
	for p in $(dd_pids | sort -u); do
		alive "$p" || continue
		leaks+=" process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-100));"
		kill -KILL "$p" 2>/dev/null || true
	done
	for ((i = 0; i < 50; i++)); do
		[[ -z $(dd_pids) ]] && break
		sleep 0.1
	done
	[[ -n $(dd_pids) ]] && leaks+=" processes that would not die: $(dd_pids | tr '\n' ' ');"
	# only the anchor is left in the namespaces: end it, and they are gone
	if [[ -n $DD_ANCHOR ]]; then
		kill -TERM "$DD_ANCHOR" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			alive "$DD_ANCHOR" || break
			sleep 0.1
		done
		alive "$DD_ANCHOR" && leaks+=" the anchor ($DD_ANCHOR) would not end;"
	fi
	# dockerd's mounts stay in its mount namespace, which is gone with its last process
	local m
	for m in $(awk '{print $5}' /proc/self/mountinfo | grep -F "$DD/" | sort -r); do
		leaks+=" mount $m;"
		umount -l "$m" 2>/dev/null || true
	done
	if [[ -n ${DD_CGROUP:-} ]]; then
		find /sys/fs/cgroup/*/"$DD_CGROUP" /sys/fs/cgroup/"$DD_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true
		for m in /sys/fs/cgroup/*/"$DD_CGROUP" /sys/fs/cgroup/"$DD_CGROUP"; do
			[[ -d $m ]] && leaks+=" cgroup $m;"
		done
	fi
	for m in $(comm -13 <(echo "$DD_HOST_BEFORE") <(ls -d "${DD_HOST_PATHS[@]}" 2>/dev/null)); do
		leaks+=" $m on the host;"
	done
	rm -rf "$DD" 2>/dev/null || {
		sleep 0.5
		rm -rf "$DD" || leaks+=" $DD would not go;"
	}
	if [[ -n $leaks ]]; then
		echo "# the private dockerd left:$leaks" >&2
		return 1
	fi
}

# dkr ARGS…: the docker client, talking only to the private dockerd, bounded in time
dkr() {
	DOCKER_HOST=unix://$DD/docker.sock DOCKER_CONFIG=$DD/cli timeout -k 5 60 "$DOCKER_CLI" "$@"
}

# bats 1.8 counts a skip in setup_file as a failure: note why here, skip in setup
setup_file() {
	dock_setup_file
	DD="" DD_PID="" DD_ANCHOR="" DD_NETNS="" DD_MNTNS="" DD_CGROUP="" DD_SKIP=""
	export DD_SKIP
	dd_start
	if [[ -n $DD_SKIP ]]; then
		dd_stop
	fi
	return 0
}

teardown_file() {
	dd_stop
}

setup() {
	dock_setup
	[[ -z $DD_SKIP ]] || skip "$DD_SKIP"
	# every test starts from an empty docker
	[[ -z $(dkr images -aq) && -z $(dkr ps -aq) ]]
}

teardown() {
	local rc=0
	if [[ -z $DD_SKIP ]]; then
		local c i
		c=$(dkr ps -aq)
		[[ -z $c ]] || dkr rm -f $c >/dev/null || rc=1
		i=$(dkr images -aq | sort -u)
		[[ -z $i ]] || dkr rmi -f $i >/dev/null || rc=1
		[[ -z $(dkr images -aq) && -z $(dkr ps -aq) ]] || rc=1
	fi
	dock_teardown || rc=1
	return $rc
}

# lacks FILE LINE: FILE has no line LINE (a bare `! grep` cannot fail a bats test)
lacks() {
	if grep -qx -- "$2" "$1"; then
		echo "# $1 has $2" >&2
		return 1
	fi
}

mk() {
	python3 "$MAKE_IMAGE" "$@" >/dev/null
}

# sha256:HEX of the config of the archive's image N (default 0): its image ID, as docker defines it
archive_id() {
	local cfg
	cfg=$(tar xOf "$1" manifest.json | jq -r ".[${2:-0}].Config")
	echo "sha256:$(tar xOf "$1" "$cfg" | sha256sum | cut -d' ' -f1)"
}

# an image of three layers: busybox, then data/{keep,gone}, then one whiteout of data/gone and
# one of the base layer's etc/group, and data/two
mk_multi() {
	mkdir -p "$T/l1/data" "$T/l2/data" "$T/l2/etc"
	echo keep >"$T/l1/data/keep"
	echo gone >"$T/l1/data/gone"
	echo two >"$T/l2/data/two"
	: >"$T/l2/data/.wh.gone"
	: >"$T/l2/etc/.wh.group"
	mk "$1" --layer "$T/l1" --layer "$T/l2" --tag multi:1
}

@test "docker load takes dock save's busybox: busybox:latest, the same image ID" {
	dk_load
	local id
	id=$(dk image inspect --format '{{.Id}}' busybox)
	run dk save -o "$T/bb.tar" busybox
	assert_success
	# dock's ID is the config's digest, as docker's is
	[[ $(archive_id "$T/bb.tar") == "$id" ]]
	run dkr load -i "$T/bb.tar"
	assert_success
	[[ $output == "Loaded image: busybox:latest" ]]
	run dkr images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	assert_success
	[[ $output == "busybox:latest $id" ]]
	# docker checked every layer against the config's diff_ids
	local want
	want=$(tar xOf "$T/bb.tar" "$(tar xOf "$T/bb.tar" manifest.json | jq -r '.[0].Config')" | jq -c .rootfs.diff_ids)
	[[ $(dkr image inspect --format '{{json .RootFS.Layers}}' busybox:latest | jq -c .) == "$want" ]]
}

@test "docker load takes dock save's image of three layers with whiteouts, and applies them" {
	mk_multi "$T/multi.tar"
	dk load -i "$T/multi.tar" >/dev/null
	local id
	id=$(dk image inspect --format '{{.Id}}' multi:1)
	run dk save -o "$T/out.tar" multi:1
	assert_success
	[[ $(archive_id "$T/out.tar") == "$id" ]]
	[[ $(tar xOf "$T/out.tar" manifest.json | jq -r '.[0].Layers | length') == 3 ]]
	# the top layer carries the whiteouts as docker writes them: .wh. entries
	local top
	top=$(tar xOf "$T/out.tar" manifest.json | jq -r '.[0].Layers[2]')
	tar xOf "$T/out.tar" "$top" | tar t >"$T/top.list"
	grep -qx 'data/.wh.gone' "$T/top.list"
	grep -qx 'etc/.wh.group' "$T/top.list"
	run dkr load -i "$T/out.tar"
	assert_success
	[[ $output == "Loaded image: multi:1" ]]
	[[ $(dkr image inspect --format '{{.Id}}' multi:1) == "$id" ]]
	[[ $(dkr image inspect --format '{{len .RootFS.Layers}}' multi:1) == 3 ]]
	# the container's filesystem as docker builds it: the whited-out files are gone
	local cid
	cid=$(dkr create multi:1 /bin/true)
	dkr export "$cid" | tar t | sed 's|^\./||; s|/$||' >"$T/fs.list"
	dkr rm "$cid" >/dev/null
	grep -qx data/keep "$T/fs.list"
	grep -qx data/two "$T/fs.list"
	grep -qx bin/busybox "$T/fs.list"
	grep -qx etc/passwd "$T/fs.list"
	lacks "$T/fs.list" data/gone
	lacks "$T/fs.list" etc/group
	lacks "$T/fs.list" '.*\.wh\..*'
}

@test "docker run --rm busybox:latest echo hi: the image dock saved runs in docker" {
	dk_load
	dk save -o "$T/bb.tar" busybox
	dkr load -i "$T/bb.tar" >/dev/null
	local out rc=0
	out=$(dkr run --rm busybox:latest echo hi 2>"$T/err") || rc=$?
	if ((rc != 0)); then
		# is it the image, or can docker run nothing here? an image docker makes itself from
		# the same files, without dock, tells
		tar xOf "$BUSYBOX_TAR" "$(tar xOf "$BUSYBOX_TAR" manifest.json | jq -r '.[0].Layers[0]')" |
			dkr import - probe:1 >/dev/null
		if ! dkr run --rm probe:1 /bin/busybox true 2>"$T/perr"; then
			skip "docker cannot run containers here: $(tr '\n' ' ' <"$T/perr" | cut -c1-300)"
		fi
		echo "# docker run of dock's image failed ($rc) where docker's own runs:" >&2
		sed 's/^/#   /' "$T/err" >&2
		return 1
	fi
	[[ $out == hi ]]
	[[ -z $(dkr ps -aq) ]]
}

@test "dock load takes docker save's images: the same IDs, and dock saves them back for docker" {
	# images docker has from archives dock never saw
	mk_multi "$T/multi.tar"
	dkr load -i "$BUSYBOX_TAR" >/dev/null
	dkr load -i "$T/multi.tar" >/dev/null
	local bid mid
	bid=$(dkr image inspect --format '{{.Id}}' busybox:latest)
	mid=$(dkr image inspect --format '{{.Id}}' multi:1)
	run dkr save -o "$T/d.tar" busybox:latest multi:1
	assert_success
	run dk load -i "$T/d.tar"
	assert_success
	[[ $output == *"Loaded image: busybox:latest"* && $output == *"Loaded image: multi:1"* ]]
	[[ $(dk image inspect --format '{{.Id}}' busybox:latest) == "$bid" ]]
	[[ $(dk image inspect --format '{{.Id}}' multi:1) == "$mid" ]]
	run dk images --format '{{.Repository}}:{{.Tag}}'
	[[ $(sort <<<"$output" | tr '\n' ' ') == "busybox:latest multi:1 " ]]
	# and back: what dock writes of docker's image, docker takes as the same image
	dkr rmi -f busybox:latest multi:1 >/dev/null
	[[ -z $(dkr images -aq) ]]
	dk save -o "$T/back.tar" multi:1
	run dkr load -i "$T/back.tar"
	assert_success
	[[ $output == "Loaded image: multi:1" ]]
	[[ $(dkr image inspect --format '{{.Id}}' multi:1) == "$mid" ]]
}

# the image config keys a Dockerfile sets, as one JSON object, and the history's CreatedBy lines
# (content hashes of COPY/ADD normalised: docker's are tarsums, dock's its own)
build_facts() {
	local cli=$1 img=$2
	"$cli" image inspect "$img" | jq -S '.[0].Config | {Cmd, Entrypoint, Env, Labels, ExposedPorts, Volumes, WorkingDir, User, StopSignal, Healthcheck, Shell, OnBuild, ArgsEscaped}'
	"$cli" image inspect "$img" --format '{{.Author}}'
	"$cli" history --no-trunc --format '{{.CreatedBy}}' "$img" | sed -E 's/(file|dir|multi):[0-9a-f]{64}/\1:HASH/'
}

@test "docker: dock build gives the history and config docker's classic builder gives for the same Dockerfile" {
	mk "$T/bb.tar"
	dk load -i "$T/bb.tar" >/dev/null
	dkr load -i "$T/bb.tar" >/dev/null
	C=$T/ctx
	mkdir -p "$C/dir"
	echo f >"$C/f"
	echo d >"$C/dir/d"
	cat >"$C/Dockerfile" <<'ZZ'
FROM busybox
ARG A=1
ARG B
LABEL l1=v1 "l 2"="v 2"
ENV E1=x E2="y z"
ENV E3 old style
RUN echo "$A" > /a
COPY f /f
COPY f dir /multi/
ADD dir /dir
WORKDIR /w
WORKDIR sub
USER 1:2
EXPOSE 80 53/udp
VOLUME /data /d2
VOLUME ["/v2"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=3 CMD true
SHELL ["/bin/sh", "-ec"]
RUN echo shell
ONBUILD RUN echo hi
CMD ["sh"]
ENTRYPOINT echo ep
MAINTAINER me
ZZ
	DOCKER_BUILDKIT=0 dkr build --network none -t cmp "$C" >"$T/docker.out" 2>&1 || {
		cat "$T/docker.out"
		false
	}
	dk build -t cmp "$C" >"$T/dock.out"
	build_facts dkr cmp >"$T/docker.facts"
	build_facts dk cmp >"$T/dock.facts"
	# the classic builder's step images are the tagged image's parents: rmi takes them all
	dkr rmi cmp >/dev/null
	diff -u "$T/docker.facts" "$T/dock.facts"
	grep -q '"Shell"' "$T/dock.facts"
	[ "$(grep -c '#(nop)' "$T/dock.facts")" -eq 21 ]
}
