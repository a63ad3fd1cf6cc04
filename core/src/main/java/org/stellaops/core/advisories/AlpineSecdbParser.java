package org.stellaops.core.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alpine secdb documents ({@code v3.19/main.json}): per origin package, the release in which each CVE was fixed.
 * Each CVE becomes an advisory for the branch (distro qualifier alpine-3.19) with a fixed range; CVEs under version
 * "0" never affected Alpine's package and are kept as not-affected.
 */
public final class AlpineSecdbParser {
    private AlpineSecdbParser() {
    }

    public static List<Advisory> parse(byte[] content, String origin) {
        JsonNode root = Documents.readJson(content, origin);
        String branch = root == null ? null : root.path("distroversion").asText(null);
        if (branch == null || !branch.matches("v\\d+\\.\\d+|edge")) {
            throw new AdvisoryFormatException(origin, "$.distroversion", "missing or not an Alpine branch (v3.19)");
        }
        String distro = "alpine-" + branch.replaceFirst("^v", "");
        Map<String, List<Advisory.Affected>> byCve = new LinkedHashMap<>();
        JsonNode pkgs = root.path("packages");
        for (int i = 0; i < pkgs.size(); i++) {
            JsonNode pkg = pkgs.get(i).path("pkg");
            String name = pkg.path("name").asText(null);
            if (name == null) {
                throw new AdvisoryFormatException(origin, "$.packages[" + i + "].pkg.name", "missing package name");
            }
            for (var e : pkg.path("secfixes").properties()) {
                String fixed = e.getKey();
                for (JsonNode id : e.getValue()) {
                    for (String cve : id.asText().split("\\s+")) { // entries like "CVE-2019-1 CVE-2019-2" occur
                        if (cve.isBlank()) {
                            continue;
                        }
                        boolean never = fixed.equals("0");
                        List<Advisory.Range> ranges = never ? List.of() : List.of(new Advisory.Range("ECOSYSTEM",
                                List.of(new Advisory.Event("introduced", "0"), new Advisory.Event("fixed", fixed))));
                        byCve.computeIfAbsent(cve, k -> new ArrayList<>()).add(new Advisory.Affected("Alpine:" + branch,
                                "apk", "alpine", name, distro, ranges, List.of(), never ? "not-affected" : "fixed", null, null));
                    }
                }
            }
        }
        List<Advisory> out = new ArrayList<>();
        byCve.forEach((cve, affected) -> out.add(new Advisory(cve, List.of(), null, null, null, null, List.of(), affected,
                List.of(), "alpine-secdb", origin)));
        return out;
    }
}
