#!/usr/bin/env bash
# The test command: installs missing Debian packages, builds (or reuses) the cached image fixtures and the pinned
# third-party servers/tools (tools.sh), checks the Helm chart (chart.sh), runs every test.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/install-deps.sh"
"$here/fixtures.sh"
"$here/tools.sh"
"$here/chart.sh"   # helm lint --strict and the rendered chart's invariants (builds the pinned helm once)
cd "$here/.."
mvn -B -ntp verify "$@"
