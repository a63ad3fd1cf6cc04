#!/usr/bin/env bash
# Builds the third-party servers and tools the tests talk to, from the Go module proxy, at pinned versions, into
# ~/.cache/stella-tools/bin (reused when the pinned version is already there):
#   cosign          — the reference DSSE/attestation client (interop tests)
#   rekor-server-posix — Rekor v2 (rekor-tiles) with its POSIX tile backend (transparency-log tests)
#   ferretdb        — a MongoDB-wire-compatible server on SQLite (operator storage tests)
# and, from Maven Central, into ~/.cache/stella-tools/lib:
#   s3proxy         — an S3-compatible server (Apache-2.0) on a filesystem directory (object-store tests)
set -euo pipefail
COSIGN_VERSION=v2.6.2
REKOR_TILES_VERSION=v2.4.2
FERRETDB_VERSION=v1.24.2
S3PROXY_VERSION=3.0.0
root="${STELLA_TOOLS_ROOT:-$HOME/.cache/stella-tools}"
bin="$root/bin"
mkdir -p "$bin" "$root/stamps" "$root/src" "$root/lib"

have() { [ -x "$bin/$1" ] && [ "$(cat "$root/stamps/$1" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$root/stamps/$1"; }

if ! have cosign "$COSIGN_VERSION"; then
  echo "tools: building cosign $COSIGN_VERSION" >&2
  GOBIN="$bin" go install "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION"
  stamp cosign "$COSIGN_VERSION"
fi

if ! have ferretdb "$FERRETDB_VERSION"; then
  echo "tools: building ferretdb $FERRETDB_VERSION" >&2
  # FerretDB reads its version from build/version/version.txt, which the module zip does not carry: build from a
  # writable copy of the module with that file written.
  dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  src="$root/src/ferretdb"
  rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  (cd "$src" && go build -o "$bin/ferretdb" ./cmd/ferretdb)
  stamp ferretdb "$FERRETDB_VERSION"
fi

jar="$root/lib/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
if [ ! -s "$jar" ]; then
  echo "tools: fetching s3proxy $S3PROXY_VERSION" >&2
  # outside any project, so that Maven runs the goal once, not per module of the caller's working directory
  (cd "$root/lib" && mvn -q -B -ntp dependency:copy "-Dartifact=org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
    "-DoutputDirectory=$root/lib")
fi

if ! have rekor-server-posix "$REKOR_TILES_VERSION"; then
  echo "tools: building rekor-tiles $REKOR_TILES_VERSION (POSIX)" >&2
  # rekor-tiles pins fulcio v1.9.1 and goa v3.34.0, which the module proxy reachable here does not serve; the
  # nearest served releases build and are what the log's POSIX server needs (fulcio is only used for identity checks).
  src="$root/src/rekor-tiles"
  mkdir -p "$src"
  cat > "$src/go.mod" <<MOD
module stellaops.local/rekorbuild

go 1.27.0

require github.com/sigstore/rekor-tiles/v2 $REKOR_TILES_VERSION

replace github.com/sigstore/fulcio => github.com/sigstore/fulcio v1.8.8

replace goa.design/goa/v3 => goa.design/goa/v3 v3.27.0
MOD
  # rekor-tiles needs Go 1.27: GOTOOLCHAIN=auto fetches that toolchain from the module proxy.
  (cd "$src" && GOTOOLCHAIN=auto GOFLAGS=-mod=mod go build -o "$bin/rekor-server-posix" \
     github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix)
  stamp rekor-server-posix "$REKOR_TILES_VERSION"
fi
