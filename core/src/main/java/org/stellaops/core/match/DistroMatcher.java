package org.stellaops.core.match;

import com.github.packageurl.PackageURL;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.versions.VersionScheme;

/**
 * Matches OS packages against their own distro's data only, for the detected release: Debian by source package and
 * source version, Alpine by origin. The distro is the purl namespace ({@code pkg:deb/debian/…}, {@code pkg:deb/ubuntu/…})
 * together with the {@code distro} qualifier, which must name a release of that distro ({@code debian-12},
 * {@code ubuntu-22.04}): an Ubuntu package is never judged by Debian's lines, however alike the package names and
 * versions are, and a purl whose qualifier names another distro than its namespace is not matched at all. A Debian
 * release without a line of its own in the Debian tracker falls back to the unstable line, as the tracker does; no
 * other distro has that fallback. The distro's triage word is kept and classified, never collapsed:
 * fixed → fix available; unfixed / undetermined → not fixed; no-dsa and ignored → will not fix; postponed; end-of-life;
 * severity "unimportant" marks the finding negligible. not-affected and removed lines produce no finding.
 *
 * <p>RPM packages of the Red Hat family are matched against Red Hat's data (CSAF) by the stream of their release:
 * namespace {@code redhat}, {@code rhel}, {@code rocky} or {@code almalinux} with a distro qualifier of the same
 * family ({@code rhel-9.4}, {@code rocky-9.3}, {@code almalinux-9.3}) is stream {@code rhel-9}, whose lines come from
 * the CPE {@code cpe:/o:redhat:enterprise_linux:9} (and its AppStream/CRB variants). Rocky Linux and AlmaLinux
 * rebuild RHEL's sources with the same name-version-release (only the dist tag's suffix and the vendor differ), so
 * Red Hat's fixed versions apply to them in rpm's version order. A package is looked up by its source rpm name and by
 * its own name (Red Hat lists both), compared as epoch:version-release. Red Hat's words: fixed → fix available,
 * affected → not fixed, will-not-fix, under-investigation; not-affected produces no finding.
 */
public final class DistroMatcher {

    /** A distro finding: the advisory, the distro line used, the fix state class and the fixed version if any. */
    public record Match(Advisory advisory, Advisory.Affected line, String sourceName, String sourceVersion,
                        String fixState, String fixedVersion, boolean negligible, String reason) {
    }

    /** What the loaded data says about one release of a distro: how many vulnerabilities, and whether it is covered. */
    public record Coverage(boolean covered, int advisories, String reason) {
    }

    /** Package types whose advisories come from a distro's own data. */
    public static final Set<String> OS_TYPES = Set.of("deb", "apk", "rpm");
    private static final Set<String> MATCHED_TYPES = Set.of("deb", "apk", "rpm");

    /** Lines by type/namespace/source package. */
    private final Map<String, List<Object[]>> index;
    /** Vulnerability keys by type/namespace and line distro (debian-12, debian-unstable, alpine-3.19). */
    private final Map<String, Map<String, Set<String>>> byRelease;
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
        Map<String, List<Object[]>> index = new HashMap<>();
        Map<String, Map<String, Set<String>>> byRelease = new TreeMap<>();
        for (Advisory a : advisories) {
            for (Advisory.Affected af : a.affected()) {
                if (af.distroStatus() == null || !MATCHED_TYPES.contains(af.purlType()) || af.distro() == null) {
                    continue;
                }
                String ns = lineNamespace(af);
                index.computeIfAbsent(key(af.purlType(), ns, af.name()), k -> new ArrayList<>()).add(new Object[] {a, af});
                byRelease.computeIfAbsent(af.purlType() + "/" + ns, k -> new TreeMap<>())
                        .computeIfAbsent(af.distro(), k -> new HashSet<>()).add(vulnerabilityKey.apply(a.id()));
            }
        }
        index.replaceAll((k, v) -> List.copyOf(v));
        this.index = Map.copyOf(index);
        this.byRelease = byRelease;
    }

    /** The distro a line belongs to: its namespace, else the distro id of its release (debian of debian-12). */
    private static String lineNamespace(Advisory.Affected af) {
        String ns = af.namespace() != null ? af.namespace() : af.distro().replaceFirst("-.*$", "");
        return ns.toLowerCase(Locale.ROOT);
    }

    private static String key(String type, String namespace, String name) {
        return type + "/" + namespace + "/" + name;
    }

    /** Namespaces and distro ids of the Red Hat family, all judged by Red Hat's lines of the same major release. */
    static final Set<String> REDHAT_FAMILY = Set.of("redhat", "rhel", "rocky", "almalinux");

    /**
     * The Red Hat stream (rhel-9) of an rpm purl's namespace and distro qualifier (rhel-9.4, rocky-9.3,
     * almalinux-9.3), or null when the namespace or qualifier is not of the Red Hat family.
     */
    static String redHatStream(String namespace, String distro) {
        if (namespace == null || distro == null || !REDHAT_FAMILY.contains(namespace.toLowerCase(Locale.ROOT))) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(rhel|rocky|almalinux|redhat)-(\\d+)(\\.\\d+)*")
                .matcher(distro.toLowerCase(Locale.ROOT));
        return m.matches() ? "rhel-" + m.group(2) : null;
    }

    /** Whether the qualifier names a release of the namespace's distro (debian-12 of debian; not ubuntu-22.04). */
    static boolean releaseOf(String namespace, String distro) {
        String d = distro.toLowerCase(Locale.ROOT);
        return d.equals(namespace) || d.startsWith(namespace + "-");
    }

    /** Only Debian's tracker has an unstable line that stands for releases without a line of their own. */
    private static boolean unstableFallback(String type, String namespace) {
        return type.equals("deb") && namespace.equals("debian");
    }

    /**
     * What the loaded data covers for OS packages of a type, distro namespace and release: covered when some
     * advisory has a line for that release (for Debian, also the unstable line that stands for releases without one).
     */
    public Coverage coverage(String type, String namespace, String distro) {
        String t = type.toLowerCase(Locale.ROOT);
        if (!MATCHED_TYPES.contains(t)) {
            return new Coverage(false, 0, "no advisory source that Stella Ops reads covers " + t + " packages");
        }
        if (namespace == null) {
            return new Coverage(false, 0, "the package URL names no distro (no namespace)");
        }
        String ns = namespace.toLowerCase(Locale.ROOT);
        if (distro == null) {
            return new Coverage(false, 0, "no distro qualifier: the " + ns + " release is unknown");
        }
        if (t.equals("rpm")) {
            String stream = redHatStream(ns, distro);
            if (stream == null) {
                return new Coverage(false, 0, REDHAT_FAMILY.contains(ns)
                        ? "the distro qualifier " + distro + " is not a release of " + ns
                        : "no advisory source that Stella Ops reads covers " + ns + " rpm packages");
            }
            Set<String> keys = byRelease.getOrDefault("rpm/redhat", Map.of()).getOrDefault(stream, Set.of());
            return keys.isEmpty() ? new Coverage(false, 0, "no loaded advisory has data for " + stream + " (" + distro + ")")
                    : new Coverage(true, keys.size(), "Red Hat advisory data for " + stream + " is loaded (" + distro + ")");
        }
        if (!releaseOf(ns, distro)) {
            return new Coverage(false, 0, "the distro qualifier " + distro + " is not a release of " + ns);
        }
        Map<String, Set<String>> releases = byRelease.getOrDefault(t + "/" + ns, Map.of());
        Set<String> own = new HashSet<>();
        releases.forEach((lineDistro, keys) -> {
            if (sameRelease(lineDistro, distro, t)) {
                own.addAll(keys);
            }
        });
        Set<String> unstable = unstableFallback(t, ns) ? releases.getOrDefault("debian-unstable", Set.of()) : Set.of();
        Set<String> all = new HashSet<>(own);
        all.addAll(unstable);
        if (all.isEmpty()) {
            return new Coverage(false, 0, "no loaded advisory has data for " + distro);
        }
        return new Coverage(true, all.size(), own.isEmpty()
                ? "no lines for " + distro + " itself: the Debian unstable lines apply"
                : "advisory data for " + distro + " is loaded");
    }

    public List<Match> match(String purl) {
        return match(AdvisoryMatcher.parsePurl(purl));
    }

    /** The same for a purl already parsed (once per SBOM). */
    public List<Match> match(PackageURL p) {
        Map<String, String> q = p.getQualifiers() == null ? Map.of() : p.getQualifiers();
        String upstream = q.get("upstream");
        String sourceName = upstream == null ? p.getName() : upstream.contains("@") ? upstream.substring(0, upstream.indexOf('@')) : upstream;
        String sourceVersion = upstream != null && upstream.contains("@") ? upstream.substring(upstream.indexOf('@') + 1) : p.getVersion();
        String distro = q.get("distro");
        String type = p.getType().toLowerCase(Locale.ROOT);
        String ns = p.getNamespace() == null ? null : p.getNamespace().toLowerCase(Locale.ROOT);
        List<Object[]> candidates;
        if (type.equals("rpm")) {
            // Red Hat family: by the stream; the source rpm's name and the package's own name; epoch:version-release
            distro = redHatStream(ns, distro);
            if (distro == null || p.getVersion() == null) {
                return List.of();
            }
            ns = "redhat";
            sourceName = upstream == null ? p.getName() : org.stellaops.core.versions.RpmVersion.sourceRpmName(upstream);
            String epoch = q.get("epoch");
            sourceVersion = (epoch == null ? "0" : epoch) + ":" + p.getVersion();
            candidates = new ArrayList<>(index.getOrDefault(key(type, ns, sourceName), List.of()));
            if (!sourceName.equals(p.getName())) {
                candidates.addAll(index.getOrDefault(key(type, ns, p.getName()), List.of()));
            }
        } else {
            if (ns == null || distro == null || sourceVersion == null || !releaseOf(ns, distro)) {
                return List.of();
            }
            candidates = index.get(key(type, ns, sourceName));
        }
        if (candidates == null || candidates.isEmpty()) {
            return List.of();
        }
        boolean fallback = unstableFallback(type, ns);
        VersionScheme scheme = VersionScheme.forPurlType(p.getType());
        Map<String, Advisory.Affected[]> perAdvisory = new HashMap<>(); // [release line, unstable line]
        Map<String, Advisory> advisories = new HashMap<>();
        for (Object[] c : candidates) {
            Advisory a = (Advisory) c[0];
            Advisory.Affected af = (Advisory.Affected) c[1];
            String key = vulnerabilityKey.apply(a.id());
            Advisory.Affected[] slot = perAdvisory.computeIfAbsent(key, k -> new Advisory.Affected[2]);
            if (sameRelease(af.distro(), distro, type)) {
                if (slot[0] == null || laterFix(af, slot[0], scheme)) {
                    slot[0] = af;
                    advisories.put(key, a);
                }
            } else if (fallback && "debian-unstable".equals(af.distro()) && slot[1] == null) {
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
            case "unfixed", "undetermined", "affected" -> {
                return new Match(a, line, src, srcVersion, "not-fixed", null, negligible, "no fix in " + line.distro() + via);
            }
            case "under-investigation" -> {
                return new Match(a, line, src, srcVersion, "under-investigation", null, negligible,
                        "under investigation by the distro for " + line.distro() + via);
            }
            case "will-not-fix" -> {
                return new Match(a, line, src, srcVersion, "will-not-fix", null, negligible,
                        "the distro will not fix it in " + line.distro()
                                + (line.note() != null ? " (" + line.note() + ")" : "") + via);
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
