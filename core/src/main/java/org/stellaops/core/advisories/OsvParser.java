package org.stellaops.core.advisories;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stellaops.core.json.Json;

/**
 * OSV records (JSON, and the YAML the PyPA advisory database uses) into the canonical model. Ecosystem package names
 * become purl identities: Maven "group:artifact", npm "@scope/name", PyPI names normalized as PEP 503 says, Go module
 * paths, Packagist "vendor/name", Debian and Alpine ecosystems with their release as the distro qualifier.
 */
public final class OsvParser {
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Map<String, String> PURL_TYPES = Map.of("maven", "maven", "npm", "npm", "pypi", "pypi",
            "go", "golang", "crates.io", "cargo", "rubygems", "gem", "nuget", "nuget", "packagist", "composer",
            "debian", "deb", "alpine", "apk");

    private OsvParser() {
    }

    public static Advisory parse(byte[] content, String origin) {
        JsonNode root;
        try {
            boolean yaml = origin.endsWith(".yaml") || origin.endsWith(".yml");
            root = (yaml ? YAML : Json.mapper()).readTree(content);
        } catch (JsonProcessingException e) {
            boolean yaml = origin.endsWith(".yaml") || origin.endsWith(".yml");
            throw new AdvisoryFormatException(origin, null, DocumentErrors.describe(e, yaml ? "YAML" : "JSON"));
        } catch (IOException e) {
            throw new AdvisoryFormatException(origin, null, DocumentErrors.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw new AdvisoryFormatException(origin, "$", "not a JSON object");
        }
        String id = text(root, "id");
        if (id == null || id.isBlank()) {
            throw new AdvisoryFormatException(origin, "$.id", "missing id");
        }
        String source = id.contains("-") ? id.substring(0, id.indexOf('-')).toLowerCase(Locale.ROOT) : "osv";
        List<String> aliases = new ArrayList<>();
        root.path("aliases").forEach(a -> aliases.add(a.asText()));
        List<Advisory.Severity> severities = new ArrayList<>();
        JsonNode sev = root.path("severity");
        for (int i = 0; i < sev.size(); i++) {
            JsonNode s = sev.get(i);
            if (text(s, "type") == null || text(s, "score") == null) {
                throw new AdvisoryFormatException(origin, "$.severity[" + i + "]", "needs type and score");
            }
            severities.add(new Advisory.Severity(source, text(s, "type"), text(s, "score")));
        }
        String rating = text(root.path("database_specific"), "severity");
        if (rating != null) {
            severities.add(new Advisory.Severity(source, "rating", rating.toUpperCase(Locale.ROOT)));
        }
        List<Advisory.Affected> affected = new ArrayList<>();
        JsonNode aff = root.path("affected");
        for (int i = 0; i < aff.size(); i++) {
            Advisory.Affected a = affected(aff.get(i), origin, "$.affected[" + i + "]");
            if (a != null) {
                affected.add(a);
            }
        }
        List<String> refs = new ArrayList<>();
        root.path("references").forEach(r -> {
            if (r.hasNonNull("url")) {
                refs.add(r.get("url").asText());
            }
        });
        return new Advisory(id, aliases, text(root, "summary"), text(root, "published"), text(root, "modified"),
                text(root, "withdrawn"), severities, affected, refs, "osv", origin);
    }

    private static Advisory.Affected affected(JsonNode a, String origin, String path) {
        JsonNode pkg = a.path("package");
        String ecosystem = text(pkg, "ecosystem");
        String name = text(pkg, "name");
        if (ecosystem == null || name == null) {
            throw new AdvisoryFormatException(origin, path + ".package", "needs ecosystem and name");
        }
        String base = ecosystem.contains(":") ? ecosystem.substring(0, ecosystem.indexOf(':')) : ecosystem;
        String release = ecosystem.contains(":") ? ecosystem.substring(ecosystem.indexOf(':') + 1) : null;
        String type = PURL_TYPES.get(base.toLowerCase(Locale.ROOT));
        if (type == null) {
            return null; // an ecosystem Stella Ops does not scan (for example Hex or Pub)
        }
        String namespace = null;
        String pkgName = name;
        String distro = null;
        switch (type) {
            case "maven" -> {
                int c = name.indexOf(':');
                if (c <= 0) {
                    throw new AdvisoryFormatException(origin, path + ".package.name", "Maven name is not group:artifact");
                }
                namespace = name.substring(0, c);
                pkgName = name.substring(c + 1);
            }
            case "npm", "composer", "golang" -> {
                int s = name.lastIndexOf('/');
                if (s > 0 && !(type.equals("npm") && !name.startsWith("@"))) {
                    namespace = name.substring(0, s);
                    pkgName = name.substring(s + 1);
                }
            }
            case "pypi" -> pkgName = name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
            case "deb" -> distro = release == null ? null : "debian-" + release;
            case "apk" -> distro = release == null ? null : "alpine-" + release.replaceFirst("^v", "");
            default -> {
            }
        }
        List<Advisory.Range> ranges = new ArrayList<>();
        JsonNode rs = a.path("ranges");
        for (int i = 0; i < rs.size(); i++) {
            JsonNode r = rs.get(i);
            String rtype = text(r, "type");
            if (rtype == null) {
                throw new AdvisoryFormatException(origin, path + ".ranges[" + i + "].type", "missing range type");
            }
            List<Advisory.Event> events = new ArrayList<>();
            JsonNode ev = r.path("events");
            for (int k = 0; k < ev.size(); k++) {
                JsonNode e = ev.get(k);
                var it = e.fieldNames();
                if (!it.hasNext()) {
                    throw new AdvisoryFormatException(origin, path + ".ranges[" + i + "].events[" + k + "]", "empty event");
                }
                String kind = it.next();
                events.add(new Advisory.Event(kind, e.get(kind).asText()));
            }
            ranges.add(new Advisory.Range(rtype, events));
        }
        List<String> versions = new ArrayList<>();
        a.path("versions").forEach(v -> versions.add(v.asText()));
        return new Advisory.Affected(ecosystem, type, namespace, pkgName, distro, ranges, versions);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
