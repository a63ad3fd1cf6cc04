package org.stellaops.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stellaops.core.model.Finding;
import org.stellaops.core.vex.VexConsensus;
import org.stellaops.core.vex.VexParser;
import org.stellaops.core.vex.VexStatement;

class PolicyTest {
    static final PolicyEngine.Context CTX = new PolicyEngine.Context("prod", "registry.example/shop/api",
            "sha256:" + "a".repeat(64), LocalDate.parse("2026-11-27").atStartOfDay(ZoneOffset.UTC).toEpochSecond());

    static Finding finding(String id, String purl, String severity, String fixState, boolean kev, Double epss) {
        return new Finding(id, List.of(id), purl, "1", List.of(), fixState, null, severity, "ghsa", "only source",
                List.of(), kev, epss, "sha256:" + "b".repeat(64), "app/lib/x.jar", "range", List.of("osv"));
    }

    static PolicyEngine.Input in(Finding f) {
        return new PolicyEngine.Input(f, null, false);
    }

    @Test
    void lintReportsCodesPathsAndSeverities() {
        Policy p = Policy.parse("""
                version: "1.0"
                rules:
                  - name: Quiet dev
                    environments: [dev]
                    action: ignore
                  - name: Broken
                    severity: [Critical, Bogus]
                    action:
                      type: ignore
                      until: next-tuesday
                      justification: because
                  - name: Odd
                    colour: red
                    action: block
                """, "p.yaml");
        assertThat(p.valid()).isFalse();
        assertThat(p.diagnostics()).anyMatch(d -> d.isError() && d.path().equals("$.rules[1].severity[1]"));
        assertThat(p.diagnostics()).anyMatch(d -> d.code().equals("policy.rule.until.format") && d.path().equals("$.rules[1].action.until"));
        assertThat(p.diagnostics()).anyMatch(d -> d.isError() && d.path().equals("$.rules[2]") && d.message().contains("colour"));
        assertThat(p.diagnostics()).anyMatch(d -> !d.isError() && d.code().equals("policy.rule.ignore.no_justification"));
        assertThatThrownBy(() -> PolicyEngine.evaluate(p, List.of(), CTX)).hasMessageContaining("never applied");
        assertThat(Policy.parse("version: '1.0'\nrules: [: bad", "y.yaml").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.code()).isEqualTo("policy.yaml.malformed"));
    }

    @Test
    void canonicalFormAndDigestIgnoreSpellingButNotOrder() {
        Policy a = Policy.parse("version: \"1.0\"\nrules:\n  - name: B\n    severity: [High, critical]\n    action: block\n", "a");
        Policy b = Policy.parse("rules:\n  - action: {type: fail}\n    severity: [CRITICAL, HIGH, High]\n    name: B\nversion: '1.0'\n", "b");
        assertThat(a.valid()).isTrue();
        assertThat(a.digest()).startsWith("sha256:").isEqualTo(b.digest());
        assertThat(a.canonicalJson()).contains("\"severity\":[\"CRITICAL\",\"HIGH\"]").contains("\"type\":\"fail\"");
        Policy two = Policy.parse("version: \"1.0\"\nrules:\n  - {name: X, action: warn}\n  - {name: Y, action: fail}\n", "c");
        Policy swapped = Policy.parse("version: \"1.0\"\nrules:\n  - {name: Y, action: fail}\n  - {name: X, action: warn}\n", "d");
        assertThat(two.digest()).isNotEqualTo(swapped.digest());
    }

    @Test
    void theAdmissionSectionIsAcceptedAndLeavesTheDigestAlone() {
        // a Policy resource with an admission section is serialized with it; the verdict does not depend on it
        Policy plain = Policy.parse("version: \"1.0\"\nrules: [{name: r, severity: [critical], action: block}]\n", "plain");
        Policy withAdmission = Policy.parse("version: \"1.0\"\nadmission: {mode: enforce, unknown: scan, priority: 5}\n"
                + "rules: [{name: r, severity: [critical], action: block}]\n", "admission");
        assertThat(withAdmission.valid()).as(withAdmission.diagnostics().toString()).isTrue();
        assertThat(withAdmission.digest()).isEqualTo(plain.digest());
        assertThat(withAdmission.canonicalJson()).doesNotContain("admission");
    }

    @Test
    void coverageIsLintedAndPartOfTheCanonicalDigestOnlyWhenItChangesSomething() {
        Policy none = Policy.parse("version: \"1.0\"\nrules: []\n", "none");
        Policy warn = Policy.parse("version: \"1.0\"\ncoverage: {uncovered: warn}\nrules: []\n", "warn");
        Policy fail = Policy.parse("version: \"1.0\"\ncoverage: {uncovered: fail}\nrules: []\n", "fail");
        Policy allow = Policy.parse("version: \"1.0\"\ncoverage:\n  uncovered: fail\n  allow: [rpm/*, generic, generic]\nrules: []\n", "a");
        Policy allowSorted = Policy.parse("version: \"1.0\"\ncoverage: {allow: [generic, rpm/*], uncovered: fail}\nrules: []\n", "b");
        assertThat(List.of(none, warn, fail, allow, allowSorted)).allMatch(Policy::valid);
        assertThat(none.coverage()).isEqualTo(Policy.Coverage.DEFAULT);
        assertThat(warn.digest()).as("the default spelled out is the default").isEqualTo(none.digest());
        assertThat(fail.digest()).isNotEqualTo(none.digest());
        assertThat(fail.coverage().uncovered()).isEqualTo("fail");
        assertThat(fail.canonicalJson()).contains("\"coverage\":{\"uncovered\":\"fail\"}");
        assertThat(allow.digest()).isEqualTo(allowSorted.digest()).isNotEqualTo(fail.digest());
        assertThat(allow.coverage().allow()).containsExactly("generic", "rpm/*");
        assertThat(allow.coverage().allows("rpm/redhat/rhel-9.3")).isTrue();
        assertThat(allow.coverage().allows("generic")).isTrue();
        assertThat(allow.coverage().allows("deb/ubuntu/ubuntu-22.04")).isFalse();

        Policy bad = Policy.parse("version: \"1.0\"\ncoverage: {uncovered: ignore, colour: red}\nrules: []\n", "bad");
        assertThat(bad.valid()).isFalse();
        assertThat(bad.diagnostics()).anyMatch(d -> d.isError() && d.path().equals("$.coverage.uncovered"))
                .anyMatch(d -> d.isError() && d.path().equals("$.coverage") && d.message().contains("colour"));
        Policy everything = Policy.parse("version: \"1.0\"\ncoverage: {uncovered: fail, allow: [\"*\"]}\nrules: []\n", "e");
        assertThat(everything.valid()).isTrue();
        assertThat(everything.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("policy.coverage.allow.everything");
            assertThat(d.isError()).isFalse();
        });
        Policy implicit = Policy.parse("version: \"1.0\"\ncoverage: {allow: [generic]}\nrules: []\n", "i");
        assertThat(implicit.diagnostics()).anyMatch(d -> d.code().equals("policy.coverage.uncovered.implicit"));
        assertThat(implicit.coverage().uncovered()).isEqualTo("warn");
    }

    @Test
    void firstMatchingRuleDecidesWaiversExpireAndTheTraceSaysWhy() {
        Policy p = Policy.parse("""
                version: "1.0"
                rules:
                  - name: Old waiver
                    cves: [CVE-2021-44228]
                    action: {type: ignore, until: "2026-01-31", justification: "patched by config"}
                  - name: Waive lodash
                    purls: ["pkg:npm/lodash@*"]
                    action: {type: ignore, until: "2027-06-30", justification: "not reachable"}
                  - name: Block critical and high with a fix
                    severity: [Critical, High]
                    fixState: [fixed]
                    action: block
                  - name: Defer the rest of high
                    severity: [High]
                    action: defer
                """, "p.yaml");
        assertThat(p.valid()).as(p.diagnostics().toString()).isTrue();
        List<PolicyEngine.Verdict> v = PolicyEngine.evaluate(p, List.of(
                in(finding("CVE-2021-44228", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "CRITICAL", "fixed", true, 0.97)),
                in(finding("CVE-2021-23337", "pkg:npm/lodash@4.17.20", "HIGH", "fixed", false, null)),
                in(finding("CVE-2023-7008", "pkg:deb/debian/libsystemd0@252", "HIGH", "will-not-fix", false, null)),
                in(finding("CVE-2000-1", "pkg:npm/x@1", "LOW", "fixed", false, null))), CTX);
        assertThat(v).extracting(PolicyEngine.Verdict::verdict).containsExactly("fail", "ignore", "defer", "warn");
        assertThat(v.get(0).explain()).anyMatch(s -> s.contains("waiver expired on 2026-01-31"));
        assertThat(v.get(0).rule()).isEqualTo("Block critical and high with a fix");
        assertThat(v.get(1).explain()).anyMatch(s -> s.contains("not reachable") && s.contains("until 2027-06-30"));
        assertThat(PolicyEngine.overall(v)).isEqualTo("fail");
    }

    @Test
    void escalationByKevAndEpss() {
        Policy p = Policy.parse("""
                version: "1.0"
                rules:
                  - name: KEV is critical
                    action: {type: escalate, severity: Critical, kev: true, epss: 0.5}
                  - name: Block critical
                    severity: [Critical]
                    action: block
                """, "p.yaml");
        List<PolicyEngine.Verdict> v = PolicyEngine.evaluate(p, List.of(
                in(finding("CVE-1", "pkg:npm/a@1", "MEDIUM", "fixed", true, null)),
                in(finding("CVE-2", "pkg:npm/b@1", "LOW", "fixed", false, 0.6)),
                in(finding("CVE-3", "pkg:npm/c@1", "LOW", "fixed", false, 0.1))), CTX);
        assertThat(v).extracting(PolicyEngine.Verdict::verdict).containsExactly("fail", "fail", "warn");
        assertThat(v.get(0).severity()).isEqualTo("CRITICAL");
        assertThat(v.get(0).explain()).anyMatch(s -> s.contains("escalates MEDIUM to CRITICAL (in KEV)"));
    }

    @Test
    void vexSuppressionAndRequireVex() {
        String digest = CTX.imageDigest();
        List<VexStatement> st = VexParser.parse(("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"urn:t\", \"author\": \"Shop Team\","
                + " \"timestamp\": \"2026-11-01T00:00:00Z\", \"version\": 1, \"statements\": [{\"vulnerability\": {\"name\": \"CVE-2021-44228\"},"
                + " \"products\": [{\"@id\": \"" + digest + "\"}], \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_present\"}]}").getBytes(), "v");
        Finding log4j = finding("CVE-2021-44228", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "CRITICAL", "fixed", true, null);
        VexConsensus.Decision d = new VexConsensus(st, Map.of(), 1.0, 0.5).decide(Set.of("CVE-2021-44228"), log4j.purl(), Set.of(digest));
        Policy block = Policy.parse("version: \"1.0\"\nrules:\n  - {name: Block critical, severity: [Critical], action: block}\n", "p");
        PolicyEngine.Verdict suppressed = PolicyEngine.evaluate(block, List.of(new PolicyEngine.Input(log4j, d, false)), CTX).get(0);
        assertThat(suppressed.verdict()).isEqualTo("suppressed");
        assertThat(suppressed.explain()).anyMatch(s -> s.contains("Shop Team") && s.contains("not_affected"));
        Policy strict = Policy.parse("""
                version: "1.0"
                rules:
                  - name: Only the vendor may waive log4j
                    purls: ["pkg:maven/org.apache.logging.log4j/*"]
                    action: {type: requireVex, vendors: [Apache Software Foundation]}
                """, "p");
        PolicyEngine.Verdict rejected = PolicyEngine.evaluate(strict, List.of(new PolicyEngine.Input(log4j, d, false)), CTX).get(0);
        assertThat(rejected.verdict()).isEqualTo("fail");
        assertThat(rejected.explain()).anyMatch(s -> s.contains("not accepted") && s.contains("Apache Software Foundation"));
    }

    @Test
    void previewShowsTheVerdictsThatChange() {
        Policy lenient = Policy.parse("version: \"1.0\"\nrules:\n  - {name: Warn all, action: warn}\n", "a");
        Policy strict = Policy.parse("version: \"1.0\"\nrules:\n  - {name: Block high, severity: [High], action: block}\n  - {name: Warn all, action: warn}\n", "b");
        List<PolicyEngine.Input> inputs = List.of(in(finding("CVE-1", "pkg:npm/a@1", "HIGH", "fixed", false, null)),
                in(finding("CVE-2", "pkg:npm/b@1", "LOW", "fixed", false, null)));
        List<String[]> diffs = PolicyEngine.preview(lenient, strict, inputs, CTX);
        assertThat(diffs).singleElement().satisfies(d -> assertThat(d).containsExactly("CVE-1|pkg:npm/a@1|app/lib/x.jar", "warn", "fail"));
    }
}
