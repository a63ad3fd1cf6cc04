package org.stellaops.core.decider;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.advisories.AliasGroups;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;
import org.stellaops.core.match.AdvisoryMatcher;
import org.stellaops.core.match.DistroMatcher;
import org.stellaops.core.model.Finding;
import org.stellaops.core.policy.Policy;
import org.stellaops.core.policy.PolicyEngine;
import org.stellaops.core.vex.VexConsensus;
import org.stellaops.core.vex.VexStatement;

/**
 * SBOM components + advisories + VEX + policy → findings, verdicts and the deterministic report. The same code runs in
 * the CLI and (later) in the operator.
 */
public final class Decider {
    private static final List<String> SEVERITY_ORDER = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "NEGLIGIBLE", "UNKNOWN");

    /**
     * A component of the SBOM as the decider needs it. {@code containers}: purls of packages it lives in;
     * {@code usedByEntrypoint}: whether the image's entrypoint reaches it (null when no trace ran: treated as used, so
     * that a rule for unused components never matches what was not proven unused); {@code usageChain}: how.
     */
    public record Component(String purl, String layerDigest, String evidencePath, String ownedBy, Set<String> containers,
                            Boolean usedByEntrypoint, String usageChain) {
        public Component(String purl, String layerDigest, String evidencePath, String ownedBy, Set<String> containers) {
            this(purl, layerDigest, evidencePath, ownedBy, containers, null, null);
        }

        /** What the policy's {@code usedByEntrypoint} sees: unknown counts as used. */
        public boolean used() {
            return usedByEntrypoint == null || usedByEntrypoint;
        }
    }

    /**
     * The components of one SBOM with their package URLs parsed once: the operator and the benchmark decide the same
     * SBOM again (new advisories, VEX or policy) without parsing 5,000 purls each time. A purl that does not parse is
     * absent from {@code purls}; deciding on it fails as it always did.
     */
    public record Components(List<Component> list, Map<String, PackageURL> purls) {
        public Components {
            list = List.copyOf(list);
            purls = java.util.Collections.unmodifiableMap(purls);
        }

        public static Components of(List<Component> list) {
            return new Components(list, parse(list));
        }

        static Map<String, PackageURL> parse(List<Component> list) {
            Map<String, PackageURL> out = new java.util.HashMap<>(list.size() * 2);
            for (Component c : list) {
                if (!out.containsKey(c.purl())) {
                    try {
                        out.put(c.purl(), new PackageURL(c.purl()));
                    } catch (MalformedPackageURLException e) {
                        // left out: the matchers refuse it with their own error
                    }
                }
            }
            return out;
        }
    }

    /** The image being decided on. */
    public record Image(String name, String digest, String indexDigest, String sbomDigest) {
    }

    /** Everything the report records about one finding. */
    public record Decided(Finding finding, VexConsensus.Decision vex, PolicyEngine.Verdict verdict, Boolean usedByEntrypoint,
                          String usageChain) {
        public Decided(Finding finding, VexConsensus.Decision vex, PolicyEngine.Verdict verdict) {
            this(finding, vex, verdict, null, null);
        }
    }

    /**
     * The outcome: decided findings, overall verdict (the findings' verdict made worse by coverage gaps), report bytes,
     * diagnostics, what the advisory data covered, and {@code waiverExpiry}: the earliest moment at which a waiver
     * ({@code ignore} with {@code until}) that decided a finding of this result stops applying — the verdict may change
     * then — or null when no such waiver decided anything.
     */
    public record Result(List<Decided> findings, String verdict, byte[] report, List<String> diagnostics,
                         Coverage.Report coverage, Instant waiverExpiry) {

        /**
         * The first UTC day on whose start the earliest expiring waiver no longer applies: the day to decide again on
         * when decisions are made as of the start of a day. Null when no waiver with {@code until} decided anything.
         */
        public java.time.LocalDate waiverExpiryDay() {
            if (waiverExpiry == null) {
                return null;
            }
            java.time.LocalDate day = waiverExpiry.atOffset(ZoneOffset.UTC).toLocalDate();
            return day.atStartOfDay(ZoneOffset.UTC).toInstant().equals(waiverExpiry) ? day : day.plusDays(1);
        }
    }

    /** How to decide beyond the policy: {@code failOnUncovered} makes coverage gaps fail even when the policy says warn. */
    public record Options(boolean failOnUncovered) {
        public static final Options DEFAULT = new Options(false);
    }

    /** The advisory indexes, built once per feed revision (what the operator keeps in memory between scans). */
    public record Index(FeedSet feeds, AliasGroups groups, AdvisoryMatcher ecosystem, DistroMatcher distro, String revision) {
        public static Index of(FeedSet feeds) {
            AliasGroups groups = new AliasGroups(feeds.advisories());
            return new Index(feeds, groups, new AdvisoryMatcher(feeds.advisories()),
                    new DistroMatcher(feeds.advisories(), groups::key), feeds.revision());
        }
    }

    private Decider() {
    }

    public static Result decide(Image image, List<Component> components, FeedSet feeds, List<VexStatement> vex,
                                Map<String, Double> vexTrust, Policy policy, String environment, Instant asOf) {
        return decide(image, components, Index.of(feeds), vex, vexTrust, policy, environment, asOf);
    }

    public static Result decide(Image image, List<Component> components, Index index, List<VexStatement> vex,
                                Map<String, Double> vexTrust, Policy policy, String environment, Instant asOf) {
        return decide(image, components, index, vex, vexTrust, policy, environment, asOf, Options.DEFAULT);
    }

    public static Result decide(Image image, List<Component> components, FeedSet feeds, List<VexStatement> vex,
                                Map<String, Double> vexTrust, Policy policy, String environment, Instant asOf, Options options) {
        return decide(image, components, Index.of(feeds), vex, vexTrust, policy, environment, asOf, options);
    }

    /**
     * Decides on one image. The index is only read: decisions on different images may share it and run at the same
     * time; everything a decision collects (warnings, findings) is its own.
     */
    public static Result decide(Image image, List<Component> components, Index index, List<VexStatement> vex,
                                Map<String, Double> vexTrust, Policy policy, String environment, Instant asOf,
                                Options options) {
        return decide(image, Components.of(components), index, vex, vexTrust, policy, environment, asOf, options);
    }

    /** The same for components whose purls are already parsed ({@link Components#of}, once per SBOM). */
    public static Result decide(Image image, Components parsed, Index index, List<VexStatement> vex,
                                Map<String, Double> vexTrust, Policy policy, String environment, Instant asOf,
                                Options options) {
        List<Component> components = parsed.list();
        Map<String, PackageURL> purls = parsed.purls();
        FeedSet feeds = index.feeds();
        AliasGroups groups = index.groups();
        AdvisoryMatcher ecosystem = index.ecosystem();
        DistroMatcher distro = index.distro();
        List<Finding> findings = new ArrayList<>();
        List<String> warnings = new ArrayList<>(); // this decision's own: the index is shared
        Map<String, Component> byKey = new java.util.HashMap<>(components.size() * 2); // lookups only
        for (Component c : components) {
            String type = c.purl().substring(4, c.purl().indexOf('/'));
            PackageURL p = purls.get(c.purl());
            if (DistroMatcher.OS_TYPES.contains(type)) {
                for (DistroMatcher.Match m : p == null ? distro.match(c.purl()) : distro.match(p)) {
                    findings.add(finding(m.advisory(), groups, feeds, c, m.sourceVersion(),
                            m.fixedVersion() == null ? List.of() : List.of(m.fixedVersion()), m.fixState(),
                            m.line().distroStatus(), m.negligible(), m.reason()));
                }
            } else if (c.ownedBy() == null) { // files an OS package owns are judged through that package, never twice
                for (AdvisoryMatcher.Match m : p == null ? ecosystem.match(c.purl(), warnings::add)
                        : ecosystem.match(p, c.purl(), warnings::add)) {
                    findings.add(finding(m.advisory(), groups, feeds, c, m.installedVersion(), m.fixedVersions(),
                            m.fixedVersions().isEmpty() ? "not-fixed" : "fixed", null, false, m.reason()));
                }
            }
        }
        // one finding per vulnerability, component and place, whichever advisory of the group matched first
        Map<String, Finding> unique = new TreeMap<>();
        for (Finding f : findings) {
            unique.putIfAbsent(f.key(), f);
        }
        for (Component c : components) {
            byKey.put(c.purl() + "|" + (c.evidencePath() == null ? "" : c.evidencePath()), c);
        }
        VexConsensus consensus = new VexConsensus(vex, vexTrust, 1.0, 0.5);
        Set<String> imageIds = new HashSet<>(); // what VEX products may name the image by: its digests and its name
        imageIds.add(image.digest());
        if (image.indexDigest() != null) {
            imageIds.add(image.indexDigest());
        }
        if (image.name() != null) {
            imageIds.add(image.name());
        }
        PolicyEngine.Context ctx = new PolicyEngine.Context(environment, image.name(), image.digest(), asOf.getEpochSecond());
        List<PolicyEngine.Input> inputs = new ArrayList<>();
        List<VexConsensus.Decision> decisions = new ArrayList<>();
        for (Finding f : unique.values()) {
            Component c = byKey.get(f.purl() + "|" + (f.evidencePath() == null ? "" : f.evidencePath()));
            Set<String> ids = new TreeSet<>(f.aliases());
            ids.add(f.vulnerability());
            VexConsensus.Decision d = consensus.decide(ids, f.purl(), imageIds, c == null ? Set.of() : c.containers());
            decisions.add(d);
            inputs.add(new PolicyEngine.Input(f, d, c == null || c.used()));
        }
        List<PolicyEngine.Verdict> verdicts = PolicyEngine.evaluate(policy, inputs, ctx);
        List<Decided> decided = new ArrayList<>();
        int i = 0;
        for (Finding f : unique.values()) {
            Component c = byKey.get(f.purl() + "|" + (f.evidencePath() == null ? "" : f.evidencePath()));
            decided.add(new Decided(f, decisions.get(i), verdicts.get(i), c == null ? null : c.usedByEntrypoint(),
                    c == null ? null : c.usageChain()));
            i++;
        }
        Coverage.Report coverage = Coverage.of(components, purls, index, policy.coverage(), options.failOnUncovered());
        String overall = PolicyEngine.worse(PolicyEngine.overall(verdicts), coverage.verdict());
        List<String> diagnostics = new ArrayList<>(feeds.diagnostics());
        diagnostics.addAll(warnings);
        for (Coverage.Entry e : coverage.gaps()) {
            diagnostics.add("not covered: " + e.id() + " (" + e.components() + (e.components() == 1 ? " component" : " components")
                    + "): " + e.reason());
        }
        Long expiry = verdicts.stream().map(PolicyEngine.Verdict::waiverExpires).filter(java.util.Objects::nonNull)
                .min(Long::compare).orElse(null);
        byte[] report = report(image, decided, overall, index.revision(), feeds, vex, policy, environment, asOf, diagnostics,
                coverage);
        return new Result(decided, overall, report, List.copyOf(diagnostics), coverage,
                expiry == null ? null : Instant.ofEpochSecond(expiry));
    }

    private static Finding finding(Advisory a, AliasGroups groups, FeedSet feeds, Component c, String installed,
                                   List<String> fixed, String fixState, String distroStatus, boolean negligible,
                                   String reason) {
        String key = groups.key(a.id());
        TreeSet<String> aliases = groups.ids(a.id());
        List<Advisory> related = groups.advisories(a.id());
        List<String> severities = new ArrayList<>();
        TreeSet<String> sources = new TreeSet<>();
        for (Advisory r : related) {
            sources.add(r.source());
            r.severities().forEach(s -> severities.add(s.source() + " " + s.type() + " " + s.score()));
        }
        severities.sort(null);
        String[] chosen = chooseSeverity(a, related, negligible);
        boolean kev = feeds.kev() != null && aliases.stream().anyMatch(feeds.kev()::contains);
        Double epss = null;
        if (feeds.epss() != null) {
            for (String id : aliases) {
                if (feeds.epss().scores().containsKey(id)) {
                    epss = feeds.epss().scores().get(id).epss();
                }
            }
        }
        return new Finding(key, List.copyOf(aliases), c.purl(), installed, fixed, fixState, distroStatus, chosen[0],
                chosen[1], chosen[2], severities, kev, epss, c.layerDigest(), c.evidencePath(), reason, List.copyOf(sources));
    }

    /**
     * Severity choice: a distro's "unimportant" makes it NEGLIGIBLE; else the rating of the advisory that matched (the
     * source that knows this package); else the rating of a related advisory (GHSA before NVD before others); else
     * UNKNOWN. Returns severity, source, reason.
     */
    static String[] chooseSeverity(Advisory matched, List<Advisory> related, boolean negligible) {
        if (negligible) {
            return new String[] {"NEGLIGIBLE", matched.source(), "the distro rates it unimportant"};
        }
        String own = rating(matched);
        if (own != null) {
            return new String[] {own, matched.source(), "rating of the advisory that matched (" + matched.id() + ")"};
        }
        List<Advisory> ordered = new ArrayList<>(related);
        ordered.sort(Comparator.comparing((Advisory r) -> r.source().equals("ghsa") ? 0 : r.source().equals("nvd") ? 1 : 2)
                .thenComparing(Advisory::id));
        for (Advisory r : ordered) {
            String rt = rating(r);
            if (rt != null) {
                return new String[] {rt, r.source(), matched.source() + " gives no rating; " + r.id() + " from " + r.source() + " does"};
            }
        }
        return new String[] {"UNKNOWN", null, "no source rates it"};
    }

    private static String rating(Advisory a) {
        for (Advisory.Severity s : a.severities()) {
            if (s.type().equals("rating")) {
                String r = s.score().toUpperCase(Locale.ROOT);
                return r.equals("MODERATE") ? "MEDIUM" : SEVERITY_ORDER.contains(r) ? r : null;
            }
        }
        return null;
    }

    /** The report: deterministic JSON (sorted keys, no nulls, UTC dates), with the digest of every input. */
    static byte[] report(Image image, List<Decided> decided, String verdict, String revision, FeedSet feeds, List<VexStatement> vex,
                         Policy policy, String environment, Instant asOf, List<String> diagnostics, Coverage.Report coverage) {
        return CanonicalJson.prettyBytes(reportTree(image, decided, verdict, revision, feeds, vex, policy, environment, asOf,
                diagnostics, coverage));
    }

    /**
     * A finding as Jackson would serialize it ({@code NON_EMPTY}: no nulls, empty strings or empty lists; the boolean
     * always), built directly: serializing 7,000 records through the bean serializer into trees was a good part of a
     * decision's time. IndexedDecisionTest checks it against the serializer on the published data.
     */
    static ObjectNode findingNode(Finding f) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        putList(o, "advisorySources", f.advisorySources());
        putList(o, "aliases", f.aliases());
        putString(o, "distroStatus", f.distroStatus());
        if (f.epss() != null) {
            o.put("epss", f.epss().doubleValue());
        }
        putString(o, "evidencePath", f.evidencePath());
        putString(o, "fixState", f.fixState());
        putList(o, "fixedVersions", f.fixedVersions());
        putString(o, "installedVersion", f.installedVersion());
        o.put("kev", f.kev());
        putString(o, "layerDigest", f.layerDigest());
        putString(o, "matchReason", f.matchReason());
        putString(o, "purl", f.purl());
        putList(o, "severities", f.severities());
        putString(o, "severity", f.severity());
        putString(o, "severityReason", f.severityReason());
        putString(o, "severitySource", f.severitySource());
        putString(o, "vulnerability", f.vulnerability());
        return o;
    }

    private static void putString(ObjectNode o, String name, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(name, value);
        }
    }

    private static void putList(ObjectNode o, String name, List<String> values) {
        if (values != null && !values.isEmpty()) {
            ArrayNode a = o.putArray(name);
            for (String v : values) {
                if (v == null) {
                    a.addNull();
                } else {
                    a.add(v);
                }
            }
        }
    }

    /** The report as a tree, in insertion order; {@link CanonicalJson} writes it with sorted keys. */
    static ObjectNode reportTree(Image image, List<Decided> decided, String verdict, String revision, FeedSet feeds,
                                 List<VexStatement> vex, Policy policy, String environment, Instant asOf,
                                 List<String> diagnostics, Coverage.Report coverage) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        ObjectNode root = nf.objectNode();
        root.put("schema", "https://stella-ops.org/attestations/report/v1");
        ObjectNode img = root.putObject("image");
        img.put("name", image.name());
        img.put("digest", image.digest());
        if (image.indexDigest() != null) {
            img.put("indexDigest", image.indexDigest());
        }
        ObjectNode inputs = root.putObject("inputs");
        if (image.sbomDigest() != null) {
            inputs.put("sbom", image.sbomDigest());
        }
        inputs.putObject("advisories").put("revision", revision).put("count", feeds.advisories().size());
        List<VexStatement> sortedVex = new ArrayList<>(vex);
        sortedVex.sort(Comparator.comparing((VexStatement s) -> String.valueOf(s.document()))
                .thenComparing(VexStatement::vulnerability).thenComparing(s -> String.valueOf(s.timestamp())));
        inputs.putObject("vex").put("revision", Digests.sha256(Json.write(sortedVex))).put("statements", vex.size());
        inputs.putObject("policy").put("digest", policy.digest()).put("rules", policy.rules().size());
        inputs.put("asOf", asOf.atOffset(ZoneOffset.UTC).toLocalDate().toString());
        if (environment != null) {
            inputs.put("environment", environment);
        }
        Map<String, Integer> counts = new TreeMap<>();
        SEVERITY_ORDER.forEach(s -> counts.put(s.toLowerCase(Locale.ROOT), 0));
        int suppressed = 0;
        int waived = 0;
        Map<String, Integer> byVerdict = new TreeMap<>();
        ArrayNode fs = root.putArray("findings");
        for (Decided d : decided) {
            Finding f = d.finding();
            String v = d.verdict().verdict();
            byVerdict.merge(v, 1, Integer::sum);
            if (v.equals("suppressed")) {
                suppressed++;
            } else if (v.equals("ignore")) {
                waived++;
            } else {
                counts.merge(d.verdict().severity().toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
            ObjectNode o = findingNode(f);
            o.put("severity", d.verdict().severity());
            o.put("verdict", v);
            if (d.verdict().rule() != null) {
                o.put("rule", d.verdict().rule());
            }
            if (d.usedByEntrypoint() != null) {
                o.put("usedByEntrypoint", d.usedByEntrypoint());
            }
            ArrayNode ex = o.putArray("explain");
            d.verdict().explain().forEach(ex::add);
            if (d.usedByEntrypoint() != null) {
                ex.add(d.usedByEntrypoint() ? "reached from the entrypoint: " + d.usageChain() : "not reached from the entrypoint");
            }
            if (d.vex() != null && !d.vex().statements().isEmpty()) {
                ObjectNode vx = o.putObject("vex");
                if (d.vex().status() != null) {
                    vx.put("status", d.vex().status().id());
                }
                vx.put("reason", d.vex().reason());
                ArrayNode sts = vx.putArray("statements");
                for (VexStatement s : d.vex().statements()) {
                    ObjectNode so = sts.addObject().put("status", s.status().id()).put("document", s.document());
                    if (s.issuer() != null) {
                        so.put("issuer", s.issuer());
                    }
                    if (s.justification() != null) {
                        so.put("justification", s.justification());
                    }
                    if (s.timestamp() != null) {
                        so.put("timestamp", s.timestamp());
                    }
                }
                if (!d.vex().conflicts().isEmpty()) {
                    ArrayNode c = vx.putArray("conflicts");
                    d.vex().conflicts().forEach(c::add);
                }
            }
            fs.add(o);
        }
        ObjectNode summary = root.putObject("summary");
        counts.forEach(summary::put);
        summary.put("suppressedByVex", suppressed).put("waived", waived).put("findings", decided.size());
        byVerdict.forEach((k, n) -> summary.put("verdict." + k, n));
        ObjectNode cov = root.putObject("coverage");
        cov.put("uncovered", coverage.uncovered()).put("setBy", coverage.setBy()).put("verdict", coverage.verdict());
        ArrayNode ce = cov.putArray("entries");
        for (Coverage.Entry e : coverage.entries()) {
            ObjectNode o = ce.addObject().put("id", e.id()).put("type", e.type());
            if (e.namespace() != null) {
                o.put("namespace", e.namespace());
            }
            if (e.distro() != null) {
                o.put("distro", e.distro());
            }
            o.put("components", e.components()).put("covered", e.covered()).put("advisories", e.advisories())
                    .put("reason", e.reason());
            if (e.withoutVersion() > 0) {
                o.put("withoutVersion", e.withoutVersion());
            }
            if (!e.covered()) {
                o.put("accepted", e.accepted());
            }
        }
        if (!diagnostics.isEmpty()) {
            ArrayNode dg = root.putArray("diagnostics");
            new LinkedHashSet<>(diagnostics).stream().sorted().forEach(dg::add);
        }
        root.put("verdict", verdict);
        return root;
    }
}
