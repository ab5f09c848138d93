#!/usr/bin/env bats
# What a packager relies on: `berth --version` and `berth features` say the commit, the
# libseccomp and the cgroup drivers; `make install` puts binaries, man pages and bash
# completions in their FHS places and `make uninstall` removes them; berth's completion.

bats_require_minimum_version 1.5.0

RUNTIME=${RUNTIME:-$BATS_TEST_DIRNAME/../../berth}
SRC=$BATS_TEST_DIRNAME/../..

need_berth() {
	[[ $("$RUNTIME" --version 2>/dev/null | head -1) == berth* ]] || skip "RUNTIME is not berth"
}

# the libseccomp berth is built with (static by default, so the build's, not the host's)
build_libseccomp() {
	pkg-config --modversion libseccomp 2>/dev/null
}

@test "--version: the commit, the runtime-spec, libseccomp and the cgroup drivers (runc's lines and ours)" {
	run -0 "$RUNTIME" --version
	[[ $output =~ (^|$'\n')commit:\ [^$'\n']+ ]]
	[[ $output =~ (^|$'\n')libseccomp:\ [0-9]+\.[0-9]+\.[0-9]+($'\n'|$) ]]
	[[ $("$RUNTIME" --version | head -1) == berth* ]] || return 0
	local v
	v=$(build_libseccomp) && [[ $output == *$'\n'"libseccomp: $v"* ]]
	[[ $output == *$'\n'"cgroup drivers: cgroupfs, systemd"* ]]
	# the commit names one of this repository's (when the tests run from a checkout)
	local commit
	commit=$(sed -n 's/^commit: //p' <<<"$output")
	[ "$commit" != unknown ]
	if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
		local hash=${commit%-dirty}
		hash=${hash##*-g}
		git -C "$SRC" cat-file -e "$hash^{commit}"
	fi
}

@test "features: annotations say the libseccomp version, berth's version, commit and cgroup drivers" {
	run -0 "$RUNTIME" features
	echo "$output" | jq -e '.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")'
	need_berth
	echo "$output" | jq -e --arg v "$(build_libseccomp)" --arg c "$("$RUNTIME" --version | sed -n 's/^commit: //p')" '
		.annotations as $a
		| ($v == "" or $a["io.github.seccomp.libseccomp.version"] == $v)
		and ($a["io.github.berth.version"] | test("^[0-9]+\\.[0-9]+"))
		and $a["io.github.berth.commit"] == $c
		and $a["io.github.berth.cgroup.drivers"] == "cgroupfs, systemd"'
}

@test "make install: binaries, man pages and completions in FHS places; make uninstall removes them" {
	need_berth
	local b d
	b=$(cd "$(dirname "$RUNTIME")" && pwd)
	[[ -f $b/Makefile ]] || skip "RUNTIME is not in a configured build tree"
	d=$BATS_TEST_TMPDIR/dest
	local prefix
	prefix=$(sed -n 's/^prefix = //p' "$b/Makefile")
	run -0 make -s -C "$b" install DESTDIR="$d"
	local f
	for f in bin/berth bin/berth-shim bin/dock bin/dock-archive \
		share/man/man8/berth.8 share/man/man8/berth-shim.8 share/man/man1/dock.1 \
		share/bash-completion/completions/berth share/bash-completion/completions/dock; do
		[[ -f $d$prefix/$f ]] || { echo "# missing: $prefix/$f"; return 1; }
	done
	[[ -x $d$prefix/bin/berth ]]
	# the installed pages render
	for f in man8/berth.8 man8/berth-shim.8 man1/dock.1; do
		MANWIDTH=80 man -l "$d$prefix/share/man/$f" | grep -q '^NAME' || { echo "# $f does not render"; return 1; }
	done
	run -0 make -s -C "$b" uninstall DESTDIR="$d"
	run -0 find "$d" -type f
	[ -z "$output" ]
}

# complete WORDS...: what berth's completion offers for the last word
complete_berth() {
	# shellcheck source=../../src/runtime/completion/berth.bash
	source "$SRC/src/runtime/completion/berth.bash"
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_berth
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "completion: berth's commands, each command's flags, values, container IDs" {
	need_berth
	local rt=$RUNTIME
	run -0 complete_berth "$rt" ""
	for c in create start run state kill delete list exec ps pause resume update events spec features; do
		grep -qx "$c" <<<"$output" || { echo "# no $c"; return 1; }
	done
	run -0 complete_berth "$rt" create --b
	[ "$output" = --bundle ]
	run -0 complete_berth "$rt" update --memory-
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "--memory-reservation --memory-swap " ]
	run -0 complete_berth "$rt" list --format ""
	[ "$(tr '\n' ' ' <<<"$output")" = "table json " ]
	run -0 complete_berth "$rt" --log-format j
	[ "$output" = json ]
	# container IDs from the --root on the line
	mkdir -p "$BATS_TEST_TMPDIR/root"
	run -0 complete_berth "$rt" --root "$BATS_TEST_TMPDIR/root" state ""
	[ -z "$output" ]
}
