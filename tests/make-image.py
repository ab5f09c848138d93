#!/usr/bin/env python3
"""make-image.py OUT.tar [options]: a busybox image archive made locally from Debian's
busybox-static, for dock's tests (no registry reachable here).

  --format docker|oci   docker-archive (manifest.json, repositories, <id>/layer.tar) or an
                        OCI image layout tar (oci-layout, index.json, blobs/sha256)   [docker]
  --tag NAME:TAG        repeatable; the reference(s) the archive carries   [busybox:latest]
  --gzip                compress the layers (and the OCI layer media type says so)
  --config JSON         merged into the image config's "config" (Cmd, Env, Entrypoint, User, …)
  --layer DIR           one more layer on top: the files under DIR (repeatable); a file named
                        .wh.NAME is kept as a whiteout entry
  --raw-layer TAR       one more layer on top: TAR's bytes as they are (repeatable, after the
                        --layer ones), for hand-made (hostile) layers
  --untagged            no tag at all (RepoTags null; no name annotation)
  --created RFC3339      the image's creation time   [2023-11-14T22:13:20Z]
  --tiny                a base layer of three small files instead of busybox (fuzz seeds)
The base layer is busybox with its applets as symlinks, /etc/passwd with root, nobody and a
user `app` (1000:1000), /etc/group with `app` and `staff` (50), and /tmp.
"""
import argparse, gzip, hashlib, io, json, os, shutil, tarfile, time

def add_file(tf, name, data, mode=0o644, uid=0, gid=0):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = mode; ti.uid = uid; ti.gid = gid
    ti.mtime = 1700000000
    tf.addfile(ti, io.BytesIO(data))

def add_dir(tf, name, mode=0o755):
    ti = tarfile.TarInfo(name); ti.type = tarfile.DIRTYPE; ti.mode = mode; ti.mtime = 1700000000
    tf.addfile(ti)

def tiny_layer():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        add_dir(tf, "etc")
        add_file(tf, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        ti = tarfile.TarInfo("etc/link"); ti.type = tarfile.SYMTYPE; ti.linkname = "passwd"; ti.mtime = 1700000000
        tf.addfile(ti)
        ti = tarfile.TarInfo("etc/.wh.gone"); ti.size = 0; ti.mtime = 1700000000
        tf.addfile(ti, io.BytesIO(b""))
    return buf.getvalue()

def base_layer():
    bb = open(shutil.which("busybox"), "rb").read()
    applets = os.popen(shutil.which("busybox") + " --list").read().split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for d in ["bin", "etc", "tmp", "root", "home", "home/app", "usr", "usr/bin", "usr/sbin", "sbin", "var", "proc", "sys", "dev"]:
            add_dir(tf, d, 0o1777 if d == "tmp" else 0o755)
        add_file(tf, "bin/busybox", bb, 0o755)
        for a in applets:
            if a == "busybox":
                continue
            ti = tarfile.TarInfo("bin/" + a); ti.type = tarfile.SYMTYPE; ti.linkname = "busybox"; ti.mtime = 1700000000
            tf.addfile(ti)
        add_file(tf, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        add_file(tf, "etc/group", b"root:x:0:\nstaff:x:50:app\napp:x:1000:\nnogroup:x:65534:\n")
    return buf.getvalue()

def dir_layer(path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for root, dirs, files in os.walk(path):
            dirs.sort(); files.sort()
            rel = os.path.relpath(root, path)
            for d in dirs:
                tf.add(os.path.join(root, d), arcname=os.path.normpath(os.path.join(rel, d)), recursive=False)
            for f in files:
                tf.add(os.path.join(root, f), arcname=os.path.normpath(os.path.join(rel, f)), recursive=False)
    return buf.getvalue()

def sha(b):
    return hashlib.sha256(b).hexdigest()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--format", default="docker", choices=["docker", "oci"])
    ap.add_argument("--tag", action="append")
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--config", default="{}")
    ap.add_argument("--layer", action="append", default=[])
    ap.add_argument("--raw-layer", action="append", default=[])
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--created", default="2023-11-14T22:13:20Z")
    ap.add_argument("--untagged", action="store_true")
    a = ap.parse_args()
    tags = [] if a.untagged else (a.tag or ["busybox:latest"])
    layers = [tiny_layer() if a.tiny else base_layer()] + [dir_layer(d) for d in a.layer] + [open(f, "rb").read() for f in a.raw_layer]
    diff_ids = ["sha256:" + sha(l) for l in layers]
    blobs = [gzip.compress(l, mtime=0) if a.gzip else l for l in layers]
    cfg = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]}
    cfg.update(json.loads(a.config))
    config = {
        "architecture": "amd64", "os": "linux", "created": a.created,
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "make-image.py: busybox-static"}]
                   + [{"created": "2023-11-14T22:13:20Z", "created_by": "make-image.py: layer %s" % d} for d in a.layer + a.raw_layer],
    }
    cjson = json.dumps(config, separators=(",", ":")).encode()
    cid = sha(cjson)
    with tarfile.open(a.out, "w", format=tarfile.PAX_FORMAT) as tf:
        if a.format == "docker":
            names = []
            for i, b in enumerate(blobs):
                d = sha(b)
                add_dir(tf, d)
                add_file(tf, d + "/VERSION", b"1.0")
                add_file(tf, d + "/layer.tar", b)
                names.append(d + "/layer.tar")
            add_file(tf, cid + ".json", cjson)
            add_file(tf, "manifest.json", json.dumps([{"Config": cid + ".json", "RepoTags": tags or None, "Layers": names}]).encode())
            repos = {}
            for t in tags:
                r, _, tag = t.rpartition(":")
                repos.setdefault(r, {})[tag] = sha(blobs[-1])
            add_file(tf, "repositories", json.dumps(repos).encode())
        else:
            mt = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if a.gzip else "")
            manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cid, "size": len(cjson)},
                        "layers": [{"mediaType": mt, "digest": "sha256:" + sha(b), "size": len(b)} for b in blobs]}
            mjson = json.dumps(manifest, separators=(",", ":")).encode()
            add_file(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
            idx = {"schemaVersion": 2, "manifests": [
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha(mjson), "size": len(mjson),
                 "annotations": {"io.containerd.image.name": "docker.io/library/" + t if "/" not in t else t,
                                 "org.opencontainers.image.ref.name": t.rpartition(":")[2]}} for t in tags]
                   or [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha(mjson), "size": len(mjson)}]}
            add_file(tf, "index.json", json.dumps(idx).encode())
            add_dir(tf, "blobs"); add_dir(tf, "blobs/sha256")
            seen = set()
            for b in blobs + [cjson, mjson]:
                if sha(b) in seen:
                    continue
                seen.add(sha(b))
                add_file(tf, "blobs/sha256/" + sha(b), b)
    print("sha256:" + cid)

main()
