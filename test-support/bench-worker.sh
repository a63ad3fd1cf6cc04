#!/usr/bin/env bash
# Worker Job start-up: wall time of the worker main (a fresh JVM, as in a Job's container) for
#   (a) a layer the catalog already has (the rerun / idempotent path: catalog lookup, fragment check, exit), and
#   (b) a fresh analysis of the minbase layer (47 MB gzip, a Debian minbase rootfs: fetch, verify, analyze, store).
# Starts S3Proxy, FerretDB and docker-registry on loopback (test-support/tools.sh and install-deps.sh provide them).
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
s3port=$(port); mport=$(port); rport=$(port)
mkdir -p "$work/s3" "$work/mongo" "$work/registry"
cat > "$work/s3.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3
CONF
java -Xmx256m -jar "$tools"/lib/s3proxy-*-jar-with-dependencies.jar --properties "$work/s3.conf" >"$work/s3.log" 2>&1 & pids+=($!)
"$tools/bin/ferretdb" --handler=sqlite --sqlite-url="file:$work/mongo/" --listen-addr="127.0.0.1:$mport" \
  --debug-addr="127.0.0.1:$(port)" --telemetry=disable --state-dir="$work/mongo" --log-level=error >"$work/ferret.log" 2>&1 & pids+=($!)
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/registry" "$rport" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & pids+=($!)
for p in $s3port $mport $rport; do for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done; done
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
export STELLA_S3_ENDPOINT=http://127.0.0.1:$s3port STELLA_S3_ACCESS_KEY=bench STELLA_S3_SECRET_KEY=bench-secret \
       STELLA_MONGO_URI=mongodb://127.0.0.1:$mport/
jsa="$work/worker.jsa"
worker() {
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${CDS:+-XX:SharedArchiveFile=$jsa} -cp "$cp" org.stellaops.workers.LayerWorker \
    --image "127.0.0.1:$rport/bench/minbase" --layer "$digest" --diff-id "$diffid" --media-type "$media" --size "$size"
}
ms() { date +%s%N; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "layer: $digest ($((size / 1024)) KiB gzip)"
if [ -n "${CDS:-}" ]; then
  # the class-data-sharing archive a worker image would ship, trained on one run
  export STELLA_S3_BUCKET=train STELLA_MONGO_DATABASE=train
  CDS= java -XX:ArchiveClassesAtExit="$jsa" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" org.stellaops.workers.LayerWorker \
    --image "127.0.0.1:$rport/bench/minbase" --layer "$digest" --diff-id "$diffid" --media-type "$media" --size "$size" >/dev/null
  echo "with a CDS archive ($(du -h "$jsa" | cut -f1))"
fi
fresh=(); cached=()
for i in $(seq "$runs"); do
  export STELLA_S3_BUCKET="bench$i" STELLA_MONGO_DATABASE="bench$i"
  t=$(ms); worker >/dev/null; fresh+=($(( ($(ms) - t) / 1000000 )))
  t=$(ms); out=$(worker); cached+=($(( ($(ms) - t) / 1000000 )))
  grep -q 'already analyzed' <<<"$out" || { echo "expected an idempotent rerun: $out" >&2; exit 1; }
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "fresh analysis (fetch + analyze + store), ms: ${fresh[*]} → median $(median "${fresh[@]}")"
echo "already analyzed (JVM start → exit),     ms: ${cached[*]} → median $(median "${cached[@]}")"
