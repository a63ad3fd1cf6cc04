package org.stellaops.core.decider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.json.Json;
import org.stellaops.core.policy.Policy;

/**
 * What the advisory data covers: gaps (rpm packages with only Debian data, Ubuntu packages, nothing loaded at all) are
 * listed in the report and make the image warn, or fail when asked; waivers say when they expire.
 */
class DeciderCoverageTest {
    static final Decider.Image IMAGE = new Decider.Image("registry.example/mixed", "sha256:" + "c".repeat(64), null, null);
    static final Instant AS_OF = Instant.parse("2026-11-27T00:00:00Z");
    static final Decider.Component RPM = new Decider.Component(
            "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&upstream=openssl-3.0.7-24.el9.src.rpm",
            "sha256:" + "2".repeat(64), "var/lib/rpm/rpmdb.sqlite", null, Set.of());
    /** Fixed in bookworm by 3.0.13-1~deb12u1 (a finding that no waiver touches would make the image warn on its own). */
    static final Decider.Component DEBIAN = new Decider.Component(
            "pkg:deb/debian/libssl3@3.0.13-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl",
            "sha256:" + "0".repeat(64), "var/lib/dpkg/status", null, Set.of());
    static final Decider.Component UBUNTU = new Decider.Component(
            "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.13?arch=amd64&distro=ubuntu-22.04", "sha256:" + "3".repeat(64),
            "var/lib/dpkg/status", null, Set.of());

    static FeedSet debianOnly() throws Exception {
        return new FeedSet().load(SharedData.dir().resolve("debian/tracker"));
    }

    static Policy policy(String coverage) {
        return Policy.parse("version: \"1.0\"\n" + coverage + "rules: []\n", "policy.yaml");
    }

    static Decider.Result decide(List<Decider.Component> components, FeedSet feeds, Policy policy, boolean failOnUncovered) {
        return Decider.decide(IMAGE, components, feeds, List.of(), Map.of(), policy, null, AS_OF,
                new Decider.Options(failOnUncovered));
    }

    static JsonNode entry(Decider.Result r, String id) throws Exception {
        for (JsonNode e : Json.mapper().readTree(r.report()).path("coverage").path("entries")) {
            if (e.path("id").asText().equals(id)) {
                return e;
            }
        }
        throw new AssertionError(id + " is not in the coverage of the report");
    }

    @Test
    void anRpmPackageWithOnlyDebianDataIsNotCoveredWarnsByDefaultAndFailsWhenAsked() throws Exception {
        List<Decider.Component> components = List.of(DEBIAN, RPM);
        FeedSet feeds = debianOnly();
        Decider.Result byDefault = decide(components, feeds, policy(""), false);
        assertThat(byDefault.findings()).as("libssl3 3.0.13-1~deb12u1 carries every fix in the data").isEmpty();
        assertThat(byDefault.verdict()).isEqualTo("warn");
        JsonNode rpm = entry(byDefault, "rpm/redhat/rhel-9.3");
        assertThat(rpm.path("covered").asBoolean()).isFalse();
        assertThat(rpm.path("components").asInt()).isEqualTo(1);
        assertThat(rpm.path("reason").asText()).isEqualTo("no loaded advisory has data for rhel-9 (rhel-9.3)");
        assertThat(rpm.path("accepted").asBoolean()).isFalse();
        JsonNode deb = entry(byDefault, "deb/debian/debian-12");
        assertThat(deb.path("covered").asBoolean()).isTrue();
        assertThat(deb.path("advisories").asInt()).isPositive();
        assertThat(deb.has("accepted")).isFalse();
        JsonNode coverage = Json.mapper().readTree(byDefault.report()).path("coverage");
        assertThat(coverage.path("uncovered").asText()).isEqualTo("warn");
        assertThat(coverage.path("setBy").asText()).isEqualTo("default");
        assertThat(coverage.path("verdict").asText()).isEqualTo("warn");
        assertThat(Json.mapper().readTree(byDefault.report()).path("verdict").asText()).isEqualTo("warn");
        assertThat(byDefault.diagnostics()).contains("not covered: rpm/redhat/rhel-9.3 (1 component): "
                + "no loaded advisory has data for rhel-9 (rhel-9.3)");

        Decider.Result byPolicy = decide(components, feeds, policy("coverage: {uncovered: fail}\n"), false);
        assertThat(byPolicy.verdict()).isEqualTo("fail");
        assertThat(Json.mapper().readTree(byPolicy.report()).path("coverage").path("setBy").asText()).isEqualTo("policy");

        Decider.Result byOption = decide(components, feeds, policy(""), true);
        assertThat(byOption.verdict()).isEqualTo("fail");
        assertThat(Json.mapper().readTree(byOption.report()).path("coverage").path("setBy").asText()).isEqualTo("option");

        Decider.Result allowed = decide(components, feeds, policy("coverage: {uncovered: fail, allow: [\"rpm/*\"]}\n"), true);
        assertThat(allowed.verdict()).as("an accepted gap is listed and never raises the verdict").isEqualTo("pass");
        assertThat(entry(allowed, "rpm/redhat/rhel-9.3").path("accepted").asBoolean()).isTrue();

        Decider.Result covered = decide(List.of(DEBIAN), feeds, policy("coverage: {uncovered: fail}\n"), true);
        assertThat(covered.verdict()).as("no gap: the findings decide").isEqualTo("pass");

        // deterministic: the same decision gives the same bytes
        assertThat(decide(components, debianOnly(), policy(""), false).report()).isEqualTo(byDefault.report());
    }

    @Test
    void anUbuntuPackageIsNotCoveredByDebianDataAndGetsNoDebianFindings() throws Exception {
        Decider.Result r = decide(List.of(DEBIAN, UBUNTU), debianOnly(), policy("coverage: {uncovered: fail}\n"), false);
        assertThat(r.findings()).noneMatch(d -> d.finding().purl().startsWith("pkg:deb/ubuntu/"));
        JsonNode ubuntu = entry(r, "deb/ubuntu/ubuntu-22.04");
        assertThat(ubuntu.path("covered").asBoolean()).isFalse();
        assertThat(ubuntu.path("reason").asText()).isEqualTo("no loaded advisory has data for ubuntu-22.04");
        assertThat(entry(r, "deb/debian/debian-12").path("covered").asBoolean()).isTrue();
        assertThat(r.verdict()).isEqualTo("fail");
    }

    @Test
    void zeroAdvisoriesLoadedCoversNothing() throws Exception {
        FeedSet kevOnly = new FeedSet().load(SharedData.dir().resolve("kev/known_exploited_vulnerabilities.json"));
        assertThat(kevOnly.advisories()).isEmpty();
        List<Decider.Component> components = List.of(DEBIAN, DeciderTest.COMPONENTS.get(0));
        Decider.Result r = decide(components, kevOnly, policy(""), false);
        assertThat(r.findings()).isEmpty();
        assertThat(r.verdict()).as("nothing to judge by is no clean pass").isEqualTo("warn");
        for (String id : List.of("deb/debian/debian-12", "maven")) {
            assertThat(entry(r, id).path("covered").asBoolean()).isFalse();
            assertThat(entry(r, id).path("reason").asText()).isEqualTo("no advisories are loaded");
        }
        assertThat(decide(components, kevOnly, policy(""), true).verdict()).isEqualTo("fail");
        // an ecosystem no loaded feed covers, next to one that is covered
        FeedSet osv = new FeedSet().load(SharedData.dir().resolve("osv/maven"));
        Decider.Result cargo = decide(List.of(DeciderTest.COMPONENTS.get(0),
                new Decider.Component("pkg:maven/org.example/unnamed", "sha256:" + "1".repeat(64), "app/lib/unnamed.jar", null, Set.of()),
                new Decider.Component("pkg:cargo/smallvec@1.6.0", "sha256:" + "1".repeat(64), "app/bin", null, Set.of())),
                osv, policy("coverage: {uncovered: fail}\n"), false);
        assertThat(entry(cargo, "maven").path("covered").asBoolean()).isTrue();
        assertThat(entry(cargo, "maven").path("components").asInt()).isEqualTo(2);
        assertThat(entry(cargo, "maven").path("withoutVersion").asInt()).as("a component without version matches nothing").isEqualTo(1);
        assertThat(entry(cargo, "cargo").has("withoutVersion")).isFalse();
        assertThat(entry(cargo, "cargo").path("reason").asText()).isEqualTo("no loaded advisory has data for cargo packages");
        assertThat(cargo.verdict()).isEqualTo("fail");
    }

    @Test
    void theResultSaysWhenTheEarliestWaiverThatDecidedSomethingExpires() throws Exception {
        Policy p = Policy.parse("""
                version: "1.0"
                rules:
                  - name: Expired long ago
                    cves: [CVE-2021-44228]
                    action: {type: ignore, until: "2026-01-31", justification: "old"}
                  - name: Log4Shell until noon
                    cves: [CVE-2021-44228]
                    action: {type: ignore, until: "2026-12-15T12:00:00Z", justification: "patched by config"}
                  - name: Unused, earlier
                    cves: [CVE-1999-0001]
                    action: {type: ignore, until: "2026-12-01", justification: "matches nothing"}
                  - name: Distro will not fix
                    fixState: [will-not-fix]
                    action: {type: ignore, until: "2027-12-31", justification: "tracked with the distro"}
                """, "policy.yaml");
        Decider.Result r = Decider.decide(IMAGE, DeciderTest.COMPONENTS, DeciderTest.feeds(), List.of(), Map.of(), p, "prod", AS_OF);
        assertThat(r.findings()).anyMatch(d -> d.verdict().rule() != null && d.verdict().rule().equals("Log4Shell until noon"));
        assertThat(r.waiverExpiry()).isEqualTo(Instant.parse("2026-12-15T12:00:00Z"));
        assertThat(r.waiverExpiryDay()).as("decided as of a day's start, the waiver still holds on the 15th")
                .isEqualTo(LocalDate.parse("2026-12-16"));
        // once it has expired, the next one is the distro waiver: the day after its until date
        Decider.Result later = Decider.decide(IMAGE, DeciderTest.COMPONENTS, DeciderTest.feeds(), List.of(), Map.of(), p, "prod",
                Instant.parse("2026-12-16T00:00:00Z"));
        assertThat(later.waiverExpiry()).isEqualTo(Instant.parse("2028-01-01T00:00:00Z"));
        assertThat(later.waiverExpiryDay()).isEqualTo(LocalDate.parse("2028-01-01"));
        Decider.Result none = Decider.decide(IMAGE, DeciderTest.COMPONENTS, DeciderTest.feeds(), List.of(), Map.of(),
                policy(""), "prod", AS_OF);
        assertThat(none.waiverExpiry()).isNull();
        assertThat(none.waiverExpiryDay()).isNull();
    }
}
