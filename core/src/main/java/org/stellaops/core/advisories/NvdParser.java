package org.stellaops.core.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NVD CVE API 2.0 {@code cve} objects (alone or as the {@code vulnerabilities[].cve} of an API page): description,
 * dates, and every CVSS metric with its source (NVD's own or a CNA's). CPE configurations are not turned into affected
 * packages: CPE matching is a low-confidence fallback Stella Ops leaves off.
 */
public final class NvdParser {
    private NvdParser() {
    }

    public static List<Advisory> parse(byte[] content, String origin) {
        JsonNode root = Documents.readJson(content, origin);
        List<Advisory> out = new ArrayList<>();
        if (root != null && root.path("vulnerabilities").isArray()) {
            JsonNode vs = root.path("vulnerabilities");
            for (int i = 0; i < vs.size(); i++) {
                out.add(cve(vs.get(i).path("cve"), origin, "$.vulnerabilities[" + i + "].cve"));
            }
        } else {
            out.add(cve(root, origin, "$"));
        }
        return out;
    }

    private static Advisory cve(JsonNode c, String origin, String path) {
        if (c == null || !c.isObject() || !c.path("id").asText("").startsWith("CVE-")) {
            throw new AdvisoryFormatException(origin, path + ".id", "not an NVD CVE object");
        }
        String summary = null;
        for (JsonNode d : c.path("descriptions")) {
            if ("en".equals(d.path("lang").asText())) {
                summary = d.path("value").asText();
            }
        }
        List<Advisory.Severity> severities = new ArrayList<>();
        for (var metric : c.path("metrics").properties()) {
            String type = switch (metric.getKey()) {
                case "cvssMetricV40" -> "CVSS_V4";
                case "cvssMetricV31", "cvssMetricV30" -> "CVSS_V3";
                case "cvssMetricV2" -> "CVSS_V2";
                default -> null;
            };
            if (type == null) {
                continue;
            }
            for (JsonNode m : metric.getValue()) {
                String source = m.path("source").asText("nvd");
                String vector = m.path("cvssData").path("vectorString").asText(null);
                if (vector != null) {
                    severities.add(new Advisory.Severity(source, type, vector));
                }
                String rating = m.path("cvssData").path("baseSeverity").asText(m.path("baseSeverity").asText(null));
                if (rating != null) {
                    severities.add(new Advisory.Severity(source, "rating", rating.toUpperCase(Locale.ROOT)));
                }
            }
        }
        List<String> refs = new ArrayList<>();
        c.path("references").forEach(r -> refs.add(r.path("url").asText()));
        return new Advisory(c.path("id").asText(), List.of(), summary, c.path("published").asText(null),
                c.path("lastModified").asText(null), null, severities, List.of(), refs, "nvd", origin);
    }
}
