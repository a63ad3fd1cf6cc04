package org.stellaops.scanner.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.core.json.Json;

/**
 * SPDX license identifiers, from the SPDX list and the name mapping that cyclonedx-core-java ships
 * ({@code spdx.xsd}, {@code license-mapping.json}). cyclonedx-core-java's own LicenseResolver also loads every license
 * text for fuzzy matching, which costs about 0.4 s at start-up; identifiers and known names are all an SBOM needs.
 */
final class SpdxLicenses {
    private static final Pattern ENUMERATION = Pattern.compile("<xs:enumeration value=\"([^\"]+)\"");
    private static final Map<String, String> BY_KEY = load();

    private SpdxLicenses() {
    }

    /** The SPDX id or expression for a declared license ("mit", "Apache License, Version 2.0"), if known. */
    static Optional<String> resolve(String declared) {
        return Optional.ofNullable(BY_KEY.get(declared.trim().toLowerCase(Locale.ROOT)));
    }

    private static Map<String, String> load() {
        Map<String, String> map = new HashMap<>();
        try (InputStream xsd = SpdxLicenses.class.getResourceAsStream("/spdx.xsd");
             InputStream names = SpdxLicenses.class.getResourceAsStream("/license-mapping.json")) {
            if (xsd != null) {
                Matcher m = ENUMERATION.matcher(new String(xsd.readAllBytes(), StandardCharsets.UTF_8));
                while (m.find()) {
                    map.put(m.group(1).toLowerCase(Locale.ROOT), m.group(1));
                }
            }
            if (names != null) {
                for (JsonNode entry : Json.mapper().readTree(names)) {
                    String exp = entry.path("exp").asText(null);
                    for (JsonNode name : entry.path("names")) {
                        if (exp != null) {
                            map.putIfAbsent(name.asText().toLowerCase(Locale.ROOT), exp);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the SPDX license list shipped with cyclonedx-core-java", e);
        }
        return Map.copyOf(map);
    }
}
