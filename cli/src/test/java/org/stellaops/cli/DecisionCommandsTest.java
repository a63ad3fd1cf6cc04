package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.testing.Fixtures;

/** stella scan with advisories, VEX and a policy; stella report; stella policy lint and test — on the fixture image. */
class DecisionCommandsTest {
    static Path data;
    static Path cache;
    static final String POLICY = """
            version: "1.0"
            rules:
              - name: Escalate known exploited
                action: {type: escalate, severity: Critical, kev: true}
              - name: Block critical with a fix
                severity: [Critical]
                fixState: [fixed]
                action: block
              - name: Distro will not fix
                fixState: [will-not-fix]
                action: {type: ignore, justification: "tracked with Debian", until: "2027-06-30"}
            """;

    @BeforeAll
    static void locate(@TempDir Path dir) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/SOURCES.md"))) {
                data = d.resolve("shared/data");
                break;
            }
        }
        assertThat(data).as("shared/data beside the repository").isNotNull();
        cache = dir;
    }

    private List<String> args(Path policy, String... extra) {
        List<String> a = new ArrayList<>(List.of("scan", "oci:" + Fixtures.image("debian-app") + ":1", "--cache-dir", cache.toString(),
                "--advisories", data.resolve("osv").toString(), "--advisories", data.resolve("debian/tracker").toString(),
                "--advisories", data.resolve("kev/known_exploited_vulnerabilities.json").toString(),
                "--policy", policy.toString(), "--as-of", "2026-11-27"));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void scanDecidesFailsWithExitTwoAndWritesADeterministicReport(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, POLICY);
        ScanCommandTest.Run r = ScanCommandTest.run(args(policy, "--out", dir.resolve("report.json").toString(),
                "--sbom-out", dir.resolve("sbom.json").toString()).toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.POLICY_FAIL);
        assertThat(r.out()).contains("VERDICT").contains("CVE-2021-44228").contains("verdict: FAIL");
        JsonNode report = Json.mapper().readTree(dir.resolve("report.json").toFile());
        assertThat(report.path("verdict").asText()).isEqualTo("fail");
        List<JsonNode> log4shell = new ArrayList<>();
        report.path("findings").forEach(f -> {
            if (f.path("vulnerability").asText().equals("CVE-2021-44228")) {
                log4shell.add(f);
            }
        });
        assertThat(log4shell).singleElement().satisfies(f -> {
            assertThat(f.path("purl").asText()).endsWith("@2.14.1");
            assertThat(f.path("verdict").asText()).isEqualTo("fail");
            assertThat(f.path("kev").asBoolean()).isTrue();
            assertThat(f.path("layerDigest").asText()).startsWith("sha256:");
        });
        report.path("findings").forEach(f -> {
            if (f.path("distroStatus").asText().equals("no-dsa")) {
                assertThat(f.path("fixState").asText()).isEqualTo("will-not-fix");
                assertThat(f.path("verdict").asText()).isEqualTo("ignore");
            }
        });
        assertThat(report.path("inputs").path("sbom").asText()).isEqualTo(
                org.stellaops.core.json.Digests.sha256(Files.readAllBytes(dir.resolve("sbom.json"))));

        ScanCommandTest.Run again = ScanCommandTest.run(args(policy, "--out", dir.resolve("again.json").toString()).toArray(String[]::new));
        assertThat(again.code()).isEqualTo(ExitCodes.POLICY_FAIL);
        assertThat(Files.readAllBytes(dir.resolve("again.json"))).isEqualTo(Files.readAllBytes(dir.resolve("report.json")));
        Files.write(dir.resolve("reference"), new byte[0]);
        assertThat(Files.getPosixFilePermissions(dir.resolve("again.json"))).as("the report honours the umask, not 0600")
                .isEqualTo(Files.getPosixFilePermissions(dir.resolve("reference")));

        // the same decision from the SBOM alone
        ScanCommandTest.Run fromSbom = ScanCommandTest.run("report", "--sbom", dir.resolve("sbom.json").toString(),
                "--advisories", data.resolve("osv").toString(), "--advisories", data.resolve("debian/tracker").toString(),
                "--advisories", data.resolve("kev/known_exploited_vulnerabilities.json").toString(),
                "--policy", policy.toString(), "--as-of", "2026-11-27", "--json");
        assertThat(fromSbom.code()).isEqualTo(ExitCodes.POLICY_FAIL);
        assertThat(Json.mapper().readTree(fromSbom.out()).path("findings").size()).isEqualTo(report.path("findings").size());

        // preview: without the blocking rule nothing fails
        Path lenient = dir.resolve("lenient.yaml");
        Files.writeString(lenient, "version: \"1.0\"\nrules: []\n");
        ScanCommandTest.Run preview = ScanCommandTest.run("policy", "test", lenient.toString(), "--baseline", policy.toString(),
                "--report", dir.resolve("report.json").toString());
        assertThat(preview.code()).isZero();
        assertThat(preview.out()).contains("fail -> warn").contains("overall fail -> warn");
    }

    @Test
    void aVexNotAffectedForTheImageTurnsTheVerdict(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: \"1.0\"\nrules:\n  - {name: Block critical, severity: [Critical], action: block}\n");
        ScanCommandTest.Run first = ScanCommandTest.run(args(policy, "--json").toArray(String[]::new));
        JsonNode report = Json.mapper().readTree(first.out());
        String digest = report.path("image").path("digest").asText();
        StringBuilder statements = new StringBuilder();
        report.path("findings").forEach(f -> {
            if (f.path("severity").asText().equals("CRITICAL")) {
                statements.append(statements.length() == 0 ? "" : ",").append("{\"vulnerability\": {\"name\": \"")
                        .append(f.path("vulnerability").asText()).append("\"}, \"products\": [{\"@id\": \"").append(digest)
                        .append("\"}], \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_in_execute_path\"}");
            }
        });
        Path vex = dir.resolve("image.openvex.json");
        Files.writeString(vex, "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"urn:test:1\", \"author\": \"Shop Team\","
                + " \"timestamp\": \"2026-11-01T00:00:00Z\", \"version\": 1, \"statements\": [" + statements + "]}");
        ScanCommandTest.Run second = ScanCommandTest.run(args(policy, "--json", "--vex", vex.toString()).toArray(String[]::new));
        assertThat(second.code()).as(second.err()).isZero();
        JsonNode after = Json.mapper().readTree(second.out());
        assertThat(after.path("verdict").asText()).isEqualTo("warn");
        assertThat(after.path("summary").path("suppressedByVex").asInt()).isPositive();
    }

    @Test
    void ecosystemsWithoutAdvisoryDataWarnByDefaultAndFailWithTheFlagOrThePolicy(@TempDir Path dir) throws Exception {
        // only Debian data: the image's jars, node modules, wheels, Go binaries and JDK are not covered
        Path policy = dir.resolve("policy.yaml");
        String rules = "rules:\n  - name: Debian findings are tracked\n    purls: [\"pkg:deb/*\"]\n"
                + "    action: {type: ignore, justification: \"tracked with Debian\", until: \"2027-06-30\"}\n";
        Files.writeString(policy, "version: \"1.0\"\n" + rules);
        List<String> scan = List.of("scan", "oci:" + Fixtures.image("debian-app") + ":1", "--cache-dir", cache.toString(),
                "--advisories", data.resolve("debian/tracker").toString(), "--as-of", "2026-11-27");
        List<String> lenient = new ArrayList<>(scan);
        lenient.addAll(List.of("--policy", policy.toString(), "--out", dir.resolve("report.json").toString(),
                "--sbom-out", dir.resolve("sbom.json").toString()));
        ScanCommandTest.Run warned = ScanCommandTest.run(lenient.toArray(String[]::new));
        assertThat(warned.code()).as(warned.err()).isEqualTo(ExitCodes.OK);
        assertThat(warned.out()).contains("not covered: maven (").contains("verdict: WARN");
        assertThat(warned.err()).contains("warning: not covered: maven (");
        JsonNode report = Json.mapper().readTree(dir.resolve("report.json").toFile());
        assertThat(report.path("verdict").asText()).isEqualTo("warn");
        assertThat(report.path("summary").path("verdict.ignore").asInt()).isPositive();
        List<String> uncovered = new ArrayList<>();
        List<String> covered = new ArrayList<>();
        report.path("coverage").path("entries").forEach(e -> (e.path("covered").asBoolean() ? covered : uncovered).add(e.path("id").asText()));
        assertThat(covered).containsExactly("deb/debian/debian-12");
        assertThat(uncovered).contains("maven", "generic");

        List<String> strict = new ArrayList<>(lenient);
        strict.add("--fail-on-uncovered");
        strict.set(strict.indexOf(dir.resolve("report.json").toString()), dir.resolve("strict.json").toString());
        ScanCommandTest.Run failed = ScanCommandTest.run(strict.toArray(String[]::new));
        assertThat(failed.code()).as(failed.err()).isEqualTo(ExitCodes.POLICY_FAIL);
        JsonNode strictReport = Json.mapper().readTree(dir.resolve("strict.json").toFile());
        assertThat(strictReport.path("coverage").path("setBy").asText()).isEqualTo("option");
        assertThat(strictReport.path("verdict").asText()).isEqualTo("fail");

        // the same from the SBOM, and from a policy that asks for it; a policy that accepts every gap passes
        Path failing = dir.resolve("failing.yaml");
        Files.writeString(failing, "version: \"1.0\"\ncoverage: {uncovered: fail}\n" + rules);
        ScanCommandTest.Run fromSbom = ScanCommandTest.run("report", "--sbom", dir.resolve("sbom.json").toString(),
                "--advisories", data.resolve("debian/tracker").toString(), "--policy", failing.toString(), "--as-of", "2026-11-27");
        assertThat(fromSbom.code()).as(fromSbom.err()).isEqualTo(ExitCodes.POLICY_FAIL);
        Path accepting = dir.resolve("accepting.yaml");
        Files.writeString(accepting, "version: \"1.0\"\ncoverage:\n  uncovered: fail\n  allow: [\"" + String.join("\", \"", uncovered)
                + "\"]\n" + rules);
        ScanCommandTest.Run accepted = ScanCommandTest.run("report", "--sbom", dir.resolve("sbom.json").toString(),
                "--advisories", data.resolve("debian/tracker").toString(), "--policy", accepting.toString(), "--as-of", "2026-11-27",
                "--json", "--fail-on-uncovered");
        assertThat(accepted.code()).as(accepted.err()).isEqualTo(ExitCodes.OK);
        JsonNode acceptedReport = Json.mapper().readTree(accepted.out());
        assertThat(acceptedReport.path("verdict").asText()).isEqualTo("pass");
        acceptedReport.path("coverage").path("entries").forEach(e ->
                assertThat(e.path("covered").asBoolean() || e.path("accepted").asBoolean()).as(e.toString()).isTrue());

        // preview: the stricter coverage setting turns the overall verdict
        ScanCommandTest.Run preview = ScanCommandTest.run("policy", "test", failing.toString(), "--baseline", policy.toString(),
                "--report", dir.resolve("report.json").toString());
        assertThat(preview.code()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("coverage gaps (").contains(": warn -> fail").contains("0 of ").contains("overall warn -> fail");
    }

    @Test
    void offlineKitExportImportAndUse(@TempDir Path dir) throws Exception {
        Path kit = dir.resolve("kit.zip");
        ScanCommandTest.Run export = ScanCommandTest.run("feeds", "export", "--advisories", data.resolve("osv").toString(),
                "--advisories", data.resolve("debian/tracker").toString(), "--out", kit.toString());
        assertThat(export.code()).as(export.err()).isZero();
        byte[] first = Files.readAllBytes(kit);
        ScanCommandTest.run("feeds", "export", "--advisories", data.resolve("osv").toString(),
                "--advisories", data.resolve("debian/tracker").toString(), "--out", kit.toString());
        assertThat(Files.readAllBytes(kit)).isEqualTo(first);
        Files.write(dir.resolve("reference"), new byte[0]);
        assertThat(Files.getPosixFilePermissions(kit)).as("the kit honours the umask, not 0600")
                .isEqualTo(Files.getPosixFilePermissions(dir.resolve("reference")));
        ScanCommandTest.Run imported = ScanCommandTest.run("feeds", "import", kit.toString(), "--cache-dir", dir.resolve("c").toString());
        assertThat(imported.code()).isZero();
        Path installed = Path.of(imported.out().replaceAll("(?s).*installed (\\S+) .*", "$1"));
        assertThat(installed).isRegularFile();
        Path policy = dir.resolve("p.yaml");
        Files.writeString(policy, "version: \"1.0\"\nrules:\n  - {name: Block critical, severity: [Critical], action: block}\n");
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "oci:" + Fixtures.image("debian-app") + ":1", "--cache-dir", cache.toString(),
                "--advisories", installed.toString(), "--policy", policy.toString(), "--json");
        assertThat(r.code()).isEqualTo(ExitCodes.POLICY_FAIL);
        Files.write(dir.resolve("bad.zip"), "not a zip".getBytes());
        assertThat(ScanCommandTest.run("feeds", "import", dir.resolve("bad.zip").toString(), "--cache-dir", dir.toString()).code())
                .isEqualTo(ExitCodes.VERIFICATION_FAILED);
    }

    @Test
    void policyLintExitCodes(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, POLICY);
        ScanCommandTest.Run ok = ScanCommandTest.run("policy", "lint", good.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("valid, 3 rules, digest sha256:");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: \"2.0\"\nrules:\n  - name: x\n");
        ScanCommandTest.Run invalid = ScanCommandTest.run("policy", "lint", bad.toString());
        assertThat(invalid.code()).isEqualTo(ExitCodes.INVALID_ARGUMENTS);
        assertThat(invalid.out()).contains("ERROR").contains("$.version").contains("$.rules[0]");
        ScanCommandTest.Run refused = ScanCommandTest.run(args(bad).toArray(String[]::new));
        assertThat(refused.code()).isEqualTo(ExitCodes.INVALID_ARGUMENTS);
        assertThat(refused.err()).contains("never applied");
    }
}
