package org.stellaops.core.decider;

import com.github.packageurl.PackageURL;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.stellaops.core.match.DistroMatcher;
import org.stellaops.core.policy.Policy;

/**
 * What the loaded advisory data covers of an SBOM. One entry per ecosystem (purl type: maven, npm, generic, …) and
 * per distro release of OS packages ({@code type/namespace/distro}: deb/debian/debian-12, rpm/redhat/rhel-9.3), with
 * its component count: covered when at least one loaded advisory has data for it, otherwise not, with the reason. A
 * decision on data that covers nothing is not a clean pass: a gap makes the image warn, or fail when the policy (or the
 * caller) asks for it, unless the policy's {@code coverage.allow} accepts it.
 */
public final class Coverage {
    /** Language ecosystems (purl types) that the advisory formats Stella Ops reads (OSV) can describe. */
    private static final Set<String> ADVISORY_TYPES = Set.of("maven", "npm", "pypi", "golang", "cargo", "gem", "nuget", "composer");

    /**
     * One ecosystem or distro release of the SBOM. {@code withoutVersion}: components no advisory can be matched to
     * because they have no version. {@code accepted}: a gap the policy allows (always false when covered).
     */
    public record Entry(String id, String type, String namespace, String distro, int components, int withoutVersion,
                        boolean covered, int advisories, String reason, boolean accepted) {
    }

    /** The coverage of one decision: the entries (sorted by id), the mode, where it came from, and its verdict. */
    public record Report(List<Entry> entries, String uncovered, String setBy, String verdict) {
        public Report {
            entries = List.copyOf(entries);
        }

        /** The gaps that are not accepted. */
        public List<Entry> gaps() {
            return entries.stream().filter(e -> !e.covered() && !e.accepted()).toList();
        }
    }

    private Coverage() {
    }

    /**
     * The coverage of the components by the index. Components an OS package owns are judged through that package and
     * are not counted on their own. {@code failOnUncovered} makes gaps fail whatever the policy says.
     */
    public static Report of(List<Decider.Component> components, Decider.Index index, Policy.Coverage setting,
                            boolean failOnUncovered) {
        return of(components, Decider.Components.parse(components), index, setting, failOnUncovered);
    }

    static Report of(List<Decider.Component> components, Map<String, PackageURL> parsed, Decider.Index index,
                     Policy.Coverage setting, boolean failOnUncovered) {
        record Key(String type, String namespace, String distro) {
        }
        Map<String, Key> keys = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Integer> unversioned = new TreeMap<>();
        Map<Key, int[]> perKey = new java.util.HashMap<>(); // counted by key first: a handful of keys, 5,000 components
        int at = 0;
        for (Decider.Component c : components) {
            at++;
            if (c.ownedBy() != null) {
                continue;
            }
            PackageURL p = parsed.get(c.purl());
            if (p == null) {
                continue; // the matchers refuse it before coverage is asked
            }
            String type = p.getType().toLowerCase(Locale.ROOT);
            Key k;
            if (DistroMatcher.OS_TYPES.contains(type)) {
                String ns = p.getNamespace() == null ? null : p.getNamespace().toLowerCase(Locale.ROOT);
                k = new Key(type, ns, p.getQualifiers() == null ? null : p.getQualifiers().get("distro"));
            } else {
                k = new Key(type, null, null);
            }
            int[] n = perKey.computeIfAbsent(k, x -> new int[3]);
            n[0]++;
            n[1] += p.getVersion() == null || p.getVersion().isEmpty() ? 1 : 0;
            n[2] = at;
        }
        // in the order of each key's last component: where two keys write one id, the later one names it, as before
        List<Map.Entry<Key, int[]>> ordered = new ArrayList<>(perKey.entrySet());
        ordered.sort(java.util.Comparator.comparingInt(e -> e.getValue()[2]));
        ordered.forEach(e -> {
            Key k = e.getKey();
            int[] n = e.getValue();
            String id = k.type() + (k.namespace() == null ? "" : "/" + k.namespace()) + (k.distro() == null ? "" : "/" + k.distro());
            keys.put(id, k);
            counts.merge(id, n[0], Integer::sum);
            unversioned.merge(id, n[1], Integer::sum);
        });
        boolean none = index.feeds().advisories().isEmpty();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Key> e : keys.entrySet()) {
            Key k = e.getValue();
            boolean covered;
            int advisories;
            String reason;
            if (none) {
                covered = false;
                advisories = 0;
                reason = "no advisories are loaded";
            } else if (DistroMatcher.OS_TYPES.contains(k.type())) {
                DistroMatcher.Coverage dc = index.distro().coverage(k.type(), k.namespace(), k.distro());
                covered = dc.covered();
                advisories = dc.advisories();
                reason = dc.reason();
            } else {
                advisories = index.ecosystem().advisoryCount(k.type());
                covered = advisories > 0;
                reason = covered ? "advisories for " + k.type() + " packages are loaded"
                        : ADVISORY_TYPES.contains(k.type()) ? "no loaded advisory has data for " + k.type() + " packages"
                        : "no advisory source that Stella Ops reads covers " + k.type() + " packages";
            }
            boolean accepted = !covered && setting.allows(e.getKey());
            entries.add(new Entry(e.getKey(), k.type(), k.namespace(), k.distro(), counts.get(e.getKey()),
                    unversioned.get(e.getKey()), covered, advisories,
                    reason, accepted));
        }
        String mode = failOnUncovered ? "fail" : setting.uncovered();
        String setBy = failOnUncovered ? "option" : setting.equals(Policy.Coverage.DEFAULT) ? "default" : "policy";
        return new Report(entries, mode, setBy, verdict(entries.stream().filter(x -> !x.covered()).map(Entry::id).toList(),
                setting, failOnUncovered));
    }

    /**
     * The verdict that coverage gaps give under a setting: pass when every uncovered id is allowed, else the setting's
     * {@code uncovered} (fail when {@code failOnUncovered}). For re-judging a report's coverage under another policy.
     */
    public static String verdict(List<String> uncoveredIds, Policy.Coverage setting, boolean failOnUncovered) {
        boolean gap = uncoveredIds.stream().anyMatch(id -> !setting.allows(id));
        return !gap ? "pass" : failOnUncovered ? "fail" : setting.uncovered();
    }
}
