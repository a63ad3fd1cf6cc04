#!/usr/bin/env bash
# Installs the Debian packages that the tests and fixtures use, when they are missing:
#   docker-registry (a real OCI registry), skopeo (pushes images), debootstrap (Debian rootfs), rpm (rpm databases),
#   db5.3-util (BerkeleyDB's db_load), umoci (a real Go binary from a Debian package), zstd, apache2-utils (htpasswd),
#   ruby (Gem::Version, the reference the RubyGems version order is tested against), jq (JSON in scripts),
#   containerd and runc (a real CRI runtime for the observer's tests; the tests start their own instance).
# JDK 17+, Maven, Go, Node.js/npm and Python/pip are expected on the machine.
set -euo pipefail
need=()
for pair in docker-registry:docker-registry skopeo:skopeo debootstrap:debootstrap rpm:rpm rpmbuild:rpm \
            db5.3_load:db5.3-util umoci:umoci jq:jq zstd:zstd htpasswd:apache2-utils curl:curl ruby:ruby \
            containerd:containerd runc:runc ctr:containerd; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
for tool in java mvn go cargo npm pip python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-deps: $tool is required but missing" >&2; exit 1; }
done
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
