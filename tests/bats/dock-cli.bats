#!/usr/bin/env bats
# dock's command line as a docker user types it: management forms, help, flag syntax, errors,
# info/version/top, and the vfs storage driver.

load dock-helpers

@test "--help, help CMD, CMD --help; an unknown command or flag: 125 and docker's words" {
	run dk --help
	assert_success
	assert_output_has "Usage:  dock [OPTIONS] COMMAND"
	assert_output_has "Management Commands:"
	run dk help run
	assert_success
	assert_output_has "Usage:  dock run [OPTIONS] IMAGE [COMMAND] [ARG...]"
	assert_output_has "--detach"
	run dk ps --help
	assert_success
	assert_output_has "--all"
	run dk frobnicate
	assert_failure 125
	assert_output_has "'frobnicate' is not a dock command"
	run dk ps --bogus
	assert_failure 125
	assert_output_has "unknown flag: --bogus"
	run dk rm
	assert_failure 125
	assert_output_has '"dock rm" requires at least 1 argument'
}

@test "docker's management forms are aliases: container ls, image ls, container rm, image rm" {
	dk_load
	dk create --name m1 busybox true >/dev/null
	run dk container ls -a --format '{{.Names}}'
	[[ $output == m1 ]]
	run dk image ls --format '{{.Repository}}:{{.Tag}}'
	[[ $output == busybox:latest ]]
	run dk container rm m1
	[[ $output == m1 ]]
	run dk container ls -aq
	[[ -z $output ]]
	run dk image rm busybox
	assert_success
	assert_output_has "Untagged: busybox:latest"
}

@test "flag syntax: -itd grouped, --flag=value, -e=value, --rm=false, -- ends flags" {
	dk_load
	run dk run -itd --name=g1 -e=A=1 busybox sh
	assert_success
	run dk inspect -f '{{.Config.Tty}} {{.Config.OpenStdin}} {{index .Config.Env 0}}' g1
	[[ $output == "true true A=1" ]]
	run dk run --rm=false --name g2 busybox echo -- -x
	[[ $output == "-- -x" ]]
	run dk ps -aq --filter name=g2
	[[ -n $output ]]
}

@test "info and version" {
	dk_load
	dk run -d busybox sleep 100 >/dev/null
	run dk info
	assert_success
	assert_output_has "Containers: 1"
	assert_output_has "Running: 1"
	assert_output_has "Images: 1"
	run dk info --format '{{.ContainersRunning}} {{.Images}}'
	[[ $output == "1 1" ]]
	run dk version --format '{{.Client.Version}}'
	assert_success
	[[ -n $output ]]
}

@test "top lists the container's processes only" {
	dk_load
	dk run -d --name tp busybox sh -c 'sleep 101 & sleep 102' >/dev/null
	sleep 0.3
	run dk top tp
	assert_success
	[[ ${lines[0]} == *PID* ]]
	assert_output_has "sleep 101"
	assert_output_has "sleep 102"
	[[ $output != *bats* ]]
	run dk top tp -o pid,comm
	assert_output_has sleep
}

@test "--storage-driver vfs: the layers are copied, nothing is mounted, whiteouts apply" {
	mkdir -p "$T/l2/etc"
	: >"$T/l2/etc/.wh.group"
	python3 "$MAKE_IMAGE" "$T/wh.tar" --tag wh:1 --layer "$T/l2" >/dev/null
	dk --storage-driver vfs load -i "$T/wh.tar" >/dev/null
	run dk --storage-driver vfs run --name v1 wh:1 sh -c 'test -e /etc/group && echo present || echo gone; echo x > /tmp/f'
	[[ $output == gone ]]
	! grep -q "$DROOT/containers" /proc/self/mountinfo
	run dk --storage-driver vfs inspect -f '{{.GraphDriver.Name}}' v1
	[[ $output == vfs ]]
	dk --storage-driver vfs rm v1 >/dev/null
}
