# bash completion for dock, berth's daemonless docker front-end.
#
# Installed as $(datadir)/bash-completion/completions/dock; or `source` it by hand.
# Commands and flags are read from the dock being completed (`dock --help`, `dock CMD --help`),
# so they never drift from the binary; names come from the store the command line names
# (--root/--runroot given before the command are passed on):
#   containers  dock ps -a --format '{{.Names}}'   (running ones only where only those fit)
#   images      dock images --format '{{.Repository}}:{{.Tag}}'
#   volumes     dock volume ls --format '{{.Name}}'
# IDs are offered when the word typed so far matches no name (docker's completion hides them too).

# dock with the global flags of the line being completed; errors never reach the terminal
_dock_q() {
	"${_dock_bin[@]}" "$@" 2>/dev/null
}

# the commands listed by `dock [GROUP] --help` (under "Commands:" / "Management Commands:")
_dock_commands() {
	local line in=0
	while IFS= read -r line; do
		case $line in
		*Commands:) in=1 ;;
		"") ;;
		"  "[a-z]*) ((in)) && { line=${line#  }; echo "${line%% *}"; } ;;
		*) in=0 ;;
		esac
	done < <(_dock_q "$@" --help)
}

# _dock_flags CMD… : sets _dock_flag_list (every flag) and _dock_flag_args (" --x -y " of the
# flags that take a value), from the command's usage
_dock_flags() {
	_dock_flag_list=(--help)
	_dock_flag_args=" "
	local line re='^ +(-([a-zA-Z0-9]), )?--([a-z0-9-]+)( ([a-z0-9]+))?  +'
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		_dock_flag_list+=("--${BASH_REMATCH[3]}")
		[[ -n ${BASH_REMATCH[2]} ]] && _dock_flag_list+=("-${BASH_REMATCH[2]}")
		if [[ -n ${BASH_REMATCH[5]} ]]; then
			_dock_flag_args+="--${BASH_REMATCH[3]} "
			[[ -n ${BASH_REMATCH[2]} ]] && _dock_flag_args+="-${BASH_REMATCH[2]} "
		fi
	done < <(_dock_q "$@" --help)
}

# names (and, when the word matches no name, IDs) of containers; $1 "running" for live ones only
_dock_containers() {
	local all=-a
	[[ $1 == running ]] && all=
	local names
	names=$(_dock_q ps $all --format '{{.Names}}')
	echo "$names"
	if [[ -n $_dock_cur && $'\n'$names != *$'\n'"$_dock_cur"* ]]; then
		_dock_q ps $all --format '{{.ID}}'
	fi
}

_dock_images() {
	local refs
	refs=$(_dock_q images --format '{{.Repository}}:{{.Tag}}' | grep -v '^<none>:<none>$')
	echo "$refs"
	if [[ -n $_dock_cur && $'\n'$refs != *$'\n'"$_dock_cur"* ]]; then
		_dock_q images -q
	fi
}

_dock_volumes() {
	_dock_q volume ls --format '{{.Name}}'
}

_dock_networks() {
	_dock_q network ls --format '{{.Name}}'
}

# COMPREPLY from candidates (one per line) matching the word; bash splits words at ':' and '='
# (COMP_WORDBREAKS), so what it replaces is only the part after the last of them
_dock_reply() {
	local IFS=$'\n' c
	COMPREPLY=()
	for c in $1; do
		[[ $c == "$_dock_cur"* ]] && COMPREPLY+=("${c#"$_dock_pre"}")
	done
}

_dock_reply_files() {
	mapfile -t COMPREPLY < <(compgen -f -- "$_dock_cur")
	compopt -o filenames 2>/dev/null
}

# values of a flag that takes one
_dock_flag_value() {
	case $1 in
	--root | --runroot)
		mapfile -t COMPREPLY < <(compgen -d -- "$_dock_cur")
		compopt -o filenames 2>/dev/null
		;;
	--runtime | --shim | -i | --input | -o | --output | --env-file | --cidfile | --label-file)
		_dock_reply_files
		;;
	--storage-driver) _dock_reply $'overlay\nvfs' ;;
	-l | --log-level) _dock_reply $'debug\ninfo\nwarn\nerror\nfatal' ;;
	--restart) _dock_reply $'no\nalways\non-failure\nunless-stopped' ;;
	--network | --net) _dock_reply "$(_dock_networks; _dock_containers | sed 's/^/container:/')" ;;
	-d | --driver) _dock_reply $'bridge\nmacvlan' ;;
	--volumes-from) _dock_reply "$(_dock_containers)" ;;
	-s | --signal) _dock_reply $'KILL\nTERM\nINT\nHUP\nQUIT\nUSR1\nUSR2\nSTOP\nCONT' ;;
	--type) _dock_reply $'container\nimage\nvolume' ;;
	--progress) _dock_reply $'plain\ntty' ;;
	*) COMPREPLY=() ;;
	esac
}

# what the n-th (from 0) argument of a command is: container, running, image, volume, object,
# cp, files, or nothing
_dock_arg_kind() {
	local cmd=$1 n=$2
	case $cmd in
	start | rm | logs | port | diff | export | update | wait | rename | restart | inspect-container | stats)
		[[ $cmd == rename && $n -gt 0 ]] && return
		echo container
		;;
	stop | kill | pause | unpause | top | exec | attach)
		[[ ($cmd == exec || $cmd == top) && $n -gt 0 ]] && return
		echo running
		;;
	commit) ((n == 0)) && echo container || echo image ;;
	run | create) ((n == 0)) && echo image ;;
	build | image-build) ((n == 0)) && echo files ;;
	rmi | history | save | inspect-image) echo image ;;
	tag) ((n <= 1)) && echo image ;;
	inspect) echo object ;;
	cp) ((n <= 1)) && echo cp ;;
	volume-inspect | volume-rm) echo volume ;;
	network-inspect | network-rm) echo network ;;
	network-connect | network-disconnect) ((n == 0)) && echo network || { ((n == 1)) && echo container; } ;;
	esac
}

_dock() {
	local -a words
	local cword
	if [[ -n ${COMP_LINE-} ]]; then
		# the words as the shell sees them (blanks only), not split at ':' and '='
		local line=${COMP_LINE:0:COMP_POINT}
		read -ra words <<<"$line"
		[[ $line == *[[:blank:]] || ${#words[@]} -eq 0 ]] && words+=("")
		cword=$((${#words[@]} - 1))
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	_dock_cur=${words[cword]}
	_dock_pre=""
	[[ $_dock_cur == *[:=]* && -n ${COMP_LINE-} && $COMP_WORDBREAKS == *:* ]] && _dock_pre=${_dock_cur%"${_dock_cur##*[:=]}"}
	local prev=""
	((cword > 0)) && prev=${words[cword - 1]}

	# global flags, then the command (and a management command's subcommand)
	_dock_bin=("${words[0]}")
	local i=1 cmd="" sub=""
	while ((i < cword)); do
		case ${words[i]} in
		--root | --runroot | --runtime | --shim | --storage-driver | --log-level | -l)
			_dock_bin+=("${words[i]}" "${words[i + 1]}")
			((i += 2))
			;;
		-*)
			_dock_bin+=("${words[i]}")
			((i++))
			;;
		*)
			cmd=${words[i]}
			((i++))
			break
			;;
		esac
	done
	if [[ -z $cmd ]]; then
		case $prev in
		--root | --runroot | --runtime | --shim | --storage-driver | --log-level | -l)
			_dock_flag_value "$prev"
			return
			;;
		esac
		if [[ $_dock_cur == -* ]]; then
			_dock_flags
			_dock_reply "$(printf '%s\n' "${_dock_flag_list[@]}" --version)"
		else
			_dock_reply "$(_dock_commands)"
		fi
		return
	fi
	case $cmd in
	container | image | volume | network | system)
		if ((i >= cword)); then
			if [[ $_dock_cur == -* ]]; then
				_dock_reply "--help"
			else
				_dock_reply "$(_dock_commands "$cmd")"
			fi
			return
		fi
		sub=${words[i]}
		((i++))
		;;
	esac

	local -a path=("$cmd")
	[[ -n $sub ]] && path+=("$sub")
	_dock_flags "${path[@]}"
	if [[ $_dock_flag_args == *" $prev "* ]] && [[ $prev == -* ]]; then
		_dock_flag_value "$prev"
		return
	fi
	if [[ $_dock_cur == -* ]]; then
		_dock_reply "$(printf '%s\n' "${_dock_flag_list[@]}")"
		return
	fi

	# the management forms name the same arguments as the short ones
	local key=$cmd
	case $cmd/$sub in
	container/ls | container/list | container/ps | container/prune | image/ls | image/list | image/prune | \
		image/load | volume/ls | volume/list | volume/prune | volume/create | system/*) key="" ;;
	network/ls | network/list | network/prune | network/create) key="" ;;
	network/rm | network/remove) key=network-rm ;;
	network/*) key=network-$sub ;;
	container/inspect) key=inspect-container ;;
	container/*) key=$sub ;;
	image/rm) key=rmi ;;
	image/inspect) key=inspect-image ;;
	image/*) key=$sub ;;
	volume/inspect) key=volume-inspect ;;
	volume/rm | volume/remove) key=volume-rm ;;
	esac
	[[ -z $key ]] && {
		COMPREPLY=()
		return
	}

	# which argument this is: words after the command that are neither flags nor their values
	local n=0
	while ((i < cword)); do
		if [[ ${words[i]} == -* ]]; then
			[[ ${words[i]} != *=* && $_dock_flag_args == *" ${words[i]} "* ]] && ((i++))
		else
			((n++))
		fi
		((i++))
	done
	case $(_dock_arg_kind "$key" "$n") in
	container) _dock_reply "$(_dock_containers)" ;;
	running) _dock_reply "$(_dock_containers running)" ;;
	image) _dock_reply "$(_dock_images)" ;;
	volume) _dock_reply "$(_dock_volumes)" ;;
	network) _dock_reply "$(_dock_networks)" ;;
	object) _dock_reply "$(_dock_containers; _dock_images; _dock_volumes)" ;;
	cp)
		# CONTAINER:PATH, or a local path
		if [[ $_dock_cur == *:* ]]; then
			COMPREPLY=()
		else
			_dock_reply "$(_dock_containers | sed 's/$/:/')"
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$_dock_cur")
			compopt -o nospace 2>/dev/null
		fi
		;;
	*) COMPREPLY=() ;;
	esac
}

complete -F _dock dock
