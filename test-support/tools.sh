#!/usr/bin/env bash
# Builds the third-party servers and tools the tests talk to, from the Go module proxy, at pinned versions, into
# ~/.cache/stella-tools/bin (reused when the pinned version is already there):
#   cosign          — the reference DSSE/attestation client (interop tests)
#   rekor-server-posix — Rekor v2 (rekor-tiles) with its POSIX tile backend (transparency-log tests)
#   ferretdb        — a MongoDB-wire-compatible server on SQLite (operator storage tests)
set -euo pipefail
COSIGN_VERSION=v2.6.2
REKOR_TILES_VERSION=v2.4.2
FERRETDB_VERSION=v1.24.2
root="$HOME/.cache/stella-tools"
bin="$root/bin"
mkdir -p "$bin" "$root/stamps"

have() { [ -x "$bin/$1" ] && [ "$(cat "$root/stamps/$1" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$root/stamps/$1"; }

if ! have cosign "$COSIGN_VERSION"; then
  echo "tools: building cosign $COSIGN_VERSION" >&2
  GOBIN="$bin" go install "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION"
  stamp cosign "$COSIGN_VERSION"
fi

if ! have ferretdb "$FERRETDB_VERSION"; then
  echo "tools: building ferretdb $FERRETDB_VERSION" >&2
  GOBIN="$bin" go install "github.com/FerretDB/FerretDB/cmd/ferretdb@$FERRETDB_VERSION"
  stamp ferretdb "$FERRETDB_VERSION"
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
