#!/bin/bash
# tests/vm/probes.sh: what a container's cgroup looks like on a pure cgroup v2 host, through the
# runtime's default (cgroupfs) driver.  TAP on stdout.  Meant for the VM (guest-run-tests.sh runs
# it), but runs on any cgroup v2 host as root; on a v1 or hybrid host it skips everything.
#
# Each probe makes a busybox bundle (tests/make-bundle.sh), runs it with the runtime, and reads
# the kernel's side back: the container's cgroup, its parent's cgroup.subtree_control, the
# resource files (memory.max, pids.max, cpu.max, cpu.weight, io.weight, cpuset.cpus, unified),
# and behaviour (OOM kill, pids limit, device filter, freeze, cgroup.kill, delete).
# Expected values follow runc's v1→v2 conversions (cpu shares → cpu.weight, blkio weight →
# io.weight; only the ends of the shares range, where runc and crun agree).
#
# Environment: RUNTIME (default: the berth beside tests/), PROBE_TIMEOUT (s per runtime call, 120).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUNTIME=${RUNTIME:-$top/berth}
TO=${PROBE_TIMEOUT:-120}
CG=/sys/fs/cgroup
T=$(mktemp -d /tmp/berth-probe.XXXXXX)
chmod 755 "$T"
ROOT=$T/state
mkdir -p "$ROOT"
tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
n=0 failed=0

if [ "$(stat -fc %T $CG)" != cgroup2fs ]; then
  echo "1..0 # skip $CG is not cgroup2"
  exit 0
fi

# tap OK|NOTOK DESC [DIAG]
tap() {
  n=$((n + 1))
  if [ "$1" = ok ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2${3:+ (got: $3)}"
    failed=$((failed + 1))
  fi
}
# is DESC GOT WANT
is() {
  if [ "$2" = "$3" ]; then tap ok "$1"; else tap notok "$1" "'$2', want '$3'"; fi
}
# file PATH: its content (first line), or "<missing>"
file() {
  if [ -e "$1" ]; then head -n 1 "$1" 2>&1; else echo "<missing>"; fi
}
rt() { timeout -k 5 "$TO" "$RUNTIME" --root "$ROOT" "$@"; }
# bundle NAME ARG...: a busybox bundle at $T/NAME running ARG...
bundle() {
  local d=$T/$1
  shift
  sh "$top/tests/make-bundle.sh" "$d" "$@" >/dev/null
}
# cfg NAME FILTER [JQ-ARGS...]: edit a bundle's config.json
cfg() {
  local c=$T/$1/config.json f=$2
  shift 2
  jq "$@" "$f" "$c" >"$c.new" && mv "$c.new" "$c"
}
# detached NAME ID: run -d, stdio to files (a pipe would keep the caller waiting)
detached() {
  rt run -d -b "$T/$1" "$2" </dev/null >"$T/$2.out" 2>"$T/$2.err"
}
pid_of() { rt state "$1" 2>/dev/null | jq -r '.pid // 0'; }
gone() { rt kill "$1" KILL >/dev/null 2>&1; rt delete --force "$1" >/dev/null 2>&1 || rt delete "$1" >/dev/null 2>&1; }
errs() { tr '\n' ' ' <"$T/$1.err" | cut -c1-300; }

cleanup() {
  local id
  for id in $(ls -A "$ROOT" 2>/dev/null); do gone "$id"; done
  for d in $(find $CG -mindepth 1 -maxdepth 3 -depth -type d -name "*probe-$tag*" 2>/dev/null); do rmdir "$d" 2>/dev/null; done
  rm -rf --one-file-system "$T"
}
trap cleanup EXIT

echo "# runtime: $("$RUNTIME" --version 2>&1 | head -n 1)"
echo "# root cgroup.subtree_control: $(cat $CG/cgroup.subtree_control)"

# ---------------------------------------------------------------- 1. default path, cgroupns
id=probe-$tag-a
bundle a sh -c 'cat /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/mounts; cat /sys/fs/cgroup/cgroup.controllers; sleep 600'
if detached a $id; then
  tap ok "run -d a container with no cgroupsPath"
  pid=$(pid_of $id)
  is "its init is in cgroup /$id" "$(grep '^0::' /proc/$pid/cgroup 2>&1)" "0::/$id"
  is "$CG/$id/cgroup.procs lists the init" "$(grep -x "$pid" $CG/$id/cgroup.procs 2>&1)" "$pid"
  sleep 1
  is "inside, /proc/self/cgroup is 0::/ (cgroup namespace)" "$(grep '^0::' "$T/$id.out" | head -n 1)" "0::/"
  if grep -q ' /sys/fs/cgroup cgroup2 ' "$T/$id.out"; then tap ok "inside, /sys/fs/cgroup is a cgroup2 mount"; else tap notok "inside, /sys/fs/cgroup is a cgroup2 mount" "$(grep ' /sys/fs/cgroup ' "$T/$id.out")"; fi
  gone $id
  is "delete removes $CG/$id" "$(test -e $CG/$id && echo present || echo absent)" absent
else
  tap notok "run -d a container with no cgroupsPath" "$(errs $id)"
fi

# ---------------------------------------------------------------- 2. nested path, resources
id=probe-$tag-b
parent=$CG/probe-$tag-parent
bundle b sleep 600
cfg b '.linux.cgroupsPath = $p | .linux.resources += {
  memory: { limit: 67108864, reservation: 33554432, swap: 134217728 },
  pids: { limit: 40 },
  cpu: { shares: 262144, quota: 50000, period: 100000, cpus: "0" },
  blockIO: { weight: 500 },
  unified: { "memory.high": "100663296" } }' --arg p "/probe-$tag-parent/$id"
if detached b $id; then
  tap ok "run -d with cgroupsPath /probe-$tag-parent/$id and resources"
  pid=$(pid_of $id)
  d=$parent/$id
  is "its init is in that cgroup" "$(grep '^0::' /proc/$pid/cgroup 2>&1)" "0::/probe-$tag-parent/$id"
  sc=$(cat $parent/cgroup.subtree_control 2>&1)
  for c in cpu cpuset io memory pids; do
    if grep -qw $c <<<"$sc"; then tap ok "parent's cgroup.subtree_control enables $c"; else tap notok "parent's cgroup.subtree_control enables $c" "'$sc'"; fi
  done
  is "memory.max (limit)" "$(file $d/memory.max)" 67108864
  is "memory.low (reservation)" "$(file $d/memory.low)" 33554432
  is "memory.swap.max (swap - limit)" "$(file $d/memory.swap.max)" 67108864
  is "memory.high (unified)" "$(file $d/memory.high)" 100663296
  is "pids.max" "$(file $d/pids.max)" 40
  is "cpu.max (quota period)" "$(file $d/cpu.max)" "50000 100000"
  is "cpu.weight (shares 262144)" "$(file $d/cpu.weight)" 10000
  is "cpuset.cpus" "$(file $d/cpuset.cpus)" 0
  is "io.weight (blkio weight 500)" "$(file $d/io.weight)" "default 4950"
  gone $id
  is "delete removes the leaf cgroup" "$(test -e $d && echo present || echo absent)" absent
else
  tap notok "run -d with cgroupsPath /probe-$tag-parent/$id and resources" "$(errs $id)"
fi
rmdir $parent 2>/dev/null

# ---------------------------------------------------------------- 3. behaviour
# a memory limit gets a hungry process OOM-killed (no swap in the VM)
id=probe-$tag-oom
bundle oom sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived ${#x}'
cfg oom '.linux.resources.memory = { limit: 33554432, swap: 33554432 }'
rt run -b "$T/oom" $id </dev/null >"$T/$id.out" 2>"$T/$id.err"
rc=$?
is "a 32M memory limit OOM-kills a 200M hog (exit status 137)" "$rc $(head -c 40 "$T/$id.out")" "137 "
gone $id

# a pids limit stops a fork bomb
id=probe-$tag-pids
bundle pids sh -c 'i=0; while [ $i -lt 40 ]; do sleep 600 & i=$((i+1)); done; sleep 600'
cfg pids '.linux.resources.pids = { limit: 10 }'
if detached pids $id; then
  sleep 5
  cnt=$(wc -l <$CG/$id/cgroup.procs 2>/dev/null || echo "?")
  if [[ $cnt =~ ^[0-9]+$ ]] && [ "$cnt" -le 10 ]; then tap ok "pids.limit 10 holds a 40-process loop to $cnt"; else tap notok "pids.limit 10 holds a 40-process loop to <= 10" "$cnt processes"; fi
  # cgroup.kill reaches every one of them
  rt kill --all $id KILL >/dev/null 2>&1
  sleep 2
  left=$(cat $CG/$id/cgroup.procs 2>/dev/null | wc -l)
  is "kill --all KILL empties the cgroup" "$left" 0
  gone $id
else
  tap notok "pids.limit 10 holds a 40-process loop" "$(errs $id)"
fi

# a denied device cannot be opened (v2: an eBPF program on the cgroup).  As
# with runc, the default devices (/dev/null, zero, tty, …) are allowed after
# the spec's rules, so the probe uses /dev/fuse: made by .linux.devices,
# denied by the bundle's deny-all, then allowed by a rule of its own.
id=probe-$tag-dev
bundle dev sh -c 'if (exec 3<>/dev/fuse) 2>/dev/null; then echo OPENED; else echo DENIED; fi'
cfg dev '.linux.devices += [{ path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438 }]'
rt run -b "$T/dev" $id </dev/null >"$T/$id.out" 2>"$T/$id.err"
is "a device denied by .linux.resources.devices cannot be opened" "$(tr -d '\n' <"$T/$id.out")" DENIED
cfg dev '.linux.resources.devices += [{ allow: true, type: "c", major: 10, minor: 229, access: "rwm" }]'
rt run -b "$T/dev" $id-allowed </dev/null >"$T/$id.out" 2>"$T/$id.err"
is "the same device allowed by a rule can be opened" "$(tr -d '\n' <"$T/$id.out")" OPENED
gone $id

# pause freezes (cgroup.freeze), resume thaws
id=probe-$tag-frz
bundle frz sleep 600
if detached frz $id; then
  if rt pause $id >"$T/p.out" 2>&1; then
    is "pause: cgroup.events says frozen 1" "$(grep frozen $CG/$id/cgroup.events 2>&1)" "frozen 1"
    is "pause: state is paused" "$(rt state $id | jq -r .status)" paused
    rt resume $id >/dev/null 2>&1
    is "resume: cgroup.events says frozen 0" "$(grep frozen $CG/$id/cgroup.events 2>&1)" "frozen 0"
  else
    tap notok "pause a running container" "$(tr '\n' ' ' <"$T/p.out" | cut -c1-200)"
  fi
  gone $id
fi

# update changes a running container's limit
id=probe-$tag-upd
bundle upd sleep 600
cfg upd '.linux.resources.pids = { limit: 50 }'
if detached upd $id; then
  if rt update --pids-limit 20 $id >"$T/u.out" 2>&1; then
    is "update --pids-limit 20: pids.max" "$(file $CG/$id/pids.max)" 20
  else
    tap notok "update --pids-limit 20 a running container" "$(tr '\n' ' ' <"$T/u.out" | cut -c1-200)"
  fi
  gone $id
fi

echo "1..$n"
[ "$failed" -eq 0 ]
