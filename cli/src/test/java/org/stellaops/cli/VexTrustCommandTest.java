package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.testing.Fixtures;

/** --vex-trust FILE=WEIGHT: a document's statements carry its weight, author or not. */
class VexTrustCommandTest {

    static Path data() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/SOURCES.md"))) {
                return d.resolve("shared/data");
            }
        }
        throw new IllegalStateException("shared/data beside the repository");
    }

    static List<String> args(Path cache, Path policy, String... extra) {
        Path data = data();
        List<String> a = new ArrayList<>(List.of("scan", "oci:" + Fixtures.image("debian-app") + ":1", "--cache-dir", cache.toString(),
                "--advisories", data.resolve("osv").toString(), "--advisories", data.resolve("debian/tracker").toString(),
                "--policy", policy.toString(), "--as-of", "2026-11-27", "--json"));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void anAuthorlessDocumentWithLowTrustDoesNotSuppress(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: \"1.0\"\nrules:\n  - {name: Block critical, severity: [Critical], action: block}\n");
        ScanCommandTest.Run first = ScanCommandTest.run(args(dir, policy).toArray(String[]::new));
        JsonNode report = Json.mapper().readTree(first.out());
        assertThat(report.path("verdict").asText()).isEqualTo("fail");
        String digest = report.path("image").path("digest").asText();
        StringBuilder statements = new StringBuilder();
        report.path("findings").forEach(f -> {
            if (f.path("severity").asText().equals("CRITICAL")) {
                statements.append(statements.length() == 0 ? "" : ",").append("{\"vulnerability\": {\"name\": \"")
                        .append(f.path("vulnerability").asText()).append("\"}, \"products\": [{\"@id\": \"").append(digest)
                        .append("\"}], \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_in_execute_path\"}");
            }
        });
        Path vex = dir.resolve("no-author.openvex.json"); // no author: every statement's issuer is unknown
        Files.writeString(vex, "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"urn:test:2\","
                + " \"timestamp\": \"2026-11-01T00:00:00Z\", \"version\": 1, \"statements\": [" + statements + "]}");
        ScanCommandTest.Run low = ScanCommandTest.run(args(dir, policy, "--vex", vex.toString(), "--vex-trust", vex + "=0.2")
                .toArray(String[]::new));
        assertThat(low.code()).as(low.err()).isEqualTo(2);
        assertThat(Json.mapper().readTree(low.out()).path("summary").path("suppressedByVex").asInt()).isZero();
        ScanCommandTest.Run high = ScanCommandTest.run(args(dir, policy, "--vex", vex.toString(), "--vex-trust", vex + "=0.9")
                .toArray(String[]::new));
        assertThat(high.code()).as(high.err()).isZero();
        assertThat(Json.mapper().readTree(high.out()).path("summary").path("suppressedByVex").asInt()).isPositive();
    }
}
