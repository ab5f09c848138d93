#!/usr/bin/env python3
"""A forward HTTP proxy for tests/bats/dock-registry.bats, on 127.0.0.1 only.

Usage: registry-proxy.py PORTFILE LOG [--drop-patch N] [--hold-uploads]

Every request (an absolute URL, as a client sends to a proxy) is logged as "METHOD URL" to LOG
and forwarded to 127.0.0.1 at the URL's port, whatever its host name: the tests give the
registry a name that does not resolve, so only a request that went through the proxy reaches it.
  --drop-patch N   the Nth PATCH: half its body goes to the registry, then the client's
                   connection is cut
  --hold-uploads   an upload (PATCH, or PUT with a body) waits until another one is in flight
                   or 3 s have passed; the most in flight at once goes to LOG.inflight
The port it listens on is written to PORTFILE.
"""
import http.client
import http.server
import sys
import threading
import urllib.parse

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "content-length"}


class State:
    lock = threading.Condition()
    patches = 0
    inflight = 0
    most = 0


def main():
    portfile, log = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    drop_patch = int(args[args.index("--drop-patch") + 1]) if "--drop-patch" in args else 0
    hold = "--hold-uploads" in args
    logf = open(log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def forward(self):
            url = urllib.parse.urlsplit(self.path)
            logf.write("%s %s\n" % (self.command, self.path))
            n = int(self.headers.get("Content-Length") or 0)
            upload = self.command == "PATCH" or (self.command == "PUT" and n > 0)
            if self.command == "PATCH":
                with State.lock:
                    State.patches += 1
                    nth = State.patches
                if nth == drop_patch:
                    # the registry gets the first half as a chunk of its own, the client a cut
                    half = self.rfile.read(n // 2)
                    first = int((self.headers.get("Content-Range") or "0-").split("-")[0])
                    conn = http.client.HTTPConnection("127.0.0.1", url.port or 80, timeout=60)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                    headers["Content-Range"] = "%d-%d" % (first, first + len(half) - 1)
                    headers["Content-Length"] = str(len(half))
                    conn.request("PATCH", url.path + ("?" + url.query if url.query else ""), body=half,
                                 headers=headers)
                    logf.write("DROPPED %s after %d bytes: %d\n" % (self.path, len(half), conn.getresponse().status))
                    conn.close()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
            body = self.rfile.read(n) if n else None
            if upload and hold:
                with State.lock:
                    State.inflight += 1
                    State.most = max(State.most, State.inflight)
                    with open(log + ".inflight", "w") as f:
                        f.write("%d\n" % State.most)
                    State.lock.notify_all()
                    State.lock.wait_for(lambda: State.inflight >= 2, timeout=3)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", url.port or 80, timeout=60)
                path = url.path + ("?" + url.query if url.query else "")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                if body is not None:
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            finally:
                if upload and hold:
                    with State.lock:
                        State.inflight -= 1
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = forward

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
