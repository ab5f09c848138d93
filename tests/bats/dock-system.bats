#!/usr/bin/env bats
# dock system df and system prune against docker's behaviour, and dock's bash completion.
# df's numbers are checked against what the store holds (layer sizes from the layers'
# meta.json, container sizes from bytes the test wrote), prune's against what df said.

load dock-helpers

COMPLETION=$BATS_TEST_DIRNAME/../../src/frontend/completion/dock.bash

# docker's units.HumanSize: four significant digits, decimal units
human4() {
	awk -v n="$1" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1
		while (n >= 1000 && i < 5) { n /= 1000; i++ }
		printf "%.4g%s\n", n, u[i] }'
}

# df_row TYPE: "TOTAL ACTIVE SIZE RECLAIMABLE" of one row of `system df`
df_row() {
	dk system df --format '{{.Type}}|{{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}' | sed -n "s/^$1|//p"
}

# bytes of every unpacked layer in the store (each once)
layers_bytes() {
	cat "$DROOT"/layers/*/meta.json | jq -s 'map(.size) | add // 0'
}

image_bytes() {
	dk images --format '{{.Repository}}:{{.Tag}} {{.SizeBytes}}' | awk -v r="$1" '$1 == r { print $2 }'
}

count_lines() {
	if [[ -z $1 ]]; then echo 0; else wc -l <<<"$1"; fi
}

# ---------------------------------------------------------------- df

@test "system df: docker's table, all zeros on an empty store" {
	run dk system df
	assert_success
	local want
	want=$(printf '%s\n' \
		"TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE" \
		"Images          0         0         0B        0B" \
		"Containers      0         0         0B        0B" \
		"Local Volumes   0         0         0B        0B" \
		"Build Cache     0         0         0B        0B")
	[[ $output == "$want" ]] || {
		echo "# got:"
		echo "$output" | sed 's/^/#   /'
		false
	}
}

@test "system df: totals, active counts and sizes follow images, containers and volumes" {
	dk_load
	local img
	img=$(human4 "$(layers_bytes)")
	[[ $(df_row Images) == "1 0 $img $img (100%)" ]]

	# a created container makes the image active; it has written nothing yet
	dk create --name c0 busybox true >/dev/null
	[[ $(df_row Images) == "1 1 $img 0B (0%)" ]]
	[[ $(df_row Containers) == "1 0 0B 0B" ]]

	# 100000 bytes in an exited container's upper dir, reclaimable; a running one is active
	dk volume create v1 >/dev/null
	[[ $(df_row "Local Volumes") == "1 0 0B 0B" ]]
	dk run --name cx -v v1:/data busybox sh -c 'head -c 100000 /dev/zero > /big; head -c 5000 /dev/zero > /data/f'
	dk run -d --name cr busybox sleep 1000 >/dev/null
	[[ $(df_row Containers) == "3 1 100kB 100kB (100%)" ]]
	[[ $(df_row "Local Volumes") == "1 1 5kB 0B (0%)" ]]
	dk rm cx >/dev/null
	[[ $(df_row "Local Volumes") == "1 0 5kB 5kB (100%)" ]]
	[[ $(df_row Containers) == "2 1 0B 0B" ]]
	[[ $(df_row "Build Cache") == "0 0 0B 0B" ]]

	# a second image over the same layer counts the shared layer once
	dk run --name cc busybox sh -c 'head -c 7000 /dev/zero > /c'
	dk commit cc mine:v1 >/dev/null
	dk rm cc >/dev/null
	local both
	both=$(human4 "$(layers_bytes)")
	local mine=$(($(image_bytes mine:v1) - $(image_bytes busybox:latest)))
	((mine >= 7000))
	[[ $(df_row Images) == "2 1 $both $(human4 "$mine") ($((mine * 100 / $(layers_bytes)))%)" ]]
}

@test "system df -v: docker's four sections with one row per object" {
	dk_load
	dk volume create v1 >/dev/null
	dk run --name cx -v v1:/data busybox sh -c 'head -c 2000 /dev/zero > /x'
	run dk system df -v
	assert_success
	assert_output_has "Images space usage:"
	assert_output_has "Containers space usage:"
	assert_output_has "Local Volumes space usage:"
	assert_output_has "Build cache usage: 0B"
	[[ $output == *"REPOSITORY   TAG       IMAGE ID       CREATED       SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS"* ]]
	[[ $(grep -E '^busybox +latest ' <<<"$output" | awk '{print $NF}') == 1 ]]
	grep -qE '^[0-9a-f]{12} +busybox +"sh -c head -c 2000 …" +1 +2kB +.* cx$' <<<"$output"
	grep -qE '^v1 +1 +0B$' <<<"$output"
	[[ $output == *"CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED"* ]]

	# --format json: one object per row; with -v the whole report as one object
	run dk system df --format json
	assert_success
	[[ $(jq -r .Type <<<"$output" | tr '\n' ,) == "Images,Containers,Local Volumes,Build Cache," ]]
	run dk system df -v --format json
	assert_success
	[[ $(jq -r '.Containers[0].Names, .Volumes[0].Links, (.Images | length), (.BuildCache | length)' <<<"$output" | tr '\n' ,) == "cx,1,1,0," ]]
}

# ---------------------------------------------------------------- prune

# a store with: busybox (used by a running container), mine:v1 (tagged, unused), a dangling
# image (mine:v1's old self), an exited container that wrote 100000 bytes and has an anonymous
# volume, a named unused volume, and an anonymous volume the running container uses
prune_scene() {
	dk_load
	dk run --name ca busybox sh -c 'head -c 3000 /dev/zero > /a'
	dk commit ca mine:v1 >/dev/null
	DANGLING=$(dk images -q --no-trunc mine:v1)
	DANGLING_BYTES=$(($(image_bytes mine:v1) - $(image_bytes busybox:latest)))
	dk run --name cb busybox sh -c 'head -c 4000 /dev/zero > /b'
	dk commit cb mine:v1 >/dev/null
	dk rm ca cb >/dev/null
	dk volume create named >/dev/null
	dk run --name cx -v /anon busybox sh -c 'head -c 100000 /dev/zero > /big; head -c 50000 /dev/zero > /anon/f'
	CX=$(dk inspect -f '{{.Id}}' cx)
	CX_VOL=$(dk inspect -f '{{range .Mounts}}{{.Name}}{{end}}' cx)
	dk run -d --name cr -v /live busybox sleep 1000 >/dev/null
	[[ $(dk images -q | sort -u | wc -l) == 3 ]]
	[[ $(dk volume ls -q | wc -l) == 3 ]]
}

@test "system prune asks docker's question; 'n' or no answer removes nothing" {
	prune_scene
	run dk system prune --volumes <<<n
	assert_success
	local want
	want=$(printf '%s\n' "WARNING! This will remove:" \
		"  - all stopped containers" \
		"  - all networks not used by at least one container" \
		"  - all anonymous volumes not used by at least one container" \
		"  - all dangling images" \
		"  - unused build cache" \
		"" \
		"Are you sure you want to continue? [y/N] ")
	[[ $output == "$want" ]] || {
		echo "# got:"
		echo "$output" | sed 's/^/#   /'
		false
	}
	dk system prune -a </dev/null >/dev/null
	[[ $(dk ps -aq | wc -l) == 2 ]]
	[[ $(dk images -q | sort -u | wc -l) == 3 ]]
	[[ $(dk volume ls -q | wc -l) == 3 ]]

	# -a names every unused image; filters are listed
	run dk system prune -a --filter label=x=y <<<no
	assert_success
	assert_output_has "  - all images without at least one container associated to them"$'\n'"  - all build cache"$'\n'$'\n'"  Items to be pruned will be filtered with:"$'\n'"  - label=x=y"$'\n'$'\n'"Are you sure"
	[[ $(dk ps -aq | wc -l) == 2 ]]

	# 'y' goes ahead
	run dk system prune <<<y
	assert_success
	assert_output_has "Deleted Containers:"
	[[ $(dk ps -aq | wc -l) == 1 ]]
}

@test "system prune -f: stopped containers and dangling images go; running, tagged and volumes stay" {
	prune_scene
	run dk system prune -f
	assert_success
	[[ $output == *"Deleted Containers:"$'\n'"$CX"$'\n\n'"Deleted Images:"$'\n'"deleted: $DANGLING"$'\n'* ]]
	[[ $output != *"Deleted Volumes:"* ]]
	[[ ${lines[-1]} == "Total reclaimed space: $(human4 $((100000 + DANGLING_BYTES)))" ]]
	[[ $(dk ps -a --format '{{.Names}}') == cr ]]
	[[ $(dk images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ') == "busybox:latest mine:v1 " ]]
	[[ $(dk volume ls -q | wc -l) == 3 ]]
	[[ $(df_row Containers) == "1 1 0B 0B" ]]
	[[ $(df_row Images | cut -d' ' -f1-2) == "2 1" ]]

	# nothing left to prune: no sections, 0B
	run dk system prune -f
	assert_success
	[[ $output == "Total reclaimed space: 0B" ]]
}

@test "system prune --volumes: unused anonymous volumes go, named and used ones stay" {
	prune_scene
	run dk system prune -f --volumes
	assert_success
	[[ $output == *"Deleted Containers:"$'\n'"$CX"$'\n\n'"Deleted Volumes:"$'\n'"$CX_VOL"$'\n\n'"Deleted Images:"* ]]
	[[ ${lines[-1]} == "Total reclaimed space: $(human4 $((100000 + 50000 + DANGLING_BYTES)))" ]]
	run dk volume ls -q
	[[ $(count_lines "$output") == 2 ]]
	[[ $output == *named* && $output != *"$CX_VOL"* ]]
	[[ $(df_row "Local Volumes" | cut -d' ' -f1-2) == "2 1" ]]
}

@test "system prune -a: every image no container uses, and df's reclaimable is what it frees" {
	prune_scene
	dk rm cx >/dev/null
	# without -a the tagged image stays
	dk system prune -f >/dev/null
	[[ -n $(dk images -q mine:v1) ]]
	local reclaim
	reclaim=$(df_row Images | cut -d' ' -f4)
	run dk system prune -af
	assert_success
	assert_output_has "Deleted Images:"$'\n'"untagged: mine:v1"$'\n'"deleted: sha256:"
	[[ ${lines[-1]} == "Total reclaimed space: $reclaim" ]]
	[[ $(dk images --format '{{.Repository}}:{{.Tag}}') == busybox:latest ]]
	[[ $(df_row Images) == "1 1 $(human4 "$(layers_bytes)") 0B (0%)" ]]
	# once the last container is gone, busybox goes too
	dk rm -f cr >/dev/null
	dk system prune -af >/dev/null
	[[ -z $(dk images -q) ]]
	[[ $(df_row Images) == "0 0 0B 0B" ]]
}

@test "system prune --filter: label, label!, until; unknown keys and until with --volumes fail" {
	dk_load
	dk create --name l1 --label team=a busybox true >/dev/null
	dk create --name l2 --label team=b busybox true >/dev/null
	dk create --name l3 busybox true >/dev/null
	dk system prune -f --filter label=team=a >/dev/null
	[[ $(dk ps -a --format '{{.Names}}' | sort | tr '\n' ' ') == "l2 l3 " ]]
	dk system prune -f --filter 'label!=team' >/dev/null
	[[ $(dk ps -a --format '{{.Names}}') == l2 ]]
	# until: only what was created before the time
	dk system prune -f --filter until=1h >/dev/null
	[[ $(dk ps -a --format '{{.Names}}') == l2 ]]
	dk system prune -f --filter until=$(($(date +%s) + 60)) >/dev/null
	[[ -z $(dk ps -aq) ]]

	run dk system prune -f --filter bogus=1
	assert_failure 125
	assert_output_has "invalid filter 'bogus'"
	run dk system prune -f --volumes --filter until=1h
	assert_failure 125
	assert_output_has 'The "until" filter is not supported with "--volumes"'
}

# ---------------------------------------------------------------- completion

# comp WORD…: drive _dock as bash does for the line "WORD…" (the last word is being completed);
# prints the candidates sorted, one a line
comp() {
	# shellcheck disable=SC1090
	source "$COMPLETION"
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_dock
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# the same from COMP_LINE, which bash also sets (its COMP_WORDS split at ':' and '=')
comp_line() {
	# shellcheck disable=SC1090
	source "$COMPLETION"
	COMP_LINE=$1
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_dock
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

@test "completion: commands, management subcommands and flags" {
	run comp "$DOCK" ""
	for c in run ps rm images volume system container image inspect; do
		grep -qx "$c" <<<"$output"
	done
	[[ $(grep -cx cleanup <<<"$output") == 0 ]]
	[[ $(comp "$DOCK" ru) == run ]]
	[[ $(comp "$DOCK" system "" | tr '\n' ' ') == "df info prune " ]]
	[[ $(comp "$DOCK" container "" | grep -c .) -gt 20 ]]
	[[ $(comp "$DOCK" container "" | grep -cx cleanup) == 0 ]]
	[[ $(comp "$DOCK" system prune -- | tr '\n' ' ') == "--all --filter --force --help --volumes " ]]
	[[ $(comp "$DOCK" run --re | tr '\n' ' ') == "--read-only --restart " ]]
	[[ $(comp "$DOCK" system df - | tr '\n' ' ') == "--format --help --verbose -v " ]]
	[[ $(comp "$DOCK" run --restart "" | tr '\n' ' ') == "always no on-failure unless-stopped " ]]
	[[ $(comp "$DOCK" --storage-driver "" | tr '\n' ' ') == "overlay vfs " ]]
	[[ $(comp "$DOCK" --ro) == --root ]]
}

@test "completion: container names (running ones where only those fit), images, volumes" {
	dk_load
	dk create --name alpha busybox true >/dev/null
	dk run -d --name beta busybox sleep 1000 >/dev/null
	dk volume create vol1 >/dev/null
	local g=("$DOCK" --root "$DROOT" --runroot "$DRUN")
	[[ $(comp "${g[@]}" rm "" | tr '\n' ' ') == "alpha beta " ]]
	[[ $(comp "${g[@]}" start a) == alpha ]]
	[[ $(comp "${g[@]}" stop "") == beta ]]
	[[ $(comp "${g[@]}" container exec "") == beta ]]
	# an ID prefix that no name starts with offers IDs
	local id
	id=$(dk inspect -f '{{.Id}}' alpha)
	[[ $(comp "${g[@]}" rm "${id:0:3}") == *"${id:0:12}"* ]]
	# images after flags and their values; not for the container's command
	[[ $(comp "${g[@]}" run --rm -v x:/y --name n "") == busybox:latest ]]
	[[ -z $(comp "${g[@]}" run busybox "") ]]
	[[ $(comp "${g[@]}" rmi "") == busybox:latest ]]
	[[ $(comp "${g[@]}" volume rm "") == vol1 ]]
	[[ $(comp "${g[@]}" inspect "" | tr '\n' ' ') == "alpha beta busybox:latest vol1 " ]]
	# cp: CONTAINER: (and local paths)
	run comp "${g[@]}" cp ""
	grep -qx alpha: <<<"$output"
	grep -qx beta: <<<"$output"
	# from COMP_LINE: bash replaces only what follows the ':'
	[[ $(comp_line "$DOCK --root $DROOT --runroot $DRUN rmi busybox:") == latest ]]
	[[ $(comp_line "$DOCK --root $DROOT --runroot $DRUN rm " | tr '\n' ' ') == "alpha beta " ]]
	# another store has other names
	[[ -z $(comp "$DOCK" --root "$T/other" --runroot "$T/orun" rm "") ]]
}
