package org.stellaops.core.match;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.versions.InvalidVersionException;
import org.stellaops.core.versions.VersionScheme;

/**
 * Matches language-ecosystem components (by purl) against advisories, with OSV range semantics: events are sorted by
 * the ecosystem's version order; a version is affected from an {@code introduced} up to (not including) a
 * {@code fixed}, or up to and including a {@code last_affected}; an explicit {@code versions} list also counts.
 * GIT ranges carry commits, not versions, and are not evaluated. Withdrawn advisories never match. OS packages are
 * matched against their distro's own data, elsewhere.
 *
 * <p>A matcher is built once per advisory revision and shared by every decision that uses it (the operator keeps it in
 * memory between scans): it holds no state that matching changes, so concurrent decisions never see each other's
 * problems. What a decision meets while matching goes to the sink that decision passes in.
 */
public final class AdvisoryMatcher {

    /** One advisory that applies to one component, with why and what fixes it. */
    public record Match(Advisory advisory, Advisory.Affected affected, String installedVersion, List<String> fixedVersions,
                        String reason) {
    }

    private final Map<String, List<Object[]>> index;
    /** Per purl type, how many advisories have data for it: what the loaded data covers. */
    private final Map<String, Integer> advisoriesByType;

    public AdvisoryMatcher(Iterable<Advisory> advisories) {
        Map<String, List<Object[]>> index = new HashMap<>();
        Map<String, Set<String>> byType = new TreeMap<>();
        for (Advisory a : advisories) {
            if (a.withdrawn() != null) {
                continue;
            }
            for (Advisory.Affected af : a.affected()) {
                if (af.purlType().equals("deb") || af.purlType().equals("apk") || af.purlType().equals("rpm")) {
                    continue;
                }
                index.computeIfAbsent(key(af.purlType(), af.namespace(), af.name()), k -> new ArrayList<>()).add(new Object[] {a, af});
                byType.computeIfAbsent(af.purlType().toLowerCase(Locale.ROOT), k -> new java.util.HashSet<>()).add(a.id());
            }
        }
        index.replaceAll((k, v) -> List.copyOf(v));
        this.index = Map.copyOf(index);
        Map<String, Integer> counts = new TreeMap<>();
        byType.forEach((t, ids) -> counts.put(t, ids.size()));
        this.advisoriesByType = java.util.Collections.unmodifiableMap(counts);
    }

    /** How many (non-withdrawn) advisories have data for packages of this purl type; 0 when none does. */
    public int advisoryCount(String purlType) {
        return advisoriesByType.getOrDefault(purlType.toLowerCase(Locale.ROOT), 0);
    }

    static PackageURL parsePurl(String purl) {
        try {
            return new PackageURL(purl);
        } catch (MalformedPackageURLException e) {
            throw new IllegalArgumentException("not a package URL: " + purl, e);
        }
    }

    static String key(String type, String namespace, String name) {
        return (type + "/" + (namespace == null ? "" : namespace) + "/" + name).toLowerCase(Locale.ROOT);
    }

    /** The advisories that affect the package; problems met on the way (unreadable versions) are dropped. */
    public List<Match> match(String purl) {
        return match(purl, w -> {
        });
    }

    /**
     * The advisories that affect the package. Problems met on the way (versions the ecosystem's scheme cannot read) go
     * to {@code warnings}, the calling decision's own sink.
     */
    public List<Match> match(String purl, Consumer<String> warnings) {
        return match(parsePurl(purl), purl, warnings);
    }

    /** The same for a purl already parsed (once per SBOM): {@code purl} is its text, for warnings. */
    public List<Match> match(PackageURL p, String purl, Consumer<String> warnings) {
        String version = p.getVersion();
        List<Object[]> candidates = index.get(key(p.getType(), p.getNamespace(), p.getName()));
        if (candidates == null || version == null) {
            return List.of();
        }
        VersionScheme scheme = VersionScheme.forPurlType(p.getType());
        List<Match> out = new ArrayList<>();
        for (Object[] c : candidates) {
            Advisory a = (Advisory) c[0];
            Advisory.Affected af = (Advisory.Affected) c[1];
            try {
                String reason = affects(af, version, scheme);
                if (reason != null) {
                    out.add(new Match(a, af, version, fixed(af), reason));
                }
            } catch (InvalidVersionException e) {
                warnings.accept(a.id() + " / " + purl + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(m -> m.advisory().id()));
        return dedupe(out);
    }

    /** One match per advisory: a record may list the same package in several affected entries. */
    private static List<Match> dedupe(List<Match> sorted) {
        List<Match> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Match m : sorted) {
            if (seen.add(m.advisory().id())) {
                out.add(m);
            }
        }
        return out;
    }

    private static List<String> fixed(Advisory.Affected af) {
        Set<String> out = new LinkedHashSet<>();
        for (Advisory.Range r : af.ranges()) {
            if (!r.type().equals("GIT")) {
                r.events().stream().filter(e -> e.kind().equals("fixed")).forEach(e -> out.add(e.version()));
            }
        }
        return List.copyOf(out);
    }

    /** Why the version is affected, or null. */
    static String affects(Advisory.Affected af, String version, VersionScheme scheme) {
        for (String v : af.versions()) {
            if (v.equals(version)) {
                return "version " + version + " is listed as affected";
            }
        }
        for (Advisory.Range r : af.ranges()) {
            if (r.type().equals("GIT")) {
                continue;
            }
            VersionScheme s = r.type().equals("SEMVER") ? VersionScheme.SEMVER : scheme;
            List<Advisory.Event> events = new ArrayList<>(r.events());
            events.sort((x, y) -> compareEventVersions(s, x.version(), y.version()));
            boolean affected = false;
            String introduced = null;
            for (Advisory.Event e : events) {
                boolean zero = e.version().equals("0");
                int c = zero ? 1 : s.compare(version, e.version());
                switch (e.kind()) {
                    case "introduced" -> {
                        if (c >= 0) {
                            affected = true;
                            introduced = e.version();
                        }
                    }
                    case "fixed" -> {
                        if (c >= 0) {
                            affected = false;
                        }
                    }
                    case "last_affected" -> {
                        if (c > 0) {
                            affected = false;
                        }
                    }
                    default -> {
                    }
                }
            }
            if (affected) {
                String upper = events.stream().filter(e -> !e.kind().equals("introduced") && !e.version().equals("0")
                        && s.compare(version, e.version()) < 0).map(e -> e.kind() + " " + e.version()).findFirst().orElse("no fix");
                return "version " + version + " is in the " + r.type() + " range introduced " + introduced + ", " + upper;
            }
        }
        return null;
    }

    private static int compareEventVersions(VersionScheme s, String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.equals("0")) {
            return -1;
        }
        if (b.equals("0")) {
            return 1;
        }
        return s.compare(a, b);
    }
}
