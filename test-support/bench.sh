#!/usr/bin/env bash
# Benchmark of issue "scanner engine": the 4-layer fixture image debian-app:1 (gzip), measured in one run:
#  (a) single-core zcat of its layer blobs to /dev/null, (b) stella scan cold, (c) warm, with the JVM start measured
#  separately, (d) peak RSS, (e) Syft on the same OCI layout. Prints a Markdown table and writes the package-set
#  differences to $OUT/diff.txt. Needs the fixtures (fixtures.sh), a built CLI (mvn -DskipTests package) and Syft:
#    GOBIN=~/.cache/stella-tools/bin go install github.com/anchore/syft/cmd/syft@v1.57.1
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
FIX=${STELLA_FIXTURES:-$HOME/.cache/stella-fixtures}
SYFT=${SYFT:-$HOME/.cache/stella-tools/bin/syft}
RUNS=${RUNS:-3}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
img="$FIX/images/debian-app"
ref="oci:$img:1"
command -v /usr/bin/time >/dev/null || { echo "bench: GNU time is needed (apt-get install time)" >&2; exit 1; }
[ -x "$SYFT" ] || { echo "bench: syft not found at $SYFT" >&2; exit 1; }

manifest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"].split(":")[1])' "$img/index.json")
layers=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(" ".join(l["digest"].split(":")[1] for l in m["layers"]))' "$img/blobs/sha256/$manifest")
compressed=0; for l in $layers; do compressed=$((compressed + $(stat -c %s "$img/blobs/sha256/$l"))); done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2==1) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
measure() { # label command... -> "seconds rss_kb" per run into $OUT/label.runs
  local label=$1; shift
  : > "$OUT/$label.runs"
  for i in $(seq "$RUNS"); do
    [ "$label" = cold ] && rm -rf "$OUT/cache"
    [ "$label" = syft ] && rm -rf "$OUT/syft-cache"
    /usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/$label.err" || { cat "$OUT/$label.err" >&2; exit 1; }
    cat "$OUT/time.txt" >> "$OUT/$label.runs"
  done
}

measure zcat bash -c "for l in $layers; do taskset -c 0 zcat \"$img/blobs/sha256/\$l\"; done > /dev/null"
measure jvm "$root/stella" --version
measure cold "$root/stella" scan "$ref" --cache-dir "$OUT/cache" --out "$OUT/stella.cdx.json" --json
mkdir -p "$OUT/cache"; "$root/stella" scan "$ref" --cache-dir "$OUT/cache" --out "$OUT/stella.cdx.json" >/dev/null 2>&1
measure warm "$root/stella" scan "$ref" --cache-dir "$OUT/cache" --out "$OUT/stella.cdx.json" --json
warm_work=$(grep '"event":"done"' "$OUT/warm.err" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["millis"])')
measure syft env SYFT_CHECK_FOR_APP_UPDATE=false XDG_CACHE_HOME="$OUT/syft-cache" "$SYFT" scan "oci-dir:$img" -q -o "cyclonedx-json=$OUT/syft.cdx.json"

# (f) the same scans repeated inside one JVM, after its JIT has compiled the hot code (a long-lived process)
cp_file="$OUT/cp.txt"
(cd "$root" && mvn -q -pl scanner dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
java -XX:+UseSerialGC -cp "$root/scanner/target/test-classes:$root/scanner/target/classes:$(cat "$cp_file")" \
  org.stellaops.scanner.bench.InProcessBench "$ref" 6 > "$OUT/inprocess.txt"
inproc_cold=$(tail -3 "$OUT/inprocess.txt" | awk '{print $4}' | median)
inproc_warm=$(tail -3 "$OUT/inprocess.txt" | awk '{print $7}' | median)

col() { awk -v c="$2" '{print $c}' "$OUT/$1.runs" | median; }
printf '| measure | median of %s runs | peak RSS |\n|---|---|---|\n' "$RUNS"
printf '| image | 4 layers, %s MB compressed (gzip) | |\n' "$((compressed / 1000000))"
printf '| (a) zcat of the layer blobs, 1 core | %s s | |\n' "$(col zcat 1)"
printf '| JVM start (`stella --version`) | %s s | %s MB |\n' "$(col jvm 1)" "$(( $(col jvm 2) / 1024 ))"
printf '| (b) stella scan, cold, 2 cores | %s s | %s MB |\n' "$(col cold 1)" "$(( $(col cold 2) / 1024 ))"
printf '| (c) stella scan, warm | %s s (scan work %s ms) | %s MB |\n' "$(col warm 1)" "$warm_work" "$(( $(col warm 2) / 1024 ))"
printf '| (f) in one JVM, rounds 4-6: cold / warm | %s s / %s s | |\n' "$inproc_cold" "$inproc_warm"
printf '| (e) syft scan oci-dir, cold | %s s | %s MB |\n' "$(col syft 1)" "$(( $(col syft 2) / 1024 ))"

python3 - "$OUT/stella.cdx.json" "$OUT/syft.cdx.json" > "$OUT/diff.txt" <<'PY'
import json, sys, re
def purls(path):
    out = set()
    for c in json.load(open(path)).get("components", []):
        p = c.get("purl")
        if p:
            out.add(re.sub(r"[?#].*$", "", p))
    return out
ours, theirs = purls(sys.argv[1]), purls(sys.argv[2])
print(f"stella: {len(ours)} distinct purls, syft: {len(theirs)}, both: {len(ours & theirs)}")
print("\nonly stella:"); [print("  " + p) for p in sorted(ours - theirs)]
print("\nonly syft:"); [print("  " + p) for p in sorted(theirs - ours)]
PY
echo; head -1 "$OUT/diff.txt"; echo "differences: $OUT/diff.txt"
