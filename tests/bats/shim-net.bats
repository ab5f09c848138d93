#!/usr/bin/env bats
# berth-shim's network services for dock (ours beyond conmon): the DNS server on 127.0.0.11
# (--dns-netns, --dns-table) and published ports (--publish FD:PROTO:IP:PORT).
#
# Nothing here touches the host's network: each test makes two network namespaces as files
# under $T, TNS (the "host" side: the shim runs in it, as do the fake upstream resolvers and
# the clients) and CNS (the container's: config.json's network namespace path), with lo up in
# both; the proxy tests link them with a veth pair, 10.200.0.1/24 in TNS, 10.200.0.2/24 in CNS.
# See shim-helpers.bash for the shim's launch.

load helpers
load shim-helpers

setup_file() {
	shim_setup_file
	is_berth_shim || skip "dns and published ports are berth-shim's"
	local d=$BATS_FILE_TMPDIR
	# fakedns.py PORTFILE MODE: a resolver on 127.0.0.1 (an ephemeral port, written to
	# PORTFILE); MODE answer: every A query gets 192.0.2.55, other types no records; MODE silent:
	# never answers.
	FAKEDNS_PY=$d/fakedns.py
	cat >"$FAKEDNS_PY" <<'EOF'
import os, socket, struct, sys
portfile, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
while True:
    q, peer = s.recvfrom(4096)
    if mode == "silent" or len(q) < 12:
        continue
    i = 12
    while q[i]:
        i += q[i] + 1
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    an = 1 if qtype == 1 else 0
    r = q[:2] + struct.pack(">HHHHH", 0x8180, 1, an, 0, 0) + question
    if an:
        r += struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("192.0.2.55")
    s.sendto(r, peer)
EOF
	# publish.py OUT PROTO:IP... -- CMD...: bind each PROTO:IP on an ephemeral port (listen for
	# tcp), inheritable; write "PROTO PORT" lines to OUT; exec CMD with @N replaced by the N-th
	# socket's fd (what dock does before it starts the shim; tcp with SO_REUSEADDR).
	PUBLISH_PY=$d/publish.py
	cat >"$PUBLISH_PY" <<'EOF'
import os, socket, sys
out, args = sys.argv[1], sys.argv[2:]
sep = args.index("--")
socks, lines = [], []
for spec in args[:sep]:
    proto, ip = spec.split(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    if proto == "tcp":  # as dock does: the port can be bound again while old connections linger
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, 0))
    if proto == "tcp":
        s.listen(16)
    s.set_inheritable(True)
    socks.append(s)
    lines.append("%s %d\n" % (proto, s.getsockname()[1]))
with open(out + ".tmp", "w") as f:
    f.writelines(lines)
os.rename(out + ".tmp", out)
cmd = args[sep + 1:]
for n, s in enumerate(socks, 1):
    cmd = [a.replace("@%d" % n, str(s.fileno())) for a in cmd]
os.execvp(cmd[0], cmd)
EOF
	# backend.py: in CNS, on 10.200.0.2: UDP echo on port 7 ("echo:" + the datagram); on TCP port
	# 8, read to EOF, then answer with the byte count and close (a half-close test).
	BACKEND_PY=$d/backend.py
	cat >"$BACKEND_PY" <<'EOF'
import socket, sys, threading
ready = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("10.200.0.2", 7))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("10.200.0.2", 8))
t.listen(8)
def udp():
    while True:
        d, peer = u.recvfrom(65536)
        u.sendto(b"echo:" + d, peer)
def tcp():
    while True:
        c, _ = t.accept()
        n = 0
        while True:
            b = c.recv(65536)
            if not b:
                break
            n += len(b)
        c.sendall(b"got %d" % n)
        c.close()
threading.Thread(target=udp, daemon=True).start()
open(ready, "w").close()
tcp()
EOF
	# client.py MODE PORT [ARG]: from TNS to 127.0.0.1:PORT.  udp DATA: send, print the reply;
	# halfclose N: send N bytes, shut down writing, print the reply; closed: connect and print
	# "closed" when the proxy closes it; bindable tcp|udp: print "free" when the port can be bound.
	CLIENT_PY=$d/client.py
	cat >"$CLIENT_PY" <<'EOF'
import socket, sys
mode, port = sys.argv[1], int(sys.argv[2])
arg = sys.argv[3] if len(sys.argv) > 3 else ""
if mode == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    for _ in range(10):  # UDP: the first datagram may beat the backend's start
        s.sendto(arg.encode(), ("127.0.0.1", port))
        try:
            print(s.recv(65536).decode())
            break
        except socket.timeout:
            pass
elif mode == "halfclose":
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"x" * int(arg))
    s.shutdown(socket.SHUT_WR)
    r = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        r += b
    print(r.decode())
elif mode == "closed":
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        b = s.recv(10)
        print("closed" if not b else "data")
    except ConnectionResetError:
        print("closed")
elif mode == "bindable":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if arg == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        if arg == "tcp":
            s.listen(1)
        print("free")
    except OSError as e:
        print("busy: %s" % e)
EOF
	# dnsq.py NAME: one A query to 127.0.0.11 (run in CNS); prints the rcode's name and each
	# answer's address, or "timeout" after 10 s.
	DNSQ_PY=$d/dnsq.py
	cat >"$DNSQ_PY" <<'EOF'
import socket, struct, sys
name = sys.argv[1]
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(q, ("127.0.0.11", 53))
try:
    r = s.recv(4096)
except socket.timeout:
    print("timeout")
    sys.exit(1)
rcode = r[3] & 15
print({0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN"}.get(rcode, str(rcode)), "id=%x" % struct.unpack(">H", r[:2]))
an = struct.unpack(">H", r[6:8])[0]
i = len(q)
for _ in range(an):
    i += 2  # a pointer to the question
    t, c, ttl, l = struct.unpack(">HHIH", r[i:i + 10])
    if t == 1:
        print(socket.inet_ntoa(r[i + 10:i + 14]), "ttl=%d" % ttl)
    i += 10 + l
EOF
	export FAKEDNS_PY PUBLISH_PY BACKEND_PY CLIENT_PY DNSQ_PY
}

setup() {
	shim_setup
	mkdir -p "$T/ns" "$T/dns"
	TNS=$T/ns/test CNS=$T/ns/ctr
	local f
	for f in "$TNS" "$CNS"; do
		touch "$f"
		unshare --net="$f" true
		on_teardown umount "$f"
		nsenter --net="$f" ip link set lo up
	done
	cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "$CNS"
	LAUNCH=()
}

in_tns() { nsenter --net="$TNS" "$@"; }
in_cns() { nsenter --net="$CNS" "$@"; }

# bg NAME CMD...: CMD in the background (output to $T/NAME.log), killed at teardown.
bg() {
	local name=$1
	shift
	(_exec_clean "$@") </dev/null >"$T/$name.log" 2>&1 &
	on_teardown "kill $! 2>/dev/null; wait $! 2>/dev/null"
}

# net_shim_start [FLAGS...]: shim_start, with the shim in TNS and run through LAUNCH (a
# command that execs what follows it: publish.py binding sockets first).
net_shim_start() {
	need_runtime
	local n=$((++SHIM_N))
	SYNC=$T/sync.$n
	: >"$SYNC"
	SHIM_RC=0
	(
		export _OCI_SYNCPIPE=9
		KEEP_FDS=9
		_exec_clean timeout -k 5 30 nsenter --net="$TNS" "${LAUNCH[@]}" "$SHIM" --api-version 1 -c "$CID" -u "$CID" \
			-n "$CID" -r "$RUNTIME" --runtime-arg --root --runtime-arg "$ROOT" -b "$BUNDLE" -p "$T/pid" \
			-l "k8s-file:$T/ctr.log" --exit-dir "$T/exits" --persist-dir "$T/persist" --socket-dir-path "$T/sockets" \
			--conmon-pidfile "$T/shim.$n.pid" "$@"
	) 9>"$SYNC" </dev/null >"$T/shim.$n.out" 2>"$T/shim.$n.err" || SHIM_RC=$?
	SHIM_OUT=$(cat "$T/shim.$n.out" "$T/shim.$n.err")
	[[ -z $SHIM_OUT ]] || echo "$SHIM_OUT"
	return 0
}

# run_ctr SCRIPT [FLAGS...]: the container runs SCRIPT under a shim with FLAGS; started.
run_ctr() {
	set_cmd "$1"
	shift
	net_shim_start "$@"
	[ "$SHIM_RC" -eq 0 ]
	[ "$(sync_data)" -gt 0 ]
	rt start "$CID"
}

# port_of FILE NAME: wait for FILE (written atomically) and print its first line's value, or
# with NAME the value of the line "NAME VALUE".
wait_port() {
	wait_file "$1" || return 1
	if [[ -n ${2:-} ]]; then awk -v n="$2" '$1 == n { print $2; exit }' "$1"; else head -1 "$1"; fi
}

# lookup NAME: busybox nslookup NAME at 127.0.0.11, inside the container.
lookup() { rt exec "$CID" nslookup "$1" 127.0.0.11; }

# put FILE TEXT: write FILE as dock does (a temporary file renamed over it).
put() {
	printf '%s\n' "$2" >"$1.tmp"
	mv "$1.tmp" "$1"
}

@test "dns: names from the table and its includes, reread when rewritten, reverse lookups" {
	put "$T/dns/net1" "db 172.18.0.2"
	put "$T/dns/table" "hosts $T/dns/net1
hosts $T/dns/net2-not-yet
host web 10.9.8.7
host Multi 10.9.8.1
host multi. 10.9.8.2"
	run_ctr 'exec sleep 600' --dns-netns "$CNS" --dns-table "$T/dns/table"

	run lookup web
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Address: 10.9.8.7"* ]]
	run lookup WEB.
	[[ $output == *"Address: 10.9.8.7"* ]]
	run lookup multi
	[[ $output == *"Address: 10.9.8.1"* && $output == *"Address: 10.9.8.2"* ]]
	run lookup db
	[[ $output == *"Address: 172.18.0.2"* ]]

	# a peer moves, another network's file appears: answered at once, no restart
	put "$T/dns/net1" "db 172.18.0.3"
	put "$T/dns/net2-not-yet" "cache 172.19.0.4"
	run lookup db
	echo "$output"
	[[ $output == *"Address: 172.18.0.3"* && $output != *"172.18.0.2"* ]]
	run lookup cache
	[[ $output == *"Address: 172.19.0.4"* ]]

	run lookup 10.9.8.7
	echo "$output"
	[[ $output == *"name = web"* ]]
}

@test "dns: unknown names go to the upstreams; a silent one makes a prompt failure, and it goes on serving" {
	bg up nsenter --net="$TNS" python3 "$FAKEDNS_PY" "$T/up.port" answer
	bg silent nsenter --net="$TNS" python3 "$FAKEDNS_PY" "$T/silent.port" silent
	local up silent
	up=$(wait_port "$T/up.port")
	silent=$(wait_port "$T/silent.port")
	put "$T/dns/table" "upstream 127.0.0.1:$up
host web 10.9.8.7"
	run_ctr 'exec sleep 600' --dns-netns "$CNS" --dns-table "$T/dns/table"

	run lookup outside.example
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Address: 192.0.2.55"* ]]

	# the silent one first: 2 s, then the one that answers
	put "$T/dns/table" "upstream 127.0.0.1:$silent
upstream 127.0.0.1:$up"
	run lookup second.example
	echo "$output"
	[[ $output == *"Address: 192.0.2.55"* ]]

	# only the silent one: SERVFAIL (after 2 s), not silence (busybox's nslookup retries a
	# SERVFAIL until its own timeout: it fails; what it got is seen by a plain query)
	put "$T/dns/table" "upstream 127.0.0.1:$silent
host web 10.9.8.7"
	run lookup third.example
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output != *192.0.2.55* ]]
	run nsenter --net="$CNS" python3 "$DNSQ_PY" fourth.example
	echo "$output"
	[ "$output" = "SERVFAIL id=4242" ]
	# no upstream at all: SERVFAIL at once; a known name goes on being answered
	put "$T/dns/table" "host web 10.9.8.7"
	run nsenter --net="$CNS" python3 "$DNSQ_PY" fifth.example
	[ "$output" = "SERVFAIL id=4242" ]
	run nsenter --net="$CNS" python3 "$DNSQ_PY" WEB
	echo "$output"
	[ "$output" = "NOERROR id=4242
10.9.8.7 ttl=600" ]
	run lookup web
	[ "$status" -eq 0 ]
	[[ $output == *"Address: 10.9.8.7"* ]]
}

@test "dns: a bad --dns-netns fails the shim's setup on the sync pipe; one option alone or with --exec too" {
	set_cmd 'true'
	put "$T/dns/table" "host web 10.9.8.7"
	# found by the monitor (after the fork): the caller learns it on the sync pipe
	net_shim_start --dns-netns "$T/ns/missing" --dns-table "$T/dns/table"
	[ "$(sync_data)" = -1 ]
	[[ $(sync_message) == *"--dns-netns: open"*missing* ]]
	net_shim_start --dns-netns "$CNS"
	[ "$SHIM_RC" -eq 1 ]
	[[ $(sync_message) == *"--dns-netns and --dns-table go together"* ]]
	# an exec's shim serves nothing: the container's shim does
	echo '{"args": ["true"], "cwd": "/"}' >"$T/process.json"
	net_shim_start --exec --exec-process-spec "$T/process.json" --dns-netns "$CNS" --dns-table "$T/dns/table"
	[ "$SHIM_RC" -eq 1 ]
	[[ $(sync_message) == *"not --exec"* ]]
	[ -z "$(ls -A "$ROOT")" ]
}

# link_ns: a veth pair between TNS (10.200.0.1) and CNS (10.200.0.2).
link_ns() {
	in_tns ip link add vh type veth peer name vc
	in_tns ip link set vc netns "$CNS"
	in_tns ip addr add 10.200.0.1/24 dev vh
	in_tns ip link set vh up
	in_cns ip addr add 10.200.0.2/24 dev vc
	in_cns ip link set vc up
}

@test "publish: tcp to the container's httpd (a large file too), half-close, a refused connect; ports freed at exit" {
	link_ns
	mkdir -p "$BUNDLE/rootfs/www"
	echo "hello from $CID" >"$BUNDLE/rootfs/www/index.html"
	head -c 3000000 /dev/urandom >"$BUNDLE/rootfs/www/big.bin"
	bg backend nsenter --net="$CNS" python3 "$BACKEND_PY" "$T/backend.ready"
	wait_file "$T/backend.ready"
	LAUNCH=(python3 "$PUBLISH_PY" "$T/ports" tcp:127.0.0.1 tcp:127.0.0.1 tcp:127.0.0.1 --)
	# an exit command that takes a while: the shim lives on after the exit file, the ports must
	# not (they are closed when the container is gone, not when the shim is)
	run_ctr 'exec httpd -f -p 80 -h /www' --publish @1:tcp:10.200.0.2:80 --publish=@2:tcp:10.200.0.2:8 \
		--publish @3:tcp:10.200.0.2:9 --exit-command "$(command -v sleep)" --exit-command-arg 2
	local web half refused i
	web=$(sed -n '1s/tcp //p' "$T/ports")
	half=$(sed -n '2s/tcp //p' "$T/ports")
	refused=$(sed -n '3s/tcp //p' "$T/ports")

	for ((i = 0; i < 50; i++)); do
		run in_tns busybox wget -qO- "http://127.0.0.1:$web/"
		[[ $status -eq 0 ]] && break
		sleep 0.1
	done
	echo "$output"
	[ "$output" = "hello from $CID" ]
	in_tns busybox wget -qO "$T/big.got" "http://127.0.0.1:$web/big.bin"
	cmp "$BUNDLE/rootfs/www/big.bin" "$T/big.got"

	run in_tns python3 "$CLIENT_PY" halfclose "$half" 1000000
	echo "$output"
	[ "$output" = "got 1000000" ]

	run in_tns timeout 10 python3 "$CLIENT_PY" closed "$refused"
	echo "$output"
	[ "$output" = closed ]

	run in_tns python3 "$CLIENT_PY" bindable "$web" tcp
	[[ $output == busy* ]]
	rt kill "$CID" KILL
	[ "$(wait_exit_file)" = 137 ]
	run in_tns python3 "$CLIENT_PY" bindable "$web" tcp
	echo "$output"
	[ "$output" = free ]
}

@test "publish: udp to the container's port, replies to each client; freed at exit; a bad --publish fails setup" {
	link_ns
	bg backend nsenter --net="$CNS" python3 "$BACKEND_PY" "$T/backend.ready"
	wait_file "$T/backend.ready"
	LAUNCH=(python3 "$PUBLISH_PY" "$T/ports" udp:127.0.0.1 --)
	run_ctr 'exec sleep 600' --publish @1:udp:10.200.0.2:7 --exit-command "$(command -v sleep)" --exit-command-arg 2
	local port
	port=$(wait_port "$T/ports" udp)

	run in_tns python3 "$CLIENT_PY" udp "$port" ping
	echo "$output"
	[ "$output" = echo:ping ]
	run in_tns python3 "$CLIENT_PY" udp "$port" pong
	[ "$output" = echo:pong ]

	run in_tns python3 "$CLIENT_PY" bindable "$port" udp
	[[ $output == busy* ]]
	rt kill "$CID" KILL
	[ "$(wait_exit_file)" = 137 ]
	run in_tns python3 "$CLIENT_PY" bindable "$port" udp
	echo "$output"
	[ "$output" = free ]

	# an fd that is no datagram socket, a bad protocol
	LAUNCH=()
	net_shim_start --publish 0:udp:10.200.0.2:7
	[ "$(sync_data)" = -1 ]
	[[ $(sync_message) == *"bad fd"* ]]
	net_shim_start --publish 9:udp:10.200.0.2:7
	[ "$(sync_data)" = -1 ]
	[[ $(sync_message) == *"fd 9 is not a datagram socket"* ]]
	net_shim_start --publish 9:sctp:10.200.0.2:7
	[ "$(sync_data)" = -1 ]
	[[ $(sync_message) == *"protocol \`sctp\` is not tcp or udp"* ]]
}
