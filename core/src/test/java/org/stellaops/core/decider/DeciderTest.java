package org.stellaops.core.decider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.json.Json;
import org.stellaops.core.policy.Policy;
import org.stellaops.core.vex.VexParser;
import org.stellaops.core.vex.VexStatement;

/** The whole decision on the published documents of shared/data: matching, VEX, policy, report. */
class DeciderTest {
    static final String DIGEST = "sha256:" + "e".repeat(64);
    static final List<Decider.Component> COMPONENTS = List.of(
            new Decider.Component("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "sha256:" + "1".repeat(64),
                    "app/lib/log4j-core-2.14.1.jar!/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", null, Set.of()),
            new Decider.Component("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", "sha256:" + "1".repeat(64),
                    "app/shop.war!/WEB-INF/lib/log4j-core-2.17.1.jar!/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", null, Set.of()),
            new Decider.Component("pkg:deb/debian/libsystemd0@252.38-1~deb12u1?arch=amd64&distro=debian-12&upstream=systemd",
                    "sha256:" + "0".repeat(64), "var/lib/dpkg/status", null, Set.of()),
            new Decider.Component("pkg:pypi/requests@2.28.0", "sha256:" + "1".repeat(64),
                    "usr/lib/python3/dist-packages/requests-2.28.0.dist-info/METADATA",
                    "pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?distro=debian-12", Set.of()));

    static FeedSet feeds() throws Exception {
        FeedSet f = new FeedSet();
        for (String dir : List.of("osv", "debian/tracker", "nvd", "kev/known_exploited_vulnerabilities.json", "epss")) {
            f.load(SharedData.dir().resolve(dir));
        }
        return f;
    }

    static final Policy POLICY = Policy.parse("""
            version: "1.0"
            rules:
              - name: Block critical with a fix
                severity: [Critical]
                fixState: [fixed]
                action: block
              - name: Distro will not fix
                fixState: [will-not-fix]
                action: {type: ignore, justification: "tracked with the distro", until: "2027-12-31"}
            """, "policy.yaml");

    @Test
    void log4ShellFailsTheImageAndNoDsaIsWaivedNotFixable() throws Exception {
        Decider.Result r = Decider.decide(new Decider.Image("registry.example/shop", DIGEST, null, null), COMPONENTS, feeds(),
                List.of(), Map.of(), POLICY, "prod", Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(r.verdict()).isEqualTo("fail");
        Decider.Decided log4shell = r.findings().stream().filter(d -> d.finding().vulnerability().equals("CVE-2021-44228")).findFirst().orElseThrow();
        assertThat(log4shell.finding().purl()).endsWith("@2.14.1");
        assertThat(log4shell.finding().kev()).isTrue();
        assertThat(log4shell.finding().aliases()).contains("GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228");
        assertThat(log4shell.finding().severity()).isEqualTo("CRITICAL");
        assertThat(log4shell.verdict().verdict()).isEqualTo("fail");
        assertThat(r.findings()).noneMatch(d -> d.finding().purl().endsWith("@2.17.1") && d.finding().vulnerability().equals("CVE-2021-44228"));
        Decider.Decided systemd = r.findings().stream().filter(d -> d.finding().vulnerability().equals("CVE-2023-7008")).findFirst().orElseThrow();
        assertThat(systemd.finding().fixState()).isEqualTo("will-not-fix");
        assertThat(systemd.finding().distroStatus()).isEqualTo("no-dsa");
        assertThat(systemd.verdict().verdict()).isEqualTo("ignore");
        // requests is owned by a Debian package: never reported twice through PyPI advisories
        assertThat(r.findings()).noneMatch(d -> d.finding().purl().startsWith("pkg:pypi/requests"));
    }

    @Test
    void anOpenVexNotAffectedForTheImageDigestSuppressesAndTheReportIsDeterministic() throws Exception {
        List<VexStatement> vex = VexParser.parse(("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"urn:shop:vex:1\","
                + " \"author\": \"Shop Team\", \"timestamp\": \"2026-11-01T00:00:00Z\", \"version\": 1, \"statements\": [{"
                + "\"vulnerability\": {\"name\": \"CVE-2021-44228\"}, \"products\": [{\"@id\": \"" + DIGEST + "\"}],"
                + " \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_in_execute_path\"},"
                + "{\"vulnerability\": {\"name\": \"CVE-2021-45046\"}, \"products\": [{\"@id\": \"" + DIGEST + "\"}],"
                + " \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_in_execute_path\"}]}").getBytes(), "shop.vex.json");
        Decider.Image image = new Decider.Image("registry.example/shop", DIGEST, null, "sha256:" + "5".repeat(64));
        Decider.Result r = Decider.decide(image, COMPONENTS, feeds(), vex, Map.of(), POLICY, "prod", Instant.parse("2026-11-27T10:00:00Z"));
        Decider.Decided log4shell = r.findings().stream().filter(d -> d.finding().vulnerability().equals("CVE-2021-44228")).findFirst().orElseThrow();
        assertThat(log4shell.verdict().verdict()).isEqualTo("suppressed");
        assertThat(r.verdict()).isEqualTo("warn");
        JsonNode report = Json.mapper().readTree(r.report());
        assertThat(report.path("verdict").asText()).isEqualTo("warn");
        assertThat(report.path("inputs").path("policy").path("digest").asText()).isEqualTo(POLICY.digest());
        assertThat(report.path("inputs").path("sbom").asText()).isEqualTo("sha256:" + "5".repeat(64));
        assertThat(report.path("summary").path("suppressedByVex").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(new String(r.report())).doesNotContain("null");
        Decider.Result again = Decider.decide(image, COMPONENTS, feeds(), vex, Map.of(), POLICY, "prod", Instant.parse("2026-11-27T23:00:00Z"));
        assertThat(again.report()).isEqualTo(r.report());
    }

    @Test
    void oneBadDocumentNeverDropsTheOthers() throws Exception {
        FeedSet f = new FeedSet();
        f.add("{\"id\": \"GHSA-x\", \"affected\": [{\"package\": {}}]}".getBytes(), "bad.json");
        f.add("{\"hello\": 1}".getBytes(), "unknown.json");
        f.add(Files.readAllBytes(SharedData.dir().resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json")), "good.json");
        assertThat(f.advisories()).hasSize(1);
        assertThat(f.diagnostics()).hasSize(2).anyMatch(d -> d.startsWith("bad.json at $.affected[0].package"))
                .anyMatch(d -> d.contains("unknown.json: unknown advisory format"));
    }
}
