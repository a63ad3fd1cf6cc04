#!/usr/bin/env bash
# Builds the real images that Stella Ops' tests and benchmark scan, and caches them under $STELLA_FIXTURES
# (default ~/.cache/stella-fixtures). Everything comes from the package registries this project may reach: a Debian
# rootfs from debootstrap, jars from Maven Central, npm packages, a Python wheel from PyPI, Go binaries (one from a
# Debian package, one built here through the Go module proxy). Safe to re-run: finished steps are skipped.
#
# Images (OCI layouts under $STELLA_FIXTURES/images, docker-archives under $STELLA_FIXTURES/archives):
#   debian-app:1   4 layers: minbase | + curl python3 openssl | + openjdk-17-jre-headless | app (jars, node_modules, wheel, Go)
#                  gzip layers; the benchmark image
#   debian-app:zstd the same layers, zstd-compressed
#   debian-app:multi the same layers behind an image index for linux/amd64 and linux/arm64
#   minbase:1      the minbase layer only; also as archives/minbase.tar (docker save format, written by mkimage.py)
#   archives/debian-app.tar  debian-app:1 as a docker-archive written by skopeo
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIX=${STELLA_FIXTURES:-$HOME/.cache/stella-fixtures}
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
MAVEN=${MAVEN_CENTRAL:-https://repo.maven.apache.org/maven2}
# Maven Central artifacts of the app layer (group:artifact:version)
JARS=(
  org.apache.logging.log4j:log4j-core:2.14.1
  org.apache.logging.log4j:log4j-api:2.14.1
  com.fasterxml.jackson.core:jackson-databind:2.13.0
  com.fasterxml.jackson.core:jackson-core:2.13.0
  org.apache.commons:commons-text:1.9
  com.google.guava:guava:31.1-jre
  org.apache.hadoop:hadoop-client-runtime:3.3.6
  org.apache.hadoop:hadoop-client-api:3.3.6
  org.jetbrains.kotlin:kotlin-compiler-embeddable:1.9.24
  org.springframework:spring-core:5.3.20
)
WAR_JARS=(org.apache.logging.log4j:log4j-core:2.17.1 org.apache.logging.log4j:log4j-api:2.17.1 org.springframework:spring-core:5.3.20)
NPM=(lodash@4.17.20 minimist@1.2.5 @babel/parser@7.24.0 typescript@5.4.5 express@4.17.1 qs@6.7.0)
PYPI=(requests==2.28.0 six==1.16.0)
GO_UUID=github.com/google/uuid@v1.6.0
CARGO_AUDITABLE=0.6.6
RUST_ITOA=1.0.11
DEBS=(busybox ruby-rack)

log() { printf '[fixtures] %s\n' "$*" >&2; }
mkdir -p "$FIX"/{rootfs,layers,images,archives,downloads}

need() { command -v "$1" >/dev/null 2>&1 || { echo "fixtures: $1 is missing (see .ci/run for the packages)" >&2; exit 1; }; }
need debootstrap; need skopeo; need python3; need zstd; need curl; need npm; need pip; need go; need cargo

bootstrap() { # name includes
  local name=$1 include=$2 dir="$FIX/rootfs/$1"
  [ -f "$dir/.done" ] && return 0
  log "debootstrap $name ($include)"
  rm -rf "$dir"
  local extra=()
  [ -n "$include" ] && extra=(--include="$include")
  debootstrap --variant=minbase "${extra[@]}" "$SUITE" "$dir" "$MIRROR" >"$FIX/rootfs/$name.log" 2>&1
  # as container images do: no package caches, no apt lists
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
  # dpkg ground truth, from the rootfs's own dpkg
  chroot "$dir" dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' \
    | LC_ALL=C sort > "$FIX/rootfs/$name.dpkg-query.tsv"
  touch "$dir/.done"
}

bootstrap minbase ""
bootstrap tools "curl,python3,openssl"
bootstrap jre "curl,python3,openssl,openjdk-17-jre-headless"

fetch_jar() { # g:a:v dest-dir
  local g a v; IFS=: read -r g a v <<<"$1"
  local path="${g//.//}/$a/$v/$a-$v.jar" out="$2/$a-$v.jar"
  [ -s "$out" ] && return 0
  curl -fsSL --retry 3 -o "$out.tmp" "$MAVEN/$path"
  local want; want=$(curl -fsSL --retry 3 "$MAVEN/$path.sha1" | cut -c1-40)
  [ "$(sha1sum "$out.tmp" | cut -c1-40)" = "$want" ] || { echo "fixtures: sha1 mismatch for $1" >&2; exit 1; }
  mv "$out.tmp" "$out"
}

app="$FIX/layers/app-root"
if [ ! -f "$FIX/layers/.app-done" ]; then
  log "app layer: jars, war, node_modules, python wheel, Go binaries"
  rm -rf "$app"; mkdir -p "$app/app/lib" "$app/app/node_modules" "$app/usr/local/bin" "$FIX/downloads/jars"
  for j in "${JARS[@]}"; do fetch_jar "$j" "$FIX/downloads/jars"; a=$(cut -d: -f2 <<<"$j"); v=$(cut -d: -f3 <<<"$j"); cp "$FIX/downloads/jars/$a-$v.jar" "$app/app/lib/"; done
  # a war with nested jars, built from real jars
  war=$(mktemp -d); mkdir -p "$war/WEB-INF/lib" "$war/META-INF"
  for j in "${WAR_JARS[@]}"; do fetch_jar "$j" "$FIX/downloads/jars"; a=$(cut -d: -f2 <<<"$j"); v=$(cut -d: -f3 <<<"$j"); cp "$FIX/downloads/jars/$a-$v.jar" "$war/WEB-INF/lib/"; done
  printf 'Manifest-Version: 1.0\nImplementation-Title: shop\nImplementation-Version: 3.2.1\n' > "$war/META-INF/MANIFEST.MF"
  (cd "$war" && find . -type f | LC_ALL=C sort | TZ=UTC touch -d 2026-01-01T00:00:00 $(cat) && python3 - "$app/app/shop.war" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk("."):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)[2:]
            z.write(p, p)
PY
  ); rm -rf "$war"
  # npm packages as npm installs them
  npmdir=$(mktemp -d)
  for p in "${NPM[@]}"; do
    (cd "$npmdir" && npm pack --silent "$p" >/dev/null)
  done
  for t in "$npmdir"/*.tgz; do
    base=$(basename "$t" .tgz)
    name=$(tar -xzOf "$t" package/package.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')
    mkdir -p "$app/app/node_modules/$name"
    tar -xzf "$t" -C "$app/app/node_modules/$name" --strip-components=1
  done
  rm -rf "$npmdir"
  # Python distributions as pip installs them (the dist-info and the package)
  site="$app/usr/local/lib/python3.11/dist-packages"; mkdir -p "$site"
  whl=$(mktemp -d); pip download -q --no-deps -d "$whl" "${PYPI[@]}"
  for w in "$whl"/*.whl; do python3 -m zipfile -e "$w" "$site"; done; rm -rf "$whl"
  # Go: a real binary from a Debian package (umoci) and one built here with a module dependency
  cp "$(command -v umoci)" "$app/usr/local/bin/umoci"
  gosrc=$(mktemp -d); cat > "$gosrc/main.go" <<'GO'
package main

import (
	"fmt"

	"github.com/google/uuid"
)

func main() { fmt.Println(uuid.NewSHA1(uuid.NameSpaceURL, []byte("stella-ops"))) }
GO
  (cd "$gosrc" && go mod init example.com/stella/hello >/dev/null 2>&1 && go get "$GO_UUID" >/dev/null 2>&1 \
     && CGO_ENABLED=0 go build -trimpath -o "$app/usr/local/bin/hello-go" .)
  rm -rf "$gosrc"
  # a whiteout: the app layer deletes curl's documentation directory of the base
  mkdir -p "$app/usr/share/doc"; : > "$app/usr/share/doc/.wh.curl"
  find "$app" -exec touch -h -d @1767225600 {} +
  touch "$FIX/layers/.app-done"
fi

layer() { # name command...
  local out="$FIX/layers/$1.tar"; shift
  [ -s "$out" ] && return 0
  log "layer $(basename "$out")"
  python3 "$here/mkimage.py" "$@" "$out.tmp" && mv "$out.tmp" "$out"
}
layer minbase tar "$FIX/rootfs/minbase"
layer tools diff "$FIX/rootfs/minbase" "$FIX/rootfs/tools"
layer jre diff "$FIX/rootfs/tools" "$FIX/rootfs/jre"
layer app tar "$app"

L=("$FIX/layers/minbase.tar" "$FIX/layers/tools.tar" "$FIX/layers/jre.tar" "$FIX/layers/app.tar")
image() { # dir tag args...
  local dir="$FIX/images/$1"; shift
  [ -f "$dir/index.json" ] && return 0
  log "image $(basename "$dir")"
  python3 "$here/mkimage.py" oci --out "$dir.tmp" "$@" >/dev/null && rm -rf "$dir" && mv "$dir.tmp" "$dir"
}
image debian-app --tag 1 --compress gzip --entrypoint "java -jar /app/lib/log4j-core-2.14.1.jar" "${L[@]}"
image debian-app-zstd --tag zstd --compress zstd "${L[@]}"
image debian-app-multi --tag multi --compress gzip --index amd64,arm64 "${L[@]}"
image minbase --tag 1 --compress gzip "${L[0]}"
if [ ! -s "$FIX/archives/minbase.tar" ]; then
  log "docker-archive minbase.tar"
  python3 "$here/mkimage.py" docker-archive --out "$FIX/archives/minbase.tar.tmp" --tag stella/minbase:1 "${L[0]}"
  mv "$FIX/archives/minbase.tar.tmp" "$FIX/archives/minbase.tar"
fi

# Extra real binaries and package files for analyzer tests: Debian's busybox and ruby-rack (a gemspec), and a Rust
# program built with cargo-auditable (its .dep-v0 section)
extra="$FIX/extra"
if [ ! -f "$extra/.debs-done" ]; then
  log "Debian packages ${DEBS[*]}"
  mkdir -p "$extra/debs"
  (cd "$extra/debs" && { apt-get download -q "${DEBS[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get download -q "${DEBS[@]}" >/dev/null; }; })
  for d in "$extra"/debs/*.deb; do n=$(basename "$d" | cut -d_ -f1); rm -rf "$extra/$n"; dpkg-deb -x "$d" "$extra/$n"; done
  touch "$extra/.debs-done"
fi
if [ ! -x "$extra/rust-hello" ]; then
  log "Rust program built with cargo-auditable $CARGO_AUDITABLE"
  tools="$HOME/.cache/stella-tools"
  [ -x "$tools/bin/cargo-auditable" ] || cargo install -q --locked cargo-auditable --version "$CARGO_AUDITABLE" --root "$tools"
  crate=$(mktemp -d)
  mkdir -p "$crate/src"
  printf '[package]\nname = "rust-hello"\nversion = "0.3.1"\nedition = "2021"\n\n[dependencies]\nitoa = "=%s"\n' "$RUST_ITOA" > "$crate/Cargo.toml"
  printf 'fn main() { let mut b = itoa::Buffer::new(); println!("{}", b.format(42)); }\n' > "$crate/src/main.rs"
  (cd "$crate" && PATH="$tools/bin:$PATH" cargo auditable build -q --release)
  cp "$crate/target/release/rust-hello" "$extra/rust-hello"
  rm -rf "$crate"
fi

if [ ! -s "$FIX/archives/debian-app.tar" ]; then
  log "docker-archive debian-app.tar (skopeo)"
  rm -f "$FIX/archives/debian-app.tar.tmp"
  skopeo copy --quiet "oci:$FIX/images/debian-app:1" "docker-archive:$FIX/archives/debian-app.tar.tmp:stella/debian-app:1"
  mv "$FIX/archives/debian-app.tar.tmp" "$FIX/archives/debian-app.tar"
fi

"$here/rpmdb.sh" "$FIX/rpmdb"
log "rpm databases ready in $FIX/rpmdb"
log "ready in $FIX"
