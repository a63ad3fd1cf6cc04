package org.stellaops.core.vex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;

/** OpenVEX, CSAF and CycloneDX VEX documents of shared/data, statement matching and consensus. */
class VexTest {

    private static List<VexStatement> read(String rel) throws IOException {
        Path f = SharedData.dir().resolve("vex").resolve(rel);
        return VexParser.parse(Files.readAllBytes(f), f.toString());
    }

    @Test
    void everyPublishedVexDocumentParses() throws IOException {
        int statements = 0;
        for (String dir : List.of("openvex/vexctl-examples", "openvex/go-vex-testdata", "openvex/trivy-project",
                "openvex/ubuntu", "csaf")) {
            try (Stream<Path> files = Files.list(SharedData.dir().resolve("vex").resolve(dir))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    statements += VexParser.parse(Files.readAllBytes(f), f.toString()).size();
                }
            }
        }
        assertThat(statements).isGreaterThan(50);
        assertThat(read("cyclonedx/VEX/vex.json")).isNotEmpty();
    }

    @Test
    void openVexWithSubcomponentsAppliesInsideItsProduct() throws IOException {
        List<VexStatement> trivy = read("openvex/trivy-project/trivy.openvex.json");
        VexConsensus c = new VexConsensus(trivy, Map.of(), 1.0, 0.5);
        Set<String> ids = Set.of("CVE-2024-26147");
        String helm = "pkg:golang/helm.sh/helm/v3@v3.14.1";
        VexConsensus.Decision inTrivy = c.decide(ids, helm, Set.of(), Set.of("pkg:golang/github.com/aquasecurity/trivy@v0.50.0"));
        assertThat(inTrivy.status()).isEqualTo(VexStatement.Status.NOT_AFFECTED);
        assertThat(inTrivy.suppressed()).isTrue();
        assertThat(inTrivy.statements()).singleElement().satisfies(s -> assertThat(s.issuer()).isEqualTo("Aqua Security"));
        // the same helm elsewhere is not covered
        assertThat(c.decide(ids, helm, Set.of(), Set.of("pkg:golang/example.com/other@v1.0.0")).status()).isNull();
    }

    @Test
    void ubuntuStatementsByPurlWithDistroQualifiers() throws IOException {
        List<VexStatement> ubuntu = read("openvex/ubuntu/CVE-2023-38545.json");
        assertThat(ubuntu).extracting(VexStatement::status).contains(VexStatement.Status.FIXED, VexStatement.Status.NOT_AFFECTED);
        VexStatement fixed = ubuntu.stream().filter(s -> s.status() == VexStatement.Status.FIXED).findFirst().orElseThrow();
        String purl = fixed.products().get(0).purl();
        VexConsensus c = new VexConsensus(ubuntu, Map.of("Canonical Ltd.", 1.0), 0.0, 0.5);
        assertThat(c.decide(Set.of("CVE-2023-38545"), purl, Set.of()).status()).isEqualTo(VexStatement.Status.FIXED);
        // another distro's curl is not what Canonical speaks about
        assertThat(c.decide(Set.of("CVE-2023-38545"), "pkg:deb/debian/curl@7.88.1-10+deb12u4?distro=debian-12", Set.of())
                .status()).isNull();
    }

    @Test
    void csafKnownNotAffectedWithJustification() throws IOException {
        List<VexStatement> st = read("csaf/2022-evd-uc-01-na-001.json");
        assertThat(st).singleElement().satisfies(s -> {
            assertThat(s.vulnerability()).isEqualTo("CVE-2021-44228");
            assertThat(s.status()).isEqualTo(VexStatement.Status.NOT_AFFECTED);
            assertThat(s.impactStatement()).contains("removed before shipping");
            assertThat(s.products().get(0).name()).isEqualTo("Example Company ABC 4.2");
        });
        List<VexStatement> redhat = VexParser.parse(Files.readAllBytes(SharedData.dir().resolve("redhat-csaf/cve-2024-3094.json")), "rh");
        assertThat(redhat).isNotEmpty().allSatisfy(s -> assertThat(s.issuer()).isEqualTo("Red Hat Product Security"));
    }

    private static byte[] openVex(String author, String time, String status, String product) {
        return ("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"urn:test:" + author + time + "\", \"author\": \"" + author
                + "\", \"timestamp\": \"" + time + "\", \"version\": 1, \"statements\": [{\"vulnerability\": {\"name\": \"CVE-2021-44228\","
                + " \"aliases\": [\"GHSA-jfh8-c2jp-5v3q\"]}, \"products\": [{\"@id\": \"" + product + "\"}], \"status\": \"" + status
                + "\", \"justification\": \"vulnerable_code_not_in_execute_path\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void notAffectedForTheImageDigestSuppressesAndLaterStatementsWin() {
        String digest = "sha256:" + "c".repeat(64);
        String log4j = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
        Set<String> ids = Set.of("GHSA-jfh8-c2jp-5v3q");
        List<VexStatement> st = new ArrayList<>(VexParser.parse(openVex("Acme", "2024-01-01T00:00:00Z", "affected", digest), "a1"));
        st.addAll(VexParser.parse(openVex("Acme", "2024-02-01T00:00:00Z", "not_affected", digest), "a2"));
        VexConsensus.Decision d = new VexConsensus(st, Map.of(), 1.0, 0.5).decide(ids, log4j, Set.of(digest));
        assertThat(d.status()).isEqualTo(VexStatement.Status.NOT_AFFECTED);
        assertThat(d.suppressed()).isTrue();
        assertThat(d.reason()).contains("Acme").contains("vulnerable_code_not_in_execute_path");
        // another image is not covered
        assertThat(new VexConsensus(st, Map.of(), 1.0, 0.5).decide(ids, log4j, Set.of("sha256:" + "d".repeat(64))).status()).isNull();
    }

    @Test
    void trustedIssuersThatDisagreeFailSafe() {
        String log4j = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
        List<VexStatement> st = new ArrayList<>(VexParser.parse(openVex("Vendor", "2024-01-01T00:00:00Z", "not_affected",
                "pkg:maven/org.apache.logging.log4j/log4j-core"), "v"));
        st.addAll(VexParser.parse(openVex("Auditor", "2024-01-02T00:00:00Z", "affected", log4j), "x"));
        st.addAll(VexParser.parse(openVex("Random", "2024-01-03T00:00:00Z", "under_investigation", log4j), "r"));
        VexConsensus both = new VexConsensus(st, Map.of("Vendor", 1.0, "Auditor", 0.8, "Random", 0.1), 0.0, 0.5);
        VexConsensus.Decision d = both.decide(Set.of("CVE-2021-44228"), log4j, Set.of());
        assertThat(d.status()).isEqualTo(VexStatement.Status.AFFECTED);
        assertThat(d.suppressed()).isFalse();
        assertThat(d.conflicts()).hasSize(2);
        // trusting only the vendor: its version-less statement covers every version
        VexConsensus vendor = new VexConsensus(st, Map.of("Vendor", 1.0), 0.0, 0.5);
        assertThat(vendor.decide(Set.of("CVE-2021-44228"), log4j, Set.of()).suppressed()).isTrue();
    }

    @Test
    void aConflictingCsafStatementFromALowerTrustIssuerIsKeptAsAConflict() throws IOException {
        // the real CSAF example: "Example Company ProductCERT" says CVE-2021-44228 is known_affected in
        // "Example Company DEF 1.0"; the trusted PSIRT says not_affected for that image by its digest
        List<VexStatement> st = new ArrayList<>(read("csaf/2022-evd-uc-01-a-001.json"));
        String digest = "sha256:" + "f".repeat(64);
        st.addAll(VexParser.parse(openVex("Example Company PSIRT", "2024-01-01T00:00:00Z", "not_affected", digest), "psirt"));
        VexConsensus c = new VexConsensus(st, Map.of("Example Company PSIRT", 1.0, "Example Company ProductCERT", 0.3), 0.0, 0.5);
        VexConsensus.Decision d = c.decide(Set.of("CVE-2021-44228"), "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                Set.of(digest, "Example Company DEF 1.0"));
        assertThat(d.status()).isEqualTo(VexStatement.Status.NOT_AFFECTED);
        assertThat(d.suppressed()).isTrue();
        assertThat(d.conflicts()).singleElement().asString().contains("affected").contains("Example Company ProductCERT")
                .contains("not decisive");
        assertThat(d.statements()).extracting(VexStatement::format).containsExactlyInAnyOrder("openvex", "csaf");
        assertThat(d.reason()).contains("conflicting lower-trust statements kept");
    }

    @Test
    void unknownFormatsAndBadStatusesAreRefusedByName() {
        assertThatThrownBy(() -> VexParser.parse("{\"hello\": 1}".getBytes(), "x.json"))
                .isInstanceOf(VexFormatException.class).hasMessageContaining("x.json at $: unknown VEX format");
        assertThatThrownBy(() -> VexParser.parse(openVex("A", "2024-01-01T00:00:00Z", "maybe", "pkg:npm/x"), "y.json"))
                .hasMessageContaining("y.json at $.statements[0].status: unknown status")
                .hasMessageNotContaining("maybe"); // the document's text is never quoted: it may be a Secret's value
    }

    /** Trivy's OpenVEX for its own release without its author: the statements have no issuer. */
    static List<VexStatement> authorless() throws IOException {
        Path f = SharedData.dir().resolve("vex/openvex/trivy-project/trivy.openvex.json");
        com.fasterxml.jackson.databind.node.ObjectNode doc =
                (com.fasterxml.jackson.databind.node.ObjectNode) org.stellaops.core.json.Json.mapper().readTree(f.toFile());
        doc.remove("author");
        List<VexStatement> st = VexParser.parse(org.stellaops.core.json.Json.write(doc), "authorless.json");
        assertThat(st).isNotEmpty().allSatisfy(s -> assertThat(s.issuer()).isNull());
        return st;
    }

    @Test
    void aStatementWithoutAuthorCarriesItsSourcesWeight() throws IOException {
        Set<String> ids = Set.of("CVE-2024-26147");
        String helm = "pkg:golang/helm.sh/helm/v3@v3.14.1";
        Set<String> in = Set.of("pkg:golang/github.com/aquasecurity/trivy@v0.50.0");
        List<VexStatement> low = authorless().stream().map(s -> s.fromSource(0.2, null)).toList();
        VexConsensus.Decision d = new VexConsensus(low, Map.of(), 1.0, 0.5).decide(ids, helm, Set.of(), in);
        assertThat(d.suppressed()).isFalse();
        assertThat(d.status()).isNull();
        assertThat(d.reason()).isEqualTo("only untrusted issuers speak to it");
        List<VexStatement> high = authorless().stream().map(s -> s.fromSource(0.9, null)).toList();
        VexConsensus.Decision h = new VexConsensus(high, Map.of(), 1.0, 0.5).decide(ids, helm, Set.of(), in);
        assertThat(h.suppressed()).isTrue();
        assertThat(h.status()).isEqualTo(VexStatement.Status.NOT_AFFECTED);
        // an issuer's configured weight lowers a source's, never raises it
        List<VexStatement> named = authorless().stream().map(s -> s.fromSource(0.9, "Aqua Security")).toList();
        assertThat(new VexConsensus(named, Map.of("Aqua Security", 0.3), 1.0, 0.5).decide(ids, helm, Set.of(), in).suppressed()).isFalse();
        List<VexStatement> lowNamed = authorless().stream().map(s -> s.fromSource(0.2, "Aqua Security")).toList();
        assertThat(new VexConsensus(lowNamed, Map.of("Aqua Security", 1.0), 1.0, 0.5).decide(ids, helm, Set.of(), in).suppressed()).isFalse();
        // statements read without a source keep the issuer and default weights
        assertThat(new VexConsensus(authorless(), Map.of(), 1.0, 0.5).decide(ids, helm, Set.of(), in).suppressed()).isTrue();
    }
}
