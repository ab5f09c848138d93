#!/bin/sh
# crun 1.8 refuses a hybrid cgroup host (v1 controllers plus a cgroup2 mount with
# controllers at /sys/fs/cgroup/unified).  Run it in a private mount namespace
# where that hierarchy's controller list reads empty, so the same tests can
# check themselves against crun:  RUNTIME=tests/crun-hybrid.sh bats tests/bats/…
# CRUN overrides the binary (default: crun from PATH).
crun=${CRUN:-$(command -v crun)} || exit 127
controllers=/sys/fs/cgroup/unified/cgroup.controllers
grep -q . "$controllers" 2>/dev/null || exec "$crun" "$@"
empty=/run/crun-hybrid.empty # crun wants a regular empty file, not /dev/null
[ -f "$empty" ] || : >"$empty"
exec unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
	crun-hybrid "$empty" "$controllers" "$crun" "$@"
