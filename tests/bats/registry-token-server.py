#!/usr/bin/env python3
"""A token server for docker-registry's `auth: token`, for tests/bats/dock-registry.bats.

    registry-token-server.py KEY.pem CERT.pem ISSUER USER:PASSWORD PORTFILE LOGFILE

Serves GET /token?service=…&scope=… on 127.0.0.1 (a free port, written to PORTFILE).  With
Basic credentials USER:PASSWORD the token grants every action asked for; anonymous requests get
a token that grants nothing (as Docker Hub does for a private repository); wrong credentials
are answered 401.  Tokens are RS256 JWTs signed with KEY.pem by `openssl dgst -sha256 -sign`
(the standard library has no RSA), with CERT.pem in their x5c header, which the registry
checks against its rootcertbundle.  Each request is logged to LOGFILE as one line:
`user|- scope scope… -> status`.
"""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

key, cert, issuer, creds, portfile, logfile = sys.argv[1:7]


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


with open(cert) as f:
    pem = f.read()
der_b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))


def sign(claims):
    head = {"typ": "JWT", "alg": "RS256", "x5c": [der_b64]}
    signing = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing.encode(),
                         capture_output=True, check=True).stdout
    return signing + "." + b64url(sig)


def log(line):
    with open(logfile, "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]})
        q = urllib.parse.parse_qs(url.query)
        scopes = q.get("scope", [])
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                given = base64.b64decode(auth[6:]).decode()
            except Exception:
                given = ""
            if given != creds:
                log("%s %s -> 401" % (given.split(":")[0] or "?", " ".join(scopes)))
                return self.reply(401, {"details": "incorrect username or password"})
            user = creds.split(":")[0]
        access = []
        if user:
            for s in scopes:
                parts = s.split(":")
                if len(parts) >= 3:
                    access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                                   "actions": parts[-1].split(",")})
        now = int(time.time())
        claims = {"iss": issuer, "sub": user or "", "aud": q.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)),
                  "access": access}
        log("%s %s -> 200" % (user or "-", " ".join(scopes)))
        tok = sign(claims)
        self.reply(200, {"token": tok, "access_token": tok, "expires_in": 300})


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
