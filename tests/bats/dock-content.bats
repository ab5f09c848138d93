#!/usr/bin/env bats
# dock's commands on a container's contents and resources: stats, cp (both ways, tar streams,
# docker's path rules, hostile symlinks in the container), diff, export, commit, update.

load dock-helpers

setup() {
	dock_setup
	# the real busybox image once the image store is in; the temporary stand-in needs nothing
	dk_load 2>/dev/null || true
}

# ctr_pid NAME: the container's init on the host
ctr_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }

# ctr_cg NAME CONTROLLER V1FILE V2FILE: a file of the container's cgroup, read on the host
ctr_cg() {
	local pid p
	pid=$(ctr_pid "$1")
	if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then
		p=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		cat "/sys/fs/cgroup$p/$4"
	else
		p=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
		cat "/sys/fs/cgroup/$2$p/$3"
	fi
}

# mib "12.5MiB" → 12 (whole MiB, for comparisons); KiB and B count as 0
mib() {
	case $1 in
	*GiB) echo $((${1%%.*} * 1024)) ;;
	*MiB) echo "${1%%[.M]*}" ;;
	*) echo 0 ;;
	esac
}

# ---------------------------------------------------------------- stats

@test "stats --no-stream: docker's columns, one row per running container" {
	dk run -d --name s1 busybox sleep 1000 >/dev/null
	dk run -d --name s2 busybox sleep 1000 >/dev/null
	run dk stats --no-stream
	assert_success
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	[[ ${#lines[@]} -eq 3 ]]
	local row
	row=$(grep ' s1 ' <<<"$output")
	[[ $row =~ ^[0-9a-f]{12}\ +s1\ +[0-9.]+%\ +[0-9.]+[KMG]?i?B\ /\ [0-9.]+[KMG]iB\ +[0-9.]+%\ +[0-9.]+[kMG]?B\ /\ [0-9.]+[kMG]?B\ +[0-9.]+[kMG]?B\ /\ [0-9.]+[kMG]?B\ +1$ ]]
	# named containers, --no-trunc, and a template
	run dk stats --no-stream --no-trunc --format '{{.Container}} {{.Name}} {{.ID}} {{.PIDs}}' s2
	assert_success
	local id
	id=$(dk inspect -f '{{.Id}}' s2)
	[[ $output == "s2 s2 $id 1" ]]
	# a stopped container only with -a, all zeros
	dk stop -t 0 s1 >/dev/null
	run dk stats --no-stream --format '{{.Name}}'
	[[ $output == s2 ]]
	run dk stats --no-stream -a --format '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}'
	assert_success
	[[ $output == *"s1|0.00%|0B / 0B|0"* ]]
	run dk stats --no-stream nosuch
	assert_failure 125
	assert_output_has "No such container: nosuch"
}

@test "stats: memory, pids and cpu follow what the container does" {
	dk run -d --name m busybox sh -c 'sleep 1000 & sleep 1000 & wait' >/dev/null
	sleep 0.3
	local before after
	before=$(dk stats --no-stream --format '{{.MemUsage}}' m)
	before=$(mib "${before%% *}")
	# 40 MiB in the container's tmpfs /dev/shm count against its memory cgroup
	dk exec m dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 2>/dev/null
	after=$(dk stats --no-stream --format '{{.MemUsage}}' m)
	after=$(mib "${after%% *}")
	echo "# before ${before}MiB after ${after}MiB" >&2
	((after - before >= 35))
	run dk stats --no-stream --format '{{.PIDs}}' m
	[[ $output -ge 3 ]]
	# a busy loop: well above zero CPU
	dk run -d --name c busybox sh -c 'while :; do :; done' >/dev/null
	run dk stats --no-stream --format '{{.CPUPerc}}' c
	assert_success
	echo "# cpu $output" >&2
	[[ ${output%.*} -ge 10 ]]
}

@test "stats streams: refreshes with the terminal cleared until interrupted" {
	dk run -d --name st busybox sleep 1000 >/dev/null
	timeout -s INT 3 "$DOCK" --root "$DROOT" --runroot "$DRUN" stats --format '{{.Name}}' >"$T/out" || true
	# one screen per second: at least two, each starting with a clear
	[[ $(grep -o $'\e\[2J\e\[H' "$T/out" | wc -l) -ge 2 ]]
	[[ $(grep -c 'st$' "$T/out") -ge 2 ]]
}

# ---------------------------------------------------------------- cp

# list_out CTR:PATH: the names in `dock cp CTR:PATH -`
list_out() { dk cp "$1" - | tar -tf -; }
# tar_in DIR NAME CTR:PATH: tar NAME from DIR into the container through `dock cp -`
tar_in() { tar -C "$1" -cf - "$2" | dk cp - "$3"; }

@test "cp: files and directories both ways keep content and modes" {
	dk run -d --name x busybox sleep 1000 >/dev/null
	mkdir -p "$T/src/sub/deep"
	printf 'hello\n' >"$T/src/a.txt"
	chmod 750 "$T/src/a.txt"
	head -c 300000 /dev/urandom >"$T/src/sub/big.bin"
	chmod 604 "$T/src/sub/big.bin"
	chmod 711 "$T/src/sub/deep"
	ln -s a.txt "$T/src/link"
	touch -d '2001-02-03 04:05:06' "$T/src/a.txt"

	# a file into an existing directory keeps its name
	dk cp "$T/src/a.txt" x:/tmp
	run dk exec x sh -c 'cat /tmp/a.txt; stat -c "%a %u:%g" /tmp/a.txt'
	assert_success
	[[ $output == $'hello\n750 0:0' ]]
	# a directory to a new name: the name becomes the copy
	dk cp "$T/src" x:/tmp/copy
	run dk exec x sh -c 'stat -c "%a" /tmp/copy/sub/big.bin /tmp/copy/sub/deep; readlink /tmp/copy/link'
	[[ $output == $'604\n711\na.txt' ]]
	# and back out: the same tree, byte for byte, modes and mtimes kept
	dk cp x:/tmp/copy "$T/back"
	diff -r --no-dereference "$T/src" "$T/back"
	[[ $(stat -c %a "$T/back/sub/big.bin") == 604 && $(stat -c %a "$T/back/sub/deep") == 711 ]]
	[[ $(stat -c %Y "$T/back/a.txt") == $(stat -c %Y "$T/src/a.txt") ]]
	[[ -L $T/back/link ]]
}

@test "cp: docker's rules for trailing slashes, /. and existing destinations" {
	dk run -d --name x busybox sh -c 'mkdir -p /d/in && echo one > /d/f && echo two > /d/in/g && sleep 1000' >/dev/null
	sleep 0.3
	# SRC dir, DEST exists: copied into it
	mkdir "$T/exists"
	dk cp x:/d "$T/exists"
	[[ -f $T/exists/d/in/g ]]
	# SRC dir ending in /. : its content into DEST
	mkdir "$T/content"
	dk cp x:/d/. "$T/content"
	[[ -f $T/content/f && -f $T/content/in/g && ! -e $T/content/d ]]
	# SRC file, DEST an existing file: overwritten
	echo old >"$T/file"
	dk cp x:/d/f "$T/file"
	[[ $(cat "$T/file") == one ]]
	# SRC file, DEST missing with a trailing slash: an error
	run dk cp x:/d/f "$T/nodir/"
	assert_failure 125
	[[ ! -e $T/nodir ]]
	# SRC dir, DEST a file: an error
	run dk cp x:/d "$T/file"
	assert_failure 125
	assert_output_has "cannot copy a directory to a file"
	# SRC file ending in / : not a directory
	run dk cp x:/d/f/ "$T/x"
	assert_failure 125
	assert_output_has "not a directory"
	# a missing SRC
	run dk cp x:/nope "$T/x"
	assert_failure 125
	assert_output_has "Could not find the file /nope in container x"
	# both sides local, both in containers
	run dk cp "$T/file" "$T/file2"
	assert_failure 125
	run dk cp x:/d x:/e
	assert_failure 125
	assert_output_has "copying between containers is not supported"
}

@test "cp: tar streams on stdin and stdout, -a keeps owners" {
	dk run -d --name x busybox sh -c 'mkdir -p /srv && sleep 1000' >/dev/null
	sleep 0.3
	mkdir -p "$T/t/dir"
	echo payload >"$T/t/dir/p"
	chown 1234:5678 "$T/t/dir/p"
	tar -C "$T/t" -cf - dir | dk cp - x:/tmp
	run dk exec x sh -c 'cat /tmp/dir/p; stat -c %u:%g /tmp/dir/p'
	[[ $output == $'payload\n0:0' ]]
	tar -C "$T/t" -cf - dir | dk cp -a - x:/srv
	run dk exec x stat -c %u:%g /srv/dir/p
	[[ $output == 1234:5678 ]]
	dk cp -a "$T/t/dir/p" x:/tmp/p2
	run dk exec x stat -c %u:%g /tmp/p2
	[[ $output == 1234:5678 ]]
	# out as a tar: entries named from the source's base name
	run list_out x:/tmp/dir
	assert_success
	[[ $output == $'dir/\ndir/p' ]]
	dk cp x:/tmp/dir/p - | tar -xOf - p >"$T/extracted"
	[[ $(cat "$T/extracted") == payload ]]
	# a tar into something that is not a directory
	run tar_in "$T/t" dir x:/tmp/p2
	assert_failure 125
	assert_output_has "must be a directory"
}

@test "cp: symlinks in the container never lead to the host" {
	dk run -d --name x busybox sleep 1000 >/dev/null
	echo canary >"$T/canary"
	mkdir "$T/hostdir"
	echo evil >"$T/evil"
	# links in the container that name host paths, absolute and by climbing
	dk exec x sh -c "mkdir -p '$T/hostdir' && ln -s '$T/canary' /tmp/abs && ln -s '../../../../../../../../$T/hostdir' /tmp/climb && ln -s / /tmp/root && ln -s '$T' /tmp/tdir"
	# writes through them
	dk cp "$T/evil" x:/tmp/abs
	dk cp "$T/evil" x:/tmp/climb/
	dk cp "$T/evil" x:/tmp/tdir/canary
	tar_in "$T" evil x:/tmp/tdir
	mkdir -p "$T/t/hostdir" && echo evil >"$T/t/hostdir/x"
	tar_in "$T/t" hostdir x:/tmp/root"$T"
	[[ $(cat "$T/canary") == canary ]]
	[[ -z $(ls "$T/hostdir") ]]
	# what was written landed in the container
	run dk exec x cat "$T/canary" "$T/hostdir/evil" "$T/evil" "$T/hostdir/x"
	assert_success
	[[ $output == $'evil\nevil\nevil\nevil' ]]
	# reads through them see the container's files, not the host's
	echo secret >"$T/secret"
	run dk cp x:/tmp/root"$T"/secret "$T/leak"
	assert_failure
	run dk cp -L x:/tmp/tdir/secret "$T/leak2"
	assert_failure
	[[ ! -e $T/leak && ! -e $T/leak2 ]]
	# a tar with ".." entries is refused
	mkdir -p "$T/dd/a"
	(cd "$T/dd/a" && echo x >"$T/dd/x" && tar -P -cf "$T/dotdot.tar" ../x)
	run dk cp - x:/tmp <"$T/dotdot.tar"
	assert_failure 125
	assert_output_has '".."'
}

@test "cp: a stopped container, mounted only for the copy" {
	dk run -d --name s busybox sh -c 'echo made > /made' >/dev/null
	dk wait s >/dev/null
	local merged
	merged=$(dk inspect -f '{{.GraphDriver.Data.MergedDir}}' s)
	dk cp s:/made "$T/made"
	[[ $(cat "$T/made") == made ]]
	echo in >"$T/in"
	dk cp "$T/in" s:/in
	# nothing stays mounted (teardown's leak check sees the host's mounts too)
	if grep -qF " $merged " /proc/self/mountinfo; then false; fi
	dk start s >/dev/null
	dk wait s >/dev/null
	run dk cp s:/in -
	assert_success
	# the copy reached the container's own layer
	[[ -f $(dk inspect -f '{{.GraphDriver.Data.UpperDir}}' s)/in ]]
}

@test "cp: a path inside a bind mount goes to the mount's source" {
	mkdir "$T/vol"
	run dk run -d --name v -v "$T/vol:/data" busybox sleep 1000
	[[ $status -eq 0 ]] || skip "run -v is not available yet"
	echo through >"$T/f"
	dk cp "$T/f" v:/data/f
	[[ $(cat "$T/vol/f") == through ]]
	echo fromhost >"$T/vol/g"
	dk cp v:/data/g "$T/g"
	[[ $(cat "$T/g") == fromhost ]]
	# stopped: the same
	dk stop -t 0 v >/dev/null
	dk cp "$T/f" v:/data/f2
	[[ -f $T/vol/f2 ]]
}

# ---------------------------------------------------------------- diff, export

@test "diff: added, changed and deleted paths from the upper dir" {
	dk run -d --name x busybox sleep 1000 >/dev/null
	run dk diff x
	assert_success
	[[ -z $output ]]
	dk exec x sh -c 'echo new > /newfile && echo more >> /etc/passwd && rm /bin/ls && mkdir -p /opt/n && touch /opt/n/f'
	run dk diff x
	assert_success
	local want
	want=$(printf '%s\n' 'C /bin' 'D /bin/ls' 'C /etc/passwd' 'A /newfile')
	# /opt may or may not be in the image: A or C, with its new content added
	[[ $output == "$want"$'\n'?' /opt'$'\nA /opt/n\nA /opt/n/f' ]]
	# also once stopped
	dk stop -t 0 x >/dev/null
	run dk diff x
	assert_success
	[[ ${lines[1]} == 'D /bin/ls' ]]
	run dk diff nosuch
	assert_failure 125
}

@test "diff: the vfs driver says it can't" {
	run dk --storage-driver vfs run -d --name v busybox sleep 1000
	[[ $status -eq 0 ]] || skip "vfs containers are not available"
	run dk --storage-driver vfs diff v
	assert_failure 125
	assert_output_has "vfs"
}

@test "export: the merged file system as a tar, to stdout or -o" {
	dk run -d --name x busybox sh -c 'echo exported > /mine && rm /bin/ls && sleep 1000' >/dev/null
	sleep 0.3
	dk export x >"$T/x.tar"
	tar -tf "$T/x.tar" >"$T/list"
	grep -qx bin/busybox "$T/list"
	grep -qx mine "$T/list"
	if grep -qx bin/ls "$T/list"; then false; fi
	[[ $(tar -xOf "$T/x.tar" mine) == exported ]]
	dk export -o "$T/o.tar" x
	cmp <(tar -tf "$T/x.tar") <(tar -tf "$T/o.tar")
	# no volumes, no /proc content of the running container
	[[ $(tar -tf "$T/x.tar" | grep -c '^proc/.') == 0 ]]
	# a stopped one too
	dk stop -t 0 x >/dev/null
	dk export x | tar -tf - | grep -qx mine
	# never to a terminal
	run script -qec "$DOCK --root $DROOT --runroot $DRUN export x" /dev/null
	assert_failure
	assert_output_has "cowardly refusing to save to a terminal"
}

# ---------------------------------------------------------------- update

@test "update: limits reach the running container's cgroup and the record" {
	dk run -d --name u busybox sleep 1000 >/dev/null
	run dk update --memory 64m --pids-limit 33 --cpus 0.5 --restart on-failure:2 u
	assert_success
	[[ $output == u ]]
	[[ $(ctr_cg u memory memory.limit_in_bytes memory.max) == 67108864 ]]
	[[ $(ctr_cg u pids pids.max pids.max) == 33 ]]
	local q
	q=$(ctr_cg u cpu cpu.cfs_quota_us cpu.max)
	[[ ${q%% *} == 50000 ]]
	[[ $(dk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' u) == "67108864 33 500000000" ]]
	[[ $(dk inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' u) == on-failure:2 ]]
	# stats sees the new limit
	run dk stats --no-stream --format '{{.MemUsage}}' u
	[[ $output == *" / 64MiB" ]]
	# again, larger
	dk update -m 128m u >/dev/null
	[[ $(ctr_cg u memory memory.limit_in_bytes memory.max) == 134217728 ]]
	# bad input changes nothing
	run dk update u
	assert_failure 125
	assert_output_has "you must provide one or more flags"
	run dk update --memory 1k u
	assert_failure 125
	run dk update --cpu-quota 1000 u
	assert_failure 125
	assert_output_has "Conflicting options"
	[[ $(dk inspect -f '{{.HostConfig.Memory}}' u) == 134217728 ]]
}

@test "update: a stopped container keeps the values for its next start" {
	dk run -d --name u busybox sleep 1000 >/dev/null
	dk stop -t 0 u >/dev/null
	dk update --memory 48m u >/dev/null
	[[ $(dk inspect -f '{{.HostConfig.Memory}}' u) == 50331648 ]]
	run dk update --memory 48m nosuch
	assert_failure 125
	assert_output_has "No such container: nosuch"
}

# ---------------------------------------------------------------- commit

@test "commit: the container's changes become an image that runs" {
	run dk images
	[[ $status -eq 0 ]] || skip "the image store is not available yet"
	dk run -d --name c busybox sh -c 'echo committed > /cfile && rm /bin/ls && sleep 1000' >/dev/null
	sleep 0.3
	run dk commit -a 'A U Thor' -m 'a message' -c 'ENV FOO=bar' -c 'CMD ["cat", "/cfile"]' -c 'LABEL k=v' c mine:v1
	assert_success
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	# the container was paused for it and runs again
	[[ $(dk inspect -f '{{.State.Status}}' c) == running ]]
	run dk run --rm mine:v1
	assert_success
	[[ $output == committed ]]
	run dk run --rm mine:v1 sh -c 'echo $FOO; ls /bin/ls 2>&1 || true'
	[[ ${lines[0]} == bar ]]
	[[ $output == *"No such file"* || $output == *"can't"* ]]
	run dk inspect -f '{{.Author}}|{{.Comment}}|{{index .Config.Labels "k"}}' mine:v1
	[[ $output == "A U Thor|a message|v" ]]
	run dk history mine:v1
	assert_output_has "a message"
}
