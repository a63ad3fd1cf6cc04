package org.stellaops.core.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.advisories.AliasGroups;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.advisories.RedHatCsafParser;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.json.Json;
import org.stellaops.core.policy.Policy;

/**
 * Red Hat's published CSAF documents (shared/data/redhat-csaf: VEX per CVE and the RHSA-2020:1358 advisory) matched
 * against rpm purls as the scanner writes them (namespace and distro qualifier from os-release, epoch qualifier,
 * upstream = the source rpm file). Expectations are read from the documents by hand.
 */
class RedHatCsafMatchingTest {
    static FeedSet feeds;
    static DistroMatcher matcher;

    @BeforeAll
    static void load() throws Exception {
        feeds = new FeedSet().load(SharedData.dir().resolve("redhat-csaf"));
        matcher = new DistroMatcher(feeds.advisories(), new AliasGroups(feeds.advisories())::key);
    }

    private static List<DistroMatcher.Match> match(String purl) {
        return matcher.match(purl);
    }

    @Test
    void everyRealDocumentIsRecognizedAndReadWithoutDiagnostics() {
        assertThat(feeds.diagnostics()).isEmpty();
        assertThat(feeds.advisories()).allMatch(a -> a.source().equals(RedHatCsafParser.SOURCE));
        // three CVE VEX documents, the newer VEX of CVE-2024-3094, and RHSA-2020:1358's two CVEs
        assertThat(feeds.advisories().stream().map(Advisory::id).sorted().toList()).containsExactly("CVE-2011-4116",
                "CVE-2019-1010022", "CVE-2020-1711", "CVE-2020-7039", "CVE-2024-3094", "CVE-2024-3094");
        Advisory rhsa = feeds.advisories().stream().filter(a -> a.id().equals("CVE-2020-1711")).findFirst().orElseThrow();
        assertThat(rhsa.aliases()).as("an RHSA is no alias: it fixes two CVEs").isEmpty();
        assertThat(rhsa.references()).contains("https://access.redhat.com/errata/RHSA-2020:1358");
        assertThat(rhsa.severities()).extracting(Advisory.Severity::score).containsExactly("HIGH"); // "Important"
        // the NEVRA product id of libvirt's source rpm: epoch 0, the module release; the stream from the AppStream CPE
        assertThat(rhsa.affected()).anySatisfy(af -> {
            assertThat(af.name()).isEqualTo("libvirt");
            assertThat(af.distro()).isEqualTo("rhel-8");
            assertThat(af.distroStatus()).isEqualTo("fixed");
            assertThat(af.ranges().get(0).events().get(1).version()).isEqualTo("0:4.5.0-35.3.module+el8.1.0+5931+8897e7e1");
        });
        // the JBoss product of CVE-2024-3094 is not an RHEL stream and gives no line
        assertThat(feeds.advisories()).flatMap(Advisory::affected).allMatch(af -> af.distro().matches("rhel-\\d+"));
    }

    @Test
    void rhsaFixedVersionsByRpmOrderWithEpochForRhelRockyAndAlma() {
        // libvirt-libs from the 8.1 module before the update: source libvirt, fixed in 4.5.0-35.3.module+el8.1.0+5931…
        String before = "pkg:rpm/rhel/libvirt-libs@4.5.0-35.module%2Bel8.1.0%2B4066%2B0f1aadab?arch=x86_64&distro=rhel-8.1"
                + "&upstream=libvirt-4.5.0-35.module%2Bel8.1.0%2B4066%2B0f1aadab.src.rpm";
        List<DistroMatcher.Match> m = match(before);
        assertThat(m).extracting(x -> x.advisory().id()).containsExactly("CVE-2020-1711", "CVE-2020-7039");
        assertThat(m).allSatisfy(x -> {
            assertThat(x.fixState()).isEqualTo("fixed");
            assertThat(x.fixedVersion()).isEqualTo("0:4.5.0-35.3.module+el8.1.0+5931+8897e7e1");
            assertThat(x.sourceName()).isEqualTo("libvirt");
        });
        // the same package on Rocky Linux 8 and AlmaLinux 8 is judged by the same rhel-8 stream
        assertThat(match(before.replace("pkg:rpm/rhel/", "pkg:rpm/rocky/").replace("rhel-8.1", "rocky-8.5"))).hasSize(2);
        assertThat(match(before.replace("pkg:rpm/rhel/", "pkg:rpm/almalinux/").replace("rhel-8.1", "almalinux-8.5"))).hasSize(2);
        assertThat(match(before.replace("pkg:rpm/rhel/", "pkg:rpm/redhat/"))).hasSize(2);
        // the fixed build itself is not affected; nor is RHEL 9 (no rhel-9 line in the advisory); nor Fedora
        assertThat(match("pkg:rpm/rhel/libvirt-libs@4.5.0-35.3.module%2Bel8.1.0%2B5931%2B8897e7e1?arch=x86_64&distro=rhel-8.2"
                + "&upstream=libvirt-4.5.0-35.3.module%2Bel8.1.0%2B5931%2B8897e7e1.src.rpm")).isEmpty();
        assertThat(match(before.replace("rhel-8.1", "rhel-9.4"))).isEmpty();
        assertThat(match(before.replace("pkg:rpm/rhel/", "pkg:rpm/fedora/").replace("rhel-8.1", "fedora-39"))).isEmpty();
        // qemu-kvm is fixed at epoch 15: the same version-release at epoch 0 sorts before it, at epoch 15 it is the fix
        String qemu = "pkg:rpm/rhel/qemu-kvm@2.12.0-88.module%2Bel8.1.0%2B5708%2B85d8e057.3?arch=x86_64&distro=rhel-8.1"
                + "&upstream=qemu-kvm-2.12.0-88.module%2Bel8.1.0%2B5708%2B85d8e057.3.src.rpm";
        assertThat(match(qemu.replace("?arch=x86_64", "?arch=x86_64&epoch=15"))).isEmpty();
        assertThat(match(qemu)).extracting(DistroMatcher.Match::fixedVersion)
                .containsOnly("15:2.12.0-88.module+el8.1.0+5708+85d8e057.3");
        assertThat(match("pkg:rpm/rhel/qemu-kvm@2.12.0-64.module%2Bel8.1.0%2B4066%2B0f1aadab.2?arch=x86_64&epoch=15"
                + "&distro=rhel-8.1&upstream=qemu-kvm-2.12.0-64.module%2Bel8.1.0%2B4066%2B0f1aadab.2.src.rpm")).hasSize(2);
    }

    @Test
    void vexStatesKnownAffectedWithNoFixPlannedAndKnownNotAffected() {
        // perl on RHEL 6: known_affected with remediation no_fix_planned ("Will not fix"), impact Low
        DistroMatcher.Match perl = match("pkg:rpm/redhat/perl-libs@5.10.1-141.el6_7.1?arch=x86_64&epoch=4&distro=rhel-6.10"
                + "&upstream=perl-5.10.1-141.el6_7.1.src.rpm").get(0);
        assertThat(perl.advisory().id()).isEqualTo("CVE-2011-4116");
        assertThat(perl.fixState()).isEqualTo("will-not-fix");
        assertThat(perl.fixedVersion()).isNull();
        assertThat(perl.reason()).contains("Will not fix");
        assertThat(perl.line().distroSeverity()).isEqualTo("Low");
        // perl has no line for RHEL 9 in that document
        assertThat(match("pkg:rpm/rhel/perl-libs@5.32.1-480.el9?arch=x86_64&epoch=4&distro=rhel-9.4"
                + "&upstream=perl-5.32.1-480.el9.src.rpm")).isEmpty();
        // glibc (CVE-2019-1010022) and xz (CVE-2024-3094) are known_not_affected on RHEL 9: no finding
        assertThat(match("pkg:rpm/rocky/glibc@2.34-100.el9?arch=x86_64&distro=rocky-9.4&upstream=glibc-2.34-100.el9.src.rpm"))
                .isEmpty();
        assertThat(match("pkg:rpm/almalinux/xz-libs@5.2.5-8.el9_0?arch=x86_64&distro=almalinux-9.4"
                + "&upstream=xz-5.2.5-8.el9_0.src.rpm")).isEmpty();
        Advisory xz = feeds.advisories().stream().filter(a -> a.id().equals("CVE-2024-3094")).findFirst().orElseThrow();
        assertThat(xz.affected()).filteredOn(af -> af.distro().equals("rhel-9") && af.name().equals("xz"))
                .extracting(Advisory.Affected::distroStatus, Advisory.Affected::note)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("not-affected", "vulnerable_code_not_present"));
    }

    @Test
    void coverageNamesTheStreamForEveryFamilyMember() {
        assertThat(matcher.coverage("rpm", "rhel", "rhel-9.4").covered()).isTrue();
        assertThat(matcher.coverage("rpm", "rocky", "rocky-9.3").covered()).isTrue();
        assertThat(matcher.coverage("rpm", "almalinux", "almalinux-8.9").covered()).isTrue();
        assertThat(matcher.coverage("rpm", "redhat", "rhel-9.3").covered()).isTrue();
        assertThat(matcher.coverage("rpm", "fedora", "fedora-39").covered()).isFalse();
        assertThat(matcher.coverage("rpm", "rocky", "debian-12").covered()).isFalse();
    }

    @Test
    void theDeciderReportsRedHatFindingsWithFixStatesAndCoversTheRelease() throws Exception {
        Decider.Image image = new Decider.Image("registry.example/rocky", "sha256:" + "d".repeat(64), null, null);
        List<Decider.Component> components = List.of(
                new Decider.Component("pkg:rpm/rocky/libvirt-libs@4.5.0-35.module%2Bel8.1.0%2B4066%2B0f1aadab?arch=x86_64"
                        + "&distro=rocky-8.1&upstream=libvirt-4.5.0-35.module%2Bel8.1.0%2B4066%2B0f1aadab.src.rpm",
                        "sha256:" + "2".repeat(64), "var/lib/rpm/rpmdb.sqlite", null, Set.of()));
        Decider.Result r = Decider.decide(image, components, feeds, List.of(), Map.of(),
                Policy.parse("version: \"1.0\"\nrules: []\n", "policy.yaml"), null, Instant.parse("2026-11-27T00:00:00Z"),
                new Decider.Options(true));
        assertThat(r.findings()).extracting(d -> d.finding().vulnerability()).containsExactly("CVE-2020-1711", "CVE-2020-7039");
        assertThat(r.findings()).allSatisfy(d -> {
            assertThat(d.finding().fixState()).isEqualTo("fixed");
            assertThat(d.finding().severity()).isEqualTo("HIGH");
            assertThat(d.finding().fixedVersions()).containsExactly("0:4.5.0-35.3.module+el8.1.0+5931+8897e7e1");
        });
        var coverage = Json.mapper().readTree(r.report()).path("coverage").path("entries").get(0);
        assertThat(coverage.path("id").asText()).isEqualTo("rpm/rocky/rocky-8.1");
        assertThat(coverage.path("covered").asBoolean()).isTrue();
        assertThat(r.diagnostics()).noneMatch(d -> d.startsWith("not covered"));
    }

    @Test
    void brokenDocumentsBecomeDiagnosticsWithoutTheirContent(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{\"document\": {\"csaf_version\": \"2.0\"}, \"product_tree\": {},"
                + " \"vulnerabilities\": [{\"title\": \"hunter2\"}]}", StandardCharsets.UTF_8);
        FeedSet f = new FeedSet().load(dir);
        assertThat(f.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d).contains("bad.json").contains("$.vulnerabilities[0].cve").contains("missing CVE id");
            assertThat(d).doesNotContain("hunter2");
        });
    }
}
