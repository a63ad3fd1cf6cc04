#!/usr/bin/env bash
# Tests the Argo CD health checks of the chart (charts/stella-ops/docs/argocd-cm.yaml) with Argo CD's own evaluation:
# `argocd admin settings resource-overrides health` runs a resource's Lua health script exactly as the application
# controller does. The resources are the ones the real operator wrote during its integration tests (OperatorIT,
# SourcesIT, ScanLifecycleIT, WaitingStatesIT record one document per distinct state in
# operator/target/status-documents/), so every
# phase and condition reason the tests drive the operator through is judged, and the result must be the health
# docs/argocd.md documents for that state.
#
#   test-support/argocd.sh            builds the pinned argocd once into ~/.cache/stella-tools/bin (about 5 minutes)
#   mvn -B -pl operator -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
#       -Dit.test='OperatorIT,SourcesIT,ScanLifecycleIT,WaitingStatesIT'          writes the status documents
#   test-support/argocd-health.sh     this check
#
# Without the argocd binary the check is skipped with a message (exit 0); building it is not part of the default
# test command (run-tests.sh), as it takes minutes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
tools="${STELLA_TOOLS_ROOT:-$HOME/.cache/stella-tools}"
ARGOCD_VERSION=$(sed -n 's/^ARGOCD_VERSION=//p' "$here/argocd.sh")
argocd="$tools/bin/argocd"
cm="$root/charts/stella-ops/docs/argocd-cm.yaml"
docs="${1:-$root/operator/target/status-documents}"
log() { printf '[argocd-health] %s\n' "$*" >&2; }

if [ ! -x "$argocd" ] || [ "$(cat "$tools/stamps/argocd" 2>/dev/null)" != "$ARGOCD_VERSION" ]; then
  log "SKIPPED: argocd $ARGOCD_VERSION is not built in $tools/bin (run test-support/argocd.sh once, about 5 minutes)"
  exit 0
fi
if ! ls "$docs"/*.yaml >/dev/null 2>&1; then
  log "FAIL: no status documents in $docs (run the operator's integration tests first, see the top of this script)"
  exit 1
fi

python3 - "$argocd" "$cm" "$docs" <<'PY'
import glob, os, subprocess, sys, tempfile
import yaml

argocd, cm, docs = sys.argv[1:4]

# The documented health of each state (docs/argocd.md), by kind, from phase and condition reasons.
WAITS_FOR_OTHERS = {"PolicyNotFound", "PolicyInvalid", "NoAttestation"}
WORKING = {"Resolving", "Analyzing", "Composing", "Evaluating", "PolicyPending", "WaitingForAttestation",
           "RegistryRateLimited", "Completed"}

def cond(st, t):
    return next((c for c in st.get("conditions") or [] if c.get("type") == t), None)

def observed(r):
    st = r.get("status")
    if not st:
        return False
    gen = r["metadata"].get("generation")
    return gen is None or st.get("observedGeneration") == gen

def expected(r):
    kind, st = r["kind"], r.get("status") or {}
    if not observed(r):
        return "Progressing"
    if kind == "ImageScan":
        phase, ready, ev = st.get("phase"), cond(st, "Ready"), cond(st, "Evaluated")
        if phase is None:
            return "Progressing"
        reason = (ready or {}).get("reason", "")
        if phase == "Failed":
            return "Degraded"
        if phase == "Completed" and ready and ready["status"] == "True":
            if ev and ev["status"] == "False" and ev.get("reason") in WAITS_FOR_OTHERS:
                return "Suspended"
            return "Degraded" if (st.get("verdict") or "").upper() == "FAIL" else "Healthy"
        if reason in WAITS_FOR_OTHERS:
            return "Suspended"
        if ready is None or reason in WORKING:
            return "Progressing"
        return "Degraded"
    if kind == "Policy":
        valid = cond(st, "Valid")
        return "Progressing" if valid is None else "Healthy" if valid["status"] == "True" else "Degraded"
    if kind in ("AdvisoryFeed", "VexSource"):
        synced, ready = cond(st, "Synced"), cond(st, "Ready")
        if synced and synced["status"] == "False":
            return "Degraded"
        return "Healthy" if ready and ready["status"] == "True" else "Progressing"
    if kind == "Attestation":
        ready = cond(st, "Ready")
        if ready is None or ready.get("reason") == "WaitingForScan":
            return "Progressing"
        if ready["status"] == "True":
            return "Healthy"
        return "Suspended" if ready.get("reason") == "ScanNotFound" else "Degraded"
    raise SystemExit("unknown kind " + kind)

def health(path):
    out = subprocess.run([argocd, "admin", "settings", "resource-overrides", "health", path, "--argocd-cm-path", cm],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("[argocd-health] FAIL: argocd on %s: %s" % (os.path.basename(path), out.stderr.strip()))
    status = message = None
    for line in out.stdout.splitlines():
        if line.startswith("STATUS:"):
            status = line.split(":", 1)[1].strip()
        elif line.startswith("MESSAGE:"):
            message = line.split(":", 1)[1].strip()
    if status is None:
        raise SystemExit("[argocd-health] FAIL: argocd printed no STATUS for %s (is the kind's script in %s?):\n%s"
                         % (os.path.basename(path), cm, out.stdout + out.stderr))
    return status, message

files = sorted(glob.glob(os.path.join(docs, "*.yaml")))
bad, seen, phases = [], {}, set()
with tempfile.TemporaryDirectory() as tmp:
    def judge(name, r):
        p = os.path.join(tmp, name)
        with open(p, "w") as f:
            yaml.safe_dump(r, f)
        got, msg = health(p)
        want = expected(r)
        seen.setdefault(r["kind"], set()).add(got)
        flag = "ok " if got == want else "BAD"
        print("[argocd-health] %s %-12s %-11s %s — %s" % (flag, r["kind"], got, name, msg), file=sys.stderr)
        if got != want:
            bad.append("%s: Argo CD says %s, docs/argocd.md says %s (message: %s)" % (name, got, want, msg))
        if not msg:
            bad.append("%s: no message" % name)
    for f in files:
        r = yaml.safe_load(open(f))
        if r["kind"] == "ImageScan" and r.get("status"):
            phases.add(r["status"].get("phase"))
        judge(os.path.basename(f), r)
        # the same resource once its spec changed and before the operator saw it: Progressing whatever its status
        if r.get("status") and r["metadata"].get("generation") is not None:
            r["metadata"]["generation"] = r["metadata"]["generation"] + 1
            judge("newer-generation-of-" + os.path.basename(f), r)
            r["metadata"]["generation"] -= 1
        # and before the operator wrote any status
        r.pop("status", None)
        judge("no-status-of-" + os.path.basename(f), r)

# Pending is never stored: a new generation is set to Pending and moves to Resolving in the same reconcile (its
# health, Progressing, is judged on the no-status and newer-generation variants above)
missing = {"Resolving", "Analyzing", "Evaluating", "Completed", "Failed"} - phases
if missing:
    bad.append("no ImageScan document in phase(s) %s: the integration tests did not record them" % sorted(missing))
# every documented health of a kind must have been met on a recorded document (VexSource's sync failure is not
# driven by the tests; its script is the AdvisoryFeed's, whose failures are)
REQUIRED = {"ImageScan": {"Progressing", "Healthy", "Degraded", "Suspended"}, "Policy": {"Progressing", "Healthy", "Degraded"},
            "AdvisoryFeed": {"Progressing", "Healthy", "Degraded"}, "VexSource": {"Progressing", "Healthy"},
            "Attestation": {"Progressing", "Healthy", "Degraded", "Suspended"}}
for kind, want in REQUIRED.items():
    if want - seen.get(kind, set()):
        bad.append("no %s document judged %s: the integration tests did not record that state" % (kind, sorted(want - seen.get(kind, set()))))
print("[argocd-health] %d documents; health seen: %s" % (len(files), {k: sorted(v) for k, v in sorted(seen.items())}), file=sys.stderr)
if bad:
    sys.exit("[argocd-health] FAIL:\n  " + "\n  ".join(bad))
print("[argocd-health] every recorded state has its documented health", file=sys.stderr)
PY
