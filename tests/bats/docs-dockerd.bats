#!/usr/bin/env bats
# docs/examples/daemon.json, as docs/clients.md shows it, given to a private dockerd (the
# bench's: its own network and mount namespaces, data root, socket; bench/dockerd.sh), with
# berth's path replaced by a wrapper that records each call: `docker run --runtime berth`
# runs under berth, and so does a plain `docker run` (default-runtime).

bats_require_minimum_version 1.5.0

load helpers
# shellcheck source=../../bench/dockerd.sh
source "$BATS_TEST_DIRNAME/../../bench/dockerd.sh"

DOCS=$BATS_TEST_DIRNAME/../../docs

# bats 1.8 counts a skip in setup_file as a failure: note why here, skip in setup
setup_file() {
	DD_SKIP=""
	export DD_SKIP
	[[ -x $RUNTIME ]] || { DD_SKIP="RUNTIME=$RUNTIME is not an executable"; return 0; }
	local d
	d=$(mktemp -d /var/tmp/berth-docs-dockerd.XXXXXX)
	mkdir -p "$d/bin"
	printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$d/berth-calls.log" "$RUNTIME" >"$d/bin/berth"
	chmod 755 "$d/bin/berth"
	jq --arg p "$d/bin/berth" '.runtimes.berth.path |= (if . == "/usr/bin/berth" then $p else error("path") end)' \
		"$DOCS/examples/daemon.json" >"$d/extra.json"
	DD_CONFIG_EXTRA=$d/extra.json dd_start "$d" || { dd_stop; return 0; }
	python3 "$BATS_TEST_DIRNAME/../make-image.py" "$DD/busybox.tar" >/dev/null
	dkr load -i "$DD/busybox.tar" >/dev/null
	# bench/dockerd.sh clears these when bats loads this file again for each test
	export DOCS_DD="$DD|$DD_PID|$DD_ANCHOR|$DD_NETNS|$DD_CGROUP"
}

_dd_restore() { IFS='|' read -r DD DD_PID DD_ANCHOR DD_NETNS DD_CGROUP <<<"${DOCS_DD:-}"; }

teardown_file() {
	_dd_restore
	[[ -n ${DD:-} ]] || return 0
	dkr rm -f $(dkr ps -aq) >/dev/null 2>&1
	dd_stop
	rm -rf "$DD"
}

setup() {
	[[ -z $DD_SKIP ]] || skip "$DD_SKIP"
	_dd_restore
}
teardown() { :; }

@test "docs: dockerd takes daemon.json: berth is a runtime and the default one" {
	run dkr info --format '{{.DefaultRuntime}} {{range $k, $v := .Runtimes}}{{$k}} {{end}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ ^berth\ (.*\ )?berth\  ]]
}

@test "docs: docker run --runtime berth runs the container under berth" {
	: >"$DD/berth-calls.log"
	run -0 --separate-stderr dkr run --rm --runtime berth busybox echo hi
	echo "$output"
	[ "$output" = hi ]
	grep -q ' create ' "$DD/berth-calls.log"
	# the state root dockerd 20.10 gives it, runc's (clients.md says so)
	cat "$DD/berth-calls.log"
	grep -q -- "--root $DD/exec/runtime-runc/moby .* create " "$DD/berth-calls.log"
}

@test "docs: docker run without --runtime uses berth (default-runtime)" {
	: >"$DD/berth-calls.log"
	run -0 --separate-stderr dkr run --rm busybox echo hi
	echo "$output"
	[ "$output" = hi ]
	grep -q ' create ' "$DD/berth-calls.log"
}
