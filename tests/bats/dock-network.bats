#!/usr/bin/env bats
# dock networks: bridge, names, ports, macvlan (issue 13).
#
# The suite runs in a network namespace of its own (tests/run-all.sh: unshare -n) that plays
# "the host": every bridge, veth, rule and address is made in there.  A second namespace
# ("outside", a netns file made by the test) stands for another machine, wired to the host by
# a veth pair: 10.99.0.1 on the host's end, 10.99.0.2 outside.

load dock-helpers

setup() {
	dock_setup
	dk_load
	OUT=""
}

teardown() {
	if [[ -n $OUT ]]; then
		ip link del tv-host 2>/dev/null
		umount "$OUT" 2>/dev/null
		rm -f "$OUT"
	fi
	[[ -n ${PYPID:-} ]] && kill "$PYPID" 2>/dev/null
	dock_teardown
}

berth_shim() { [[ -z $DOCK_SHIM || $DOCK_SHIM == *berth-shim* ]]; }

# make_outside: the "outside" namespace and its veth to the host (made in there, its other
# end moved to this shell's namespace, the host's)
make_outside() {
	OUT=$T/outside
	touch "$OUT"
	unshare --net="$OUT" true
	nsenter --net="$OUT" ip link add tv-out type veth peer name tv-host netns $$
	ip addr add 10.99.0.1/24 dev tv-host
	ip link set tv-host up
	nsenter --net="$OUT" sh -c 'ip link set lo up && ip addr add 10.99.0.2/24 dev tv-out && ip link set tv-out up'
	local i
	for ((i = 0; i < 50; i++)); do
		outside busybox ping -c1 -W1 10.99.0.1 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
outside() { nsenter --net="$OUT" "$@"; }

# retry CMD…: CMD until it succeeds (a server in a container just started), 5 s at most
retry() {
	local i
	for ((i = 0; i < 50; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# wait_listening PORT: until something listens on TCP PORT here
wait_listening() {
	wait_bound tcp "*:$1"
}
# wait_bound tcp|udp ADDR:PORT: until a socket is bound there (binding it fails), 10 s at most
wait_bound() {
	python3 - "$1" "$2" <<-'EOF'
		import errno, socket, sys, time
		kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
		host, port = sys.argv[2].rsplit(":", 1)
		for _ in range(100):
		    s = socket.socket(socket.AF_INET, kind)
		    try:
		        s.bind(("0.0.0.0" if host == "*" else host, int(port)))
		    except OSError as e:
		        if e.errno == errno.EADDRINUSE:
		            sys.exit(0)
		    finally:
		        s.close()
		    time.sleep(0.1)
		sys.exit(1)
	EOF
}

ip_of() { dk inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }

@test "network create, ls, inspect, rm: docker's shapes, a free subnet from docker's pools" {
	run dk network create mynet
	assert_success
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	run dk network ls --format '{{.Name}} {{.Driver}} {{.Scope}}'
	assert_success
	assert_output_has "bridge bridge local"
	assert_output_has "host host local"
	assert_output_has "none null local"
	assert_output_has "mynet bridge local"
	run dk network inspect mynet
	assert_success
	sub=$(echo "$output" | jq -r '.[0].IPAM.Config[0].Subnet')
	gw=$(echo "$output" | jq -r '.[0].IPAM.Config[0].Gateway')
	[[ $sub == 172.18.0.0/16 ]] || [[ $sub == 172.* ]]
	[[ $gw == "${sub%.0/*}.1" ]]
	[[ $(echo "$output" | jq -r '.[0].Dock') == null ]]
	# the bridge exists, with the gateway address
	br=br-$(dk network inspect -f '{{.Id}}' mynet | cut -c1-12)
	ip -o addr show dev "$br" | grep -q "inet $gw/16"
	# a second network gets another subnet
	run dk network create --subnet 10.77.0.0/24 --gateway 10.77.0.254 --label k=v other
	assert_success
	run dk network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Labels.k}}' other
	assert_output_has "10.77.0.0/24 10.77.0.254 v"
	run dk network ls -q --filter label=k=v
	[[ $(echo "$output" | wc -l) -eq 1 ]]
	run dk network create --subnet 10.77.0.128/25 clash
	assert_failure 125
	assert_output_has "overlaps"
	run dk network create mynet
	assert_failure 125
	assert_output_has "already exists"
	run dk network rm bridge
	assert_failure
	assert_output_has "pre-defined"
	run dk network rm mynet other
	assert_success
	! ip link show "$br" 2>/dev/null
	run dk network inspect mynet
	assert_failure
}

@test "default bridge: an address of 172.17.0.0/16, the default route, /etc/hosts; the host reaches it" {
	run dk run --rm busybox sh -c 'ip -4 -o addr show eth0; ip route; grep -c . /etc/hosts; cat /etc/hosts'
	assert_success
	assert_output_has "inet 172.17.0.2/16"
	assert_output_has "default via 172.17.0.1"
	assert_output_has "172.17.0.2"
	dk run -d --name web busybox httpd -f -p 80 -h /etc
	ip=$(ip_of web bridge)
	[[ $ip == 172.17.0.* ]]
	[[ $(dk inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}' web) == "$ip 172.17.0.1" ]]
	retry wget -qO- -T 5 "http://$ip/hostname" >/dev/null
	# the default bridge has no names (as docker)
	run dk run --rm busybox nslookup web
	assert_failure
}

@test "user network: peers by name, alias and short ID through 127.0.0.11; wget by name" {
	berth_shim || skip "names are served by berth-shim"
	dk network create app >/dev/null
	dk run -d --name web --network app --network-alias www busybox httpd -f -p 80 -h /etc >/dev/null
	ip=$(ip_of web app)
	short=$(dk inspect -f '{{.Id}}' web | cut -c1-12)
	run dk run --rm --network app busybox sh -c "cat /etc/resolv.conf; nslookup web; nslookup www; nslookup $short"
	assert_success
	assert_output_has "nameserver 127.0.0.11"
	[[ $(echo "$output" | grep -c "Address: $ip") -ge 3 ]]
	run dk run --rm --network app busybox wget -qO- http://web/hostname
	assert_success
	[[ $output == "$short" ]]
	# docker's DNSNames
	[[ $(dk inspect -f '{{json (index .NetworkSettings.Networks "app").DNSNames}}' web) == *www* ]]
}

@test "names appear and vanish while a container runs: connect, disconnect, rm" {
	berth_shim || skip "names are served by berth-shim"
	dk network create one >/dev/null
	dk network create two >/dev/null
	dk run -d --name client --network one busybox sleep 300 >/dev/null
	dk run -d --name srv --network two busybox sleep 300 >/dev/null
	run dk exec client nslookup srv
	assert_failure
	dk network connect one srv
	srvip=$(ip_of srv one)
	[[ -n $srvip ]]
	run dk exec client nslookup srv
	assert_success
	assert_output_has "$srvip"
	run dk exec client ping -c1 -W2 srv
	assert_success
	# the new interface inside srv
	run dk exec srv ip -4 -o addr
	assert_output_has "$srvip"
	run dk network inspect -f '{{range $k, $v := .Containers}}{{$v.Name}} {{end}}' one
	assert_output_has "srv"
	dk network disconnect one srv
	run dk exec client nslookup srv
	assert_failure
	run dk exec srv ip -4 -o addr
	[[ $output != *"$srvip"* ]]
	dk network connect one srv
	dk rm -f srv >/dev/null
	run dk exec client nslookup srv
	assert_failure
	run dk network inspect -f '{{len .Containers}}' one
	[[ $output == 1 ]]
}

@test "isolation: containers on different user networks cannot reach each other" {
	dk network create left >/dev/null
	dk network create right >/dev/null
	dk run -d --name l --network left busybox sleep 300 >/dev/null
	dk run -d --name r --network right busybox sleep 300 >/dev/null
	dk run -d --name l2 --network left busybox sleep 300 >/dev/null
	rip=$(ip_of r right)
	l2ip=$(ip_of l2 left)
	run dk exec l ping -c1 -W1 "$l2ip"
	assert_success
	run dk exec l ping -c1 -W1 "$rip"
	assert_failure
}

@test "outbound traffic is masqueraded; --internal networks have no way out" {
	make_outside
	dk network create --internal closed >/dev/null
	# the outside has no route back to 172.17.0.0/16: only a masqueraded packet is answered
	run dk run --rm busybox ping -c1 -W2 10.99.0.2
	assert_success
	run dk run --rm --network closed busybox ping -c1 -W1 10.99.0.2
	assert_failure
	run dk run --rm --network closed busybox ip route
	[[ $output != *default* ]]
}

@test "-p with a monitor that cannot hold the ports (conmon) is an error, not a silent no" {
	berth_shim && skip "berth-shim holds published ports"
	run dk run -d --name c -p 8080:80 busybox sleep 100
	assert_failure 125
	assert_output_has "published ports"
}

@test "-p: TCP and UDP published on the host, from its loopback and from another namespace; port prints docker's lines" {
	berth_shim || skip "published ports are proxied by berth-shim"
	make_outside
	dk run -d --name web -p 8080:80 -p 127.0.0.1:5353:53/udp busybox httpd -f -p 80 -h /etc >/dev/null
	run retry wget -qO- -T 5 http://127.0.0.1:8080/hostname
	assert_success
	[[ $output == "$(dk inspect -f '{{.Config.Hostname}}' web)" ]]
	run outside wget -qO- -T 5 http://10.99.0.1:8080/hostname
	assert_success
	# UDP: busybox has no UDP server; an echo server in the container's namespace stands in
	nsenter --net="$DRUN/netns/$(dk inspect -f '{{.Id}}' web)" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 53))
while True:
    d, a = s.recvfrom(512)
    s.sendto(b"echo:" + d, a)' &
	PYPID=$!
	run python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for _ in range(20):
    s.sendto(b"ping-udp", ("127.0.0.1", 5353))
    try:
        print(s.recv(512).decode()); break
    except socket.timeout:
        pass'
	assert_output_has "echo:ping-udp"
	run dk port web
	assert_output_has "80/tcp -> 0.0.0.0:8080"
	assert_output_has "53/udp -> 127.0.0.1:5353"
	run dk port web 80
	[[ $output == "0.0.0.0:8080" ]]
	run dk ps --format '{{.Ports}}'
	assert_output_has "0.0.0.0:8080->80/tcp"
	# the port is freed when the container stops
	dk stop -t1 web >/dev/null
	run wget -qO- -T 2 http://127.0.0.1:8080/hostname
	assert_failure
	python3 -c 'import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080))'
}

@test "-P publishes EXPOSEd ports on free host ports; port ranges; a taken port is an error that leaves nothing" {
	berth_shim || skip "published ports are proxied by berth-shim"
	dk run -d --name web --expose 80 -P busybox httpd -f -p 80 -h /etc >/dev/null
	run dk port web 80
	assert_success
	port=${output##*:}
	[[ $port -gt 1024 ]]
	retry wget -qO- -T 5 "http://127.0.0.1:$port/hostname" >/dev/null
	# ranges: one host port per container port; a host range for one port takes a free one
	dk run -d --name rng -p 9100-9101:80-81 -p 9200-9210:82 busybox httpd -f -p 80 -h /etc >/dev/null
	run dk port rng
	assert_output_has "80/tcp -> 0.0.0.0:9100"
	assert_output_has "81/tcp -> 0.0.0.0:9101"
	[[ $output =~ 82/tcp\ -\>\ 0\.0\.0\.0:92(0[0-9]|10) ]]
	retry wget -qO- -T 5 http://127.0.0.1:9100/hostname >/dev/null
	# a port already taken
	python3 -c 'import socket,time; s=socket.socket(); s.bind(("0.0.0.0", 8181)); s.listen(); time.sleep(60)' &
	PYPID=$!
	wait_listening 8181
	run dk run -d --name clash -p 8181:80 busybox sleep 100
	assert_failure 125
	assert_output_has "8181"
	assert_output_has "already allocated"
	[[ $(dk inspect -f '{{.State.Running}}' clash) == false ]]
	[[ ! -e $DRUN/netns/$(dk inspect -f '{{.Id}}' clash) ]]
	run dk network inspect -f '{{len .Containers}}' bridge
	[[ $output == 2 ]]
	kill "$PYPID"
	PYPID=
}

@test "--ip, --mac-address, --hostname, --add-host, --dns on a user network" {
	dk network create --subnet 10.66.0.0/24 fixed >/dev/null
	run dk run --rm --network fixed --ip 10.66.0.50 --mac-address 02:42:0a:42:00:99 --hostname box \
		--add-host db:10.1.2.3 busybox sh -c 'ip -4 -o addr show eth0; cat /sys/class/net/eth0/address; hostname; grep db /etc/hosts'
	assert_success
	assert_output_has "inet 10.66.0.50/24"
	assert_output_has "02:42:0a:42:00:99"
	assert_output_has "box"
	assert_output_has "10.1.2.3"
	dk run -d --name holder --network fixed --ip 10.66.0.50 busybox sleep 100 >/dev/null
	run dk run --rm --network fixed --ip 10.66.0.50 busybox true
	assert_failure
	assert_output_has "10.66.0.50"
	run dk run --rm --ip 172.17.0.50 busybox true
	assert_failure
	assert_output_has "user defined networks"
}

@test "names of other domains go to the host's resolvers (--dns); a silent one fails in time" {
	berth_shim || skip "names are served by berth-shim"
	# a resolver on the host's loopback answering every A query with 192.0.2.44
	python3 - <<-'EOF' &
		import socket, struct
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind(("127.0.0.1", 53))
		while True:
		    q, a = s.recvfrom(512)
		    i = 12
		    while q[i]:
		        i += q[i] + 1
		    qend = i + 5
		    hdr = q[:2] + b"\x81\x80" + q[4:6] + b"\x00\x01\x00\x00\x00\x00"
		    ans = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([192, 0, 2, 44])
		    s.sendto(hdr + q[12:qend] + ans, a)
	EOF
	PYPID=$!
	dk network create named >/dev/null
	wait_bound udp 127.0.0.1:53
	run dk run --rm --network named --dns 127.0.0.1 busybox nslookup example.test
	assert_success
	assert_output_has "192.0.2.44"
	# an upstream that never answers: a failure, not a hang (the test's timeout would catch one)
	python3 -c 'import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.2", 53)); time.sleep(60)' &
	local silent=$!
	wait_bound udp 127.0.0.2:53
	run dk run --rm --network named --dns 127.0.0.2 busybox nslookup example.test
	kill $silent
	assert_failure
}

@test "--network host, none, container:X" {
	run dk run --rm --network host busybox ip -o link
	assert_success
	# the host's (this namespace's) links, dock0 among them once a bridge container ran
	dk run -d --name a busybox sleep 100 >/dev/null
	run dk run --rm --network host busybox ip -o link
	assert_output_has "dock0"
	run dk run --rm --network none busybox ip -o link
	assert_success
	[[ $(echo "$output" | wc -l) -eq 1 ]]
	aip=$(ip_of a bridge)
	run dk run --rm --network container:a busybox ip -4 -o addr show eth0
	assert_output_has "$aip"
}

@test "macvlan on a veth end: containers on it reach each other" {
	ip link add tv-mvp type veth peer name tv-mvq
	ip link set tv-mvp up
	ip link set tv-mvq up
	run dk network create -d macvlan -o parent=tv-mvp --subnet 10.55.0.0/24 --gateway 10.55.0.1 mv
	assert_success
	dk run -d --name m1 --network mv --ip 10.55.0.10 busybox sleep 100 >/dev/null
	run dk run --rm --network mv busybox ping -c1 -W2 10.55.0.10
	assert_success
	run nsenter --net="$DRUN/netns/$(dk inspect -f '{{.Id}}' m1)" ip -d link show eth0
	assert_output_has "macvlan mode bridge"
	# the tutorial's way for the host to reach them: a macvlan of its own on the parent
	ip link add tv-mvh link tv-mvp type macvlan mode bridge
	ip addr add 10.55.0.100/24 dev tv-mvh
	ip link set tv-mvh up
	run busybox ping -c1 -W2 10.55.0.10
	ip link del tv-mvh
	assert_success
	dk rm -f m1 >/dev/null
	dk network rm mv >/dev/null
	ip link del tv-mvp
	run dk network create -d macvlan -o parent=nosuchlink --subnet 10.56.0.0/24 mv2
	assert_failure 125
}

@test "50 containers at once on one network get 50 addresses" {
	dk network create many >/dev/null
	local pids i
	# ten at a time (a bare `wait` would wait for bats' own watchdog)
	for ((i = 0; i < 50; i += 10)); do
		pids=()
		for ((j = 0; j < 10; j++)); do
			dk run -d --network many busybox sleep 300 >/dev/null &
			pids+=($!)
		done
		wait "${pids[@]}"
	done
	run dk network inspect -f '{{range .Containers}}{{.IPv4Address}} {{end}}' many
	n=$(echo "$output" | tr ' ' '\n' | grep -c .)
	u=$(echo "$output" | tr ' ' '\n' | grep . | sort -u | wc -l)
	[[ $n -eq 50 && $u -eq 50 ]]
	[[ $(dk ps -q | wc -l) -eq 50 ]]
}

@test "cleanup: a killed shim, a lost netns file; rm and prune clear every leftover" {
	dk network create scratch >/dev/null
	dk run -d --name v --network scratch busybox sleep 300 >/dev/null
	id=$(dk inspect -f '{{.Id}}' v)
	kill -9 "$(cat "$DRUN/shim/$id/shim.pid")"
	dk rm -f v >/dev/null
	dock_wait_no_veths
	run dk network inspect -f '{{len .Containers}}' scratch
	[[ $output == 0 ]]
	# a lease whose container vanished (a crash before cleanup): dropped by the next dock
	jq '.Containers["deadbeef"] = {"Name":"ghost","IPv4Address":"'"$(dk network inspect -f '{{(index .IPAM.Config 0).Gateway}}' scratch | sed 's/\.1$/.2/')"'/16"}' \
		"$DROOT/networks/scratch.json" >"$T/n.json" && mv "$T/n.json" "$DROOT/networks/scratch.json"
	run dk network prune -f
	assert_success
	assert_output_has "scratch"
	[[ ! -e $DROOT/networks/scratch.json ]]
}

@test "cleanup: dock killed while it plugs, binds, or starts the shim; rm leaves no veth, netns, lease or port" {
	dk network create scratch >/dev/null
	local stage id
	local stages=(network shim)
	berth_shim && stages+=(ports)
	for stage in "${stages[@]}"; do
		local pub=()
		berth_shim && pub=(-p 8282:80)
		run env DOCK_CRASH_AT=$stage "$DOCK" --root "$DROOT" --runroot "$DRUN" ${DOCK_RUNTIME:+--runtime "$DOCK_RUNTIME"} \
			${DOCK_SHIM:+--shim "$DOCK_SHIM"} run -d --name "c-$stage" --network scratch "${pub[@]}" busybox sleep 100
		[[ $status -eq 137 ]]
		id=$(dk inspect -f '{{.Id}}' "c-$stage")
		# the crash left its pieces: the netns file, the lease, the veth
		[[ -e $DRUN/netns/$id ]]
		[[ -n $(dock_veths) ]]
		run dk rm -f "c-$stage"
		assert_success
		dock_wait_no_veths
		[[ ! -e $DRUN/netns/$id ]]
		[[ $(dk network inspect -f '{{len .Containers}}' scratch) == 0 ]]
		# the port is free again
		python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0", 8282))'
	done
}
