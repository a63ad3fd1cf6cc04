#!/usr/bin/env bash
# Builds the JRE base image of the Stella Ops images built here: Debian (debootstrap, variant minbase) plus Debian's
# OpenJDK 17 JRE, with no documentation or locales (C.UTF-8 is built into libc), a numeric non-root user and
# LANG=C.UTF-8. No registry and no Docker daemon are involved.
#
# Output: one tar that is an OCI image layout (index.json, oci-layout, blobs/) and also carries a docker-archive
# manifest.json pointing at the same blobs, as `docker save` of Docker 25+ writes it. Jib reads it as `tar://FILE`
# (Jib needs manifest.json); skopeo (`oci-archive:`), containerd and `stella scan` read it as an OCI layout.
#
# Pinned: the Debian release and point release, the JRE package and version, and every other package through
# test-support/base-image.lock (name, version, architecture of each installed package: the build fails when the
# mirror serves anything else). deb.debian.org serves only the newest point release: for an older pin, point
# DEBIAN_MIRROR at snapshot.debian.org (e.g. http://snapshot.debian.org/archive/debian/20260711T000000Z); to move
# the pins, edit them below and run once with STELLA_BASE_IMAGE_UPDATE_LOCK=1, then review the lock's diff.
#
# Reproducible: two builds from the same pins give a byte-identical tar (same digest), on any machine.
# Cached under $STELLA_IMAGES (default ~/.cache/stella-images)/<name>-<key>, the key being a hash of this script's
# commands (which hold the pins; comments do not count) and the lock: only the first run pays (debootstrap, about
# 3 minutes); later runs print the cached path at once. Prints the tar's path on stdout.
#
# Usage: test-support/base-image.sh            -> .../jre.tar
#        mvn ... -Dstella.image.base=tar://$(test-support/base-image.sh)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---- pins ----
SUITE=bookworm
DEBIAN_RELEASE=12.15                   # the mirror's Release "Version"
JRE_PACKAGE=openjdk-17-jre-headless
JRE_VERSION=17.0.19+10-1~deb12u2
JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
ARCH=amd64
USER_ID=65532                          # the user the images run as (distroless' "nonroot" number)
EPOCH=1767225600                       # 2026-01-01T00:00:00Z: every file time and the image's creation time
CREATED=2026-01-01T00:00:00Z
TAG=local/stella-jre:17
# ---------------

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
LOCK="$here/base-image.lock"
CACHE=${STELLA_IMAGES:-$HOME/.cache/stella-images}
log() { printf '[base-image] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "base-image: $1 is missing (test-support/install-deps.sh installs it)" >&2; exit 1; }; }
need debootstrap; need umoci; need jq; need curl; need python3

cache_key() { { grep -v '^[[:space:]]*#' "${BASH_SOURCE[0]}"; cat "$LOCK" 2>/dev/null || true; } | sha256sum | cut -c1-12; }
key=$(cache_key)
out="$CACHE/jre17-$SUITE-$key"
if [ -s "$out/jre.tar" ] && [ -z "${STELLA_BASE_IMAGE_UPDATE_LOCK:-}" ]; then
  echo "$out/jre.tar"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "base-image: debootstrap needs root" >&2; exit 1; }

# fail fast when the mirror no longer serves the pinned point release
release=$(curl -fsSL --retry 3 "$MIRROR/dists/$SUITE/Release")
served=$(awk -F': ' '$1 == "Version" {print $2}' <<<"$release")
if [ "$served" != "$DEBIAN_RELEASE" ]; then
  echo "base-image: $MIRROR serves Debian $served, the pin is $DEBIAN_RELEASE; set DEBIAN_MIRROR to a snapshot.debian.org" \
       "archive of $DEBIAN_RELEASE or move the pins (see the header of this script)" >&2
  exit 1
fi

mkdir -p "$CACHE/debs"
work=$(mktemp -d "$CACHE/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
start=$(date +%s)
log "debootstrap $SUITE ($DEBIAN_RELEASE) minbase + $JRE_PACKAGE"
debootstrap --variant=minbase --arch="$ARCH" --include="$JRE_PACKAGE" --cache-dir="$CACHE/debs" \
  "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# the package set against the pins and the lock
chroot "$root" dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\n' | LC_ALL=C sort > "$work/packages.tsv"
have=$(awk -F'\t' -v p="$JRE_PACKAGE" '$1 == p {print $2}' "$work/packages.tsv")
[ "$have" = "$JRE_VERSION" ] || { echo "base-image: $JRE_PACKAGE is '$have', the pin is $JRE_VERSION" >&2; exit 1; }
if [ -n "${STELLA_BASE_IMAGE_UPDATE_LOCK:-}" ] || [ ! -f "$LOCK" ]; then
  { echo "# test-support/base-image.sh: the packages of the JRE base image (Debian $DEBIAN_RELEASE); written with STELLA_BASE_IMAGE_UPDATE_LOCK=1"
    cat "$work/packages.tsv"; } > "$LOCK"
  log "wrote $LOCK ($(wc -l < "$work/packages.tsv") packages): commit it"
  key=$(cache_key)
  out="$CACHE/jre17-$SUITE-$key"
elif ! diff -u <(grep -v '^#' "$LOCK") "$work/packages.tsv" >&2; then
  echo "base-image: the mirror's packages differ from test-support/base-image.lock (diff above)" >&2
  exit 1
fi

log "slimming"
# no package caches, apt lists, logs, backups, device nodes or host files (the runtime provides /dev, hostname and
# resolv.conf)
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
       "$root"/var/cache/ldconfig/aux-cache "$root"/var/lib/dpkg/*-old "$root"/var/cache/debconf/*-old \
       "$root"/etc/hostname "$root"/etc/resolv.conf "$root"/etc/machine-id "$root"/dev/*
find "$root/var/log" -type f -delete
# documentation, manuals and message catalogues; the licences (copyright files) stay
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/usr/share/lintian
# ... and images built FROM this one do not get them back when they install packages
cat > "$root/etc/dpkg/dpkg.cfg.d/stella-slim" <<'EOF'
# no documentation, manuals or translations (test-support/base-image.sh); licences stay
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
# the non-root user (a passwd entry: the JVM takes user.home from it), written directly so that no tool stamps
# today's date into /etc/shadow; password-change dates normalized to the pinned epoch for the same reason
echo "nonroot:x:$USER_ID:$USER_ID:nonroot:/home/nonroot:/usr/sbin/nologin" >> "$root/etc/passwd"
echo "nonroot:x:$USER_ID:" >> "$root/etc/group"
echo "nonroot:!:$((EPOCH / 86400))::::::" >> "$root/etc/shadow"
sed -i -E "s/^([^:]*:[^:]*:)[0-9]+:/\1$((EPOCH / 86400)):/" "$root/etc/shadow"
# Java's trust store: ca-certificates-java writes the JKS keystore with the time of installation in every entry (the
# only file that differed between two builds from the same packages). Rewritten with the pinned time and entries
# sorted by alias; the integrity hash (SHA-1 over the store password "changeit", a fixed phrase and the contents, as
# the JKS format defines it) is checked before and recomputed after. Hand-written: keytool cannot set entry dates.
python3 - "$root/etc/ssl/certs/java/cacerts" "${EPOCH}000" changeit <<'PY'
import hashlib, struct, sys
path, epoch_ms, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
key = password.encode("utf-16-be") + b"Mighty Aphrodite"
if hashlib.sha1(key + data[:-20]).digest() != data[-20:]:
    sys.exit("jks: %s: integrity check failed (not a JKS keystore with the expected password)" % path)
magic, version, count = struct.unpack(">III", data[:12])
if magic != 0xFEEDFEED or version != 2:
    sys.exit("jks: %s: not a version 2 JKS keystore" % path)
pos, entries = 12, []
def utf():
    global pos
    n = struct.unpack(">H", data[pos:pos + 2])[0]; s = data[pos:pos + 2 + n]; pos += 2 + n; return s
for _ in range(count):
    tag = struct.unpack(">I", data[pos:pos + 4])[0]; pos += 4
    if tag != 2:
        sys.exit("jks: %s: holds a private key entry; only trusted certificates are expected" % path)
    alias = utf(); pos += 8; ctype = utf()
    n = struct.unpack(">I", data[pos:pos + 4])[0]; cert = data[pos + 4:pos + 4 + n]; pos += 4 + n
    entries.append((alias, ctype, cert))
if pos != len(data) - 20:
    sys.exit("jks: %s: trailing bytes" % path)
out = bytearray(struct.pack(">III", magic, version, count))
for alias, ctype, cert in sorted(entries):
    out += struct.pack(">I", 2) + alias + struct.pack(">q", epoch_ms) + ctype + struct.pack(">I", len(cert)) + cert
out += hashlib.sha1(key + bytes(out)).digest()
open(path, "wb").write(bytes(out))
PY
mkdir -p "$root/home/nonroot" && chown "$USER_ID:$USER_ID" "$root/home/nonroot" && chmod 750 "$root/home/nonroot"
[ -x "$root/usr/bin/java" ] || { echo "base-image: /usr/bin/java is missing in the rootfs" >&2; exit 1; }

log "layer and image"
# deterministic layer: sorted names, numeric owners, one file time, no atime/ctime or PID-named PAX headers
(cd "$root" && LC_ALL=C ls -A | LC_ALL=C sort > "$work/top") 
tar -C "$root" --sort=name --numeric-owner --format=posix --mtime="@$EPOCH" \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$work/layer.tar" -T "$work/top"
layout="$work/oci"
umoci init --layout "$layout"
umoci new --image "$layout:jre"
umoci raw add-layer --image "$layout:jre" --history.created "$CREATED" \
  --history.created_by "test-support/base-image.sh: debootstrap $SUITE ($DEBIAN_RELEASE) minbase + $JRE_PACKAGE $JRE_VERSION" \
  "$work/layer.tar"
umoci config --image "$layout:jre" --no-history --created "$CREATED" --architecture "$ARCH" --os linux \
  --config.user "$USER_ID:$USER_ID" --config.workingdir /home/nonroot \
  --config.env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --config.env LANG=C.UTF-8 --config.env "JAVA_HOME=$JAVA_HOME"
umoci gc --layout "$layout"
# name the image as registries would, then add the docker-archive view of the same blobs
mdigest=$(jq -r '.manifests[0].digest' "$layout/index.json")
jq --arg t "$TAG" '.manifests[0].annotations = {"org.opencontainers.image.ref.name": $t}' "$layout/index.json" > "$work/index.json"
mv "$work/index.json" "$layout/index.json"
manifest="$layout/blobs/sha256/${mdigest#sha256:}"
jq -c --arg t "$TAG" '[{Config: ("blobs/sha256/" + (.config.digest | ltrimstr("sha256:"))), RepoTags: [$t],
    Layers: [.layers[].digest | "blobs/sha256/" + ltrimstr("sha256:")]}]' "$manifest" > "$layout/manifest.json"
mkdir -p "$work/out"
tar -C "$layout" --sort=name --owner=0 --group=0 --numeric-owner --mode=a+rX,u+w,go-w --format=posix \
    --mtime="@$EPOCH" --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -cf "$work/out/jre.tar" oci-layout index.json manifest.json blobs
echo "$mdigest" > "$work/out/jre.tar.digest"
cp "$work/packages.tsv" "$work/out/packages.tsv"
rm -rf "$out" && mkdir -p "$(dirname "$out")" && mv "$work/out" "$out"
log "$out/jre.tar: $(du -h "$out/jre.tar" | cut -f1), manifest $mdigest, $(( $(date +%s) - start )) s"
echo "$out/jre.tar"
