#!/usr/bin/env bash
# Decider benchmark: the published OSV records of ../shared/data replicated under new ids and package names to
# COPIES x 26 advisories (11540 copies = 300,040), plus the Debian tracker, KEV and EPSS; load + index time and heap,
# then match + VEX + policy + report for 5,000 components, RUNS times (p50/p95). Needs `mvn -DskipTests test-compile`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COPIES=${COPIES:-11540}
RUNS=${RUNS:-50}
cd "$root"
cp_file=$(mktemp)
mvn -q -pl core dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
cd core
/usr/bin/time -f "%e s wall, peak RSS %M KB" java -XX:+UseSerialGC \
  -cp "target/test-classes:target/classes:$(cat "$cp_file")" org.stellaops.core.bench.DeciderBench "$COPIES" "$RUNS" 2>&1 | grep -v SLF4J
rm -f "$cp_file"
