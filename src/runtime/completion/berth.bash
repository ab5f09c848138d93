# bash completion for berth, the OCI runtime.
#
# Installed as $(datadir)/bash-completion/completions/berth; or `source` it by hand.
# Commands and flags are read from the berth being completed (`berth --help`,
# `berth CMD --help`, in either help layout: "-b, --bundle PATH" or "--bundle PATH, -b PATH"),
# so they never drift from the binary.  Container IDs come from `berth list -q` under the
# --root given on the line.

# berth with the line's --root; errors never reach the terminal
_berth_q() {
	"${_berth_bin[@]}" "$@" 2>/dev/null
}

# the commands under "Commands:" / "COMMANDS:" in `berth --help`
_berth_commands() {
	_berth_q --help | awk 'tolower($0) ~ /^[a-z ]*commands:$/ { on = 1; next }
		on && /^[ \t]*$/ { on = 0 } on { sub(/,$/, "", $1); print $1 }'
}

# "FLAG ARG" for each flag of `berth [CMD] --help` (ARG empty for a flag without a value)
_berth_flags() {
	_berth_q "$@" --help | awk '/^[ \t]+-[-A-Za-z0-9]/ {
		s = $0; sub(/^[ \t]+/, "", s)
		while (match(s, /^--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
			f = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1); a = ""
			if (match(s, /^[ =][^ ,-][^ ,]*/)) { a = substr(s, 2, RLENGTH - 1); s = substr(s, RLENGTH + 1) }
			print f, a
			if (match(s, /^, */)) s = substr(s, RLENGTH + 1); else break
		}
	}'
}

_berth() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i cmd="" root=() w
	_berth_bin=("${COMP_WORDS[0]}")
	# the command is the first word that is not a global flag or its value
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--root | --log | --log-format | --criu | --rootless)
			[[ $w == --root ]] && root=(--root "${COMP_WORDS[i + 1]}")
			((i++))
			;;
		--root=*) root=(--root "${w#--root=}") ;;
		-*) ;;
		*) cmd=$w && break ;;
		esac
	done
	_berth_bin+=("${root[@]}")

	# a flag's value
	local arg
	arg=$(_berth_flags $cmd | awk -v p="$prev" '$1 == p { print $2; exit }')
	if [[ -n $arg ]]; then
		case $prev in
		--format | -f) mapfile -t COMPREPLY < <(compgen -W "table json" -- "$cur") ;;
		--log-format) mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur") ;;
		--bundle | -b | --root | --cwd) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
		*) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		esac
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_berth_flags $cmd | awk '{ print $1 }')" -- "$cur")
	elif [[ -z $cmd ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_berth_commands)" -- "$cur")
	elif [[ $cmd == help ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_berth_commands)" -- "$cur")
	elif [[ $cmd == kill && $prev != kill && $prev != -* ]] && _berth_q list -q | grep -qxF -- "$prev"; then
		# kill ID SIGNAL
		mapfile -t COMPREPLY < <(compgen -W "$(kill -l | tr -s ' \t' '\n' | grep -E '^SIG' | sed 's/^SIG//')" -- "$cur")
	elif [[ $cmd != spec && $cmd != features && $cmd != list ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_berth_q list -q)" -- "$cur")
	fi
}
complete -F _berth berth
