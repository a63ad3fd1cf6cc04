package org.stellaops.core.match;

import com.github.packageurl.PackageURL;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.versions.VersionScheme;

/**
 * Matches OS packages against their own distro's data only, for the detected release: Debian by source package and
 * source version, Alpine by origin. A release without a line of its own in the Debian tracker falls back to the
 * unstable line, as the tracker does. The distro's triage word is kept and classified, never collapsed:
 * fixed → fix available; unfixed / undetermined → not fixed; no-dsa and ignored → will not fix; postponed; end-of-life;
 * severity "unimportant" marks the finding negligible. not-affected and removed lines produce no finding.
 */
public final class DistroMatcher {

    /** A distro finding: the advisory, the distro line used, the fix state class and the fixed version if any. */
    public record Match(Advisory advisory, Advisory.Affected line, String sourceName, String sourceVersion,
                        String fixState, String fixedVersion, boolean negligible, String reason) {
    }

    private final Map<String, List<Object[]>> index = new HashMap<>();
    private final java.util.function.UnaryOperator<String> vulnerabilityKey;

    public DistroMatcher(Iterable<Advisory> advisories) {
        this(advisories, java.util.function.UnaryOperator.identity());
    }

    /**
     * With a vulnerability key (the alias group of {@link org.stellaops.core.advisories.AliasGroups}), the lines of
     * every record of one vulnerability count together: the tracker's CVE entry and the DSA/DLA that fixed it in a
     * release.
     */
    public DistroMatcher(Iterable<Advisory> advisories, java.util.function.UnaryOperator<String> vulnerabilityKey) {
        this.vulnerabilityKey = vulnerabilityKey;
        for (Advisory a : advisories) {
            for (Advisory.Affected af : a.affected()) {
                if (af.distroStatus() != null && (af.purlType().equals("deb") || af.purlType().equals("apk"))) {
                    index.computeIfAbsent(af.purlType() + "/" + af.name(), k -> new ArrayList<>()).add(new Object[] {a, af});
                }
            }
        }
    }

    public List<Match> match(String purl) {
        PackageURL p = AdvisoryMatcher.parsePurl(purl);
        Map<String, String> q = p.getQualifiers() == null ? Map.of() : p.getQualifiers();
        String upstream = q.get("upstream");
        String sourceName = upstream == null ? p.getName() : upstream.contains("@") ? upstream.substring(0, upstream.indexOf('@')) : upstream;
        String sourceVersion = upstream != null && upstream.contains("@") ? upstream.substring(upstream.indexOf('@') + 1) : p.getVersion();
        String distro = q.get("distro");
        List<Object[]> candidates = index.get(p.getType() + "/" + sourceName);
        if (candidates == null || distro == null || sourceVersion == null) {
            return List.of();
        }
        VersionScheme scheme = VersionScheme.forPurlType(p.getType());
        Map<String, Advisory.Affected[]> perAdvisory = new HashMap<>(); // [release line, unstable line]
        Map<String, Advisory> advisories = new HashMap<>();
        for (Object[] c : candidates) {
            Advisory a = (Advisory) c[0];
            Advisory.Affected af = (Advisory.Affected) c[1];
            String key = vulnerabilityKey.apply(a.id());
            Advisory.Affected[] slot = perAdvisory.computeIfAbsent(key, k -> new Advisory.Affected[2]);
            if (sameRelease(af.distro(), distro, p.getType())) {
                if (slot[0] == null || laterFix(af, slot[0], scheme)) {
                    slot[0] = af;
                    advisories.put(key, a);
                }
            } else if ("debian-unstable".equals(af.distro()) && slot[1] == null) {
                slot[1] = af;
                advisories.putIfAbsent(key, a);
            }
        }
        List<Match> out = new ArrayList<>();
        for (Map.Entry<String, Advisory.Affected[]> e : perAdvisory.entrySet()) {
            Advisory.Affected line = e.getValue()[0] != null ? e.getValue()[0] : e.getValue()[1];
            if (line == null) {
                continue;
            }
            Match m = decide(advisories.get(e.getKey()), line, sourceName, sourceVersion, scheme, e.getValue()[0] == null);
            if (m != null) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(m -> m.advisory().id()));
        return out;
    }

    /** Of two lines for the same release, the one with the later fixed version (a later DSA supersedes). */
    private static boolean laterFix(Advisory.Affected candidate, Advisory.Affected current, VersionScheme scheme) {
        String a = fixedVersion(candidate);
        String b = fixedVersion(current);
        return a != null && (b == null || scheme.compare(a, b) > 0);
    }

    private static String fixedVersion(Advisory.Affected line) {
        return line.ranges().isEmpty() ? null : line.ranges().get(0).events().stream()
                .filter(ev -> ev.kind().equals("fixed")).map(Advisory.Event::version).findFirst().orElse(null);
    }

    private static boolean sameRelease(String lineDistro, String componentDistro, String type) {
        if (lineDistro == null) {
            return false;
        }
        if (type.equals("apk")) { // secdb is per branch (alpine-3.19), os-release per point release (alpine-3.19.1)
            return componentDistro.equals(lineDistro) || componentDistro.startsWith(lineDistro + ".");
        }
        return componentDistro.equals(lineDistro);
    }

    private static Match decide(Advisory a, Advisory.Affected line, String src, String srcVersion, VersionScheme scheme,
                                boolean fromUnstable) {
        boolean negligible = "unimportant".equals(line.distroSeverity());
        String via = fromUnstable ? " (no line for this release: the unstable line applies)" : "";
        String status = line.distroStatus();
        switch (status) {
            case "fixed" -> {
                String fixed = fixedVersion(line);
                if (fixed == null || fixed.equals("0") || scheme.compare(srcVersion, fixed) >= 0) {
                    return null;
                }
                return new Match(a, line, src, srcVersion, "fixed", fixed, negligible,
                        "source " + src + " " + srcVersion + " is older than the fixed " + fixed + via);
            }
            case "unfixed", "undetermined" -> {
                return new Match(a, line, src, srcVersion, "not-fixed", null, negligible, "no fix in " + line.distro() + via);
            }
            case "no-dsa", "ignored" -> {
                return new Match(a, line, src, srcVersion, "will-not-fix", null, negligible,
                        "the distro will not fix it in " + line.distro() + " (" + status
                                + (line.note() != null ? ": " + line.note() : "") + ")" + via);
            }
            case "postponed" -> {
                return new Match(a, line, src, srcVersion, "postponed", null, negligible,
                        "fix postponed in " + line.distro() + (line.note() != null ? " (" + line.note() + ")" : "") + via);
            }
            case "end-of-life" -> {
                return new Match(a, line, src, srcVersion, "end-of-life", null, negligible,
                        "no longer supported in " + line.distro() + via);
            }
            default -> {
                return null; // not-affected, removed
            }
        }
    }
}
