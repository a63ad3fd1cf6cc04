package org.stellaops.core.advisories;

import java.util.List;

/**
 * The canonical advisory: one vulnerability as one source describes it.
 *
 * @param id         the source's identifier (GHSA-…, GO-…, PYSEC-…, CVE-…)
 * @param aliases    other identifiers of the same vulnerability
 * @param withdrawn  when the source withdrew it, null otherwise
 * @param severities severities as the source gives them
 * @param affected   affected packages with their version ranges
 * @param source     which feed it came from (osv, …)
 * @param origin     the document it was read from (file, zip entry, URL)
 */
public record Advisory(String id, List<String> aliases, String summary, String published, String modified,
                       String withdrawn, List<Severity> severities, List<Affected> affected, List<String> references,
                       String source, String origin) {
    public Advisory {
        aliases = List.copyOf(aliases);
        severities = List.copyOf(severities);
        affected = List.copyOf(affected);
        references = List.copyOf(references);
    }

    /** A severity: CVSS vector (type CVSS_V2/V3/V4) or a rating word (type "rating": LOW … CRITICAL). */
    public record Severity(String source, String type, String score) {
    }

    /**
     * An affected package. {@code purlType}, {@code namespace} and {@code name} identify it as a purl would (for distro
     * data the name is the source package); {@code ecosystem} keeps the source's name (Maven, npm, Debian:12, …) and
     * {@code distro} the purl distro qualifier for OS packages. {@code distroStatus} and {@code distroSeverity} keep a
     * distro's own triage word as it wrote it (Debian: fixed, unfixed, not-affected, no-dsa, postponed, ignored,
     * end-of-life, removed; severity unimportant, low, medium, high), null for ecosystem data.
     */
    public record Affected(String ecosystem, String purlType, String namespace, String name, String distro,
                           List<Range> ranges, List<String> versions, String distroStatus, String distroSeverity,
                           String note) {
        public Affected {
            ranges = List.copyOf(ranges);
            versions = List.copyOf(versions);
        }

        public Affected(String ecosystem, String purlType, String namespace, String name, String distro,
                        List<Range> ranges, List<String> versions) {
            this(ecosystem, purlType, namespace, name, distro, ranges, versions, null, null, null);
        }
    }

    /** A version range: type ECOSYSTEM, SEMVER or GIT, and its events in the source's order. */
    public record Range(String type, List<Event> events) {
        public Range {
            events = List.copyOf(events);
        }
    }

    /** introduced, fixed, last_affected or limit, at a version. */
    public record Event(String kind, String version) {
    }
}
