#!/usr/bin/env python3
"""Builds real container images for Stella Ops tests and benchmarks, without a Docker engine.

  mkimage.py tar DIR OUT.tar                 a layer tar of a whole directory tree
  mkimage.py diff LOWER UPPER OUT.tar        a layer tar of what UPPER changes over LOWER, with whiteouts for deletions
  mkimage.py oci --out DIR --tag T [--compress gzip|zstd|none ...] [--index PLATFORMS] LAYER.tar...
  mkimage.py docker-archive --out FILE --tag REPO:TAG LAYER.tar...

Tars are deterministic (sorted names, numeric owners, the files' own mtimes); gzip has no timestamp.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile

CREATED = "2026-01-01T00:00:00Z"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def walk(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            out.append(os.path.relpath(full, root))
    return sorted(out)


def new_tar(out):
    return tarfile.open(out, "w", format=tarfile.PAX_FORMAT)


def add(tar, root, rel):
    full = os.path.join(root, rel)
    info = tar.gettarinfo(full, arcname=rel)
    info.uname = ""
    info.gname = ""
    if info.isreg():
        with open(full, "rb") as f:
            tar.addfile(info, f)
    else:
        tar.addfile(info)


def cmd_tar(args):
    with new_tar(args.out) as tar:
        for rel in walk(args.dir):
            add(tar, args.dir, rel)


def same(lower, upper):
    a, b = os.lstat(lower), os.lstat(upper)
    if stat.S_IFMT(a.st_mode) != stat.S_IFMT(b.st_mode) or a.st_mode != b.st_mode:
        return False
    if a.st_uid != b.st_uid or a.st_gid != b.st_gid:
        return False
    if stat.S_ISLNK(a.st_mode):
        return os.readlink(lower) == os.readlink(upper)
    if stat.S_ISREG(a.st_mode):
        if a.st_size != b.st_size:
            return False
        return sha256_file(lower) == sha256_file(upper)
    return True


def cmd_diff(args):
    lower_paths = set(walk(args.lower))
    upper_paths = walk(args.upper)
    upper_set = set(upper_paths)
    changed = []
    for rel in upper_paths:
        lp = os.path.join(args.lower, rel)
        if rel not in lower_paths or not same(lp, os.path.join(args.upper, rel)):
            changed.append(rel)
    # parents of changed entries are part of the layer too, as in layers written by container builders
    with_parents = set(changed)
    for rel in changed:
        p = os.path.dirname(rel)
        while p:
            with_parents.add(p)
            p = os.path.dirname(p)
    deleted = []
    for rel in sorted(lower_paths - upper_set):
        parent = os.path.dirname(rel)
        if parent and parent not in upper_set:
            continue  # the parent itself is deleted
        deleted.append(rel)
    with new_tar(args.out) as tar:
        entries = sorted(list(with_parents) + ["\0wh:" + d for d in deleted],
                         key=lambda r: r[4:] if r.startswith("\0wh:") else r)
        for rel in entries:
            if rel.startswith("\0wh:"):
                d = rel[4:]
                info = tarfile.TarInfo(os.path.join(os.path.dirname(d), ".wh." + os.path.basename(d)))
                info.size = 0
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(b""))
            else:
                add(tar, args.upper, rel)


def compress(src, how, workdir):
    if how == "none":
        return src, "application/vnd.oci.image.layer.v1.tar"
    out = os.path.join(workdir, os.path.basename(src) + "." + how)
    if how == "gzip":
        with open(src, "rb") as f, open(out, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
                shutil.copyfileobj(f, gz, 1 << 20)
        return out, "application/vnd.oci.image.layer.v1.tar+gzip"
    if how == "zstd":
        subprocess.run(["zstd", "-q", "-f", "-3", "-T0", "--no-progress", src, "-o", out], check=True)
        return out, "application/vnd.oci.image.layer.v1.tar+zstd"
    raise SystemExit("unknown compression " + how)


def put_blob(layout, path_or_bytes):
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    if isinstance(path_or_bytes, bytes):
        digest = "sha256:" + hashlib.sha256(path_or_bytes).hexdigest()
        with open(os.path.join(blobs, digest[7:]), "wb") as f:
            f.write(path_or_bytes)
        return digest, len(path_or_bytes)
    digest = sha256_file(path_or_bytes)
    dest = os.path.join(blobs, digest[7:])
    if not os.path.exists(dest):
        shutil.copyfile(path_or_bytes, dest)
    return digest, os.path.getsize(dest)


def config_json(diff_ids, arch, entrypoint):
    cfg = {
        "architecture": arch, "os": "linux", "created": CREATED,
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Entrypoint": entrypoint, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": CREATED, "created_by": "stella-ops test-support/mkimage.py"} for _ in diff_ids],
    }
    return json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode()


def cmd_oci(args):
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    work = args.out + ".work"
    os.makedirs(work, exist_ok=True)
    comps = (args.compress or ["gzip"])
    layers, diff_ids = [], []
    for i, layer in enumerate(args.layers):
        how = comps[i] if i < len(comps) else comps[-1]
        diff_ids.append(sha256_file(layer))
        blob, media = compress(layer, how, work)
        digest, size = put_blob(args.out, blob)
        layers.append({"mediaType": media, "digest": digest, "size": size})
    shutil.rmtree(work)
    entrypoint = args.entrypoint.split(" ") if args.entrypoint else ["/bin/sh"]
    platforms = args.index.split(",") if args.index else ["amd64"]
    descs = []
    for arch in platforms:
        cfg = config_json(diff_ids, arch, entrypoint)
        cdigest, csize = put_blob(args.out, cfg)
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest, "size": csize},
                    "layers": layers}
        mbytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
        mdigest, msize = put_blob(args.out, mbytes)
        descs.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest, "size": msize,
                      "platform": {"architecture": arch, "os": "linux"}})
    if args.index:
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descs}
        ibytes = json.dumps(index, sort_keys=True, separators=(",", ":")).encode()
        idigest, isize = put_blob(args.out, ibytes)
        top = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": idigest, "size": isize}
    else:
        top = dict(descs[0])
        del top["platform"]
    top["annotations"] = {"org.opencontainers.image.ref.name": args.tag}
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [top]}, f,
                  sort_keys=True)
    with open(os.path.join(args.out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(top["digest"])


def cmd_docker_archive(args):
    diff_ids = [sha256_file(l) for l in args.layers]
    cfg = config_json(diff_ids, "amd64", ["/bin/sh"])
    cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
    with new_tar(args.out) as tar:
        def put(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
        put(cfg_name, cfg)
        names = []
        for layer, d in zip(args.layers, diff_ids):
            name = d[7:] + "/layer.tar"
            info = tarfile.TarInfo(name)
            info.size = os.path.getsize(layer)
            info.mode = 0o644
            with open(layer, "rb") as f:
                tar.addfile(info, f)
            names.append(name)
        put("manifest.json", json.dumps([{"Config": cfg_name, "RepoTags": [args.tag], "Layers": names}]).encode())


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tar"); t.add_argument("dir"); t.add_argument("out"); t.set_defaults(fn=cmd_tar)
    d = sub.add_parser("diff"); d.add_argument("lower"); d.add_argument("upper"); d.add_argument("out"); d.set_defaults(fn=cmd_diff)
    o = sub.add_parser("oci"); o.add_argument("--out", required=True); o.add_argument("--tag", required=True)
    o.add_argument("--compress", action="append"); o.add_argument("--index"); o.add_argument("--entrypoint")
    o.add_argument("layers", nargs="+"); o.set_defaults(fn=cmd_oci)
    a = sub.add_parser("docker-archive"); a.add_argument("--out", required=True); a.add_argument("--tag", required=True)
    a.add_argument("layers", nargs="+"); a.set_defaults(fn=cmd_docker_archive)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
