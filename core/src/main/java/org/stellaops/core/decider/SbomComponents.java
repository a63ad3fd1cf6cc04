package org.stellaops.core.decider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the decider needs of SBOM components, wherever the SBOM comes from (a scan in memory or a stored CycloneDX). */
public final class SbomComponents {
    private SbomComponents() {
    }

    /** @param usedByEntrypoint the {@code stella:usedByEntrypoint} property, null when absent (no trace) */
    public record Row(String purl, String layerDigest, String evidencePath, String ownedBy, boolean goMainModule,
                      Boolean usedByEntrypoint, String usageChain) {
        public Row(String purl, String layerDigest, String evidencePath, String ownedBy, boolean goMainModule) {
            this(purl, layerDigest, evidencePath, ownedBy, goMainModule, null, null);
        }
    }

    public static final String USED = "stella:usedByEntrypoint";
    public static final String CHAIN = "stella:usedByEntrypoint:chain";

    /** The property's value as the decider takes it: true, false, or null when absent or not a boolean. */
    public static Boolean used(String value) {
        return "true".equals(value) ? Boolean.TRUE : "false".equals(value) ? Boolean.FALSE : null;
    }

    /** Decider components; a Go module's container is the main module of the same binary (for VEX subcomponents). */
    public static List<Decider.Component> of(List<Row> rows) {
        Map<String, Set<String>> mainModules = new HashMap<>();
        for (Row r : rows) {
            if (r.goMainModule()) {
                mainModules.computeIfAbsent(r.evidencePath(), k -> new HashSet<>()).add(r.purl());
            }
        }
        List<Decider.Component> out = new ArrayList<>();
        for (Row r : rows) {
            Set<String> containers = new HashSet<>(mainModules.getOrDefault(r.evidencePath(), Set.of()));
            containers.remove(r.purl());
            out.add(new Decider.Component(r.purl(), r.layerDigest(), r.evidencePath(), r.ownedBy(), containers,
                    r.usedByEntrypoint(), r.usageChain()));
        }
        return out;
    }

    /** Components of a CycloneDX SBOM written by Stella Ops. */
    public static List<Decider.Component> fromCycloneDx(JsonNode bom) {
        List<Row> rows = new ArrayList<>();
        for (JsonNode c : bom.path("components")) {
            if (c.has("purl")) {
                rows.add(new Row(c.path("purl").asText(), property(c, "stella:layer:digest"), property(c, "stella:evidence:path"),
                        property(c, "stella:ownedBy"), "true".equals(property(c, "stella:go:mainModule")),
                        used(property(c, USED)), property(c, CHAIN)));
            }
        }
        return of(rows);
    }

    public static String property(JsonNode component, String name) {
        for (JsonNode p : component.path("properties")) {
            if (name.equals(p.path("name").asText())) {
                return p.path("value").asText();
            }
        }
        return null;
    }
}
