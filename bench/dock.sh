#!/bin/bash
# bench/dock.sh: dock against podman 4.3 (with runc, and with berth as its runtime) and docker
# (a private dockerd, where one starts) on the same busybox image, in one run, the engines
# interleaved per iteration (the one that goes first rotates) so machine drift hits all alike.
# Prints medians (min-max) in ms and dock's ratio to podman+runc, podman+berth and docker.
#
#   bash bench/dock.sh               full run (~12 minutes)
#   QUICK=1 bash bench/dock.sh       short run (~5 minutes)
#   DOCK=path BERTH=path             binaries (default ./dock, ./berth; berth-shim beside dock)
#   N=… NLIST=… NBIG=… NRSS=…        iterations of the fast rows, of ps/images, of load/save, of RSS
#   NOBJ=100                         containers for the ps row, images for the images row
#   BENCH_OUT=dir                    keep the raw samples (one file per row and engine)
#   NREQ=… NGET=…                    GETs (and echo round trips) per engine and round, rounds
#   NO_DOCKER=1                      leave docker out; DOCKERD, DOCKER_CLI: its binaries
#
# Rows: run --rm busybox true (each engine's default here: dock's bridge network, the others'
# none); dock's with --network none; run --rm --network NET (a user bridge network each engine
# made); run -d + rm -f (default, then dock's --network none); exec true; latency through a
# published port (-p) on 127.0.0.1: an HTTP GET to busybox httpd, and a 64-byte round trip to an
# echo server on an open connection, median and mean, with a floor; ps -a with 100 containers;
# images with 100 images; load and save of a 200 MB image; peak RSS of one `run --rm`.
# Every engine has a private store in a temp dir, overlay storage for all.  podman runs as
# tests/bats/podman-helpers.bash runs it: a containers.conf whose rlimits this machine allows
# (it lacks CAP_SYS_RESOURCE), cgroupfs, the file events backend, netns none unless a row names
# a network, Debian's conmon; its networks are CNI's (bridge, portmap: iptables DNAT), their
# files in the temp dir.
# docker: a dockerd started by the bench (bench/dockerd.sh) in network and mount namespaces of
# its own, with its own data root, exec root, socket and cgroup parent, no iptables, no default
# bridge, overlay2, its userland proxy (docker-proxy, one per published port); its containers run
# with --network=none as podman's unless a row names a network.  Its RSS row is n/a (the
# client's RSS says nothing of the daemon's).  When dockerd is missing or does not start, the run
# goes on without it and says why.
# Runs inside a private mount and network namespace (lo, and what the engines make: bridges,
# veths, packet filter rules, all gone with it; tmpfs over /var/lib and /run/netns, where podman
# and CNI keep caches, leases and netns files); a trap removes every container, image, mount and
# the temp dir, and the cgroups of the containers it made, and stops the dockerd.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
if [ "${1:-}" != --inner ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
	for t in unshare nsenter ip busybox podman /usr/bin/time python3 /usr/sbin/runc; do
		command -v "$t" >/dev/null || { echo "bench: missing $t" >&2; exit 1; }
	done
	exec unshare -m -n --propagation private bash "${BASH_SOURCE[0]}" --inner
fi
# the network namespace is new: only lo, down.  podman (and CNI) write below /var/lib and
# /run/netns whatever their roots; tmpfs keep that inside this mount namespace (only the empty
# /run/netns itself is made on the host when missing, as podman would make it).
ip link set lo up || { echo "bench: no loopback in the private network namespace" >&2; exit 1; }
mkdir -p /run/netns
for m in /var/lib /run/netns; do
	mount -t tmpfs -o mode=755 tmpfs "$m" || { echo "bench: cannot mount a tmpfs on $m" >&2; exit 1; }
done
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
# shellcheck source=bench/dockerd.sh
. "$HERE/dockerd.sh"

Q=${QUICK:-}
N=${N:-$([ -n "$Q" ] && echo 8 || echo 30)}
NLIST=${NLIST:-$([ -n "$Q" ] && echo 4 || echo 10)}
NBIG=${NBIG:-$([ -n "$Q" ] && echo 1 || echo 3)}
NRSS=${NRSS:-$([ -n "$Q" ] && echo 3 || echo 10)}
NOBJ=${NOBJ:-100} # containers for ps, images for images
NREQ=${NREQ:-$([ -n "$Q" ] && echo 100 || echo 200)} # GETs, and echo round trips, per engine and round
NGET=${NGET:-$([ -n "$Q" ] && echo 3 || echo 10)}    # rounds of them, engines interleaved
W=$(mktemp -d "${TMPDIR:-/tmp}/dock-bench.XXXXXX") || exit 1
ERRLOG=$W/errors.log
: >"$ERRLOG"
mkdir -p "$W/data" "$W/bin"
ENGINES="dock podman-runc podman-berth"

# frozen binaries: a rebuild during the run cannot fail samples; dock finds berth, berth-shim
# and dock-archive (its load and save) beside itself, and its exit command is this copy too
freeze_dock

CGROOT=/sys/fs/cgroup
CGPARENTS="dock libpod_parent libpod_parent/conmon"
# which cgroup parents existed before us (those we leave alone, whatever happens)
declare -A CG_BEFORE=()
for d in $CGROOT/*/; do
	for p in $CGPARENTS; do [ -d "$d$p" ] && CG_BEFORE[$d$p]=1; done
done
IDS=$W/ids # every container id we learned, for the cgroup cleanup
declare -A FLOOR_PIDS=() # the servers of the port rows' floor, run by the bench itself

cleanup() {
	local e c d p
	trap - EXIT INT TERM
	for e in $ENGINES; do
		eng "$e" ps -aq --no-trunc >>"$IDS" 2>/dev/null
		case $e in
		dock | docker)
			# shellcheck disable=SC2046
			c=$(eng "$e" ps -aq) && [ -n "$c" ] && eng "$e" rm -f $c >/dev/null 2>&1 ;;
		*)
			eng "$e" rm -af -t 0 >/dev/null 2>&1
			eng "$e" rmi -af >/dev/null 2>&1 ;;
		esac
	done
	for p in "${FLOOR_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	dd_stop
	for m in $(awk -v d="$W/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	# cgroups: the containers' own (named after ids we made), then parents we created
	if [ -s "$IDS" ]; then
		sort -u "$IDS" | while read -r c; do
			[ ${#c} -eq 64 ] || continue
			for d in $CGROOT/*/; do
				rmdir "${d}dock/$c" "${d}libpod_parent/libpod-$c" "${d}libpod_parent/libpod-conmon-$c" 2>/dev/null
			done
		done
	fi
	for d in $CGROOT/*/; do
		for p in libpod_parent/conmon libpod_parent dock; do
			[ -n "${CG_BEFORE[$d$p]:-}" ] || rmdir "$d$p" 2>/dev/null
		done
	done
	if [ -n "${BENCH_OUT:-}" ]; then
		mkdir -p "$BENCH_OUT" && cp -r "$W/data/." "$BENCH_OUT/" && cp "$ERRLOG" "$BENCH_OUT/"
	fi
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$W/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$W/events.log"
[network]
network_backend = "cni"
network_config_dir = "$W/cni"
CONF
export CONTAINERS_CONF=$W/containers.conf

# shellcheck disable=SC2034 # used through eng's nameref
ENG_dock=("$W/bin/dock" --root "$W/dock/root" --runroot "$W/dock/run")
# shellcheck disable=SC2034
ENG_podman_runc=(podman --root "$W/pr/root" --runroot "$W/pr/run" --tmpdir "$W/pr/tmp" --storage-driver overlay
	--cgroup-manager cgroupfs --events-backend file --runtime /usr/sbin/runc)
# shellcheck disable=SC2034
ENG_podman_berth=(podman --root "$W/pb/root" --runroot "$W/pb/run" --tmpdir "$W/pb/tmp" --storage-driver overlay
	--cgroup-manager cgroupfs --events-backend file --runtime "$W/bin/berth")
# shellcheck disable=SC2034
ENG_docker=(env DOCKER_HOST="unix://$W/dd/docker.sock" DOCKER_CONFIG="$W/dd/cli" "$DOCKER_CLI")
# eng ENGINE ARGS...: the engine's command line with its private store
eng() {
	local -n _a=ENG_${1//-/_}
	shift
	"${_a[@]}" "$@"
}
# podman and docker get --network none for run/create: this podman has netns none by default
# (its default network needs CNI's bridge; this docker has no default bridge); dock keeps its
# default, the bridge network: a veth on dock0, as docker's default
netflag() { [ "$1" = dock ] || printf -- '--network=none'; }
# podman's rm -f stops with SIGTERM and a 10 s grace; docker's (and dock's) rm -f is SIGKILL
rmtime() { [ "${1#podman}" != "$1" ] && printf -- '-t 0'; }
# podman save prints its progress on stderr unless -q (dock's and docker's save print nothing)
quiet() { [ "${1#podman}" != "$1" ] && printf -- '-q'; }
# order I: the engines, starting at a different one every iteration
order() {
	local -a es
	read -ra es <<<"$ENGINES"
	local k n=${#es[@]}
	for ((k = 0; k < n; k++)); do printf '%s ' "${es[$(((k + $1) % n))]}"; done
}

sample() { # ROW ENGINE ARGS...: one timed sample of the engine, in µs
	local row=$1 e=$2
	shift 2
	timed eng "$e" "$@"
	if [ "$T_RC" -eq 0 ]; then rec "$row" "$e" "$T_WALL"; else fail "$row" "$e"; fi
}
# sample_rundrm ROW ENGINE RUN-FLAGS...: `run -d … sleep 1000` then `rm -f` of it, one sample
sample_rundrm() {
	local row=$1 e=$2 id t0
	shift 2
	t0=${EPOCHREALTIME/./}
	if id=$(eng "$e" run -d "$@" busybox sleep 1000 2>>"$ERRLOG"); then
		echo "$id" >>"$IDS"
		# shellcheck disable=SC2046
		if eng "$e" rm -f $(rmtime "$e") "$id" >/dev/null 2>>"$ERRLOG"; then
			rec "$row" "$e" $((10#${EPOCHREALTIME/./} - 10#$t0))
		else fail "$row" "$e"; fi
	else fail "$row" "$e"; fi
}
# na ROW ENGINE WHY: the engine has no sample in this row, and why
na() { : >"$W/data/$1.$2.na"; echo "# $2: $1 n/a: $3" >&2; }

echo "# dock bench: N=$N NLIST=$NLIST NBIG=$NBIG NRSS=$NRSS; $(uptime | sed 's/.*\(load average\)/\1/')" >&2
echo "# podman $(podman version --format '{{.Client.Version}}' 2>/dev/null), $(/usr/sbin/runc --version | head -1)," \
	"$(conmon --version 2>/dev/null | head -1); dock $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)" >&2

if [ -n "${NO_DOCKER:-}" ]; then
	echo "# docker: left out (NO_DOCKER)" >&2
elif dd_start "$W/dd"; then
	ENGINES+=" docker"
	echo "# docker $(dkr version --format '{{.Server.Version}}' 2>/dev/null) (private dockerd, overlay2)" >&2
else
	echo "# docker: skipped: $DD_SKIP" >&2
	dd_stop
fi

python3 "$TOP/tests/make-image.py" "$W/busybox.tar" >/dev/null
for e in $ENGINES; do
	eng "$e" load -q -i "$W/busybox.tar" >/dev/null 2>>"$ERRLOG" || echo "# $e: load failed" >&2
done

# a user-defined bridge network per engine, each on a subnet of its own (the podmans share this
# network namespace and CNI's files; docker has its own namespace), and its published port
declare -A NET=() PORT=()
k=0
for e in $ENGINES; do
	PORT[$e]=$((18080 + k))
	if eng "$e" network create --subnet "10.77.$k.0/24" "benchnet$k" >/dev/null 2>>"$ERRLOG"; then
		NET[$e]=benchnet$k
	else
		na netrun "$e" "network create failed: $(tail -n 1 "$ERRLOG" | cut -c1-200)"
	fi
	k=$((k + 1))
done

echo "# run --rm, run -d + rm -f (default network, dock's --network none, a user network)" >&2
for ((i = 0; i < N; i++)); do
	for e in $(order "$i"); do
		# shellcheck disable=SC2046
		sample run "$e" run --rm $(netflag "$e") busybox true
		[ "$e" = dock ] && sample runnone dock run --rm --network none busybox true
		[ -n "${NET[$e]:-}" ] && sample netrun "$e" run --rm --network "${NET[$e]}" busybox true
		# shellcheck disable=SC2046
		sample_rundrm rundrm "$e" $(netflag "$e")
		[ "$e" = dock ] && sample_rundrm rundrmnone dock --network none
	done
done

echo "# exec" >&2
declare -A CTR=()
for e in $ENGINES; do
	# shellcheck disable=SC2046
	CTR[$e]=$(eng "$e" run -d $(netflag "$e") busybox sleep 1000 2>>"$ERRLOG") && echo "${CTR[$e]:-}" >>"$IDS"
done
for ((i = 0; i < N; i++)); do
	for e in $(order "$i"); do
		if [ -n "${CTR[$e]:-}" ]; then sample exec "$e" exec "${CTR[$e]:-}" true; else fail exec "$e"; fi
	done
done
for e in $ENGINES; do
	# shellcheck disable=SC2046
	[ -n "${CTR[$e]:-}" ] && eng "$e" rm -f $(rmtime "$e") "${CTR[$e]:-}" >/dev/null 2>>"$ERRLOG"
done

# latency through a published port on 127.0.0.1, timed inside the client (bench/netclient.py):
# one HTTP GET (a TCP connection each: busybox httpd forks per connection and closes after the
# reply), and one 64-byte round trip on an open connection to an echo server (busybox nc -ll -e
# cat): through berth-shim's relay (dock), CNI's portmap DNAT (podman), docker-proxy (docker; the
# client joins dockerd's network namespace, where its ports are).  The floor: the same two
# servers on 127.0.0.1 in the bench's namespace, no container, no relay.
echo "# published ports: $NGET rounds of $NREQ GETs and of $NREQ echo round trips" >&2
mkdir -p "$W/www"
head -c 612 /dev/zero | tr '\0' x >"$W/www/index.html"
declare -A SRV=() FLOOR_PIDS=()
busybox httpd -f -p 127.0.0.1:18098 -h "$W/www" </dev/null >/dev/null 2>&1 &
FLOOR_PIDS[httpd]=$!
busybox nc -ll -p 18099 -e cat </dev/null >/dev/null 2>&1 &
FLOOR_PIDS[nc]=$!
# client ENGINE MODE ARGS...: netclient.py where the engine's ports are, on its HTTP (get) or
# echo port
client() {
	local e=$1 mode=$2 ports
	shift 2
	case $e in floor) ports=(18098 18099) ;; *) ports=("${PORT[$e]}" $((PORT[$e] + 100))) ;; esac
	local p=${ports[0]}
	[ "$mode" = echo ] && p=${ports[1]}
	local -a nsx=()
	[ "$e" = docker ] && nsx=(nsenter --net="/proc/$DD_ANCHOR/ns/net")
	if [ "${1:-}" = wait ]; then
		"${nsx[@]}" python3 "$HERE/netclient.py" wait "$mode" "$p" 20
	else
		"${nsx[@]}" python3 "$HERE/netclient.py" "$mode" "$p" "$NREQ"
	fi
}
for e in $ENGINES floor; do
	if [ "$e" != floor ]; then
		if [ -z "${NET[$e]:-}" ]; then
			na get "$e" "no network"
			: >"$W/data/echo.$e.na"
			continue
		fi
		if SRV[$e]=$(eng "$e" run -d --network "${NET[$e]}" -p "${PORT[$e]}:80" -p "$((PORT[$e] + 100)):81" \
			-v "$W/www:/www" busybox sh -c 'httpd -p 80 -h /www && exec nc -ll -p 81 -e cat' 2>>"$ERRLOG"); then
			echo "${SRV[$e]}" >>"$IDS"
		else
			SRV[$e]=""
			fail get "$e"
			fail echo "$e"
			continue
		fi
	fi
	for mode in get echo; do
		client "$e" "$mode" wait >/dev/null 2>>"$ERRLOG" || fail "$mode" "$e"
	done
done
for ((i = 0; i < NGET; i++)); do
	for e in $(order "$i") floor; do
		[ "$e" = floor ] || [ -n "${SRV[$e]:-}" ] || continue
		for mode in get echo; do
			client "$e" "$mode" >>"$W/data/$mode.$e" 2>>"$ERRLOG" || fail "$mode" "$e"
		done
	done
done
for p in "${FLOOR_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
FLOOR_PIDS=()
for e in $ENGINES; do
	# shellcheck disable=SC2046
	[ -n "${SRV[$e]:-}" ] && eng "$e" rm -f $(rmtime "$e") "${SRV[$e]}" >/dev/null 2>>"$ERRLOG"
done

echo "# ps -a with $NOBJ containers" >&2
for e in $ENGINES; do
	for ((k = 0; k < NOBJ; k++)); do
		# shellcheck disable=SC2046
		eng "$e" create $(netflag "$e") busybox true 2>>"$ERRLOG" >>"$IDS"
	done
done
for ((i = 0; i < NLIST; i++)); do
	for e in $(order "$i"); do sample ps "$e" ps -a; done
done
for e in $ENGINES; do
	# shellcheck disable=SC2046
	eng "$e" rm -f $(rmtime "$e") $(eng "$e" ps -aq) >/dev/null 2>>"$ERRLOG"
done

echo "# images with $NOBJ images" >&2
for ((k = 0; k < NOBJ; k++)); do
	python3 "$TOP/tests/make-image.py" "$W/tiny.tar" --tiny --tag "tiny$k:latest" --config "{\"Labels\":{\"n\":\"$k\"}}" >/dev/null
	for e in $ENGINES; do eng "$e" load -q -i "$W/tiny.tar" >/dev/null 2>>"$ERRLOG"; done
done
rm -f "$W/tiny.tar"
for ((i = 0; i < NLIST; i++)); do
	for e in $(order "$i"); do sample images "$e" images; done
done

echo "# load and save of a 200 MB image" >&2
mkdir -p "$W/big/data"
head -c 200M /dev/urandom >"$W/big/data/blob"
python3 "$TOP/tests/make-image.py" "$W/big.tar" --tag big:1 --layer "$W/big" >/dev/null
rm -rf "$W/big"
for ((i = 0; i < NBIG; i++)); do
	for e in $(order "$i"); do
		eng "$e" rmi -f big:1 >/dev/null 2>&1
		sample load "$e" load -q -i "$W/big.tar"
		rm -f "$W/out.tar"
		# shellcheck disable=SC2046
		sample save "$e" save $(quiet "$e") -o "$W/out.tar" big:1
		rm -f "$W/out.tar"
		eng "$e" rmi -f big:1 >/dev/null 2>&1
	done
done
rm -f "$W/big.tar"

# peak RSS (kB) of one `run --rm busybox true`: /usr/bin/time's %M, the largest resident set
# of the engine process or of any process it waited for (not the detached conmon/berth-shim)
echo "# peak RSS" >&2
for ((i = 0; i < NRSS; i++)); do
	for e in $(order "$i"); do
		[ "$e" = docker ] && { : >"$W/data/rss.docker.na"; continue; }
		declare -n _a=ENG_${e//-/_}
		# shellcheck disable=SC2046
		if /usr/bin/time -f %M -o "$W/rss" "${_a[@]}" run --rm $(netflag "$e") busybox true >/dev/null 2>>"$ERRLOG"; then
			rec rss "$e" "$(tail -n 1 "$W/rss")"
		else fail rss "$e"; fi
		unset -n _a
	done
done

printf '\n%-26s' "row (ms; RSS in MB)"
for e in $ENGINES; do printf '%-24s' "$e"; done
printf '%-14s%-20s%s\n' "dock/podman" "dock/podman+berth" "dock/docker"
for row in run runnone netrun rundrm rundrmnone exec get getmean echo echomean ps images load save rss; do
	scale=1000 data=$row
	case $row in
	run) label="run --rm busybox true" ;;
	runnone) label="  dock --network none" data=run ;;
	netrun) label="run --rm --network NET" ;;
	rundrm) label="run -d + rm -f" ;;
	rundrmnone) label="  dock --network none" data=rundrm ;;
	get) label="GET via -p (µs)" ;;
	getmean) label="  mean (µs)" data=get ;;
	echo) label="echo via -p (µs)" ;;
	echomean) label="  mean (µs)" data=echo ;;
	exec) label="exec true" ;;
	ps) label="ps -a, $NOBJ containers" ;;
	images) label="images, $NOBJ images" ;;
	load) label="load 200 MB" ;;
	save) label="save 200 MB" ;;
	rss) label="peak RSS, run --rm" scale=1024 ;;
	esac
	printf '%-26s' "$label"
	for e in $ENGINES; do
		if [ "$row" != "${row%mean}" ]; then
			printf '%-24s' "$(mean "$data" "$e" "$scale")"
		elif [ "$row" != "$data" ] && [ "$e" != dock ]; then
			printf '%-24s' "(its --network none)" # the row above is theirs
		else
			printf '%-24s' "$(cell "$row" "$e" "$scale")"
		fi
	done
	# dock's median (mean for getmean) over the others' in row `data` (theirs for dock's variants)
	m=median own=$row
	[ "$row" != "${row%mean}" ] && m=mean own=$data
	d=$($m "$own" dock "$scale")
	printf '%-14s%-20s%s\n' "$(ratio "$d" "$($m "$data" podman-runc "$scale")")" \
		"$(ratio "$d" "$($m "$data" podman-berth "$scale")")" "$(ratio "$d" "$($m "$data" docker "$scale")")"
done
for mode in get echo; do
	[ -s "$W/data/$mode.floor" ] || continue
	echo "# $mode floor (its server on 127.0.0.1 in the bench's namespace, no container):" \
		"median $(fmt "$(median "$mode" floor 1000)") µs, mean $(mean "$mode" floor 1000) µs" >&2
done
echo "# end: $(uptime | sed 's/.*\(load average\)/\1/')" >&2
if [ -s "$ERRLOG" ]; then
	echo "# errors (first lines of the engines' stderr):" >&2
	head -n 5 "$ERRLOG" >&2
fi
