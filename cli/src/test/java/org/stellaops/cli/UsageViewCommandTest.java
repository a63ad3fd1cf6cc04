package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.decider.SbomComponents;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.testing.Fixtures;

/**
 * stella scan --view usage and the usedByEntrypoint policy matcher on the fixture image, whose entrypoint is
 * {@code java -jar /app/lib/log4j-core-2.14.1.jar}: log4j-core 2.14.1, the JRE and the libraries java loads are used;
 * jackson-databind, guava and the war's jars are not.
 */
class UsageViewCommandTest {
    static Path data;
    @TempDir
    static Path cache;

    @BeforeAll
    static void locate() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/SOURCES.md"))) {
                data = d.resolve("shared/data");
                break;
            }
        }
        assertThat(data).as("shared/data beside the repository").isNotNull();
    }

    static String image() {
        return "oci:" + Fixtures.image("debian-app") + ":1";
    }

    @Test
    void usageViewListsWhatTheEntrypointReachesWithChains(@TempDir Path dir) throws Exception {
        ScanCommandTest.Run r = ScanCommandTest.run("scan", image(), "--cache-dir", cache.toString(), "--view", "usage",
                "--timestamp", "2026-01-01T00:00:00Z", "--out", dir.resolve("usage.json").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode bom = Json.mapper().readTree(dir.resolve("usage.json").toFile());
        Map<String, String> meta = new TreeMap<>();
        bom.path("metadata").path("component").path("properties").forEach(p -> meta.put(p.path("name").asText(), p.path("value").asText()));
        assertThat(meta).containsEntry("stella:view", "usage").containsEntry("stella:usage:status", "traced")
                .containsEntry("stella:usage:command", "java -jar /app/lib/log4j-core-2.14.1.jar");
        List<String> purls = new ArrayList<>();
        bom.path("components").forEach(c -> {
            purls.add(c.path("purl").asText());
            assertThat(SbomComponents.property(c, SbomComponents.USED)).isEqualTo("true");
            assertThat(SbomComponents.property(c, SbomComponents.CHAIN)).startsWith("/usr/bin/java (entrypoint)");
        });
        assertThat(purls).anyMatch(p -> p.startsWith("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"))
                .anyMatch(p -> p.startsWith("pkg:deb/debian/openjdk-17-jre-headless@"))
                .anyMatch(p -> p.startsWith("pkg:deb/debian/libc6@"))
                .noneMatch(p -> p.startsWith("pkg:maven/com.google.guava/"))
                .noneMatch(p -> p.startsWith("pkg:maven/com.fasterxml.jackson.core/jackson-databind"))
                .noneMatch(p -> p.startsWith("pkg:deb/debian/curl@"));

        ScanCommandTest.Run inv = ScanCommandTest.run("scan", image(), "--cache-dir", cache.toString(),
                "--timestamp", "2026-01-01T00:00:00Z");
        JsonNode all = Json.mapper().readTree(inv.out());
        assertThat(all.path("components").size()).isGreaterThan(bom.path("components").size());
        all.path("components").forEach(c -> assertThat(SbomComponents.property(c, SbomComponents.USED)).isIn("true", "false"));

        ScanCommandTest.Run bad = ScanCommandTest.run("scan", image(), "--cache-dir", cache.toString(), "--view", "runtime");
        assertThat(bad.code()).isEqualTo(ExitCodes.INVALID_ARGUMENTS);
    }

    static Map<String, String> verdicts(Path report, String purlPrefix) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode f : Json.mapper().readTree(report.toFile()).path("findings")) {
            if (f.path("purl").asText().startsWith(purlPrefix)) {
                out.put(f.path("vulnerability").asText(), f.path("verdict").asText());
            }
        }
        return out;
    }

    @Test
    void usedByEntrypointRuleChangesTheVerdictOfUnusedComponents(@TempDir Path dir) throws Exception {
        String block = """
                  - name: Block high and critical with a fix
                    severity: [Critical, High]
                    fixState: [fixed]
                    action: block
                """;
        Path strict = dir.resolve("strict.yaml");
        Files.writeString(strict, "version: \"1.0\"\nrules:\n" + block);
        Path lenient = dir.resolve("lenient.yaml");
        Files.writeString(lenient, "version: \"1.0\"\nrules:\n" + """
                  - name: Not loaded by the entrypoint
                    usedByEntrypoint: false
                    action: {type: ignore, justification: "not reached from the entrypoint"}
                """ + block);
        for (Path p : List.of(strict, lenient)) {
            ScanCommandTest.Run r = ScanCommandTest.run("scan", image(), "--cache-dir", cache.toString(),
                    "--advisories", data.resolve("osv").toString(), "--advisories", data.resolve("debian/tracker").toString(),
                    "--policy", p.toString(), "--as-of", "2026-11-27",
                    "--out", dir.resolve(p.getFileName() + ".report.json").toString());
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.POLICY_FAIL); // Log4Shell in the jar java runs
        }
        Map<String, String> before = verdicts(dir.resolve("strict.yaml.report.json"), "pkg:maven/com.fasterxml.jackson.core/jackson-databind@");
        Map<String, String> after = verdicts(dir.resolve("lenient.yaml.report.json"), "pkg:maven/com.fasterxml.jackson.core/jackson-databind@");
        assertThat(before).isNotEmpty().containsValue("fail");
        assertThat(after.keySet()).isEqualTo(before.keySet());
        assertThat(after.values()).containsOnly("ignore");
        assertThat(verdicts(dir.resolve("lenient.yaml.report.json"), "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"))
                .containsEntry("CVE-2021-44228", "fail");
        for (JsonNode f : Json.mapper().readTree(dir.resolve("lenient.yaml.report.json").toFile()).path("findings")) {
            if (f.path("vulnerability").asText().equals("CVE-2021-44228") && f.path("purl").asText().contains("@2.14.1")) {
                assertThat(f.path("usedByEntrypoint").asBoolean()).isTrue();
                assertThat(f.path("explain").toString()).contains("reached from the entrypoint: /usr/bin/java (entrypoint)")
                        .contains("/app/lib/log4j-core-2.14.1.jar (java -jar /app/lib/log4j-core-2.14.1.jar)");
            }
        }
    }
}
