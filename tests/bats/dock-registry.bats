#!/usr/bin/env bats
# dock and registries: pull, push, login, logout against Debian's docker-registry, run by this
# file on 127.0.0.1 with its own config and storage under the file's temp dir (never the
# package's config): one open instance and one with htpasswd (bcrypt) Basic auth.  skopeo
# checks what dock pushes and supplies what dock pulls.  Nothing leaves 127.0.0.1.

load dock-helpers

# a free TCP port on 127.0.0.1
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_registry NAME PORT [htpasswd FILE | token REALM CERT]: docker-registry serving NAME's storage; its PID in
# $BATS_FILE_TMPDIR/NAME.pid
start_registry() {
	local name=$1 port=$2 dir=$BATS_FILE_TMPDIR/$1
	mkdir -p "$dir/data"
	{
		echo "version: 0.1"
		echo "log: {level: error}"
		echo "storage:"
		echo "  filesystem: {rootdirectory: $dir/data}"
		echo "  delete: {enabled: true}"
		echo "http: {addr: 127.0.0.1:$port}"
		if [[ ${3:-} == htpasswd ]]; then
			echo "auth:"
			echo "  htpasswd: {realm: dock-tests, path: $4}"
		elif [[ ${3:-} == token ]]; then
			echo "auth:"
			echo "  token: {realm: \"$4\", service: dock-test-registry, issuer: dock-test-issuer, rootcertbundle: $5}"
		fi
	} >"$dir/config.yml"
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo $! >"$dir.pid"
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
		sleep 0.1
	done
	echo "# registry $name did not start:" >&2
	sed 's/^/#   /' "$dir/log" >&2
	return 1
}

setup_file() {
	command -v docker-registry >/dev/null || skip "docker-registry is not installed (tests/install-deps.sh)"
	dock_setup_file
	REG_PORT=$(free_port)
	start_registry open "$REG_PORT"
	htpasswd -Bbc "$BATS_FILE_TMPDIR/htpasswd" tester s3cret 2>/dev/null
	AUTH_PORT=$(free_port)
	start_registry auth "$AUTH_PORT" htpasswd "$BATS_FILE_TMPDIR/htpasswd"
	REG=127.0.0.1:$REG_PORT
	AREG=127.0.0.1:$AUTH_PORT
	export REG AREG REG_PORT AUTH_PORT
	start_token_registry
}

# A registry with `auth: token`: its realm is tests/bats/registry-token-server.py, which signs
# JWTs with a key whose self-signed certificate is the registry's rootcertbundle.  TREG is the
# registry, TOKEN_LOG the token server's log of requests.
start_token_registry() {
	local d=$BATS_FILE_TMPDIR/tokensrv
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" -days 2 \
		-subj /CN=dock-test-token-issuer >/dev/null 2>&1 || return 1
	TOKEN_LOG=$d/requests.log
	: >"$TOKEN_LOG"
	python3 "$BATS_TEST_DIRNAME/registry-token-server.py" "$d/key.pem" "$d/cert.pem" dock-test-issuer \
		tokenuser:t0ken-pass "$d/port" "$TOKEN_LOG" >"$d/log" 2>&1 &
	echo $! >"$BATS_FILE_TMPDIR/tokensrv.pid"
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $d/port ]] && break
		sleep 0.1
	done
	[[ -s $d/port ]] || {
		echo "# the token server did not start:" >&2
		sed 's/^/#   /' "$d/log" >&2
		return 1
	}
	TOKEN_PORT=$(free_port)
	start_registry token "$TOKEN_PORT" token "http://127.0.0.1:$(cat "$d/port")/token" "$d/cert.pem"
	TREG=127.0.0.1:$TOKEN_PORT
	export TREG TOKEN_LOG
}

teardown_file() {
	local f
	for f in "$BATS_FILE_TMPDIR"/*.pid; do
		[[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

setup() {
	dock_setup
	export DOCKER_CONFIG=$T/docker-config
}

# what a test started on its own: a proxy, a TLS registry
teardown() {
	local f
	for f in "$T/proxy.pid" "$T/tlsreg.pid"; do
		[[ -f $f ]] || continue
		kill "$(cat "$f")" 2>/dev/null
		wait "$(cat "$f")" 2>/dev/null || true
	done
	dock_teardown
}

# a repository name of this test's own
repo() { echo "t$BATS_TEST_NUMBER/$1"; }

# the registry's copy of a blob
reg_blob() { echo "$BATS_FILE_TMPDIR/$1/data/docker/registry/v2/blobs/sha256/${2:7:2}/${2:7}/data"; }

assert_store_empty() {
	local n
	n=$(find "$DROOT/blobs/sha256" "$DROOT/layers" "$DROOT/tmp" -mindepth 1 2>/dev/null | wc -l)
	[[ $n -eq 0 ]] || {
		echo "# the store kept $n entries" >&2
		return 1
	}
	[[ ! -f $DROOT/refs.json || $(jq '.images | length' "$DROOT/refs.json") == 0 ]]
}

@test "registry: push, rmi, pull, run; images --digests shows the repo digest" {
	dk_load
	local r
	r=$REG/$(repo bb):v1
	run dk tag busybox "$r"
	assert_success
	run dk push "$r"
	assert_success
	[[ ${lines[0]} == "The push refers to repository [$REG/$(repo bb)]" ]]
	[[ $output == *": Pushed"* ]]
	[[ ${lines[-1]} =~ ^v1:\ digest:\ (sha256:[0-9a-f]{64})\ size:\ [0-9]+$ ]]
	local digest=${BASH_REMATCH[1]}
	# the registry has the manifest under that digest
	run curl -sf -H "Accept: application/vnd.oci.image.manifest.v1+json" -o /dev/null -w '%{http_code}' \
		"http://$REG/v2/$(repo bb)/manifests/$digest"
	[[ $output == 200 ]]
	run dk rmi busybox "$r"
	assert_success
	assert_store_empty
	run dk pull "$r"
	assert_success
	[[ ${lines[0]} == "v1: Pulling from $(repo bb)" ]]
	[[ $output == *"Pull complete"* && $output == *"Digest: $digest"* ]]
	[[ ${lines[-2]} == "Status: Downloaded newer image for $r" ]]
	[[ ${lines[-1]} == "$r" ]]
	run dk images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}'
	assert_success
	[[ $output == "$REG/$(repo bb):v1 $digest" ]]
	run dk run --rm "$r" echo pulled-and-ran
	assert_success
	[[ $output == pulled-and-ran ]]
	# pulling again changes nothing
	run dk pull "$r"
	assert_success
	[[ $output == *"Status: Image is up to date for $r"* ]]
	[[ -z $(ls "$DROOT/tmp") ]]
}

@test "registry: pull by digest, -q, and a missing tag" {
	dk_load
	local r=$REG/$(repo bb)
	dk tag busybox "$r:x"
	run dk push -q "$r:x"
	assert_success
	[[ $output == "$r:x" ]]
	local digest
	digest=$(jq -r '.images[].repoDigests[0]' "$DROOT/refs.json")
	[[ $digest == "$r@sha256:"* ]]
	dk rmi busybox "$r:x" >/dev/null
	run dk pull -q "$digest"
	assert_success
	[[ $output == "$digest" ]]
	run dk image inspect --format '{{json .RepoDigests}}' "$digest"
	assert_success
	[[ $output == "[\"$digest\"]" ]]
	run dk pull "$r:nope"
	assert_failure
	[[ $output == *"manifest for $r:nope not found"* ]]
}

@test "registry: skopeo reads what dock pushed, dock pulls what skopeo copied" {
	dk_load
	local r=$REG/$(repo bb):1
	dk tag busybox "$r"
	run dk push "$r"
	assert_success
	run skopeo inspect --tls-verify=false "docker://$r"
	assert_success
	[[ $(jq -r .Digest <<<"$output") == "$(jq -r '.images[].repoDigests[0]' "$DROOT/refs.json" | cut -d@ -f2)" ]]
	run skopeo copy -q --src-tls-verify=false "docker://$r" "oci:$T/oci:x"
	assert_success
	# a gzip'd two-layer OCI image, copied in by skopeo
	mkdir -p "$T/extra"
	echo from-skopeo >"$T/extra/hello"
	python3 "$MAKE_IMAGE" "$T/two.tar" --format oci --gzip --layer "$T/extra" >/dev/null
	local s=$REG/$(repo sk):2
	run skopeo copy -q --dest-tls-verify=false "oci-archive:$T/two.tar" "docker://$s"
	assert_success
	run dk pull "$s"
	assert_success
	[[ $(grep -c 'Pull complete' <<<"$output") == 2 ]]
	run dk run --rm "$s" cat /hello
	assert_success
	[[ $output == from-skopeo ]]
}

@test "registry: push skips what is there and mounts blobs from another repository" {
	dk_load
	local a=$REG/$(repo a):1 b=$REG/$(repo b):1
	dk tag busybox "$a"
	dk tag busybox "$b"
	run dk push "$a"
	assert_success
	run dk push "$a"
	assert_success
	[[ $output == *"Layer already exists"* && $output != *Pushed* ]]
	run dk push "$b"
	assert_success
	[[ $output == *"Mounted from $(repo a)"* && $output != *Pushed* ]]
	run skopeo inspect --tls-verify=false "docker://$b"
	assert_success
}

# an OCI layout with an index of two platforms (busybox for this host's, a tiny image tagged
# for another), pushed with skopeo --all
make_index() {
	local out=$1 arch other
	arch=$(uname -m)
	case $arch in x86_64) arch=amd64 other=arm64 ;; aarch64) arch=arm64 other=amd64 ;; *) other=amd64 ;; esac
	mkdir -p "$T/a" "$T/b"
	tar -C "$T/a" -xf "$BUSYBOX_OCI"
	python3 "$MAKE_IMAGE" "$T/tiny.tar" --format oci --tiny >/dev/null
	tar -C "$T/b" -xf "$T/tiny.tar"
	python3 - "$T/a" "$T/b" "$out" "$arch" "$other" <<'PY'
import hashlib, json, os, shutil, sys
a, b, out, arch, other = sys.argv[1:]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
descs = []
for src, plat in ((a, arch), (b, other)):
    for f in os.listdir(src + "/blobs/sha256"):
        shutil.copy(src + "/blobs/sha256/" + f, out + "/blobs/sha256/" + f)
    d = json.load(open(src + "/index.json"))["manifests"][0]
    descs.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d["digest"],
                  "size": d["size"], "platform": {"os": "linux", "architecture": plat}})
idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                  "manifests": descs}).encode()
h = hashlib.sha256(idx).hexdigest()
open(out + "/blobs/sha256/" + h, "wb").write(idx)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
           "digest": "sha256:" + h, "size": len(idx), "annotations": {"org.opencontainers.image.ref.name": "multi"}}]},
          open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
print(other)
PY
}

@test "registry: a multi-platform index gives the host's image, --platform another" {
	local other r=$REG/$(repo multi):1
	other=$(make_index "$T/layout")
	run skopeo copy -q --all --dest-tls-verify=false "oci:$T/layout:multi" "docker://$r"
	assert_success
	local idx
	idx=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' -o /dev/null -w '%header{docker-content-digest}' \
		"http://$REG/v2/$(repo multi)/manifests/1")
	[[ $idx == sha256:* ]]
	run dk pull "$r"
	assert_success
	[[ $output == *"Digest: $idx"* ]]
	run dk run --rm "$r" echo host-platform
	assert_success
	[[ $output == host-platform ]]
	# the repo digest is the index's, as docker records it
	[[ $(jq -r '.images[].repoDigests[0]' "$DROOT/refs.json") == "$REG/$(repo multi)@$idx" ]]
	local host_id
	host_id=$(jq -r '.images | keys[0]' "$DROOT/refs.json")
	run dk pull --platform "linux/$other" "$r"
	assert_success
	[[ $(jq -r --arg r "$r" '.refs[$r]' "$DROOT/refs.json") != "$host_id" ]]
	run dk pull --platform linux/s390x "$r"
	assert_failure
	[[ $output == *"no matching manifest for linux/s390x"* ]]
}

@test "registry: a corrupted blob is refused and leaves nothing in the store" {
	dk_load
	local r=$REG/$(repo bad):1
	dk tag busybox "$r"
	run dk push "$r"
	assert_success
	local layer
	layer=$(jq -r '.images[].blobs[0]' "$DROOT/refs.json")
	dk rmi busybox "$r" >/dev/null
	assert_store_empty
	# same size, one byte changed, in the registry's own storage
	local f
	f=$(reg_blob open "$layer")
	[[ -f $f ]]
	cp "$f" "$T/good"
	printf 'X' | dd of="$f" bs=1 seek=4000 conv=notrunc status=none
	run dk pull "$r"
	cp "$T/good" "$f"
	assert_failure
	[[ $output == *"$layer"* ]]
	assert_store_empty
	[[ -z $(ls "$DROOT/tmp") ]]
	# and with the blob repaired the same pull works
	run dk pull "$r"
	assert_success
}

@test "registry: a blob whose bytes differ but whose content does not is refused too" {
	# a gzip layer: its header's mtime changed, the tar inside (the diff ID) unchanged, so only
	# the blob's own digest can tell
	dk load -i "$BUSYBOX_OCI" >/dev/null
	local r=$REG/$(repo gz):1
	dk tag busybox "$r"
	run dk push "$r"
	assert_success
	local layer f
	layer=$(jq -r '.images[].blobs[0]' "$DROOT/refs.json")
	dk rmi busybox "$r" >/dev/null
	f=$(reg_blob open "$layer")
	[[ $(head -c 2 "$f" | od -An -tx1 | tr -d ' ') == 1f8b ]]
	cp "$f" "$T/good"
	printf '\x01\x02\x03\x04' | dd of="$f" bs=1 seek=4 conv=notrunc status=none
	gzip -dc <"$f" | cmp -s - <(gzip -dc <"$T/good")
	run dk pull "$r"
	cp "$T/good" "$f"
	assert_failure
	[[ $output == *"layer $layer is corrupt"* ]]
	assert_store_empty
}

@test "registry: run and create pull a missing image (--pull missing|always|never)" {
	dk_load
	local r=$REG/$(repo auto):1
	dk tag busybox "$r"
	dk push "$r" >/dev/null
	dk rmi busybox "$r" >/dev/null
	run dk run --rm --pull never "$r" true
	assert_failure
	[[ $output == *"Unable to find image"* ]]
	run dk run --rm "$r" echo auto-pulled
	assert_success
	[[ $output == *"Unable to find image '$r' locally"* ]]
	[[ ${lines[-1]} == auto-pulled ]]
	run dk create --pull always "$r" true
	assert_success
	[[ $output == *"Status: Image is up to date"* ]]
	run dk run --rm --pull bogus "$r" true
	assert_failure
}

@test "registry: htpasswd auth: anonymous refused, wrong password saves nothing, login, push, pull, logout" {
	dk_load
	local r=$AREG/$(repo auth):1
	dk tag busybox "$r"
	run dk push "$r"
	assert_failure
	[[ $output == *"unauthorized"* ]]
	run dk login -u tester -p wrong "$AREG"
	assert_failure
	[[ $output == *"incorrect username or password"* ]]
	[[ ! -e $DOCKER_CONFIG/config.json ]]
	run dk login -u tester --password-stdin "$AREG" <<<"s3cret"
	assert_success
	[[ ${lines[-1]} == "Login Succeeded" ]]
	[[ $(jq -r --arg h "$AREG" '.auths[$h].auth' "$DOCKER_CONFIG/config.json" | base64 -d) == tester:s3cret ]]
	[[ $(stat -c %a "$DOCKER_CONFIG/config.json") == 600 ]]
	run dk push "$r"
	assert_success
	dk rmi busybox "$r" >/dev/null
	run dk pull "$r"
	assert_success
	run skopeo inspect --tls-verify=false --creds tester:s3cret "docker://$r"
	assert_success
	run dk logout "$AREG"
	assert_success
	[[ $output == "Removing login credentials for $AREG" ]]
	[[ $(jq -r --arg h "$AREG" '.auths[$h] // "gone"' "$DOCKER_CONFIG/config.json") == gone ]]
	dk rmi "$r" >/dev/null
	run dk pull "$r"
	assert_failure
	[[ $output == *"unauthorized"* ]]
	run dk logout "$AREG"
	assert_success
	[[ $output == "Not logged in to $AREG" ]]
}

@test "registry: token auth: bearer tokens from the realm for push and pull, a wrong password refused" {
	# the registry wants a token: a Bearer challenge naming the realm
	run curl -s -D - -o /dev/null "http://$TREG/v2/"
	[[ $output == *" 401 "* && $output == *'Www-Authenticate: Bearer realm="http://127.0.0.1:'*'/token",service="dock-test-registry"'* ]]
	dk_load
	local r=$TREG/$(repo tok):1
	dk tag busybox "$r"
	# anonymous: the realm gives a token that grants nothing, the registry refuses it
	run dk push "$r"
	assert_failure
	[[ $output == *"unauthorized"* || $output == *"denied"* ]]
	grep -qE "^- (.* )?repository:$(repo tok):pull,push( .*)? -> 200\$" "$TOKEN_LOG"
	# a wrong password: the token server refuses it, nothing is saved
	run dk login -u tokenuser -p wrong "$TREG"
	assert_failure
	[[ ! -e $DOCKER_CONFIG/config.json ]]
	grep -q "^tokenuser  -> 401\$" "$TOKEN_LOG"
	run dk login -u tokenuser --password-stdin "$TREG" <<<"t0ken-pass"
	assert_success
	[[ ${lines[-1]} == "Login Succeeded" ]]
	: >"$TOKEN_LOG"
	run dk push "$r"
	assert_success
	[[ ${lines[-1]} =~ ^1:\ digest:\ (sha256:[0-9a-f]{64})\ size:\ [0-9]+$ ]]
	local digest=${BASH_REMATCH[1]}
	# the credentials went to the realm only, for the push's scope
	grep -qE "^tokenuser (.* )?repository:$(repo tok):pull,push( .*)? -> 200\$" "$TOKEN_LOG"
	# what was pushed is there: skopeo reads it through its own tokens
	run skopeo inspect --tls-verify=false --creds tokenuser:t0ken-pass "docker://$r"
	assert_success
	[[ $(jq -r .Digest <<<"$output") == "$digest" ]]
	dk rmi busybox "$r" >/dev/null
	: >"$TOKEN_LOG"
	run dk pull "$r"
	assert_success
	[[ $output == *"Digest: $digest"* ]]
	grep -qE "^tokenuser (.* )?repository:$(repo tok):pull( .*)? -> 200\$" "$TOKEN_LOG"
	# a pull asks for no more than it needs
	[[ $(grep -c "pull,push" "$TOKEN_LOG") == 0 ]]
	run dk run --rm "$r" echo via-token
	assert_success
	[[ $output == via-token ]]
	# logged out: the pull is refused again
	dk logout "$TREG" >/dev/null
	dk rmi "$r" >/dev/null
	run dk pull "$r"
	assert_failure
	[[ $output == *"unauthorized"* || $output == *"denied"* ]]
}

@test "registry: credentials from a credential helper" {
	dk_load
	local r=$AREG/$(repo helper):1
	mkdir -p "$T/bin" "$DOCKER_CONFIG"
	# a helper that knows one server and logs what it is asked
	cat >"$T/bin/docker-credential-test" <<-EOF
		#!/bin/sh
		read -r server
		echo "\$1 \$server" >>"$T/helper.log"
		[ "\$1" = get ] && [ "\$server" = "$AREG" ] && echo '{"ServerURL":"$AREG","Username":"tester","Secret":"s3cret"}' && exit 0
		[ "\$1" = get ] && echo "credentials not found in native keychain" && exit 1
		exit 0
	EOF
	chmod +x "$T/bin/docker-credential-test"
	echo "{\"credHelpers\": {\"$AREG\": \"test\"}}" >"$DOCKER_CONFIG/config.json"
	dk tag busybox "$r"
	PATH=$T/bin:$PATH run dk push "$r"
	assert_success
	grep -qx "get $AREG" "$T/helper.log"
}

# a proxy to the open registry that cuts the first answer of every blob GET after half its
# bytes (the headers promised all of them), and passes Range requests through
start_dropping_proxy() {
	local port=$1
	python3 - "$port" "$REG" "$T/proxy.log" <<'PY' &
import http.server, sys, urllib.request, urllib.error
port, upstream, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seen = set()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        req = urllib.request.Request("http://" + upstream + self.path)
        for k in ("Accept", "Range", "Authorization"):
            if self.headers.get(k): req.add_header(k, self.headers[k])
        try:
            r = urllib.request.urlopen(req)
            code, body, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            code, body, hdrs = e.code, e.read(), e.headers
        with open(log, "a") as f:
            f.write("%s %s %s\n" % (self.path, self.headers.get("Range", "-"), code))
        self.send_response(code)
        for k, v in hdrs.items():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if "/blobs/sha256:" in self.path and self.path not in seen and len(body) > 1024:
            seen.add(self.path)
            self.wfile.write(body[: len(body) // 2]); self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)
    do_HEAD = do_GET
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
	echo $! >"$T/proxy.pid"
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
		sleep 0.1
	done
	return 1
}

@test "registry: a connection dropped mid-blob is resumed with Range" {
	dk_load
	local r=$REG/$(repo resume):1 port
	dk tag busybox "$r"
	dk push "$r" >/dev/null
	dk rmi busybox "$r" >/dev/null
	port=$(free_port)
	start_dropping_proxy "$port"
	local layer
	run env DOCK_REGISTRY_FAST_RETRY=1 timeout 60 "$DOCK" --root "$DROOT" --runroot "$DRUN" pull "127.0.0.1:$port/$(repo resume):1"
	kill "$(cat "$T/proxy.pid")"
	wait "$(cat "$T/proxy.pid")" 2>/dev/null || true
	assert_success
	[[ $output == *"Pull complete"* ]]
	# the layer was asked for twice: whole, then from where the cut was
	grep -q '/blobs/sha256:.* bytes=[1-9][0-9]*- 206' "$T/proxy.log"
	run dk run --rm "127.0.0.1:$port/$(repo resume):1" echo resumed
	assert_success
	[[ $output == resumed ]]
}

# three layers of 3 MiB of random bytes each on busybox, tagged $1; their sums in $T/sums
three_layer_image() {
	local c=$T/ctx i
	mkdir -p "$c"
	printf 'FROM busybox\n' >"$c/Dockerfile"
	for i in 1 2 3; do
		head -c $((3 << 20)) /dev/urandom >"$c/f$i"
		printf 'COPY f%s /data/f%s\n' "$i" "$i" >>"$c/Dockerfile"
	done
	(cd "$c" && sha256sum f1 f2 f3) >"$T/sums"
	dk build -q -t "$1" "$c" >/dev/null
}

# start tests/bats/registry-proxy.py with ARGS; PROXY=127.0.0.1:PORT, its log in $T/proxy.log
start_proxy() {
	python3 "$BATS_TEST_DIRNAME/registry-proxy.py" "$T/proxy.port" "$T/proxy.log" "$@" 2>"$T/proxy.err" &
	echo $! >"$T/proxy.pid"
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $T/proxy.port ]] && break
		sleep 0.1
	done
	PROXY=127.0.0.1:$(cat "$T/proxy.port")
}


@test "registry: through an HTTP proxy, blobs go up in parallel and in chunks; a cut chunk is resumed" {
	dk_load
	three_layer_image big
	start_proxy --drop-patch 2 --hold-uploads
	# a name that does not resolve: only the proxy can reach the registry
	local name=registry.test:$REG_PORT
	local r=$name/$(repo big):1
	dk tag big "$r"
	export DOCK_INSECURE_REGISTRIES=$name DOCK_REGISTRY_FAST_RETRY=1
	# no_proxy is honoured: the name is looked up, and fails
	run env http_proxy=http://$PROXY no_proxy=registry.test timeout 60 "$DOCK" --root "$DROOT" --runroot "$DRUN" push "$r"
	assert_failure
	[[ $output == *registry.test* ]]
	[[ ! -s $T/proxy.log ]]
	run env http_proxy=http://$PROXY DOCK_PUSH_CHUNK_SIZE=1048576 timeout 120 "$DOCK" --root "$DROOT" --runroot "$DRUN" push "$r"
	assert_success
	[[ $output == *"1: digest: sha256:"* ]]
	# 1 MiB chunks: three for each 3 MiB layer, one of them cut and resumed
	(($(grep -c "^PATCH http://$name/" "$T/proxy.log") >= 9))
	grep -q "^DROPPED .*: 202$" "$T/proxy.log"
	# the registry had half the cut chunk: dock asked where the upload stood (docker-registry can't
	# say once it took a part the client was not told of) and began that blob's upload again
	grep -q "^GET http://$name/v2/$(repo big)/blobs/uploads/" "$T/proxy.log"
	(($(grep -c "^POST http://$name/v2/$(repo big)/blobs/uploads/" "$T/proxy.log") >= 6)) # 5 blobs, one twice
	# more than one upload in flight at once
	(($(cat "$T/proxy.log.inflight") >= 2))
	# what the registry holds is whole: pull it back (HTTP_PROXY, docker's uppercase form) and read it
	dk rmi big "$r" >/dev/null
	: >"$T/proxy.log"
	run env HTTP_PROXY=http://$PROXY timeout 60 "$DOCK" --root "$DROOT" --runroot "$DRUN" pull "$r"
	assert_success
	grep -q "^GET http://$name/v2/$(repo big)/blobs/" "$T/proxy.log"
	run dk run --rm --network none "$r" sh -c 'cd /data && sha256sum f1 f2 f3'
	assert_success
	[[ $output == "$(cat "$T/sums")" ]]
}

@test "registry: on a terminal, pull and push draw progress bars; elsewhere plain lines" {
	dk_load
	three_layer_image bars
	local r=$REG/$(repo bars):1
	dk tag bars "$r"
	local g="--root $DROOT --runroot $DRUN"
	TERM=xterm COLUMNS=100 script -qefc "$DOCK $g push $r" "$T/push.tty" >/dev/null
	grep -q $'\e\\[[0-9]*A' "$T/push.tty"
	grep -q 'Pushing \[=*>* *\]' "$T/push.tty"
	grep -q 'Pushed' "$T/push.tty"
	dk rmi bars "$r" >/dev/null
	TERM=xterm script -qefc "$DOCK $g pull $r" "$T/pull.tty" >/dev/null
	grep -q $'\e\\[[0-9]*A' "$T/pull.tty"
	grep -q 'Downloading \[=*>* *\] *[0-9.]*[kM]B/3.15MB' "$T/pull.tty"
	grep -q 'Pull complete' "$T/pull.tty"
	# not a terminal: no escapes, no byte counts, a line per change
	dk rmi "$r" >/dev/null
	run dk pull "$r"
	assert_success
	[[ $output != *$'\e'* && $output != *Downloading* ]]
	local n
	n=$(grep -c ': Pulling fs layer$' <<<"$output")
	((n >= 1))
	[[ $(grep -c ': Pull complete$' <<<"$output") -eq $n ]]
}

# a CA, a server certificate for registry.test, a client certificate the registry asks for
make_tls() {
	local d=$1
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=dock-test-ca
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=registry.test
		printf 'subjectAltName=DNS:registry.test\n' >srv.ext
		openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile srv.ext
		openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=dock-test-client
		openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.cert -days 2
	) >/dev/null 2>&1
}

@test "registry: TLS with /etc/docker/certs.d/HOST: the CA, and a client certificate" {
	dk_load
	local d=$T/tls port
	make_tls "$d"
	port=$(free_port)
	mkdir -p "$T/tlsreg"
	cat >"$T/tlsreg/config.yml" <<-YML
		version: 0.1
		log: {level: error}
		storage:
		  filesystem: {rootdirectory: $T/tlsreg/data}
		http:
		  addr: 127.0.0.1:$port
		  tls:
		    certificate: $d/srv.crt
		    key: $d/srv.key
		    clientcas: [$d/ca.crt]
	YML
	docker-registry serve "$T/tlsreg/config.yml" >"$T/tlsreg/log" 2>&1 &
	echo $! >"$T/tlsreg.pid"
	# registry.test is 127.0.0.1 in a mount namespace of dock's own (a hosts file bound over /etc/hosts)
	{
		echo "127.0.0.1 registry.test"
		cat /etc/hosts
	} >"$T/hosts"
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null --resolve "registry.test:$port:127.0.0.1" --cacert "$d/ca.crt" --cert "$d/client.cert" \
			--key "$d/client.key" "https://registry.test:$port/v2/" && break
		sleep 0.1
	done
	local name=registry.test:$port certs=$T/certs.d
	local r=$name/$(repo tls):1
	dk tag busybox "$r"
	dkh() { unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T/hosts" env DOCK_CERTS_D="$certs" \
		"$DOCK" --root "$DROOT" --runroot "$DRUN" "$@"; }
	# no CA for it: the server's certificate is not trusted
	run dkh push "$r"
	assert_failure
	[[ $output == *registry.test* && $output == *certificate* ]]
	# the CA but no client certificate: the registry refuses the handshake
	mkdir -p "$certs/$name"
	cp "$d/ca.crt" "$certs/$name/ca.crt"
	run dkh push "$r"
	assert_failure
	[[ $output == *registry.test* ]]
	# and with one: push, rmi, pull
	cp "$d/client.cert" "$d/client.key" "$certs/$name/"
	run dkh push "$r"
	assert_success
	[[ $output == *"1: digest: sha256:"* ]]
	dk rmi "$r" >/dev/null
	run dkh pull "$r"
	assert_success
	[[ $output == *"Status: Downloaded newer image for $r"* ]]
}
