#!/usr/bin/env bats
# Global options, help, version, features.

load helpers

@test "--version: prints the version and the runtime-spec version" {
	run "$RUNTIME" --version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *version* ]]
	[[ $output =~ (^|$'\n')spec:\ 1\. ]]
}

@test "-v: short form of --version" {
	run "$RUNTIME" -v
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *version* ]]
}

@test "--help: lists every verb of issue 2 and the global options" {
	run "$RUNTIME" --help
	[ "$status" -eq 0 ]
	for v in create start run state kill delete list spec features; do
		[[ $output =~ (^|$'\n')\ +$v[\ ,] ]] || { echo "verb $v missing"; return 1; }
	done
	for o in --root --log --log-format --debug --systemd-cgroup --version --help; do
		[[ $output == *"$o"* ]] || { echo "option $o missing"; return 1; }
	done
}

@test "-h: short form of --help" {
	run "$RUNTIME" -h
	[ "$status" -eq 0 ]
	[[ $output == *create* && $output == *delete* ]]
}

@test "help: same as --help" {
	run "$RUNTIME" help
	[ "$status" -eq 0 ]
	[[ $output == *create* && $output == *delete* && $output == *features* ]]
}

@test "help VERB: the verb's flags" {
	run "$RUNTIME" help create
	[ "$status" -eq 0 ]
	for f in --bundle --pid-file --console-socket --no-pivot --no-new-keyring --preserve-fds; do
		[[ $output == *"$f"* ]] || { echo "flag $f missing"; return 1; }
	done
	run "$RUNTIME" help run
	[ "$status" -eq 0 ]
	[[ $output == *--detach* && $output == *--keep* && $output == *--bundle* ]]
	run "$RUNTIME" help kill
	[ "$status" -eq 0 ]
	[[ $output == *--all* ]]
	run "$RUNTIME" help delete
	[ "$status" -eq 0 ]
	[[ $output == *--force* ]]
	run "$RUNTIME" help list
	[ "$status" -eq 0 ]
	[[ $output == *--format* && $output == *--quiet* ]]
	run "$RUNTIME" help spec
	[ "$status" -eq 0 ]
	[[ $output == *--bundle* && $output == *--rootless* ]]
}

@test "VERB --help: the verb's flags, exit 0" {
	for v in create start run state kill delete list spec features; do
		run "$RUNTIME" "$v" --help
		[ "$status" -eq 0 ] || { echo "$v --help: $status"; return 1; }
		[[ $output == *"$v"* ]]
	done
	run "$RUNTIME" delete --help
	[[ $output == *--force* ]]
}

@test "--root: containers live under the given root only" {
	set_cmd 'exec sleep 1000'
	create_ctr "$CID"
	[ -n "$(ls -A "$ROOT")" ]
	[ "$(rt list -q)" = "$CID" ]
	run "$RUNTIME" --root "$T/other-root" list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$RUNTIME" --root "$T/other-root" state "$CID"
	[ "$status" -ne 0 ]
}

@test "--root=DIR: the = form" {
	set_cmd 'exec sleep 1000'
	run "$RUNTIME" --root="$ROOT" list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	create_ctr "$CID"
	run "$RUNTIME" --root="$ROOT" list -q
	[ "$output" = "$CID" ]
	run "$RUNTIME" --root="$ROOT" state "$CID"
	[ "$status" -eq 0 ]
}

@test "--root: a root that does not exist yet works" {
	run "$RUNTIME" --root "$T/new/root" list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$RUNTIME" --root "$T/new2" run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$T/new2")" ]
}

@test "--debug: accepted, before the verb" {
	run rt --debug list -q
	[ "$status" -eq 0 ]
	set_cmd 'echo hi'
	run rt --debug --log "$T/debug.log" run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *hi* ]]
}

@test "--systemd-cgroup: accepted as a global option" {
	run rt --systemd-cgroup list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "global options in --flag value and --flag=value forms, mixed" {
	run "$RUNTIME" --root "$ROOT" --log="$T/a.log" --log-format json list -q
	[ "$status" -eq 0 ]
	run "$RUNTIME" --root="$ROOT" --log "$T/b.log" --log-format=json list -q
	[ "$status" -eq 0 ]
}

@test "features: the runtime-spec features document" {
	run "$RUNTIME" features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '
		(.ociVersionMin | startswith("1.")) and (.ociVersionMax | startswith("1."))
		and (.linux.namespaces | type == "array")
		and (.linux.namespaces | index("pid") and index("mount") and index("network")
			and index("uts") and index("ipc") and index("user") and index("cgroup"))
		and (.mountOptions | type == "array")
		and (.mountOptions | index("ro") and index("rbind") and index("nosuid") and index("rprivate"))'
}

@test "features: what it lists is real (every namespace listed works)" {
	mapfile -t nss < <("$RUNTIME" features | jq -r '.linux.namespaces[]')
	for ns in "${nss[@]}"; do
		case $ns in
		pid | network | ipc | uts | mount | cgroup | user | time) ;;
		*) echo "unknown namespace $ns"; return 1 ;;
		esac
	done
}

@test "--help, help, COMMAND -h: runc's sections (NAME, USAGE, COMMANDS, GLOBAL OPTIONS; OPTIONS)" {
	for h in --help -h help; do
		run "$RUNTIME" $h
		[ "$status" -eq 0 ]
		for s in NAME: USAGE: COMMANDS: 'GLOBAL OPTIONS:'; do
			[[ $output =~ (^|$'\n')"$s"$'\n' ]] || { echo "$h: section $s missing"; return 1; }
		done
		[[ $output =~ $'\n'\ +create\ +create ]]
		[[ $output =~ $'\n'\ +--root\  ]]
	done
	for v in create run exec update kill; do
		run "$RUNTIME" "$v" -h
		[ "$status" -eq 0 ]
		for s in NAME: USAGE: OPTIONS:; do
			[[ $output =~ (^|$'\n')"$s"$'\n' ]] || { echo "$v -h: section $s missing"; return 1; }
		done
		[[ $output =~ $'\n'\ +[a-z]+\ $v\ -\  ]] || { echo "$v -h: no NAME line"; return 1; }
	done
	run "$RUNTIME" help create
	[[ $output == *NAME:* && $output == *--bundle* && $output == *--pid-file* ]]
}

@test "--debug: each step of create logged at debug level, to stderr or to --log as text or JSON" {
	set_cmd 'true'
	# stderr
	rt --debug run --bundle "$BUNDLE" "$CID" </dev/null >"$T/out" 2>"$T/err"
	[ "$(grep -ci debug "$T/err")" -ge 5 ] || { cat "$T/err"; return 1; }
	# --log, text
	rt --debug --log "$T/log.txt" run --bundle "$BUNDLE" "$CID-t" </dev/null >/dev/null 2>&1
	[ "$(grep -ci debug "$T/log.txt")" -ge 5 ]
	# --log, JSON: every line an object; the debug ones say what happened
	rt --debug --log "$T/log.json" --log-format json run --bundle "$BUNDLE" "$CID-j" </dev/null >/dev/null 2>&1
	jq -e . "$T/log.json" >/dev/null
	[ "$(jq -r 'select(.level == "debug") | .msg' "$T/log.json" | wc -l)" -ge 5 ]
	if is_berth; then
		for step in config.json cgroup rootfs state.json; do
			jq -r 'select(.level == "debug") | .msg' "$T/log.json" | grep -q "$step" || { echo "no $step step"; return 1; }
		done
	fi
	# without --debug, no debug lines
	rt --log "$T/quiet.json" --log-format json run --bundle "$BUNDLE" "$CID-q" </dev/null >/dev/null 2>&1
	[ "$(jq -r 'select(.level == "debug")' "$T/quiet.json" 2>/dev/null | wc -l)" -eq 0 ]
}
