package org.stellaops.core.vex;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which VEX statements apply to a finding and what they decide together.
 * <ul>
 *   <li>A statement applies when it names the vulnerability (by id or alias) and the product: an image digest (index or
 *   platform manifest) — narrowed to its subcomponents when it lists any — or a purl that, normalized, has the
 *   component's type, namespace and name, its version when the statement gives one, and only qualifiers the component
 *   also has.</li>
 *   <li>Per issuer the latest statement wins. A statement is trusted when its weight reaches the threshold: the weight
 *   of the source it was read from (a VexSource's trust, a document's weight on the command line), lowered to the
 *   issuer's configured weight when one is configured; a statement without a source weight has its issuer's
 *   configured weight, else the default. A statement without an author thus never escapes its source's low trust.</li>
 *   <li>Trusted issuers that agree decide. When they disagree the result fails safe — affected if any says affected,
 *   else under investigation — and the conflict is kept.</li>
 * </ul>
 */
public final class VexConsensus {

    /** The outcome for one finding. status is null when no trusted statement applies. */
    public record Decision(VexStatement.Status status, boolean suppressed, List<VexStatement> statements,
                           List<String> conflicts, String reason) {
    }

    private final List<VexStatement> statements;
    private final Map<String, Double> trust;
    private final double defaultTrust;
    private final double threshold;

    public VexConsensus(List<VexStatement> statements, Map<String, Double> trust, double defaultTrust, double threshold) {
        this.statements = List.copyOf(statements);
        this.trust = Map.copyOf(trust);
        this.defaultTrust = defaultTrust;
        this.threshold = threshold;
    }

    public Decision decide(Set<String> vulnerabilityIds, String componentPurl, Set<String> imageDigests) {
        return decide(vulnerabilityIds, componentPurl, imageDigests, Set.of());
    }

    public Decision decide(Set<String> vulnerabilityIds, String componentPurl, Set<String> imageDigests,
                           Set<String> containers) {
        Map<String, VexStatement> latestPerIssuer = new TreeMap<>();
        for (VexStatement s : statements) {
            if (!namesVulnerability(s, vulnerabilityIds) || s.products().stream().noneMatch(p -> applies(p, componentPurl, imageDigests, containers))) {
                continue;
            }
            String issuer = Objects.requireNonNullElse(s.issuer(), "(unknown issuer)");
            VexStatement prev = latestPerIssuer.get(issuer);
            if (prev == null || time(s).compareTo(time(prev)) >= 0) {
                latestPerIssuer.put(issuer, s);
            }
        }
        List<VexStatement> trusted = new ArrayList<>();
        List<VexStatement> lowerTrust = new ArrayList<>();
        for (Map.Entry<String, VexStatement> e : latestPerIssuer.entrySet()) {
            (weight(e.getValue()) >= threshold ? trusted : lowerTrust).add(e.getValue());
        }
        if (trusted.isEmpty()) {
            return new Decision(null, false, List.copyOf(latestPerIssuer.values()), List.of(),
                    latestPerIssuer.isEmpty() ? "no VEX statement applies" : "only untrusted issuers speak to it");
        }
        trusted.sort(Comparator.comparing((VexStatement s) -> -weight(s)).thenComparing(s -> String.valueOf(s.issuer())));
        Map<VexStatement.Status, List<String>> byStatus = new LinkedHashMap<>();
        for (VexStatement s : trusted) {
            byStatus.computeIfAbsent(s.status(), k -> new ArrayList<>()).add(String.valueOf(s.issuer()));
        }
        if (byStatus.size() == 1) {
            VexStatement.Status st = trusted.get(0).status();
            boolean suppressed = st == VexStatement.Status.NOT_AFFECTED || st == VexStatement.Status.FIXED;
            VexStatement lead = trusted.get(0);
            // lower-trust issuers do not decide, but a disagreement of theirs is kept and shown
            List<String> kept = new ArrayList<>();
            List<VexStatement> all = new ArrayList<>(trusted);
            for (VexStatement s : lowerTrust) {
                if (s.status() != st) {
                    kept.add(s.status().id() + ": " + s.issuer() + " (trust " + weight(s)
                            + ", below " + threshold + "; not decisive)");
                    all.add(s);
                }
            }
            return new Decision(st, suppressed, all, kept, String.join(", ", byStatus.get(st)) + " state "
                    + st.id() + (lead.justification() != null ? " (" + lead.justification() + ")" : "")
                    + (kept.isEmpty() ? "" : "; conflicting lower-trust statements kept: " + String.join("; ", kept)));
        }
        List<String> conflicts = new ArrayList<>();
        byStatus.forEach((st, who) -> conflicts.add(st.id() + ": " + String.join(", ", who)));
        VexStatement.Status safe = byStatus.containsKey(VexStatement.Status.AFFECTED) ? VexStatement.Status.AFFECTED
                : VexStatement.Status.UNDER_INVESTIGATION;
        return new Decision(safe, false, trusted, conflicts, "trusted issuers disagree (" + String.join("; ", conflicts)
                + "): failing safe to " + safe.id());
    }

    /** The statement's weight: its source's, at most its issuer's configured weight; else the issuer's, else the default. */
    private double weight(VexStatement s) {
        Double configured = s.issuer() == null ? null : trust.get(s.issuer());
        if (s.weight() != null) {
            return configured == null ? s.weight() : Math.min(s.weight(), configured);
        }
        return configured != null ? configured : defaultTrust;
    }

    private static OffsetDateTime time(VexStatement s) {
        try {
            return s.timestamp() == null ? OffsetDateTime.MIN : OffsetDateTime.parse(s.timestamp());
        } catch (DateTimeParseException e) {
            return OffsetDateTime.MIN;
        }
    }

    private static boolean namesVulnerability(VexStatement s, Set<String> ids) {
        if (ids.contains(s.vulnerability())) {
            return true;
        }
        return s.aliases().stream().anyMatch(ids::contains);
    }

    /**
     * Whether a statement's product covers the component. A product with subcomponents speaks about those packages
     * inside it: the product must be the image (digest) or a package the component lives in ({@code containers}: for
     * example the Go binary's main module), and the component one of the subcomponents.
     */
    static boolean applies(VexStatement.Product p, String componentPurl, Set<String> imageDigests, Set<String> containers) {
        // imageDigests holds the image's identifiers: its digests, and its name for products known only by name (CSAF)
        boolean productIsImage = p.digest() != null && imageDigests.contains(p.digest())
                || p.digest() == null && p.purl() == null && p.name() != null && imageDigests.contains(p.name());
        if (!p.subcomponents().isEmpty()) {
            boolean productIsContext = productIsImage
                    || p.purl() != null && containers.stream().anyMatch(c -> purlMatches(p.purl(), c));
            return productIsContext && p.subcomponents().stream().anyMatch(sc -> purlMatches(sc, componentPurl));
        }
        return productIsImage || p.purl() != null && purlMatches(p.purl(), componentPurl);
    }

    /** statement purl ⊇ component purl: same type/namespace/name, same version if given, its qualifiers present. */
    static boolean purlMatches(String statementPurl, String componentPurl) {
        PackageURL s;
        PackageURL c;
        try {
            s = new PackageURL(statementPurl);
            c = new PackageURL(componentPurl);
        } catch (MalformedPackageURLException e) {
            return false;
        }
        if (!s.getType().equals(c.getType()) || !eq(s.getNamespace(), c.getNamespace()) || !eq(s.getName(), c.getName())) {
            return false;
        }
        if (s.getVersion() != null && !s.getVersion().equals(c.getVersion())) {
            return false;
        }
        Map<String, String> sq = s.getQualifiers() == null ? Map.of() : s.getQualifiers();
        Map<String, String> cq = c.getQualifiers() == null ? Map.of() : c.getQualifiers();
        for (Map.Entry<String, String> e : sq.entrySet()) {
            if (!e.getValue().equals(cq.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean eq(String a, String b) {
        return a == null ? b == null : b != null && a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }
}
