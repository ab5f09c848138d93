#!/usr/bin/env python3
"""bench/netclient.py: round trips to a TCP port on 127.0.0.1, each one timed, for bench/dock.sh.

    netclient.py get PORT N        N HTTP GETs of /, a TCP connection each
    netclient.py echo PORT N       one connection, N round trips of 64 bytes through an echo
                                   server (busybox nc -ll -e cat)
    netclient.py wait MODE PORT S  retries one GET or echo for up to S seconds until it works

Prints each round trip's time in ns, one a line.  A GET is timed from before connect() to the
end of the reply (busybox httpd closes the connection after it): connect, request, response,
close, so a relay between client and server (a userspace proxy, or NAT) counts with all it
does, and so does the server's fork per connection.  An echo round trip is one send and the
receipt of the same 64 bytes, on a connection made before the timing: the relay's cost per
message alone.  Only socket calls are timed: python's start-up and the printing are outside.
Exits 1 at the first failed or wrong reply, so a broken path is a failure, not a fast sample.
"""
import socket
import sys
import time

REQUEST = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
MESSAGE = bytes(range(64))


def get(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(REQUEST)
        reply = bytearray()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    head = bytes(reply[:64]).split(b"\r\n", 1)[0]
    if not head.startswith(b"HTTP/1.") or b" 200 " not in head + b" ":
        raise OSError("bad reply: %r" % head)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def echo(s):
    s.sendall(MESSAGE)
    got = bytearray()
    while len(got) < len(MESSAGE):
        chunk = s.recv(len(MESSAGE) - len(got))
        if not chunk:
            raise OSError("connection closed after %d bytes" % len(got))
        got += chunk
    if got != MESSAGE:
        raise OSError("echo differs")


def wait(mode, port, seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if mode == "get":
                get(port)
            else:
                with connect(port) as s:
                    echo(s)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run(mode, port, n):
    clock = time.perf_counter_ns
    times = []
    if mode == "get":
        for _ in range(n):
            t0 = clock()
            get(port)
            times.append(clock() - t0)
    else:
        with connect(port) as s:
            echo(s)  # the first one outside the timing: a proxy may connect on first data
            for _ in range(n):
                t0 = clock()
                echo(s)
                times.append(clock() - t0)
    return times


def main():
    try:
        if sys.argv[1] == "wait":
            wait(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
            return 0
        times = run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    except OSError as e:
        print("netclient: %s: %s" % (" ".join(sys.argv[1:]), e), file=sys.stderr)
        return 1
    sys.stdout.write("".join("%d\n" % t for t in times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
