#!/usr/bin/env python3
"""Prints the paths whose content, mode or owner differ between two single-image OCI layout tars (as jib:buildTar
writes them), over the flattened file systems (later layers override earlier ones). Used by images.sh to say why two
builds are not the same image."""
import hashlib
import json
import sys
import tarfile


def files(path):
    out = {}
    with tarfile.open(path) as t:
        index = json.load(t.extractfile("index.json"))
        manifest = json.load(t.extractfile("blobs/sha256/" + index["manifests"][0]["digest"][7:]))
        for layer in manifest["layers"]:
            with tarfile.open(fileobj=t.extractfile("blobs/sha256/" + layer["digest"][7:]), mode="r:*") as lt:
                for m in lt:
                    h = hashlib.sha256(lt.extractfile(m).read()).hexdigest() if m.isfile() else m.linkname
                    out[m.name[2:] if m.name.startswith("./") else m.name.lstrip("/")] = (m.type, m.mode, m.uid, m.gid, h)
    return out


a, b = files(sys.argv[1]), files(sys.argv[2])
for name in sorted(set(a) | set(b)):
    if a.get(name) != b.get(name):
        print(name)
