#!/usr/bin/env bash
# Builds Stella Ops' container images here, with no registry and no Docker daemon, and scans them with our own scanner:
#   1. the JRE base image (test-support/base-image.sh; cached after the first run),
#   2. the worker and operator images with Jib (Maven profile "images"; base given as tar://) as OCI image tarballs:
#        workers/target/image/stella-worker.tar, operator/target/image/stella-operator.tar (+ .digest, .id, .json),
#   3. `stella scan` of each image: its CycloneDX SBOM next to the tarball (<image>.cdx.json), the base image's next
#      to the base tar.
# The webhook and observer images come with their applications (not in this repository yet).
#
#   test-support/images.sh [MAVEN ARGS...]       e.g. -o, or -Dstella.image.registry=127.0.0.1:5000
#   test-support/images.sh --reproducible        builds twice from clean and fails unless both builds give the same
#                                                image digests and byte-identical tarballs
# Push instead (a registry at hand): mvn -Pimages -pl workers -am package jib:build \
#   -Dstella.image.base=tar://$(test-support/base-image.sh) -Djib.to.image=127.0.0.1:5000/stella-worker:dev
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
IMAGES=(workers/target/image/stella-worker operator/target/image/stella-operator)
log() { printf '[images] %s\n' "$*" >&2; }

reproducible=
if [ "${1:-}" = --reproducible ]; then reproducible=1; shift; fi

base=$("$here/base-image.sh")
log "base image $base ($(du -h "$base" | cut -f1), manifest $(cat "$base.digest"))"

build() { # clean?
  local s; s=$(date +%s)
  (cd "$root" && mvn -B -ntp -q -Pimages -pl workers,operator,cli -am ${1:+clean} package -DskipTests \
     "-Dstella.image.base=tar://$base" "${@:2}")
  log "Maven build with images: $(( $(date +%s) - s )) s"
}

if [ -n "$reproducible" ]; then
  build clean "$@"
  first=$(mktemp -d); trap 'rm -rf "$first"' EXIT
  for i in "${IMAGES[@]}"; do cp "$root/$i.tar" "$root/$i.digest" "$first/"; done
  build clean "$@"
  rc=0
  for i in "${IMAGES[@]}"; do
    n=$(basename "$i")
    a=$(cat "$first/$n.digest"); b=$(cat "$root/$i.digest")
    # the digest Jib reports must be the manifest the tarball's index.json names
    idx=$(tar -xOf "$root/$i.tar" index.json | jq -r '.manifests[0].digest')
    if [ "$a" = "$b" ] && [ "$idx" = "$b" ] && cmp -s "$first/$n.tar" "$root/$i.tar"; then
      log "$n: reproducible, $b"
    else
      log "$n: NOT reproducible: first build $a, second $b (index.json $idx)"; rc=1
    fi
  done
  [ $rc -eq 0 ] || exit $rc
else
  build "" "$@"
fi

# scan our own images; the SBOM carries no clock, so the same image gives the same SBOM
scan() { # tar sbom
  local s; s=$(date +%s)
  "$root/stella" scan --cache-dir "${STELLA_IMAGES:-$HOME/.cache/stella-images}/scan-cache" -o "$2" "$1"
  log "$(basename "$1"): $(jq '.components | length' "$2") components in $(basename "$2"), scanned in $(( $(date +%s) - s )) s"
}
scan "$base" "${base%.tar}.cdx.json"
for i in "${IMAGES[@]}"; do
  scan "$root/$i.tar" "$root/$i.cdx.json"
  log "$root/$i.tar: $(du -h "$root/$i.tar" | cut -f1), $(cat "$root/$i.digest")"
done
