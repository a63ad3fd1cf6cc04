package org.stellaops.core.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian Security Tracker records (the JSON form of data/CVE/list, DSA/list and DLA/list that vuln-list-debian
 * publishes) into the canonical model. Each package line becomes an affected entry for its release (no release means
 * unstable), keeping the tracker's own status and severity words: fixed (with version), unfixed, not-affected,
 * no-dsa, postponed, ignored, end-of-life, removed, and (unimportant) / low / medium / high.
 */
public final class DebianTrackerParser {
    /** Debian release codenames and their VERSION_ID, for the purl distro qualifier (debian-12). */
    static final Map<String, String> RELEASES = Map.ofEntries(Map.entry("jessie", "8"), Map.entry("stretch", "9"),
            Map.entry("buster", "10"), Map.entry("bullseye", "11"), Map.entry("bookworm", "12"),
            Map.entry("trixie", "13"), Map.entry("forky", "14"), Map.entry("sid", "unstable"));

    private DebianTrackerParser() {
    }

    public static List<Advisory> parse(byte[] content, String origin) {
        JsonNode root = Documents.readJson(content, origin);
        if (root == null || !root.isObject()) {
            throw new AdvisoryFormatException(origin, "$", "not a JSON object");
        }
        String id = root.path("Header").path("ID").asText(null);
        if (id == null || id.isBlank()) {
            throw new AdvisoryFormatException(origin, "$.Header.ID", "missing id");
        }
        List<String> aliases = new ArrayList<>();
        List<Advisory.Affected> affected = new ArrayList<>();
        JsonNode ann = root.path("Annotations");
        for (int i = 0; i < ann.size(); i++) {
            JsonNode a = ann.get(i);
            String type = a.path("Type").asText("");
            if (type.equals("xref")) {
                a.path("Bugs").forEach(b -> aliases.add(b.asText()));
                continue;
            }
            if (!type.equals("package")) {
                continue;
            }
            String pkg = a.path("Package").asText(null);
            String kind = a.path("Kind").asText(null);
            if (pkg == null || kind == null) {
                throw new AdvisoryFormatException(origin, "$.Annotations[" + i + "]", "package line without Package or Kind");
            }
            String release = a.path("Release").asText("sid");
            String versionId = RELEASES.get(release);
            if (versionId == null) {
                continue; // a release this tracker snapshot knows and Stella Ops does not (older than jessie)
            }
            List<Advisory.Range> ranges = new ArrayList<>();
            String version = a.path("Version").asText(null);
            if (kind.equals("fixed")) {
                if (version == null) {
                    throw new AdvisoryFormatException(origin, "$.Annotations[" + i + "].Version", "fixed without a version");
                }
                ranges.add(new Advisory.Range("ECOSYSTEM", List.of(new Advisory.Event("introduced", "0"),
                        new Advisory.Event("fixed", version))));
            }
            affected.add(new Advisory.Affected("Debian:" + versionId, "deb", "debian", pkg, "debian-" + versionId,
                    ranges, List.of(), kind, a.path("Severity").asText(null), a.path("Description").asText(null)));
        }
        String summary = root.path("Header").path("Description").asText(null);
        if ((id.startsWith("DSA-") || id.startsWith("DLA-")) && !aliases.isEmpty()) {
            List<Advisory> perCve = new ArrayList<>();
            for (String cve : aliases) {
                perCve.add(new Advisory(cve, List.of(), id + ": " + summary, null, null, null, List.of(), affected,
                        List.of(), "debian", origin));
            }
            return perCve;
        }
        return List.of(new Advisory(id, aliases, summary, null, null, null, List.of(), affected, List.of(), "debian", origin));
    }
}
