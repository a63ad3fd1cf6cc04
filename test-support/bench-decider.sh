#!/usr/bin/env bash
# Decider benchmark: the published OSV records of ../shared/data replicated under new ids and package names to
# COPIES x 26 advisories (11540 copies = 300,040), plus the Debian tracker, KEV and EPSS; load + index time and heap
# from the documents, then the compiled advisory index of the same revision built and loaded (in the same JVM and in a
# fresh one), then match + VEX + policy + report for 5,000 components on the index, RUNS times (p50/p95), each report
# compared with the one decided on the documents. Needs `mvn -DskipTests test-compile`. JFR=1 records a profile of the
# benchmark JVM into core/target/bench/decider.jfr.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COPIES=${COPIES:-11540}
RUNS=${RUNS:-50}
cd "$root"
cp_file=$(mktemp)
index=$(mktemp --suffix=.stella-index)
mvn -q -pl core dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
cd core
mkdir -p target/bench
cp="target/test-classes:target/classes:$(cat "$cp_file")"
jfr=()
if [ -n "${JFR:-}" ]; then jfr=(-XX:StartFlightRecording=filename=target/bench/decider.jfr,settings=profile -XX:FlightRecorderOptions=stackdepth=256); fi
/usr/bin/time -f "%e s wall, peak RSS %M KB" java -XX:+UseSerialGC "${jfr[@]}" \
  -cp "$cp" org.stellaops.core.bench.DeciderBench "$COPIES" "$RUNS" "$index" 2>&1 | grep -v SLF4J | tee target/bench/decider.txt
revision=$(sed -n 's/^revision //p' target/bench/decider.txt)
/usr/bin/time -f "%e s wall, peak RSS %M KB" java -XX:+UseSerialGC \
  -cp "$cp" org.stellaops.core.bench.DeciderBench load "$index" "$revision" 2>&1 | grep -v SLF4J
rm -f "$cp_file" "$index"
