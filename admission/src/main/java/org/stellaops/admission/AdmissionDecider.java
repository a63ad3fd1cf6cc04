package org.stellaops.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.PolicyAdmission;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.storage.Catalog;
import org.stellaops.scanner.util.Digests;

/**
 * The admission decision: which Policy applies, each container image's verdict from the catalog (the verdict the
 * operator's report holds), and the answer per the Policy's mode. Plain Java: the webhook and {@code stella admission
 * test} call this same code. Nothing here has side effects; the answer lists the ones the caller performs.
 */
public final class AdmissionDecider {
    /** Never judged, whatever the webhook configuration says (the configuration excludes them too). */
    public static final Set<String> ALWAYS_EXCLUDED = Set.of("kube-system", "kube-public", "kube-node-lease");
    public static final String BREAK_GLASS = "stella-ops.org/break-glass";
    private static final int TOP_FINDINGS = 3;
    private static final List<String> SEVERITY_ORDER = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "NEGLIGIBLE", "UNKNOWN");

    public record Settings(String suiteNamespace, Set<String> excludedNamespaces, Duration deadline) {
        public boolean excluded(String ns) {
            return ALWAYS_EXCLUDED.contains(ns) || ns.equals(suiteNamespace) || excludedNamespaces.contains(ns);
        }
    }

    private final Settings settings;
    private final Ports.Cluster cluster;
    private final Ports.Verdicts verdicts;
    private final Ports.Reports reports;
    private final Ports.Resolver resolver;
    private final Ports.SignedVerdicts signed;
    private final Executor executor;
    /** Top findings per report (content-addressed keys: a report never changes), so a cached decision reads no object. */
    private final TtlCache<String, List<String>> findings = new TtlCache<>(10_000, Duration.ofHours(1), java.time.Clock.systemUTC());

    public AdmissionDecider(Settings settings, Ports.Cluster cluster, Ports.Verdicts verdicts, Ports.Reports reports,
                            Ports.Resolver resolver, Ports.SignedVerdicts signed, Executor executor) {
        this.settings = settings;
        this.cluster = cluster;
        this.verdicts = verdicts;
        this.reports = reports;
        this.resolver = resolver;
        this.signed = signed;
        this.executor = executor;
    }

    public Decision decide(Request r) {
        long deadlineNanos = System.nanoTime() + settings.deadline().toNanos();
        if (r.namespace() == null || r.namespace().isEmpty() || settings.excluded(r.namespace())) {
            return admit("excluded", null, null, List.of(), List.of(), Map.of());
        }
        if (!Workloads.judged(r.group(), r.kind())) {
            return admit("not-judged", null, null, List.of(),
                    List.of("Stella Ops does not judge " + r.kind() + " objects; admitted without a verdict"), Map.of());
        }
        Workloads.Judged judged = Workloads.containers(r.kind(), r.operation(), r.object(), r.oldObject());
        if (judged.containers().isEmpty()) {
            return admit("pass", null, null, List.of(), List.of(), Map.of());
        }
        Optional<AdmissionPolicy> selected;
        try {
            selected = PolicySelection.select(r.namespace(), cluster.namespaceLabels(r.namespace()), settings.suiteNamespace(),
                    cluster.policies());
        } catch (IOException e) {
            // the namespace's labels are unknown: no Policy can be chosen safely; admitting would skip enforcement
            // silently, refusing would lock the namespace — the webhook's failurePolicy decides, so answer an error
            return new Decision(false, 503, "Stella Ops could not read namespace " + r.namespace() + " (" + e.getMessage()
                    + "); retry", List.of(), Map.of(), "unknown", null, null, List.of(), List.of(), null);
        }
        if (selected.isEmpty()) {
            return admit("no-policy", null, null, List.of(), List.of(), Map.of());
        }
        AdmissionPolicy policy = selected.get();
        String mode = policy.mode().name();

        String breakGlass = r.object().path("metadata").path("annotations").path(BREAK_GLASS).asText("");
        List<String> warnings = new ArrayList<>();
        if (!breakGlass.isBlank()) {
            boolean may;
            try {
                may = cluster.mayBreakGlass(r.userInfo(), r.namespace());
            } catch (IOException e) {
                may = false;
                warnings.add("break-glass could not be checked (" + e.getMessage() + "); judged normally");
            }
            if (may) {
                Map<String, String> audit = new LinkedHashMap<>();
                audit.put("break-glass", truncate(breakGlass, 256));
                audit.put("policy", policy.ref());
                return new Decision(true, 200, null, List.of("Stella Ops: admitted by break-glass (" + truncate(breakGlass, 120)
                        + "); recorded"), audit, "break-glass", mode, policy.ref(), List.of(), List.of(), breakGlass);
            }
            if (warnings.isEmpty()) {
                warnings.add("the " + BREAK_GLASS + " annotation was ignored: "
                        + (r.userInfo() == null ? "the user" : r.userInfo().getUsername()) + " may not use it in " + r.namespace());
            }
        }

        // pull credentials are read from the API server only when a registry must be asked (a tag not in the cache)
        java.util.function.Supplier<DockerConfig> credentials = new java.util.function.Supplier<>() {
            private DockerConfig value;

            @Override
            public synchronized DockerConfig get() {
                if (value == null) {
                    try {
                        value = cluster.pullCredentials(r.namespace(), judged.pullSecrets(), judged.serviceAccount());
                    } catch (IOException e) {
                        // anonymous: a registry that needs credentials then answers 401 and the image is unknown
                        value = DockerConfig.of(Json.mapper().createObjectNode().set("auths", Json.mapper().createObjectNode()));
                    }
                }
                return value;
            }
        };

        // every image is judged in parallel; what is not judged by the deadline is unknown
        List<CompletableFuture<Decision.ImageResult>> futures = new ArrayList<>();
        for (Workloads.Container c : judged.containers()) {
            futures.add(CompletableFuture.supplyAsync(() -> judge(c, policy, credentials), executor));
        }
        List<Decision.ImageResult> results = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            Workloads.Container c = judged.containers().get(i);
            long left = deadlineNanos - System.nanoTime();
            try {
                results.add(futures.get(i).get(Math.max(0, left), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                results.add(unknown(c, null, "no answer within the decision deadline of " + settings.deadline().toMillis() + " ms"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results.add(unknown(c, null, "interrupted"));
            } catch (ExecutionException e) {
                results.add(unknown(c, null, "internal error: " + e.getCause().getClass().getSimpleName()));
            }
        }
        return combine(r, policy, results, warnings);
    }

    private Decision combine(Request r, AdmissionPolicy policy, List<Decision.ImageResult> results, List<String> warnings) {
        String mode = policy.mode().name();
        boolean enforce = policy.mode() == PolicyAdmission.Mode.enforce;
        List<Decision.ImageResult> failing = results.stream().filter(x -> x.outcome().equals("fail")).toList();
        List<Decision.ImageResult> unknown = results.stream().filter(x -> x.outcome().equals("unknown")).toList();
        List<Decision.ImageResult> warn = results.stream().filter(x -> x.outcome().equals("warn")).toList();
        Map<String, String> audit = new LinkedHashMap<>();
        audit.put("policy", policy.ref());
        audit.put("mode", mode);
        List<Decision.ScanRequest> scans = new ArrayList<>();
        for (Decision.ImageResult u : unknown) {
            if (policy.unknown() == PolicyAdmission.Unknown.scan && u.digest() != null
                    && scans.stream().noneMatch(s -> s.digest().equals(u.digest()))) {
                scans.add(new Decision.ScanRequest(r.namespace(), u.image(), u.digest(), policy.namespace(), policy.name()));
            }
        }
        for (Decision.ImageResult w : warn) {
            warnings.add(truncate("Stella Ops: " + w.image() + " has verdict warn under Policy " + policy.ref()
                    + findingsText(w), 500));
        }
        // refusals: failing images (enforce), unknown images whose rule is deny or scan (enforce)
        List<String> refusals = new ArrayList<>();
        for (Decision.ImageResult f : failing) {
            String text = f.container() + " image " + f.image() + (f.digest() == null ? "" : " (" + f.digest() + ")")
                    + ": verdict fail" + (f.detail() == null ? "" : " (" + f.detail() + ")") + findingsText(f)
                    + (f.reportKey() == null ? "" : "; report: " + f.reportKey() + " (kubectl get imagescans -n " + r.namespace()
                    + ", stella report)");
            if (enforce) {
                refusals.add(text);
            } else {
                warnings.add(truncate("Stella Ops (" + mode + "): " + text, 500));
            }
        }
        for (Decision.ImageResult u : unknown) {
            String text = u.container() + " image " + u.image() + ": no verdict (" + u.detail() + ")";
            switch (policy.unknown()) {
                case allow -> warnings.add(truncate("Stella Ops: " + text + "; admitted (unknown: allow)", 500));
                case deny -> {
                    if (enforce) {
                        refusals.add(text);
                    } else {
                        warnings.add(truncate("Stella Ops (" + mode + "): " + text, 500));
                    }
                }
                case scan -> {
                    String t = text + (u.digest() == null ? "; cannot scan an unresolved image" : "; scan pending, retry later");
                    if (enforce) {
                        refusals.add(t);
                    } else {
                        warnings.add(truncate("Stella Ops (" + mode + "): " + t, 500));
                    }
                }
            }
        }
        String reason = !failing.isEmpty() ? "fail" : !unknown.isEmpty() ? "unknown" : !warn.isEmpty() ? "warn" : "pass";
        if (results.stream().allMatch(x -> x.outcome().equals("exempt"))) {
            reason = "exempt";
        }
        if (!failing.isEmpty() || !unknown.isEmpty()) {
            audit.put("verdict", reason);
            audit.put("images", String.join(",", results.stream()
                    .filter(x -> x.outcome().equals("fail") || x.outcome().equals("unknown"))
                    .map(x -> x.image() + "=" + x.outcome()).toList()));
        }
        if (policy.mode() == PolicyAdmission.Mode.audit) {
            // audit: the result goes to the audit log only; warnings are not shown to the user
            warnings.clear();
        }
        if (!refusals.isEmpty()) {
            boolean pending = failing.isEmpty() && policy.unknown() == PolicyAdmission.Unknown.scan;
            String msg = "Stella Ops refused " + r.describe() + " under Policy " + policy.ref() + " (enforce): "
                    + String.join("; ", refusals);
            return new Decision(false, 403, truncate(msg, 4000), List.copyOf(warnings), audit,
                    pending ? "scan-pending" : reason, mode, policy.ref(), results, scans, null);
        }
        return new Decision(true, 200, null, List.copyOf(warnings), audit, reason, mode, policy.ref(), results, scans, null);
    }

    private Decision.ImageResult judge(Workloads.Container c, AdmissionPolicy policy,
                                       java.util.function.Supplier<DockerConfig> credentials) {
        String image = c.image();
        if (image.isBlank()) {
            return unknown(c, null, "no image");
        }
        if (ImagePatterns.matchesAny(policy.exemptImages(), image)) {
            return new Decision.ImageResult(c.type() + " " + c.name(), image, null, "exempt", null, List.of(), null);
        }
        if (!policy.valid()) {
            return unknown(c, null, "Policy " + policy.ref() + " is invalid (see its status); it has no verdicts");
        }
        ImageRef ref;
        try {
            ref = ImageRef.parse(image);
        } catch (RuntimeException e) {
            return unknown(c, null, "the reference is not valid");
        }
        try {
            Optional<Catalog.Verdict> v = Optional.empty();
            String digest = ref.digest();
            if (digest != null) {
                v = verdicts.verdict(digest, policy.policyDigest());
            }
            if (v.isEmpty()) {
                String resolved;
                try {
                    resolved = resolver.digest(ref, credentials);
                } catch (IOException | RuntimeException e) {
                    return unknown(c, digest, "resolving " + (ref.digest() != null ? "the digest" : "the tag") + " failed: "
                            + safe(e));
                }
                digest = resolved;
                if (!resolved.equals(ref.digest())) {
                    v = verdicts.verdict(resolved, policy.policyDigest());
                }
            }
            if (v.isEmpty()) {
                return unknown(c, digest, "not scanned under Policy " + policy.ref());
            }
            Catalog.Verdict verdict = v.get();
            String outcome = verdict.verdict();
            String detail = null;
            if (policy.requireSignedVerdict()) {
                Ports.SignedVerdicts.Result s = signed == null ? new Ports.SignedVerdicts.Result(null, "signature checks are not available")
                        : signed.check(ref, digest, policy, credentials);
                if (!s.verified()) {
                    outcome = "fail";
                    detail = "no verifying signed verdict: " + s.problem();
                } else if (!s.verdict().equals("pass") && !s.verdict().equals("warn")) {
                    outcome = "fail";
                    detail = "the signed verdict is " + s.verdict();
                }
            }
            if (!Set.of("pass", "warn", "fail").contains(outcome)) {
                return unknown(c, digest, "the catalog holds an unexpected verdict");
            }
            List<String> findings = outcome.equals("pass") ? List.of() : topFindings(verdict, outcome);
            return new Decision.ImageResult(c.type() + " " + c.name(), image, digest, outcome, detail, findings, verdict.reportKey());
        } catch (IOException | RuntimeException e) {
            return unknown(c, ref.digest(), "the catalog could not be read: " + safe(e));
        }
    }

    /** The most severe findings with this verdict from the report (verified against the digest the catalog holds). */
    private List<String> topFindings(Catalog.Verdict v, String outcome) {
        if (reports == null || v.reportKey() == null) {
            return List.of();
        }
        String key = v.reportKey() + "|" + v.reportSha256() + "|" + outcome;
        Optional<List<String>> hit = findings.get(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        List<String> top = readTopFindings(v, outcome);
        if (!top.isEmpty()) {
            findings.put(key, top);
        }
        return top;
    }

    private List<String> readTopFindings(Catalog.Verdict v, String outcome) {
        try {
            Optional<byte[]> b = reports.report(v.reportKey());
            if (b.isEmpty() || (v.reportSha256() != null && !v.reportSha256().equals(Digests.sha256(b.get())))) {
                return List.of();
            }
            JsonNode report = Json.mapper().readTree(b.get());
            List<JsonNode> matching = new ArrayList<>();
            report.path("findings").forEach(f -> {
                if (f.path("verdict").asText().equals(outcome)) {
                    matching.add(f);
                }
            });
            matching.sort(Comparator.<JsonNode>comparingInt(f -> severityRank(f.path("severity").asText()))
                    .thenComparing(f -> f.path("vulnerability").asText()).thenComparing(f -> f.path("purl").asText()));
            List<String> out = new ArrayList<>();
            for (JsonNode f : matching.subList(0, Math.min(TOP_FINDINGS, matching.size()))) {
                String purl = f.path("purl").asText();
                int q = purl.indexOf('?');
                List<String> fixed = new ArrayList<>();
                f.path("fixedVersions").forEach(x -> fixed.add(x.asText()));
                out.add(f.path("vulnerability").asText() + " " + (q > 0 ? purl.substring(0, q) : purl) + " "
                        + f.path("installedVersion").asText() + " → " + (fixed.isEmpty() ? "no fix" : String.join("|", fixed))
                        + " (" + f.path("severity").asText().toUpperCase(Locale.ROOT) + ")");
            }
            if (matching.size() > TOP_FINDINGS) {
                out.add("and " + (matching.size() - TOP_FINDINGS) + " more");
            }
            return List.copyOf(out);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static int severityRank(String s) {
        int i = SEVERITY_ORDER.indexOf(s.toUpperCase(Locale.ROOT));
        return i < 0 ? SEVERITY_ORDER.size() : i;
    }

    private static String findingsText(Decision.ImageResult r) {
        return r.findings().isEmpty() ? "" : ": " + String.join(", ", r.findings());
    }

    private static Decision.ImageResult unknown(Workloads.Container c, String digest, String why) {
        return new Decision.ImageResult(c.type() + " " + c.name(), c.image(), digest, "unknown", why, List.of(), null);
    }

    private static Decision admit(String reason, String mode, String policy, List<Decision.ImageResult> images, List<String> warnings,
                                  Map<String, String> audit) {
        return new Decision(true, 200, null, warnings, audit, reason, mode, policy, images, List.of(), null);
    }

    /** An exception's message without document content: our storage and registry errors name the input and the problem. */
    private static String safe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : truncate(m, 200);
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
