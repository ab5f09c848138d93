#!/usr/bin/env bats
# dock's image store and image commands: load (docker-archive, OCI, gzip, stdin), images and its
# flags, tag, rmi, save (round trip, podman load), inspect, history, prune; corrupt archives
# and hostile layers, which must fail cleanly or stay inside the store; parallel loads.

load dock-helpers

# mk OUT ARGS…: an image archive from tests/make-image.py
mk() {
	python3 "$MAKE_IMAGE" "$@" >/dev/null
}

# nothing of a failed load may stay: no image, no blob, no layer, no staging dir
assert_store_empty() {
	local n
	n=$(find "$DROOT/blobs/sha256" "$DROOT/layers" "$DROOT/tmp" -mindepth 1 2>/dev/null | wc -l)
	if [[ $n -ne 0 ]]; then
		echo "# the store kept $n entries:" >&2
		find "$DROOT/blobs/sha256" "$DROOT/layers" "$DROOT/tmp" -mindepth 1 | head -n 20 | sed 's/^/#   /' >&2
		return 1
	fi
	if [[ -f $DROOT/refs.json ]]; then
		[[ $(jq '.images | length' "$DROOT/refs.json") == 0 ]]
	fi
}

@test "load: docker-archive from a file, then images" {
	run dk load -i "$BUSYBOX_TAR"
	assert_success
	[[ $output == "Loaded image: busybox:latest" ]]
	run dk images
	assert_success
	[[ ${lines[0]} =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[[ ${lines[1]} =~ ^busybox\ +latest\ +[0-9a-f]{12}\ +[0-9]+\ years\ ago\ +[0-9.]+MB$ ]]
	# the layer is unpacked once, with busybox and its applet links
	local d
	d=$(ls -d "$DROOT"/layers/*/diff)
	[[ -x $d/bin/busybox && -L $d/bin/sh ]]
	[[ $(jq -r '.manifests | length' "$DROOT/index.json") == 1 ]]
	[[ -z $(ls "$DROOT/tmp") ]]
}

@test "load: OCI archive with gzip layers from stdin, -q" {
	run dk load -q <"$BUSYBOX_OCI"
	assert_success
	[[ $output == "Loaded image: busybox:latest" ]]
	run dk image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}'
	assert_success
	[[ $output =~ ^busybox:latest\ [0-9.]+MB$ ]]
	# the manifest is kept as it came, so its digest (in index.json) is the archive's
	local want
	want=$(tar xOf "$BUSYBOX_OCI" index.json | jq -r '.manifests[0].digest')
	[[ $(jq -r '.manifests[0].digest' "$DROOT/index.json") == "$want" ]]
}

@test "load: untagged images say their ID; a gzip-compressed archive loads" {
	mk "$T/u.tar" --tiny --untagged
	run dk load -i "$T/u.tar"
	assert_success
	[[ $output =~ ^Loaded\ image\ ID:\ sha256:[0-9a-f]{64}$ ]]
	run dk images
	[[ ${lines[1]} =~ ^\<none\>\ +\<none\>\ + ]]
	mk "$T/c.tar" --tiny --tag c:1
	gzip -c "$T/c.tar" >"$T/c.tar.gz"
	run dk load -i "$T/c.tar.gz"
	assert_success
	[[ $output == "Loaded image: c:1" ]]
}

@test "load: the same tag again moves it and says so" {
	mk "$T/a.tar" --tiny --tag x:1
	mk "$T/b.tar" --tiny --tag x:1 --config '{"Cmd":["true"]}'
	dk load -i "$T/a.tar"
	run dk load -i "$T/b.tar"
	assert_success
	[[ ${lines[0]} =~ ^The\ image\ x:1\ already\ exists,\ renaming\ the\ old\ one\ with\ ID\ sha256:[0-9a-f]{64}\ to\ empty\ string$ ]]
	[[ ${lines[1]} == "Loaded image: x:1" ]]
	run dk images --filter dangling=true -q
	[[ ${#lines[@]} -eq 1 ]]
}

@test "images: -q, --no-trunc, --digests, reference and dangling filters, REPOSITORY argument" {
	dk_load
	mk "$T/u.tar" --tiny --untagged
	dk load -i "$T/u.tar"
	dk tag busybox example.com/team/bb:v1
	run dk images -q
	assert_success
	[[ ${#lines[@]} -eq 3 ]]
	for l in "${lines[@]}"; do [[ $l =~ ^[0-9a-f]{12}$ ]]; done
	run dk images -q --no-trunc
	[[ ${lines[0]} =~ ^sha256:[0-9a-f]{64}$ ]]
	run dk images --digests
	[[ ${lines[0]} =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID ]]
	[[ ${lines[1]} =~ \<none\> ]]
	run dk images --filter reference=busybox
	[[ ${#lines[@]} -eq 2 && ${lines[1]} =~ ^busybox\ +latest ]]
	run dk images --filter 'reference=example.com/*/bb:v*'
	[[ ${#lines[@]} -eq 2 && ${lines[1]} =~ ^example.com/team/bb\ +v1 ]]
	run dk images --filter 'reference=nomatch*'
	[[ ${#lines[@]} -eq 1 ]]
	run dk images --filter dangling=true
	[[ ${#lines[@]} -eq 2 && ${lines[1]} =~ ^\<none\> ]]
	run dk images --filter dangling=false -q
	[[ ${#lines[@]} -eq 2 ]]
	run dk images busybox
	[[ ${#lines[@]} -eq 2 ]]
	run dk images --filter bogus=1
	assert_failure
	assert_output_has "invalid filter"
}

# three small images a year apart: old:1 (tier=a), mid:1 (no labels), new:1 (tier=b, x=1)
load_dated() {
	mk "$T/old.tar" --tiny --tag old:1 --created 2021-01-01T00:00:00Z --config '{"Labels":{"tier":"a"}}'
	mk "$T/mid.tar" --tiny --tag mid:1 --created 2022-01-01T00:00:00.5Z
	mk "$T/new.tar" --tiny --tag new:1 --created 2023-01-01T00:00:00Z --config '{"Labels":{"tier":"b","x":"1"}}'
	for i in old mid new; do dk load -i "$T/$i.tar" >/dev/null; done
}

@test "images: before=, since=, label=, until= filters, combined as docker combines them" {
	load_dated
	run dk images --format '{{.Repository}}' --filter before=mid:1
	assert_success
	[[ $output == old ]]
	run dk images --format '{{.Repository}}' --filter since=mid:1
	[[ $output == new ]]
	# since= and before= together: the images between
	run dk images --format '{{.Repository}}' --filter since=old:1 --filter before=new:1
	[[ $output == mid ]]
	# two before=: the oldest wins (AND)
	run dk images --format '{{.Repository}}' --filter before=new:1 --filter before=mid:1
	[[ $output == old ]]
	run dk images --format '{{.Repository}}' --filter label=tier
	[[ $output == $'new\nold' ]]
	run dk images --format '{{.Repository}}' --filter label=tier=b
	[[ $output == new ]]
	# label= filters are AND'ed, reference= filters OR'ed
	run dk images --format '{{.Repository}}' --filter label=tier --filter label=x=1
	[[ $output == new ]]
	run dk images --format '{{.Repository}}' --filter label=tier=a --filter label=x
	[[ -z $output ]]
	run dk images --format '{{.Repository}}' --filter reference=old --filter reference='ne*'
	[[ $output == $'new\nold' ]]
	run dk images --format '{{.Repository}}' --filter reference='*' --filter label=tier=a
	[[ $output == old ]]
	run dk images --format '{{.Repository}}' --filter until=2021-06-01T00:00:00Z
	[[ $output == old ]]
	run dk images --format '{{.Repository}}' --filter until=1630000000.5
	[[ $output == old ]]
	run dk images -q --filter until=10m
	[[ ${#lines[@]} -eq 3 ]]
	# bad input: docker's words, exit 125
	run dk images --filter before=nosuch
	assert_failure 125
	assert_output_has "No such image: nosuch"
	run dk images --filter colour=red
	assert_failure 125
	assert_output_has "invalid filter 'colour'"
	run dk images --filter label!=tier
	assert_failure 125
	assert_output_has "invalid filter 'label!'"
	run dk images --filter dangling=maybe
	assert_failure 125
	run dk images --filter until=someday
	assert_failure 125
	assert_output_has "failed to parse value as time or duration"
}

@test "image prune: until=, label=, label!= filters; unknown keys refused" {
	load_dated
	run dk image prune -f --filter bogus=1
	assert_failure 125
	assert_output_has "invalid filter 'bogus'"
	run dk image prune -f --filter reference=old
	assert_failure 125
	# until= a time between old and mid: only old goes
	run dk image prune -af --filter until=2021-06-01T00:00:00Z
	assert_success
	assert_output_has "untagged: old:1"
	[[ $output != *mid:1* && $output != *new:1* ]]
	[[ $(dk images --format '{{.Repository}}' | sort | tr '\n' ' ') == "mid new " ]]
	# label!=: the images without it
	run dk image prune -af --filter label!=tier
	assert_success
	assert_output_has "untagged: mid:1"
	[[ $(dk images --format '{{.Repository}}') == new ]]
	# label=K=V that matches nothing keeps everything; then the one that matches
	run dk image prune -af --filter label=tier=a
	[[ $output == "Total reclaimed space: 0B" ]]
	# dangling=false is -a
	run dk image prune -f --filter dangling=false --filter label=x=1 --filter until=24h
	assert_success
	assert_output_has "untagged: new:1"
	[[ -z $(dk images -q) ]]
}

@test "tag: new names for an image; bad names refused" {
	dk_load
	run dk tag busybox:latest localhost:5000/me/bb:2
	assert_success
	run dk tag busybox Upper
	assert_failure
	assert_output_has "repository name must be lowercase"
	run dk tag nosuch x
	assert_failure
	assert_output_has "No such image: nosuch"
	run dk image inspect --format '{{json .RepoTags}}' busybox
	[[ $output == '["busybox:latest","localhost:5000/me/bb:2"]' ]]
}

@test "resolve: full ID, short prefix, sha256:prefix, name@digest" {
	dk_load
	local id man
	id=$(dk images -q --no-trunc)
	man=$(jq -r '.manifests[0].digest' "$DROOT/index.json")
	for r in "$id" "${id#sha256:}" "${id:7:5}" "sha256:${id:7:8}" "busybox@$man"; do
		run dk image inspect --format '{{.Id}}' "$r"
		assert_success
		[[ $output == "$id" ]]
	done
	run dk image inspect --format '{{.Id}}' ffffffffff
	assert_failure
	assert_output_has "No such image: ffffffffff"
}

@test "rmi: untag one of two names, then delete the image and its layers" {
	dk_load
	dk tag busybox other:1
	run dk rmi other:1
	assert_success
	[[ $output == "Untagged: other:1" ]]
	run dk rmi busybox
	assert_success
	[[ ${lines[0]} == "Untagged: busybox:latest" ]]
	[[ ${lines[1]} =~ ^Deleted:\ sha256:[0-9a-f]{64}$ ]]
	[[ ${lines[2]} =~ ^Deleted:\ sha256:[0-9a-f]{64}$ ]]
	assert_store_empty
	[[ $(jq '.manifests | length' "$DROOT/index.json") == 0 ]]
	run dk rmi busybox
	assert_failure
	assert_output_has "No such image: busybox"
}

@test "rmi: by ID with two names needs -f; a shared layer stays until its last image goes" {
	dk_load
	dk tag busybox other:1
	local id
	id=$(dk images -q | head -n 1)
	run dk rmi "$id"
	assert_failure
	assert_output_has "image is referenced in multiple repositories"
	mkdir -p "$T/top"
	echo hi >"$T/top/hello"
	mk "$T/two.tar" --layer "$T/top" --tag two:1
	dk load -i "$T/two.tar"
	run dk rmi -f "$id"
	assert_success
	[[ $(ls "$DROOT/layers" | wc -l) -eq 2 ]] # busybox's layer is two:1's bottom
	run dk rmi two:1
	assert_success
	assert_store_empty
}

# Containers do not exist yet: a container is faked by its record, ROOT/containers/<id>/meta.json
# with the image's ID in "Image" (what the container code writes).  Replace with a real
# `dock create` / `dock run -d` once those land.
@test "rmi: an image a container uses is refused; -f only when the container does not run" {
	dk_load
	local id cid=0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab0123
	id=$(dk images -q --no-trunc)
	mkdir -p "$DROOT/containers/$cid"
	echo "{\"Id\":\"$cid\",\"Image\":\"$id\",\"State\":{\"Status\":\"exited\",\"Running\":false}}" >"$DROOT/containers/$cid/meta.json"
	run dk rmi busybox
	assert_failure
	assert_output_has "container 0123456789ab is using its referenced image ${id:7:12}"
	echo "{\"Id\":\"$cid\",\"Image\":\"$id\",\"State\":{\"Status\":\"running\",\"Running\":true}}" >"$DROOT/containers/$cid/meta.json"
	run dk rmi -f busybox
	assert_failure
	assert_output_has "image is being used by running container 0123456789ab"
	echo "{\"Id\":\"$cid\",\"Image\":\"$id\",\"State\":{\"Status\":\"exited\",\"Running\":false}}" >"$DROOT/containers/$cid/meta.json"
	run dk rmi -f busybox
	assert_success
	[[ $output == "Untagged: busybox:latest" ]]
	# the container still has its image (untagged) and its layers
	[[ -n $(ls "$DROOT/layers") ]]
	run dk image prune -a -f
	[[ -n $(ls "$DROOT/layers") ]]
	rm -rf "$DROOT/containers/$cid"
}

@test "save | load round trip keeps the image ID and tags; podman loads it too" {
	dk_load
	mkdir -p "$T/top"
	echo hi >"$T/top/hello"
	mk "$T/two.tar" --layer "$T/top" --gzip --tag two:1
	dk load -i "$T/two.tar"
	local id1 id2
	id1=$(dk image inspect --format '{{.Id}}' busybox)
	id2=$(dk image inspect --format '{{.Id}}' two:1)
	run dk save -o "$T/out.tar" busybox two:1
	assert_success
	tar tf "$T/out.tar" | grep -qx manifest.json
	[[ $(tar xOf "$T/out.tar" manifest.json | jq -r '.[1].RepoTags[0]') == two:1 ]]
	[[ $(tar xOf "$T/out.tar" manifest.json | jq -r '.[1].Layers | length') == 2 ]]
	dk save busybox >"$T/stdout.tar"
	cmp <(tar xOf "$T/stdout.tar" manifest.json) <(tar xOf "$T/out.tar" manifest.json | jq -c '[.[0]]' | tr -d '\n')
	rm -rf "$DROOT"
	run dk load -i "$T/out.tar"
	assert_success
	[[ ${lines[0]} == "Loaded image: busybox:latest" && ${lines[1]} == "Loaded image: two:1" ]]
	[[ $(dk image inspect --format '{{.Id}}' busybox) == "$id1" ]]
	[[ $(dk image inspect --format '{{.Id}}' two:1) == "$id2" ]]
	command -v podman >/dev/null || skip "podman is not installed"
	run podman --root "$T/p" --runroot "$T/pr" --storage-driver vfs load -i "$T/out.tar"
	assert_success
	run podman --root "$T/p" --runroot "$T/pr" --storage-driver vfs images --format '{{.ID}} {{.Repository}}:{{.Tag}}' --no-trunc
	assert_output_has "$id2 localhost/two:1"
	assert_output_has "$id1 localhost/busybox:latest"
	podman --root "$T/p" --runroot "$T/pr" --storage-driver vfs rmi -a -f >/dev/null 2>&1 || true
	rm -rf "$T/p" "$T/pr" 2>/dev/null || true
}

@test "save: unknown image, and a terminal, are refused; a failed -o leaves no file" {
	dk_load
	run dk save -o "$T/x.tar" busybox nosuch
	assert_failure
	assert_output_has "No such image: nosuch"
	[[ -z $(ls "$T" | grep x.tar) ]]
}

@test "image inspect: docker's fields" {
	dk_load
	run dk image inspect busybox
	assert_success
	echo "$output" | jq -e '
		length == 1 and
		(.[0].Id | test("^sha256:[0-9a-f]{64}$")) and
		.[0].RepoTags == ["busybox:latest"] and .[0].RepoDigests == [] and
		.[0].Parent == "" and .[0].Comment == "" and .[0].Created == "2023-11-14T22:13:20Z" and
		.[0].Architecture == "amd64" and .[0].Os == "linux" and .[0].Size > 1000000 and
		.[0].Config.Cmd == ["sh"] and .[0].RootFS.Type == "layers" and (.[0].RootFS.Layers | length) == 1 and
		(.[0].Metadata.LastTagTime | length) > 0 and .[0].GraphDriver.Name == "overlay2"' >/dev/null
	# 4-space indentation, as docker
	[[ ${lines[1]} == "    {" ]]
	run dk image inspect busybox nosuch
	assert_failure
	assert_output_has "No such image: nosuch"
}

@test "history: docker's table, -q, --no-trunc, <missing> below the top" {
	dk_load
	mkdir -p "$T/top"
	echo hi >"$T/top/hello"
	mk "$T/two.tar" --layer "$T/top" --tag two:1
	dk load -i "$T/two.tar"
	run dk history two:1
	assert_success
	[[ ${lines[0]} =~ ^IMAGE\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
	[[ ${lines[1]} =~ ^[0-9a-f]{12}\ +[0-9]+\ years\ ago\ +make-image.py:\ layer.*\ +3B ]]
	[[ ${lines[2]} =~ ^\<missing\>\ +[0-9]+\ years\ ago\ +make-image.py:\ busybox-static\ +[0-9.]+MB ]]
	run dk history -q --no-trunc two:1
	[[ ${lines[0]} =~ ^sha256:[0-9a-f]{64}$ && ${lines[1]} == "<missing>" ]]
	# CREATED BY is cut to 45 characters, the last an ellipsis, unless --no-trunc
	run dk history two:1
	[[ ${lines[1]} == *"…"* ]]
	run dk history --no-trunc two:1
	[[ ${lines[1]} == *"$T/top"* ]]
}

@test "image prune: dangling only, -a for all unused; no -f asks first" {
	dk_load
	mk "$T/u.tar" --tiny --untagged
	dk load -i "$T/u.tar"
	run dk image prune <<<"n"
	assert_success
	[[ $(dk images -q | wc -l) -eq 2 ]]
	run dk image prune -f
	assert_success
	[[ ${lines[0]} == "Deleted Images:" ]]
	[[ ${lines[1]} =~ ^deleted:\ sha256: ]]
	[[ ${lines[-1]} =~ ^Total\ reclaimed\ space:\ [0-9.]+B$ ]]
	[[ $(dk images -q | wc -l) -eq 1 ]]
	run dk image prune -f
	[[ $output == "Total reclaimed space: 0B" ]]
	run dk image prune -a -f
	assert_success
	[[ ${lines[1]} == "untagged: busybox:latest" ]]
	[[ ${lines[-1]} =~ ^Total\ reclaimed\ space:\ [0-9.]+MB$ ]]
	assert_store_empty
}

# ---- corrupt archives: refused with a reason, nothing left behind

@test "corrupt: a flipped byte in a layer is caught by its diff ID" {
	cp "$BUSYBOX_TAR" "$T/bad.tar"
	# a byte in the middle of busybox's binary, inside the layer's tar
	printf 'X' | dd of="$T/bad.tar" bs=1 seek=900000 conv=notrunc status=none
	run dk load -i "$T/bad.tar"
	assert_failure
	assert_output_has "layer 0"
	assert_output_has "but the image config says sha256:"
	assert_store_empty
}

@test "corrupt: a truncated archive, an empty input, a config that is not its digest" {
	head -c 1500000 "$BUSYBOX_TAR" >"$T/short.tar"
	run dk load -i "$T/short.tar"
	assert_failure
	assert_output_has "runcated"
	assert_store_empty
	run dk load </dev/null
	assert_failure
	assert_output_has "the input is empty"
	assert_store_empty
	echo "just text" >"$T/text"
	run dk load -i "$T/text"
	assert_failure
	assert_output_has "Unrecognized archive format"
	assert_store_empty
	# a config file renamed to another digest
	mkdir "$T/x" && tar -C "$T/x" -xf "$BUSYBOX_TAR"
	local cfg
	cfg=$(jq -r '.[0].Config' "$T/x/manifest.json")
	jq -c '.config.Cmd = ["evil"]' "$T/x/$cfg" >"$T/x/cfg.tmp" && mv "$T/x/cfg.tmp" "$T/x/$cfg"
	tar -C "$T/x" -cf "$T/cfg.tar" .
	run dk load -i "$T/cfg.tar"
	assert_failure
	assert_output_has "is corrupt: it hashes to"
	assert_store_empty
}

@test "corrupt: an OCI blob that does not match its descriptor" {
	mk "$T/oci.tar" --tiny --format oci
	mkdir "$T/x" && tar -C "$T/x" -xf "$T/oci.tar"
	local man layer
	man=$(jq -r '.manifests[0].digest' "$T/x/index.json")
	layer=$(jq -r '.layers[0].digest' "$T/x/blobs/sha256/${man#sha256:}")
	# in the data of etc/passwd: the tar still reads, the digest differs
	printf 'X' | dd of="$T/x/blobs/sha256/${layer#sha256:}" bs=1 seek=1030 conv=notrunc status=none
	tar -C "$T/x" -cf "$T/bad.tar" .
	run dk load -i "$T/bad.tar"
	assert_failure
	assert_output_has "layer 0 ($layer): its content hashes to"
	assert_store_empty
	# in a tar header: the layer does not even read
	tar -C "$T/x" -xf "$T/oci.tar"
	printf 'X' | dd of="$T/x/blobs/sha256/${layer#sha256:}" bs=1 seek=600 conv=notrunc status=none
	tar -C "$T/x" -cf "$T/bad.tar" .
	run dk load -i "$T/bad.tar"
	assert_failure
	assert_output_has "layer 0 ($layer)"
	assert_store_empty
	# a manifest whose size lies
	tar -C "$T/x" -xf "$T/oci.tar"
	jq -c '.manifests[0].size += 1' "$T/x/index.json" >"$T/x/i" && mv "$T/x/i" "$T/x/index.json"
	tar -C "$T/x" -cf "$T/bad2.tar" .
	run dk load -i "$T/bad2.tar"
	assert_failure
	assert_output_has "is corrupt"
	assert_store_empty
}

# ---- hostile layers: a canary outside the store must stay as it is

# hostile NAME PYTHON: a one-layer tar built by the python statements (t: the TarFile, f(name,
# data), sl(name, target), hl(name, target), d(name)) on top of the tiny base, as image NAME:1
hostile() {
	python3 - "$T/$1.layer" <<EOF
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def f(n, data=b"pwned\n"):
    i = tarfile.TarInfo(n); i.size = len(data); t.addfile(i, io.BytesIO(data))
def sl(n, target):
    i = tarfile.TarInfo(n); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
def hl(n, target):
    i = tarfile.TarInfo(n); i.type = tarfile.LNKTYPE; i.linkname = target; t.addfile(i)
def d(n):
    i = tarfile.TarInfo(n); i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
$2
t.close()
EOF
	mk "$T/$1.tar" --tiny --raw-layer "$T/$1.layer" --tag "$1:1"
}

canary_setup() {
	OUT=$T/outside
	mkdir -p "$OUT"
	echo canary >"$OUT/canary"
	chmod 600 "$OUT/canary"
	CANARY_BEFORE=$(cd "$OUT" && find . -printf '%p %m %s %n %l\n' | sort; sha256sum canary)
}

canary_intact() {
	local now
	now=$(cd "$OUT" && find . -printf '%p %m %s %n %l\n' | sort; sha256sum canary)
	if [[ $now != "$CANARY_BEFORE" ]]; then
		echo "# the canary dir changed:" >&2
		diff <(echo "$CANARY_BEFORE") <(echo "$now") | sed 's/^/#   /' >&2
		return 1
	fi
}

@test "hostile: ../ names are refused" {
	canary_setup
	local up=../../../../../../../../../../../../../..
	hostile dotdot "f('$up$OUT/pwned')"
	run dk load -i "$T/dotdot.tar"
	assert_failure
	assert_output_has "leaves the layer"
	canary_intact
	assert_store_empty
	hostile dotdot2 "d('a'); f('a/../../pwned')"
	run dk load -i "$T/dotdot2.tar"
	assert_failure
	canary_intact
	assert_store_empty
	[[ ! -e $DROOT/tmp/pwned && ! -e $DROOT/pwned ]]
}

@test "hostile: absolute names stay inside the layer" {
	canary_setup
	hostile abs "f('$OUT/pwned'); f('/$OUT/canary', b'overwritten\n')"
	run dk load -i "$T/abs.tar"
	assert_success
	canary_intact
	[[ -n $(find "$DROOT/layers" -path "*/diff$OUT/pwned") ]]
}

@test "hostile: writing through a symlink planted earlier in the layer stays inside" {
	canary_setup
	local up=../../../../../../../../../../../../../..
	# the links' targets exist inside the layer, as in a real image (a dangling one: next test)
	hostile sym "f('$OUT/placeholder'); sl('evil', '$OUT'); f('evil/pwned'); f('evil/canary', b'x\n')
sl('rel', '$up$OUT'); f('rel/pwned2')
sl('file', '$OUT/canary'); f('file', b'replaced\n')
sl('dir', '$OUT'); d('dir/sub')"
	run dk load -i "$T/sym.tar"
	assert_success
	canary_intact
	local d
	local x d=
	for x in "$DROOT"/layers/*/diff; do if [[ -L $x/evil ]]; then d=$x; fi; done
	[[ -n $d ]]
	# what went "through" the links landed in the layer's own tree
	[[ -f $d$OUT/pwned && -f $d$OUT/pwned2 && -f $d$OUT/canary && -d $d$OUT/sub ]]
	[[ -f $d/file && ! -L $d/file && $(cat "$d/file") == replaced ]]
}

@test "hostile: writing through a symlink whose target is not in the layer fails cleanly" {
	canary_setup
	hostile dangling "sl('evil', '$OUT'); f('evil/pwned')"
	run dk load -i "$T/dangling.tar"
	assert_failure
	assert_output_has "layer directory \`evil\`"
	canary_intact
	assert_store_empty
}

@test "hostile: hardlinks out of the layer are refused" {
	canary_setup
	local up=../../../../../../../../../../../../../..
	hostile hl1 "hl('h', '$OUT/canary')"
	run dk load -i "$T/hl1.tar"
	assert_failure
	assert_output_has "hardlink"
	canary_intact
	assert_store_empty
	hostile hl2 "hl('h', '$up$OUT/canary')"
	run dk load -i "$T/hl2.tar"
	assert_failure
	canary_intact
	assert_store_empty
	hostile hl3 "sl('s', '$OUT'); hl('h', 's/canary')"
	run dk load -i "$T/hl3.tar"
	assert_failure
	canary_intact
	assert_store_empty
	# a hardlink inside the layer is fine
	hostile hl4 "f('a'); hl('b', 'a')"
	run dk load -i "$T/hl4.tar"
	assert_success
	canary_intact
}

@test "hostile: whiteouts of ../x and of . are refused; real whiteouts are overlay's" {
	canary_setup
	hostile wh1 "f('../.wh.canary', b'')"
	run dk load -i "$T/wh1.tar"
	assert_failure
	canary_intact
	assert_store_empty
	hostile wh2 "d('a'); f('a/.wh...', b'')"
	run dk load -i "$T/wh2.tar"
	assert_failure
	assert_output_has "names no file"
	canary_intact
	assert_store_empty
	hostile wh3 "f('$OUT/placeholder'); sl('s', '$OUT'); f('s/.wh.canary', b''); d('o'); f('o/.wh..wh..opq', b'')"
	run dk load -i "$T/wh3.tar"
	assert_success
	canary_intact
	local x d=
	for x in "$DROOT"/layers/*/diff; do if [[ -L $x/s ]]; then d=$x; fi; done
	[[ $(stat -c '%F %t:%T' "$d$OUT/canary") == "character special file 0:0" ]]
	[[ $(getfattr --only-values -n trusted.overlay.opaque "$d/o" 2>/dev/null) == y ]] ||
		[[ $(python3 -c "import os,sys; print(os.getxattr(sys.argv[1], 'trusted.overlay.opaque').decode())" "$d/o") == y ]]
}

@test "hostile: the archive itself cannot write outside its staging dir" {
	canary_setup
	python3 - "$T/outer.tar" "$OUT" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
i = tarfile.TarInfo("x"); i.type = tarfile.SYMTYPE; i.linkname = sys.argv[2]; t.addfile(i)
i = tarfile.TarInfo("x/pwned"); i.size = 3; t.addfile(i, io.BytesIO(b"hi\n"))
i = tarfile.TarInfo("../../../../../../../../../../../.." + sys.argv[2] + "/pwned2"); i.size = 3; t.addfile(i, io.BytesIO(b"hi\n"))
i = tarfile.TarInfo("manifest.json"); m = b'[{"Config":"x/canary","RepoTags":["a:b"],"Layers":[]}]'; i.size = len(m); t.addfile(i, io.BytesIO(m))
t.close()
EOF
	run dk load -i "$T/outer.tar"
	assert_failure
	canary_intact
	assert_store_empty
}

@test "overlayfs stacks the layers as loaded (whiteouts and opaque dirs)" {
	mkdir -p "$T/l1/etc/keep" "$T/l2/etc"
	echo a >"$T/l1/etc/keep/a"
	touch "$T/l2/etc/.wh.passwd"
	hostile l3 "d('etc'); d('etc/keep'); f('etc/keep/.wh..wh..opq', b''); f('etc/keep/b')"
	mk "$T/ov.tar" --layer "$T/l1" --layer "$T/l2" --raw-layer "$T/l3.layer" --tag ov:1
	run dk load -i "$T/ov.tar"
	assert_success
	local lower
	lower=$(dk image inspect ov:1 | jq -r '.[0].GraphDriver.Data | .UpperDir + ":" + .LowerDir')
	mkdir -p "$T/mnt"
	mount -t overlay overlay -o "lowerdir=$lower" "$T/mnt" || skip "overlayfs does not mount here"
	local ok=0
	[[ -x $T/mnt/bin/busybox && ! -e $T/mnt/etc/passwd && -f $T/mnt/etc/group ]] &&
		[[ -f $T/mnt/etc/keep/b && ! -e $T/mnt/etc/keep/a ]] && ok=1
	umount "$T/mnt"
	[[ $ok == 1 ]]
}

@test "crash: a killed load's staging dir goes at the next load and at system prune; a live one's stays" {
	dk_load
	# a load killed half-way: its staging dir stays in ROOT/tmp
	mkfifo "$T/fifo"
	"$DOCK" --root "$DROOT" --runroot "$DRUN" load -i "$T/fifo" >/dev/null 2>&1 &
	local pid=$! i
	exec 5<>"$T/fifo"
	head -c 300000 "$BUSYBOX_TAR" >&5
	for ((i = 0; i < 100; i++)); do
		[[ -n $(ls "$DROOT/tmp") ]] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	exec 5>&-
	local crashed
	crashed=$(ls "$DROOT/tmp")
	[[ $crashed == "$pid"-* ]]
	# one whose owner runs (this shell, before it could lock it) and one whose lock is held
	# (its owner in another PID namespace, where the pid names someone else): both stay
	local start live locked
	start=$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20)
	live=$$-$start-0123456789abcdef
	locked=$pid-1-fedcba9876543210
	mkdir "$DROOT/tmp/$live" "$DROOT/tmp/$locked"
	exec 6<"$DROOT/tmp/$locked"
	flock -n 6
	mk "$T/other.tar" --tiny --tag other:1
	run dk load -i "$T/other.tar"
	assert_success
	[[ ! -e $DROOT/tmp/$crashed && -d $DROOT/tmp/$live && -d $DROOT/tmp/$locked ]]
	exec 6<&-
	# system prune: the unlocked dir of a dead owner goes, the live one's stays
	mkdir -p "$DROOT/tmp/$crashed/layers/x/diff"
	run dk system prune -f
	assert_success
	[[ ! -e $DROOT/tmp/$crashed && ! -e $DROOT/tmp/$locked && -d $DROOT/tmp/$live ]]
	rmdir "$DROOT/tmp/$live"
}

@test "parallel: four loads at once all land, refs.json stays whole" {
	local i
	for i in 1 2 3 4; do
		mk "$T/p$i.tar" --tiny --tag "par$i:latest" --config "{\"Cmd\":[\"c$i\"]}"
	done
	local pids=()
	for i in 1 2 3 4; do
		dk load -i "$T/p$i.tar" >"$T/p$i.out" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" # only ours: bats has its own children
	for i in 1 2 3 4; do
		[[ $(cat "$T/p$i.out") == "Loaded image: par$i:latest" ]]
	done
	jq -e '.refs | length == 4' "$DROOT/refs.json" >/dev/null
	jq -e '.images | length == 4' "$DROOT/refs.json" >/dev/null
	run dk images --format '{{.Repository}}'
	[[ $(echo "$output" | sort | tr '\n' ' ') == "par1 par2 par3 par4 " ]]
	[[ $(ls "$DROOT/layers" | wc -l) -eq 1 ]] # the same base layer, unpacked once
	[[ -z $(ls "$DROOT/tmp") ]]
}

@test "images lists 100 images" {
	mk "$T/u.tar" --tiny --tag base:1
	dk load -i "$T/u.tar"
	local id
	id=$(dk images -q --no-trunc)
	# 100 images as refs.json records (what 100 loads would leave), the tags spread over them
	python3 - "$DROOT/refs.json" "$id" <<'EOF'
import json, sys
p, id = sys.argv[1], sys.argv[2]
r = json.load(open(p))
rec = r["images"][id]
for i in range(100):
    fake = "sha256:%064x" % (i + 1)
    r["images"][fake] = dict(rec)
    r["refs"]["docker.io/library/img%d:latest" % i] = fake
json.dump(r, open(p, "w"))
EOF
	run dk images
	[[ ${#lines[@]} -eq 102 ]]
	# how fast: bench/dock.sh (no timing in a test)
}
