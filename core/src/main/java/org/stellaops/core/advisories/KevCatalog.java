package org.stellaops.core.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/** CISA's Known Exploited Vulnerabilities catalog (JSON): which CVEs are exploited in the wild, since when. */
public record KevCatalog(String catalogVersion, Map<String, Entry> entries) {

    /** One catalog entry. */
    public record Entry(String cve, String vendorProject, String product, String dateAdded, String dueDate,
                        String knownRansomwareCampaignUse) {
    }

    public boolean contains(String cve) {
        return entries.containsKey(cve);
    }

    public static KevCatalog parse(byte[] content, String origin) {
        JsonNode root = Documents.readJson(content, origin);
        if (root == null || !root.path("vulnerabilities").isArray()) {
            throw new AdvisoryFormatException(origin, "$.vulnerabilities", "not a KEV catalog (no vulnerabilities array)");
        }
        Map<String, Entry> entries = new TreeMap<>();
        JsonNode vs = root.path("vulnerabilities");
        for (int i = 0; i < vs.size(); i++) {
            JsonNode v = vs.get(i);
            String cve = v.path("cveID").asText(null);
            if (cve == null || !cve.startsWith("CVE-")) {
                throw new AdvisoryFormatException(origin, "$.vulnerabilities[" + i + "].cveID", "missing or not a CVE id");
            }
            entries.put(cve, new Entry(cve, v.path("vendorProject").asText(null), v.path("product").asText(null),
                    v.path("dateAdded").asText(null), v.path("dueDate").asText(null),
                    v.path("knownRansomwareCampaignUse").asText(null)));
        }
        return new KevCatalog(root.path("catalogVersion").asText(null), Map.copyOf(entries));
    }
}
