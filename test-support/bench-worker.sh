#!/usr/bin/env bash
# Worker Job start-up: wall time of the worker main (a fresh JVM, as in a Job's container) for a fresh analysis of the
# minbase layer (47 MB gzip, a Debian minbase rootfs: fetch, verify, analyze, PUT the fragment through a pre-signed URL).
# Workers have no catalog access: the operator starts Jobs only for layers it lacks, so there is no "already analyzed"
# path to measure any more. Starts S3Proxy and docker-registry on loopback (tools.sh and install-deps.sh provide them).
# CDS=1 measures with an application class-data-sharing archive (what a worker image would carry).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root="$here/.."
runs=${RUNS:-5}
tools="$HOME/.cache/stella-tools"
fixtures="${STELLA_FIXTURES:-$HOME/.cache/stella-fixtures}"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

(cd "$root" && mvn -q -B -ntp -DskipTests install -pl workers -am >/dev/null)
(cd "$root" && mvn -q -B -ntp -pl workers dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/cp.txt" >/dev/null)
# jars only (a class-data-sharing archive refuses directories on the class path), as in a worker image
cp=$(cat "$work/cp.txt"):$(ls "$root"/workers/target/stella-workers-*.jar | head -1)

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
s3port=$(port); rport=$(port)
mkdir -p "$work/s3" "$work/registry"
cat > "$work/s3.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3
CONF
java -Xmx256m -jar "$tools"/lib/s3proxy-*-jar-with-dependencies.jar --properties "$work/s3.conf" >"$work/s3.log" 2>&1 & pids+=($!)
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/registry" "$rport" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & pids+=($!)
for p in $s3port $rport; do for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done; done
skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$fixtures/images/minbase:1" \
  "docker://127.0.0.1:$rport/bench/minbase:1"
read -r digest diffid media size < <(python3 - "$fixtures/images/minbase" <<'PY'
import json,sys
d=sys.argv[1]; idx=json.load(open(d+'/index.json'))
m=json.load(open(d+'/blobs/sha256/'+idx['manifests'][0]['digest'][7:]))
c=json.load(open(d+'/blobs/sha256/'+m['config']['digest'][7:]))
l=m['layers'][0]; print(l['digest'], c['rootfs']['diff_ids'][0], l['mediaType'], l['size'])
PY
)
# what the operator does per Job: a pre-signed PUT URL for exactly the fragment key, in the Job's Secret (here a directory)
cat > "$work/Presign.java" <<'JAVA'
public class Presign {
    public static void main(String[] a) throws Exception {
        org.stellaops.storage.ObjectStore s = new org.stellaops.storage.ObjectStore(a[0], "bench", "bench-secret", a[1]);
        s.ensureBucket();
        System.out.print(s.presignedPut("layers/" + a[2] + "/fragment.json.zst", java.time.Duration.ofMinutes(30)));
    }
}
JAVA
jobdir() { mkdir -p "$work/job-$1"; java -cp "$cp" "$work/Presign.java" "http://127.0.0.1:$s3port" "$1" "$digest" > "$work/job-$1/upload-url"; }
jsa="$work/worker.jsa"
worker() {
  STELLA_JOB_DIR="$work/job-$1" java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${CDS:+-XX:SharedArchiveFile=$jsa} -cp "$cp" \
    org.stellaops.workers.LayerWorker --image "127.0.0.1:$rport/bench/minbase" --layer "$digest" --diff-id "$diffid" \
    --media-type "$media" --size "$size"
}
ms() { date +%s%N; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "layer: $digest ($((size / 1024)) KiB gzip)"
if [ -n "${CDS:-}" ]; then
  # the class-data-sharing archive a worker image would ship, trained on one run
  jobdir train
  STELLA_JOB_DIR="$work/job-train" java -XX:ArchiveClassesAtExit="$jsa" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" \
    org.stellaops.workers.LayerWorker --image "127.0.0.1:$rport/bench/minbase" --layer "$digest" --diff-id "$diffid" \
    --media-type "$media" --size "$size" >/dev/null
  echo "with a CDS archive ($(du -h "$jsa" | cut -f1))"
fi
fresh=()
for i in $(seq "$runs"); do
  jobdir "bench$i"
  t=$(ms); out=$(worker "bench$i"); fresh+=($(( ($(ms) - t) / 1000000 )))
  grep -q '"exitCode":0' <<<"$out" || { echo "the worker failed: $out" >&2; exit 1; }
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "fresh analysis (fetch + analyze + upload), ms: ${fresh[*]} → median $(median "${fresh[@]}")"
