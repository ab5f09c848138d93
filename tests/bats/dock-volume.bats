#!/usr/bin/env bats
# dock volume create|ls|inspect|rm|prune, against docker's behaviour.  Containers do not run
# here: a container that uses a volume is a record ROOT/containers/<id>/meta.json with the
# "Mounts" docker's inspect shows, which is what dock's container code writes.

load dock-helpers

# no image is needed: skip the image archives dock_setup_file builds
setup_file() {
	[[ -x $DOCK ]]
}

# dock-helpers' dk closes fds > 2 in a loop redirected 2>/dev/null, which closes bash's saved
# copy of stderr too: dock's messages are lost.  Until the helper is fixed, the same dk with the
# redirection on each close.
dk() {
	local g=(--root "$DROOT" --runroot "$DRUN")
	[[ -n $DOCK_RUNTIME ]] && g+=(--runtime "$DOCK_RUNTIME")
	[[ -n $DOCK_SHIM ]] && g+=(--shim "$DOCK_SHIM")
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		exec timeout -k 5 "${DK_TIMEOUT:-60}" "$DOCK" "${g[@]}" "$@"
	)
}

# fake_container ID VOLUME…: a container record whose Mounts use the volumes
fake_container() {
	local id=$1 mounts="" v
	shift
	for v in "$@"; do
		mounts+="${mounts:+,}{\"Type\":\"volume\",\"Name\":\"$v\",\"Source\":\"$DROOT/volumes/$v/_data\",\"Destination\":\"/$v\",\"Driver\":\"local\",\"Mode\":\"z\",\"RW\":true,\"Propagation\":\"\"}"
	done
	mkdir -p "$DROOT/containers/$id"
	echo "{\"Id\":\"$id\",\"Mounts\":[$mounts]}" >"$DROOT/containers/$id/meta.json"
}

# the containers are fakes: dock_teardown's `rm -f` must not see them.
# dock_teardown's process scan (grep -l -F "$T/" /proc/*/cmdline) also finds that grep itself,
# gone by the time it is reported: until the helper skips it, keep only processes still alive.
teardown() {
	rm -rf "$DROOT/containers"
	grep() {
		local f
		for f in $(command grep "$@"); do
			[[ -e $f ]] && echo "$f"
		done
	}
	dock_teardown
	local st=$?
	unset -f grep
	return $st
}

@test "volume create prints the name; an existing name is returned as it is" {
	run dk volume create v1
	assert_success
	[[ $output == v1 ]]
	created=$(dk volume inspect v1 | jq -r '.[0].CreatedAt')
	sleep 1.1
	run dk volume create v1
	assert_success
	[[ $output == v1 ]]
	[[ $(dk volume inspect v1 | jq -r '.[0].CreatedAt') == "$created" ]]
	[[ $(dk volume ls -q) == v1 ]]
}

@test "volume create without a name: 64 random hex digits" {
	run dk volume create
	assert_success
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	run dk volume create
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	[[ $(dk volume ls -q | wc -l) -eq 2 ]]
	# --name, docker's hidden spelling, names it too
	run dk volume create --name v9
	assert_success
	[[ $output == v9 ]]
}

@test "volume names with bad characters are refused" {
	for bad in a/b a .hidden -dash 'sp ace' '../x' 'a:b' "$(printf 'x\ty')"; do
		run dk volume create -- "$bad"
		assert_failure 125
		assert_output_has "includes invalid characters for a local volume name"
	done
	run dk volume create ab
	assert_success
	run dk volume create "A0_.-z"
	assert_success
	[[ $(dk volume ls -q | wc -l) -eq 2 ]]
	[[ -z $(ls -A "$DROOT/volumes" | grep -v -e '^ab$' -e '^A0_.-z$') ]]
}

@test "volume create: driver and options" {
	run dk volume create -d nosuchdriver v1
	assert_failure 125
	assert_output_has 'plugin "nosuchdriver" not found'
	run dk volume create --opt foo=bar v1
	assert_failure 125
	assert_output_has 'invalid option: "foo"'
	run dk volume create --opt type=tmpfs v1
	assert_failure 125
	assert_output_has 'missing required option: "device"'
	[[ -z $(dk volume ls -q) ]]
	run dk volume create -d local --opt type=tmpfs --opt device=tmpfs -o o=size=1m v1
	assert_success
	run dk volume inspect v1
	[[ $(echo "$output" | jq -c '.[0].Options') == '{"type":"tmpfs","device":"tmpfs","o":"size=1m"}' ]]
}

@test "volume ls: docker's table, sorted by name in natural order" {
	for v in v10 v2 abc; do dk volume create $v >/dev/null; done
	run dk volume ls
	assert_success
	expected=$'DRIVER    VOLUME NAME\nlocal     abc\nlocal     v2\nlocal     v10'
	[[ $output == "$expected" ]] || {
		echo "$output" | cat -A >&2
		false
	}
	run dk volume ls -q
	[[ $output == $'abc\nv2\nv10' ]]
	run dk volume list --quiet
	[[ $output == $'abc\nv2\nv10' ]]
}

@test "volume ls --filter: name, label, dangling, driver" {
	dk volume create --label env=prod --label tier web >/dev/null
	dk volume create --label env=dev db >/dev/null
	dk volume create cache >/dev/null
	fake_container c1 db

	run dk volume ls -q --filter label=env
	[[ $output == $'db\nweb' ]]
	run dk volume ls -q --filter label=env=prod
	[[ $output == web ]]
	# several labels must all match
	run dk volume ls -q --filter label=env --filter label=tier
	[[ $output == web ]]
	run dk volume ls -q --filter name=we
	[[ $output == web ]]
	# several names: any
	run dk volume ls -q --filter name=web --filter name=cache
	[[ $output == $'cache\nweb' ]]
	run dk volume ls -q --filter name='^c'
	[[ $output == cache ]]
	run dk volume ls -q --filter dangling=true
	[[ $output == $'cache\nweb' ]]
	run dk volume ls -q -f dangling=false
	[[ $output == db ]]
	run dk volume ls -q --filter driver=local --filter label=env=dev
	[[ $output == db ]]
	run dk volume ls -q --filter driver=other
	[[ -z $output ]]

	run dk volume ls --filter bogus=1
	assert_failure 125
	assert_output_has "invalid filter 'bogus'"
	run dk volume ls --filter dangling=maybe
	assert_failure 125
	assert_output_has "invalid filter 'dangling=maybe'"
	run dk volume ls --filter nokey
	assert_failure 125
	assert_output_has "bad format of filter"
}

@test "volume inspect: docker's fields, 4-space JSON, several names" {
	dk volume create --label a=b --opt type=tmpfs --opt device=tmpfs v1 >/dev/null
	dk volume create v2 >/dev/null
	run dk volume inspect v1
	assert_success
	[[ $(echo "$output" | sed -n 3p) == '        "CreatedAt": '* ]]
	[[ $(echo "$output" | jq -r '.[0] | keys | join(",")') == CreatedAt,Driver,Labels,Mountpoint,Name,Options,Scope ]]
	[[ $(echo "$output" | jq -r '.[0].Name') == v1 ]]
	[[ $(echo "$output" | jq -r '.[0].Driver') == local ]]
	[[ $(echo "$output" | jq -r '.[0].Scope') == local ]]
	[[ $(echo "$output" | jq -r '.[0].Labels.a') == b ]]
	[[ $(echo "$output" | jq -r '.[0].Mountpoint') == "$DROOT/volumes/v1/_data" ]]
	[[ -d $DROOT/volumes/v1/_data ]]
	[[ $(echo "$output" | jq -r '.[0].CreatedAt') =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$ ]]

	run dk volume inspect v2 v1
	assert_success
	[[ $(echo "$output" | jq -r '.[].Name' | tr '\n' ' ') == "v2 v1 " ]]

	run dk volume inspect v1 nosuch
	assert_failure 1
	assert_output_has "no such volume"
	run dk volume inspect nosuch
	assert_failure 1
	assert_output_has "get nosuch: no such volume"
}

@test "volume rm: removes, refuses a volume in use (even with -f), unknown names" {
	dk volume create v1 >/dev/null
	dk volume create v2 >/dev/null
	echo data >"$DROOT/volumes/v1/_data/file"
	fake_container c0ffee v2
	run dk volume rm v1
	assert_success
	[[ $output == v1 ]]
	[[ ! -e $DROOT/volumes/v1 ]]

	run dk volume rm v2
	assert_failure 1
	assert_output_has "remove v2: volume is in use - [c0ffee]"
	run dk volume rm -f v2
	assert_failure 1
	assert_output_has "volume is in use"
	[[ -d $DROOT/volumes/v2/_data ]]

	run dk volume rm nosuch
	assert_failure 1
	assert_output_has "no such volume"
	run dk volume rm -f nosuch
	assert_success

	# the container gone, the volume goes
	rm -rf "$DROOT/containers/c0ffee"
	run dk volume rm v2
	assert_success
	[[ -z $(dk volume ls -q) ]]
	[[ -z $(ls -A "$DROOT/volumes") ]]
}

@test "volume rm: several names, the good ones are removed" {
	dk volume create v1 >/dev/null
	dk volume create v3 >/dev/null
	run dk volume remove v1 nosuch v3
	assert_failure 1
	[[ $(echo "$output" | grep -v 'no such' | tr '\n' ' ') == "v1 v3 " ]]
	[[ -z $(dk volume ls -q) ]]
}

@test "volume prune: anonymous volumes only, -a for all unused, never one in use" {
	dk volume create named >/dev/null
	anon1=$(dk volume create --label com.docker.volume.anonymous=)
	anon2=$(dk volume create --label com.docker.volume.anonymous=)
	dk volume create used >/dev/null
	head -c 2000 /dev/zero >"$DROOT/volumes/$anon1/_data/f"
	mkdir "$DROOT/volumes/$anon1/_data/d"
	head -c 48 /dev/zero >"$DROOT/volumes/$anon1/_data/d/g"
	fake_container c1 "$anon2" used

	run dk volume prune -f
	assert_success
	expected="Deleted Volumes:
$anon1

Total reclaimed space: 2.048kB"
	[[ $output == "$expected" ]] || {
		echo "$output" >&2
		false
	}
	[[ $(dk volume ls -q | sort | tr '\n' ' ') == "$(printf '%s\n' "$anon2" named used | sort | tr '\n' ' ')" ]]

	run dk volume prune -f
	[[ $output == "Total reclaimed space: 0B" ]]

	run dk volume prune -f -a
	assert_success
	[[ $output == $'Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B' ]]
	[[ $(dk volume ls -q | sort | tr '\n' ' ') == "$(printf '%s\n' "$anon2" used | sort | tr '\n' ' ')" ]]
}

@test "volume prune: --filter label, --filter all, and the prompt" {
	dk volume create --label keep=yes k1 >/dev/null
	dk volume create --label keep=no k2 >/dev/null
	dk volume create k3 >/dev/null
	run dk volume prune -f --filter all=true --filter label=keep=no
	assert_success
	[[ $output == $'Deleted Volumes:\nk2\n\nTotal reclaimed space: 0B' ]]
	run dk volume prune -f -a --filter 'label!=keep'
	[[ $output == $'Deleted Volumes:\nk3\n\nTotal reclaimed space: 0B' ]]
	run dk volume prune -f --filter name=k1
	assert_failure 125
	assert_output_has "invalid filter 'name'"

	# without -f: asks, and "n" (or no answer) keeps everything
	run bash -c 'echo n | timeout 30 "$1" --root "$2" --runroot "$3" volume prune -a' _ "$DOCK" "$DROOT" "$DRUN"
	assert_success
	assert_output_has "Are you sure you want to continue? [y/N]"
	[[ $(dk volume ls -q) == k1 ]]
	run bash -c 'echo y | timeout 30 "$1" --root "$2" --runroot "$3" volume prune -a' _ "$DOCK" "$DROOT" "$DRUN"
	assert_success
	assert_output_has "k1"
	[[ -z $(dk volume ls -q) ]]
}

# the store is made first: the concurrent first use of an empty store is store.c's business
# (and races on oci-layout's temporary file today)
@test "concurrent creates of one name make one volume" {
	local pids=() i
	dk volume ls >/dev/null
	for i in $(seq 1 12); do
		dk volume create --label n=$i same >"$T/out.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
	done
	for i in $(seq 1 12); do
		[[ $(cat "$T/out.$i") == same ]] || {
			cat "$T/out.$i" >&2
			false
		}
	done
	[[ $(dk volume ls -q) == same ]]
	# one creator won: its label is the one kept, and meta.json is whole JSON
	jq -e '.Labels.n | test("^[0-9]+$")' "$DROOT/volumes/same/meta.json"
	[[ -z $(ls -A "$DROOT/volumes" | grep -v '^same$') ]]
}

@test "concurrent creates of different names lose none" {
	local pids=() i
	dk volume ls >/dev/null
	for i in $(seq 1 12); do
		dk volume create "par$i" >/dev/null &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
	done
	[[ $(dk volume ls -q | wc -l) -eq 12 ]]
}

@test "volume --help and argument counts" {
	run dk volume create --help
	assert_success
	assert_output_has "Usage:  dock volume create"
	run dk volume inspect
	assert_failure 125
	assert_output_has "requires at least 1 argument"
	run dk volume rm
	assert_failure 125
	run dk volume ls extra
	assert_failure 125
	run dk volume create a1 a2
	assert_failure 125
}

# every mutation happens under ROOT/lock: while another process holds it, create, rm and prune
# wait (and what they do shows only after)
@test "volume create, rm and prune wait for the store lock" {
	command -v flock >/dev/null || skip "no flock(1)"
	dk volume create gone >/dev/null
	local cmd
	for cmd in "volume create w1" "volume rm gone" "volume prune -f -a"; do
		flock -x "$DROOT/lock" sleep 1.5 &
		local holder=$!
		sleep 0.3
		local t0=$(date +%s%N)
		run dk $cmd
		local ms=$((($(date +%s%N) - t0) / 1000000))
		wait $holder
		assert_success
		((ms >= 1000)) || {
			echo "# '$cmd' took ${ms}ms: it did not wait for the lock" >&2
			false
		}
	done
}
