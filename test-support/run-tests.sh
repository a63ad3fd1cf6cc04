#!/usr/bin/env bash
# The test command: installs missing Debian packages, builds (or reuses) the cached image fixtures and the pinned
# third-party servers/tools (tools.sh), runs every test.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/install-deps.sh"
"$here/fixtures.sh"
"$here/tools.sh"
cd "$here/.."
mvn -B -ntp verify "$@"
