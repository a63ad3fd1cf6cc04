package org.stellaops.scanner.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import cyclonedx.v1_6.Bom16;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.TestScans;

/**
 * The protobuf encoding of the fixture image's SBOM read back with the classes of the published bom-1.6.proto and
 * compared with the JSON writer's document: the same serial number, image, components, purls, licenses, properties
 * and evidence, and the same bytes every time.
 */
class CycloneDxProtobufTest {
    static ScanResult app;

    @BeforeAll
    static void scan(@TempDir Path cache) throws IOException {
        app = TestScans.scan("oci:" + Fixtures.image("debian-app") + ":1", cache);
    }

    /** A component of either encoding as one comparable line per field. */
    static List<String> lines(JsonNode c) {
        List<String> out = new ArrayList<>();
        out.add("type " + c.path("type").asText());
        out.add("bom-ref " + c.path("bom-ref").asText());
        out.add("group " + c.path("group").asText());
        out.add("name " + c.path("name").asText());
        out.add("version " + c.path("version").asText());
        out.add("purl " + c.path("purl").asText());
        c.path("licenses").forEach(l -> out.add(l.has("expression") ? "expression " + l.path("expression").asText()
                : "license " + l.path("license").path("id").asText() + "|" + l.path("license").path("name").asText()));
        c.path("properties").forEach(p -> out.add("property " + p.path("name").asText() + "=" + p.path("value").asText()));
        c.path("evidence").path("occurrences").forEach(o -> out.add("occurrence " + o.path("location").asText()));
        return out;
    }

    static List<String> lines(Bom16.Component c) {
        List<String> out = new ArrayList<>();
        out.add("type " + c.getType().name().replaceFirst("^CLASSIFICATION_", "").toLowerCase().replace('_', '-'));
        out.add("bom-ref " + c.getBomRef());
        out.add("group " + c.getGroup());
        out.add("name " + c.getName());
        out.add("version " + c.getVersion());
        out.add("purl " + c.getPurl());
        c.getLicensesList().forEach(l -> out.add(l.hasExpression() ? "expression " + l.getExpression()
                : "license " + l.getLicense().getId() + "|" + l.getLicense().getName()));
        c.getPropertiesList().forEach(p -> out.add("property " + p.getName() + "=" + p.getValue()));
        c.getEvidence().getOccurrencesList().forEach(o -> out.add("occurrence " + o.getLocation()));
        return out;
    }

    @Test
    void roundTripsAgainstTheJsonWriter() throws Exception {
        SbomMetadata meta = new SbomMetadata("0.1.0", null);
        JsonNode json = Json.mapper().readTree(new CycloneDxWriter().write(app.inventory(), meta));
        byte[] bytes = new CycloneDxProtobufWriter().write(app.inventory(), meta);
        Bom16.Bom bom = Bom16.Bom.parseFrom(bytes);

        assertThat(bom.getSpecVersion()).isEqualTo(json.path("specVersion").asText()).isEqualTo("1.6");
        assertThat(bom.getSerialNumber()).isEqualTo(json.path("serialNumber").asText()).startsWith("urn:uuid:");
        assertThat(bom.getVersion()).isEqualTo(json.path("version").asInt());
        assertThat(bom.getMetadata().hasTimestamp()).isFalse();
        assertThat(lines(bom.getMetadata().getComponent())).isEqualTo(lines(json.path("metadata").path("component")));
        assertThat(lines(bom.getMetadata().getTools().getComponents(0)))
                .isEqualTo(lines(json.path("metadata").path("tools").path("components").get(0)));

        assertThat(bom.getComponentsCount()).isEqualTo(json.path("components").size()).isGreaterThan(200);
        List<String> fromJson = new ArrayList<>();
        json.path("components").forEach(c -> fromJson.addAll(lines(c)));
        List<String> fromProto = new ArrayList<>();
        bom.getComponentsList().forEach(c -> fromProto.addAll(lines(c)));
        assertThat(fromProto).isEqualTo(fromJson);
        // the kinds of data the fixture has are all there: OS and language packages, licenses, layer properties
        assertThat(fromProto).contains("purl pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
                .anyMatch(l -> l.startsWith("license ") || l.startsWith("expression "))
                .anyMatch(l -> l.startsWith("property stella:layer:digest=sha256:"));

        // deterministic: the same inventory gives the same bytes
        assertThat(new CycloneDxProtobufWriter().write(app.inventory(), meta)).isEqualTo(bytes);
        // with a creation time both encodings carry it
        SbomMetadata stamped = new SbomMetadata("0.1.0", "2026-01-31T12:00:00Z");
        Bom16.Bom withTime = Bom16.Bom.parseFrom(new CycloneDxProtobufWriter().write(app.inventory(), stamped));
        assertThat(java.time.Instant.ofEpochSecond(withTime.getMetadata().getTimestamp().getSeconds()).toString())
                .isEqualTo("2026-01-31T12:00:00Z");
    }
}
