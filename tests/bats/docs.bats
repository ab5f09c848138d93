#!/usr/bin/env bats
# docs/clients.md against what the tests run: each configuration block in it is a file under
# docs/examples (byte for byte), each command line names a test file that really uses its
# flag, and each example file is loaded by the tool it is for: containerd parses its
# config.toml; podman runs a container with containers.conf and containers-shim.conf (berth
# and berth-shim picked by name, from the files, paths replaced by the build's); the
# Kubernetes RuntimeClass and the CRI-O table (no kubelet, apiserver or crio here) are parsed,
# and their handler checked against the containerd table's name.  dockerd's daemon.json:
# docs-dockerd.bats.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

DOCS=$BATS_TEST_DIRNAME/../../docs
SRC=$BATS_TEST_DIRNAME/../..
SHIM=${SHIM:-$BATS_TEST_DIRNAME/../../berth-shim}
PODMAN_CONMON=${PODMAN_CONMON:-/usr/bin/conmon}
IMG=localhost/berth-busybox:test

# The blocks of clients.md marked "<!-- snippet: FILE -->", as "FILE<TAB>LINE" (the block
# follows the marker, after blank lines), and "<!-- tested-by: FILE: STRING -->" markers.
snippets() { grep -n -oE '<!-- snippet: [^ ]+ -->' "$DOCS/clients.md" | sed -E 's/^([0-9]+):<!-- snippet: ([^ ]+) -->$/\2\t\1/'; }
block_after() { # LINE: the fenced block after line LINE of clients.md
	awk -v n="$1" 'NR <= n { next } !on && /^```/ { on = 1; next } on && /^```/ { exit } on { print }' "$DOCS/clients.md"
}

# podman over the build's berth and berth-shim, chosen by the example files alone
setup_file() {
	[[ -x $SHIM ]] || { export PODMAN_SKIP="no berth-shim at $SHIM"; return 0; }
	local lines
	# shim's [engine] keys first: the runtime file ends in the [engine.runtimes] table
	lines=$(cat "$DOCS/examples/containers-shim.conf" "$DOCS/examples/containers.conf" | grep -vxF '[engine]' |
		sed -e "s|\"/usr/bin/berth-shim\"|\"$SHIM\"|" -e "s|\"/usr/bin/berth\"|\"\$PD/bin/berth\"|")
	pd_setup_file "$lines"
	[[ -z $PODMAN_SKIP ]] || return 0
	sed -i "s|\\\$PD|$PD|" "$PD/containers.conf"
	mkdir -p "$PD/bin"
	printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$PD/berth-calls.log" "$RUNTIME" >"$PD/bin/berth"
	chmod 755 "$PD/bin/berth"
	# podman with no --runtime or --conmon: containers.conf says which
	cat >"$PD/podman-conf" <<EOF2
#!/bin/sh
exec podman --root "$PD/root" --runroot "$PD/runroot" --tmpdir "$PD/tmp" --storage-driver vfs \\
	--cgroup-manager cgroupfs --events-backend file "\$@"
EOF2
	chmod 755 "$PD/podman-conf"
}

teardown_file() { pd_teardown_file; }
setup() { :; }
teardown() { :; }

pmc() { (_exec_clean timeout -k 5 60 "$PD/podman-conf" "$@"); }

@test "docs: each configuration block of clients.md is its docs/examples file" {
	local f line n=0
	while IFS=$'\t' read -r f line; do
		[[ -f $SRC/$f ]] || { echo "# $f: no such file"; return 1; }
		diff -u --label "$f" --label "docs/clients.md:$line" "$SRC/$f" <(block_after "$line") || return 1
		n=$((n + 1))
	done < <(snippets)
	[ "$n" -ge 6 ]
	# and every example is shown
	for f in "$DOCS"/examples/*; do
		snippets | grep -q "^docs/examples/${f##*/}"$'\t' || { echo "# ${f##*/} is not in clients.md"; return 1; }
	done
}

@test "docs: each command line of clients.md names a test that uses its flag" {
	local n=0 f s
	while IFS= read -r m; do
		f=${m%%: *} s=${m#*: }
		grep -qF -- "$s" "$SRC/$f" || { echo "# $f does not contain: $s"; return 1; }
		n=$((n + 1))
	done < <(sed -nE 's/^<!-- tested-by: (.*) -->$/\1/p' "$DOCS/clients.md")
	[ "$n" -ge 4 ]
}

@test "docs: containerd loads containerd-config.toml, with berth as runtime handler \"berth\"" {
	command -v containerd >/dev/null || skip "containerd is not installed"
	run -0 containerd --config "$DOCS/examples/containerd-config.toml" config dump
	echo "$output" | awk '/runtimes.berth\]/ { on = 1 } on' >"$BATS_TEST_TMPDIR/berth"
	grep -qx '  *runtime_type = "io.containerd.runc.v2"' "$BATS_TEST_TMPDIR/berth"
	grep -qx '  *BinaryName = "/usr/bin/berth"' "$BATS_TEST_TMPDIR/berth"
	grep -qx '  *SystemdCgroup = true' "$BATS_TEST_TMPDIR/berth"
	# and it does refuse a broken file (the check above is not vacuous)
	sed 's/^version = 2/version = "two/' "$DOCS/examples/containerd-config.toml" >"$BATS_TEST_TMPDIR/bad.toml"
	run ! containerd --config "$BATS_TEST_TMPDIR/bad.toml" config dump
}

@test "docs: the RuntimeClass and CRI-O's table name the handler containerd's table defines" {
	python3 -c 'import tomllib, yaml' 2>/dev/null || skip "python3 without tomllib or yaml"
	python3 - "$DOCS/examples" <<'EOF2'
import sys, tomllib, yaml
d = sys.argv[1]
docs = list(yaml.safe_load_all(open(d + "/runtimeclass.yaml")))
rc = [x for x in docs if x["kind"] == "RuntimeClass"][0]
pod = [x for x in docs if x["kind"] == "Pod"][0]
assert rc["apiVersion"] == "node.k8s.io/v1", rc
assert pod["spec"]["runtimeClassName"] == rc["metadata"]["name"], pod
cd = tomllib.load(open(d + "/containerd-config.toml", "rb"))
cd_rt = cd["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
assert rc["handler"] in cd_rt, (rc["handler"], list(cd_rt))
crio = tomllib.load(open(d + "/crio-berth.conf", "rb"))
t = crio["crio"]["runtime"]["runtimes"][rc["handler"]]
assert t["runtime_path"] == cd_rt[rc["handler"]]["options"]["BinaryName"], t
assert t["runtime_type"] == "oci", t
print("ok")
EOF2
}

@test "docs: podman runs berth and berth-shim as containers.conf and containers-shim.conf say" {
	[[ -z $PODMAN_SKIP ]] || skip "$PODMAN_SKIP"
	run -0 pmc info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}} {{.Host.Conmon.Path}}'
	[ "$output" = "berth $PD/bin/berth $SHIM" ]
	run -0 pmc run --rm "$IMG" echo hello from the docs
	[ "$output" = "hello from the docs" ]
	# berth ran it, with JSON logs (runtime_supports_json)
	grep -q -- '--log-format=json.* create ' "$PD/berth-calls.log" || grep -q -- '--log-format json.* create ' "$PD/berth-calls.log"
}
