package org.stellaops.core.decider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stellaops.core.json.Json;
import org.stellaops.core.policy.Policy;

/**
 * The policy's {@code usedByEntrypoint} matcher, fed from the SBOM's {@code stella:usedByEntrypoint} property: a rule for
 * unused components changes the verdict of Log4Shell (real OSV/NVD/KEV data of shared/data) only where the trace proved
 * the jar unreached; without a trace the component counts as used.
 */
class DeciderUsageTest {
    static final String JAR = "app/lib/log4j-core-2.14.1.jar!/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties";
    static final Policy POLICY = Policy.parse("""
            version: "1.0"
            rules:
              - name: Not reached from the entrypoint
                usedByEntrypoint: false
                action: warn
              - name: Block critical with a fix
                severity: [Critical]
                fixState: [fixed]
                action: block
            """, "policy.yaml");

    static Decider.Result decide(Boolean used, String chain) throws Exception {
        Decider.Component c = new Decider.Component("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "sha256:" + "1".repeat(64), JAR, null, Set.of(), used, chain);
        return Decider.decide(new Decider.Image("registry.example/shop", "sha256:" + "e".repeat(64), null, null), List.of(c),
                DeciderTest.feeds(), List.of(), Map.of(), POLICY, "prod", Instant.parse("2026-11-27T10:00:00Z"));
    }

    static Decider.Decided log4shell(Decider.Result r) {
        return r.findings().stream().filter(d -> d.finding().vulnerability().equals("CVE-2021-44228")).findFirst().orElseThrow();
    }

    @Test
    void unusedComponentIsJudgedByTheUsageRule() throws Exception {
        Decider.Result unused = decide(false, null);
        assertThat(log4shell(unused).verdict().verdict()).isEqualTo("warn");
        assertThat(log4shell(unused).verdict().rule()).isEqualTo("Not reached from the entrypoint");
        assertThat(unused.verdict()).isNotEqualTo("fail");

        String chain = "/docker-entrypoint.sh (entrypoint) → /app/lib/log4j-core-2.14.1.jar (java -jar /app/lib/log4j-core-2.14.1.jar)";
        Decider.Result used = decide(true, chain);
        assertThat(log4shell(used).verdict().verdict()).isEqualTo("fail");
        assertThat(used.verdict()).isEqualTo("fail");
        JsonNode report = Json.mapper().readTree(used.report());
        JsonNode f = null;
        for (JsonNode n : report.path("findings")) {
            if (n.path("vulnerability").asText().equals("CVE-2021-44228")) {
                f = n;
            }
        }
        assertThat(f).isNotNull();
        assertThat(f.path("usedByEntrypoint").asBoolean()).isTrue();
        assertThat(f.path("explain").toString()).contains("reached from the entrypoint: " + chain);

        Decider.Result unknown = decide(null, null); // no trace: never treated as unused
        assertThat(log4shell(unknown).verdict().verdict()).isEqualTo("fail");
        assertThat(Json.mapper().readTree(unknown.report()).toString()).doesNotContain("usedByEntrypoint");
    }

    @Test
    void cycloneDxPropertyFeedsTheDecider() throws Exception {
        JsonNode bom = Json.mapper().readTree("""
                {"components": [
                  {"purl": "pkg:npm/lodash@4.17.20", "properties": [{"name": "stella:usedByEntrypoint", "value": "false"}]},
                  {"purl": "pkg:npm/minimist@1.2.5", "properties": [{"name": "stella:usedByEntrypoint", "value": "true"},
                    {"name": "stella:usedByEntrypoint:chain", "value": "/app/server.js"}]},
                  {"purl": "pkg:npm/qs@6.7.0"}]}
                """);
        List<Decider.Component> cs = SbomComponents.fromCycloneDx(bom);
        assertThat(cs.get(0).usedByEntrypoint()).isFalse();
        assertThat(cs.get(0).used()).isFalse();
        assertThat(cs.get(1).usedByEntrypoint()).isTrue();
        assertThat(cs.get(1).usageChain()).isEqualTo("/app/server.js");
        assertThat(cs.get(2).usedByEntrypoint()).isNull();
        assertThat(cs.get(2).used()).isTrue();
    }
}
