#!/usr/bin/env bats
# The man pages (man/*.scd): they build, mandoc finds no error in them, and each command's
# flags in its page are the flags its --help lists, neither more nor fewer.  -h/--help is
# left out of the comparison (every command has it; the pages say it once).
#
# --help is parsed loosely on purpose: a flag line is any line that starts with blanks and
# a dash, its flags the "-x"/"--name" words before the description, in whatever order and
# layout ("-b, --bundle PATH" or "--bundle PATH, -b PATH").  The pages are parsed from their
# source: under a heading ("# GLOBAL OPTIONS", "## create"), every "*--flag*" of a line that
# starts with "*-".

RUNTIME=${RUNTIME:-$BATS_TEST_DIRNAME/../../berth}
SHIM=${SHIM:-$BATS_TEST_DIRNAME/../../berth-shim}
DOCK=${DOCK:-$BATS_TEST_DIRNAME/../../dock}
MAN=$BATS_TEST_DIRNAME/../../man

# The flags of --help texts, one a line, sorted, without -h/--help: of stdin, or of the files
# given, each line then "FILE-NAME FLAG".
help_flags() {
	awk 'FNR == 1 { name = FILENAME; sub(/.*\//, "", name); name = (FILENAME == "-" || FILENAME == "") ? "" : name " " }
		/^[ \t]+-[-A-Za-z0-9]/ {
		s = $0; sub(/^[ \t]+/, "", s)
		while (match(s, /^--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
			f = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
			if (f != "-h" && f != "--help") print name f
			if (match(s, /^[ =][^ ,-][^ ,]*/)) s = substr(s, RLENGTH + 1)
			if (match(s, /^, */)) s = substr(s, RLENGTH + 1); else break
		}
	}' "$@" | sort -u
}

# The flags page $1 documents under heading $2 ("# GLOBAL OPTIONS", "## create"), likewise;
# without $2, those under every "## " heading, each line then "HEADING FLAG".
man_flags() {
	awk -v h="${2-}" '/^#+ / { cur = $0; sect = $0; sub(/^#+ /, "", sect); next }
		(h == "" ? cur ~ /^## / : cur == h) && /^\*-/ {
			s = $0
			while (match(s, /\*-[^*]+\*/)) {
				f = substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
				if (f != "-h" && f != "--help") print (h == "" ? sect " " : "") f
			}
		}' "$1" | sort -u
}

# The "## " headings of page $1 under "# $2".
man_subsections() {
	awk -v h="# $2" '/^# / { in_ = ($0 == h); next } in_ && /^## / { sub(/^## /, ""); print }' "$1" | sort
}

# The commands a --help on stdin lists: the first word of each line under a "Commands:" or
# "COMMANDS:" heading (any case, "Management Commands:" too), up to a blank line.
help_commands() {
	awk 'tolower($0) ~ /^[a-z ]*commands:$/ { on = 1; next } on && /^[ \t]*$/ { on = 0 } on { sub(/,$/, "", $1); print $1 }'
}

# compare WHAT: the help's flags (file $2) against the page's (file $3)
compare() {
	if ! diff -u --label "$1: --help" --label "$1: man page" "$2" "$3"; then
		echo "# $1: the man page and --help list different flags (- only in --help, + only in the page)"
		return 1
	fi
}

need_berth() {
	[[ $("$RUNTIME" --version 2>/dev/null | head -1) == berth* ]] || skip "RUNTIME is not berth"
}

@test "man: every page builds with scdoc and mandoc finds no error" {
	command -v scdoc >/dev/null || skip "scdoc is not installed (apt-get install scdoc)"
	command -v mandoc >/dev/null || skip "mandoc is not installed (apt-get install mandoc)"
	local n=0
	for src in "$MAN"/*.scd; do
		scdoc <"$src" >"$BATS_TEST_TMPDIR/page"
		mandoc -T lint -W error "$BATS_TEST_TMPDIR/page" || { echo "# mandoc: ${src##*/}"; return 1; }
		# the page's name and section are its file's
		local base=${src##*/} && base=${base%.scd}
		head -1 "$src" | grep -qxF "${base%.*}(${base##*.})" || { echo "# ${src##*/}: first line"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -eq 3 ]
}

@test "man: berth(8) documents every command and global flag --help lists, and no other" {
	need_berth
	local page=$MAN/berth.8.scd
	"$RUNTIME" --help | help_commands | sort >"$BATS_TEST_TMPDIR/cmds"
	[ -s "$BATS_TEST_TMPDIR/cmds" ]
	man_subsections "$page" COMMANDS >"$BATS_TEST_TMPDIR/man-cmds"
	diff -u --label "berth --help" --label "berth(8)" "$BATS_TEST_TMPDIR/cmds" "$BATS_TEST_TMPDIR/man-cmds"
	"$RUNTIME" --help | help_flags >"$BATS_TEST_TMPDIR/h"
	man_flags "$page" "# GLOBAL OPTIONS" >"$BATS_TEST_TMPDIR/m"
	[ -s "$BATS_TEST_TMPDIR/h" ]
	compare "berth (global)" "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/m"
}

@test "man: berth(8) lists each command's flags as its --help does" {
	need_berth
	local page=$MAN/berth.8.scd bad=0 c
	for c in $("$RUNTIME" --help | help_commands); do
		[ "$c" = help ] && continue
		"$RUNTIME" "$c" --help | help_flags >"$BATS_TEST_TMPDIR/h"
		man_flags "$page" "## $c" >"$BATS_TEST_TMPDIR/m"
		compare "berth $c" "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/m" || bad=1
	done
	[ "$bad" -eq 0 ]
}

@test "man: berth-shim(8) lists the flags its --help does" {
	[[ -x $SHIM ]] || skip "no berth-shim at $SHIM"
	"$SHIM" --help | help_flags >"$BATS_TEST_TMPDIR/h"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/h")" -gt 30 ]
	man_flags "$MAN/berth-shim.8.scd" "# OPTIONS" >"$BATS_TEST_TMPDIR/m"
	compare berth-shim "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/m"
}

# dock's commands, each under the name its own usage line gives ("dock container ls" is
# "dock ps"): the top-level commands, and the subcommands of those that list some.  Their
# --help texts are saved once, in $BATS_FILE_TMPDIR/dock/NAME (about 130 runs of dock).
setup_file() {
	[[ -x $DOCK ]] || return 0
	local d=$BATS_FILE_TMPDIR/dock c s name
	mkdir -p "$d"
	"$DOCK" --help >"$d/-top"
	for c in $(help_commands <"$d/-top"); do
		echo "$c"
		for s in $("$DOCK" "$c" --help | help_commands); do echo "$c $s"; done
	done >"$d/-all"
	while read -r c; do
		# shellcheck disable=SC2086
		"$DOCK" $c --help >"$d/-one"
		name=$(awk '/^Usage:/ { n = ""; for (i = 3; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) n = n (n ? " " : "") $i; print n; exit }' "$d/-one")
		[ -n "$name" ] && mv "$d/-one" "$d/$name"
	done <"$d/-all"
}

dock_commands() {
	(cd "$BATS_FILE_TMPDIR/dock" && ls | grep -v '^-')
}

@test "man: dock(1) documents every command and global flag --help lists, and no other" {
	[[ -x $DOCK ]] || skip "no dock at $DOCK"
	local page=$MAN/dock.1.scd
	dock_commands >"$BATS_TEST_TMPDIR/cmds"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/cmds")" -gt 60 ]
	man_subsections "$page" COMMANDS >"$BATS_TEST_TMPDIR/man-cmds"
	diff -u --label "dock --help" --label "dock(1)" "$BATS_TEST_TMPDIR/cmds" "$BATS_TEST_TMPDIR/man-cmds"
	help_flags <"$BATS_FILE_TMPDIR/dock/-top" >"$BATS_TEST_TMPDIR/h"
	man_flags "$page" "# GLOBAL OPTIONS" >"$BATS_TEST_TMPDIR/m"
	compare "dock (global)" "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/m"
}

@test "man: dock(1) lists each command's flags as its --help does" {
	[[ -x $DOCK ]] || skip "no dock at $DOCK"
	# one pass over every help text and one over the page: dock has ~85 commands
	local cmds
	mapfile -t cmds < <(dock_commands)
	(cd "$BATS_FILE_TMPDIR/dock" && help_flags "${cmds[@]}") >"$BATS_TEST_TMPDIR/h"
	man_flags "$MAN/dock.1.scd" >"$BATS_TEST_TMPDIR/m"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/h")" -gt 300 ]
	compare "dock COMMAND" "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/m"
}

@test "man: the flag parser reads both --help layouts (this one and runc's)" {
	printf '%s\n' 'Flags:' '  -b, --bundle PATH              bundle directory' '      --pid-file PATH  x, -y' \
		'  -f, --format table|json   out' '      --project-directory string Specify -z' '  -0, --persist-dir VALUE  d' |
		help_flags >"$BATS_TEST_TMPDIR/a"
	printf '%s\n' 'OPTIONS:' '   --bundle PATH, -b PATH  bundle directory' '   --pid-file PATH         x, -y' \
		'   --format table|json, -f table|json  out' '   --project-directory string  Specify -z' '   --persist-dir VALUE, -0 VALUE' \
		'   --help, -h  show this help' 'NAME:' '   berth - -q not a flag line' |
		help_flags >"$BATS_TEST_TMPDIR/b"
	printf '%s\n' --bundle --format --persist-dir --pid-file --project-directory -0 -b -f | sort >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/a"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/b"
}
