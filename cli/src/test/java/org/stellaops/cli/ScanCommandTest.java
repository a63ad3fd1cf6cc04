package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.LocalRegistry;

class ScanCommandTest {

    record Run(int code, String out, String err) {
        List<JsonNode> events() throws Exception {
            List<JsonNode> out = new ArrayList<>();
            for (String l : err.split("\n")) {
                if (l.startsWith("{")) {
                    out.add(Json.mapper().readTree(l));
                }
            }
            return out;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void version() {
        Run r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("stella 0.1.0");
    }

    /** The SBOM file gets the permissions of any new file (the umask), not the 0600 of a temp file. */
    @Test
    void outputFilesHonourTheUmask(@TempDir Path dir) throws Exception {
        Path reference = dir.resolve("reference.json");
        Files.write(reference, new byte[] {'{', '}'});
        Path sbom = dir.resolve("out/sbom.json");
        ScanCommand.writeAtomically(sbom, new byte[] {'{', '}'});
        assertThat(Files.getPosixFilePermissions(sbom)).isEqualTo(Files.getPosixFilePermissions(reference));
        // replacing an existing file the same way
        ScanCommand.writeAtomically(sbom, new byte[] {'[', ']'});
        assertThat(Files.readString(sbom)).isEqualTo("[]");
        assertThat(Files.getPosixFilePermissions(sbom)).isEqualTo(Files.getPosixFilePermissions(reference));
        try (var files = Files.list(sbom.getParent())) {
            assertThat(files).containsExactly(sbom);
        }
    }

    @Test
    void scanWritesCycloneDxAndSpdxAndExitsZero(@TempDir Path dir) throws Exception {
        String image = "oci:" + Fixtures.image("minbase") + ":1";
        Path cdx = dir.resolve("out/sbom.cdx.json");
        Run r = run("scan", image, "--out", cdx.toString(), "--json", "--cache-dir", dir.resolve("cache").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode bom = Json.mapper().readTree(cdx.toFile());
        assertThat(bom.path("specVersion").asText()).isEqualTo("1.6");
        assertThat(bom.path("serialNumber").asText()).startsWith("urn:uuid:");
        assertThat(bom.path("metadata").path("component").path("type").asText()).isEqualTo("container");
        assertThat(bom.path("metadata").has("timestamp")).isFalse();
        assertThat(bom.path("components").size()).isGreaterThan(50);
        List<JsonNode> events = r.events();
        assertThat(events.get(0).path("event").asText()).isEqualTo("resolved");
        assertThat(events).anyMatch(e -> e.path("event").asText().equals("layer") && !e.path("cached").asBoolean());
        assertThat(events).anyMatch(e -> e.path("event").asText().equals("done"));

        Run spdx = run("scan", image, "--format", "spdx-json", "--cache-dir", dir.resolve("cache").toString());
        assertThat(spdx.code()).isZero();
        JsonNode doc = Json.mapper().readTree(spdx.out());
        assertThat(doc.path("spdxVersion").asText()).isEqualTo("SPDX-2.3");
        assertThat(doc.path("creationInfo").path("created").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(doc.path("packages").size()).isEqualTo(bom.path("components").size() + 1);
        assertThat(spdx.err()).contains("(1 cached)");

        Run again = run("scan", image, "--out", dir.resolve("again.json").toString(), "--cache-dir", dir.resolve("cache").toString());
        assertThat(again.code()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("again.json"))).isEqualTo(Files.readAllBytes(cdx));
    }

    @Test
    void exitCodes(@TempDir Path dir) throws Exception {
        String cache = dir.resolve("cache").toString();
        assertThat(run("scan", "oci:" + Fixtures.image("minbase") + ":1", "--format", "xml", "--cache-dir", cache).code())
                .isEqualTo(ExitCodes.INVALID_ARGUMENTS);
        assertThat(run("scan", "--no-such-flag").code()).isEqualTo(ExitCodes.INVALID_ARGUMENTS);
        assertThat(run("scan", "Invalid Reference!!", "--cache-dir", cache).code()).isEqualTo(ExitCodes.INVALID_ARGUMENTS);
        assertThat(run("scan", "oci:" + dir.resolve("missing"), "--cache-dir", cache).code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(run("scan", "oci:" + Fixtures.image("minbase") + ":nope", "--cache-dir", cache).code()).isEqualTo(ExitCodes.NOT_FOUND);
        Run down = run("scan", "127.0.0.1:" + LocalRegistry.freePort() + "/x/y:1", "--json", "--cache-dir", cache);
        assertThat(down.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(down.events()).singleElement().satisfies(e -> assertThat(e.path("kind").asText()).isEqualTo("UNAVAILABLE"));
        Path garbage = dir.resolve("garbage.tar");
        Files.writeString(garbage, "this is not a tar archive at all".repeat(40));
        Run bad = run("scan", "docker-archive:" + garbage, "--cache-dir", cache);
        assertThat(bad.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(bad.err()).contains(garbage.toString());
    }

    @Test
    void registryAuthFailureIsExitFour(@TempDir Path dir) throws Exception {
        try (LocalRegistry reg = LocalRegistry.start("ci", "pw")) {
            String ref = reg.push(Fixtures.image("minbase"), "1", "p/minbase", "1");
            Path cfg = dir.resolve("config.json");
            Files.writeString(cfg, "{}");
            Run r = run("scan", ref, "--registry-config", cfg.toString(), "--cache-dir", dir.resolve("c").toString());
            assertThat(r.code()).isEqualTo(ExitCodes.AUTH);
            assertThat(r.err()).contains("requires credentials");
        }
    }
}
