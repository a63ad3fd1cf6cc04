package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import cyclonedx.v1_6.Bom16;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.testing.Fixtures;

/** stella scan --format cyclonedx-protobuf writes the protobuf encoding of the same BOM as cyclonedx-json. */
class ProtobufFormatTest {
    @Test
    void scanWritesCycloneDxProtobuf(@TempDir Path dir) throws Exception {
        String image = "oci:" + Fixtures.image("minbase") + ":1";
        String cache = dir.resolve("cache").toString();
        Path pb = dir.resolve("sbom.cdx.pb");
        ScanCommandTest.Run r = ScanCommandTest.run("scan", image, "--format", "cyclonedx-protobuf", "--out", pb.toString(),
                "--cache-dir", cache);
        assertThat(r.code()).as(r.err()).isZero();
        Path json = dir.resolve("sbom.cdx.json");
        assertThat(ScanCommandTest.run("scan", image, "--out", json.toString(), "--cache-dir", cache).code()).isZero();
        Bom16.Bom bom = Bom16.Bom.parseFrom(Files.readAllBytes(pb));
        var doc = Json.mapper().readTree(json.toFile());
        assertThat(bom.getSerialNumber()).isEqualTo(doc.path("serialNumber").asText());
        assertThat(bom.getComponentsList()).extracting(Bom16.Component::getPurl)
                .containsExactlyElementsOf(doc.path("components").findValuesAsText("purl"));
        ScanCommandTest.Run again = ScanCommandTest.run("scan", image, "--format", "cyclonedx-protobuf", "--out",
                dir.resolve("again.pb").toString(), "--cache-dir", cache);
        assertThat(again.code()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("again.pb"))).isEqualTo(Files.readAllBytes(pb));
    }
}
