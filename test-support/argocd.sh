#!/usr/bin/env bash
# Builds the Argo CD CLI (the single multi-call `argocd` binary) from the Go module proxy at a pinned version into
# ~/.cache/stella-tools/bin (reused when the pinned version is already there). The health checks in docs/argocd.md
# and the chart's argocd-cm snippet are tested with it: `argocd admin settings resource-overrides health` evaluates a
# Lua health script exactly as the application controller does (test-support/argocd-health.sh).
# About 5 minutes on 2 idle CPUs (49 minutes beside other builds, niced); a 150 MB binary.
set -euo pipefail
ARGOCD_VERSION=v3.3.9
# the module's go.mod replaces gitops-engine with ./gitops-engine, a folder its module zip does not carry: the
# published gitops-engine pseudo-version of the same commit is used instead
GITOPS_ENGINE=v0.7.1-0.20250908182407-97ad5b59a627
root="${STELLA_TOOLS_ROOT:-$HOME/.cache/stella-tools}"
bin="$root/bin"
mkdir -p "$bin" "$root/stamps" "$root/src"

if [ -x "$bin/argocd" ] && [ "$(cat "$root/stamps/argocd" 2>/dev/null)" = "$ARGOCD_VERSION" ]; then
  exit 0
fi
echo "tools: building argocd $ARGOCD_VERSION" >&2
dir=$(go mod download -json "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
src="$root/src/argo-cd"
rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
(cd "$src" \
  && go mod edit -replace "github.com/argoproj/gitops-engine=github.com/argoproj/gitops-engine@$GITOPS_ENGINE" \
  && mkdir -p ui/dist/app && : > ui/dist/app/index.html \
  && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 go build -trimpath -ldflags "-s -w \
       -X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v}" -o "$bin/argocd.tmp" ./cmd)
mv "$bin/argocd.tmp" "$bin/argocd"
echo "$ARGOCD_VERSION" > "$root/stamps/argocd"
rm -rf "$src"
echo "tools: argocd $ARGOCD_VERSION built" >&2
