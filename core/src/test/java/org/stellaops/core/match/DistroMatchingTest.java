package org.stellaops.core.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.advisories.AdvisoryFormatException;
import org.stellaops.core.advisories.AlpineSecdbParser;
import org.stellaops.core.advisories.DebianTrackerParser;

/** Debian Security Tracker and Alpine secdb documents of shared/data matched against OS package purls. */
class DistroMatchingTest {
    static DistroMatcher matcher;

    @BeforeAll
    static void load() throws IOException {
        List<Advisory> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SharedData.dir().resolve("debian/tracker"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json") && !p.endsWith("distributions.json")).sorted().toList()) {
                all.addAll(DebianTrackerParser.parse(Files.readAllBytes(f), f.toString()));
            }
        }
        Path secdb = SharedData.dir().resolve("alpine/v3.19/main.json");
        all.addAll(AlpineSecdbParser.parse(Files.readAllBytes(secdb), secdb.toString()));
        matcher = new DistroMatcher(all, new org.stellaops.core.advisories.AliasGroups(all)::key);
    }

    private static DistroMatcher.Match find(String purl, String id) {
        return matcher.match(purl).stream().filter(m -> m.advisory().id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " does not match " + purl));
    }

    private static List<String> ids(String purl) {
        return matcher.match(purl).stream().map(m -> m.advisory().id()).toList();
    }

    @Test
    void noDsaIsWillNotFixNotFixable() {
        DistroMatcher.Match m = find("pkg:deb/debian/libsystemd0@252.38-1~deb12u1?arch=amd64&distro=debian-12&upstream=systemd",
                "CVE-2023-7008");
        assertThat(m.fixState()).isEqualTo("will-not-fix");
        assertThat(m.line().distroStatus()).isEqualTo("no-dsa");
        assertThat(m.fixedVersion()).isNull();
    }

    @Test
    void bySourcePackageAndReleaseLine() {
        String old = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl";
        DistroMatcher.Match m = find(old, "CVE-2024-0727");
        assertThat(m.fixState()).isEqualTo("fixed");
        assertThat(m.fixedVersion()).isEqualTo("3.0.13-1~deb12u1"); // bookworm's own line, not unstable's 3.1.5-1
        assertThat(m.sourceName()).isEqualTo("openssl");
        assertThat(ids("pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"))
                .doesNotContain("CVE-2024-0727", "CVE-2022-3602", "CVE-2023-0286");
        // buster's line says postponed
        assertThat(find("pkg:deb/debian/libssl1.1@1.1.1n-0+deb10u6?arch=amd64&distro=debian-10&upstream=openssl",
                "CVE-2024-0727").fixState()).isEqualTo("postponed");
    }

    @Test
    void releasesWithoutALineFallBackToUnstableAndDsasGiveTheReleaseFix() {
        // the CVE entry has no bookworm line; DSA-5523-1 fixed curl in bookworm in 7.88.1-10+deb12u4
        DistroMatcher.Match m = find("pkg:deb/debian/curl@7.88.1-10+deb12u1?arch=amd64&distro=debian-12", "CVE-2023-38545");
        assertThat(m.fixedVersion()).isEqualTo("7.88.1-10+deb12u4");
        assertThat(m.advisory().summary()).startsWith("DSA-5523-1");
        assertThat(ids("pkg:deb/debian/curl@7.88.1-10+deb12u15?arch=amd64&distro=debian-12")).isEmpty();
        // trixie has no line in either: the unstable line applies
        DistroMatcher.Match t = matcher.match("pkg:deb/debian/curl@8.0.0-1?arch=amd64&distro=debian-13").stream()
                .filter(x -> x.fixedVersion() != null && x.fixedVersion().equals("8.3.0-3")).findFirst().orElseThrow();
        assertThat(t.reason()).contains("unstable line applies");
        // an explicit not-affected line wins over unstable
        assertThat(ids("pkg:deb/debian/curl@7.64.0-4+deb10u2?arch=amd64&distro=debian-10")).doesNotContain("CVE-2023-38545");
    }

    @Test
    void ubuntuPackagesAreNeverJudgedByDebianDataAndTheUnstableFallbackIsDebiansOnly() {
        // curl in Ubuntu 22.04 (jammy): its version sorts below every Debian fix of CVE-2023-38545, but Debian's lines
        // (and the unstable line that stands for Debian releases without one) say nothing about Ubuntu's builds
        assertThat(matcher.match("pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.13?arch=amd64&distro=ubuntu-22.04")).isEmpty();
        assertThat(matcher.match("pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10?arch=amd64&distro=ubuntu-22.04&upstream=openssl"))
                .isEmpty();
        // a qualifier naming a Debian release does not make an Ubuntu package Debian's, nor the other way round
        assertThat(matcher.match("pkg:deb/ubuntu/curl@7.88.1-10+deb12u1?arch=amd64&distro=debian-12")).isEmpty();
        assertThat(matcher.match("pkg:deb/debian/curl@7.81.0-1ubuntu1.13?arch=amd64&distro=ubuntu-22.04")).isEmpty();
        // the Debian packages still match, by their release line and by the unstable fallback
        assertThat(ids("pkg:deb/debian/curl@7.88.1-10+deb12u1?arch=amd64&distro=debian-12")).contains("CVE-2023-38545");
        assertThat(ids("pkg:deb/debian/curl@8.0.0-1?arch=amd64&distro=debian-13")).contains("CVE-2023-38545");
        assertThat(ids("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl")).contains("CVE-2024-0727");
        // what the data covers: Debian releases (trixie through unstable), Alpine 3.19; not Ubuntu, not rpm
        assertThat(matcher.coverage("deb", "debian", "debian-12").covered()).isTrue();
        assertThat(matcher.coverage("deb", "debian", "debian-13").covered()).isTrue();
        assertThat(matcher.coverage("deb", "ubuntu", "ubuntu-22.04"))
                .satisfies(c -> assertThat(c.covered()).isFalse())
                .satisfies(c -> assertThat(c.reason()).isEqualTo("no loaded advisory has data for ubuntu-22.04"));
        assertThat(matcher.coverage("deb", "ubuntu", "debian-12").covered()).isFalse();
        assertThat(matcher.coverage("apk", "alpine", "alpine-3.19.1").covered()).isTrue();
        assertThat(matcher.coverage("apk", "alpine", "alpine-3.20.0").covered()).isFalse();
        assertThat(matcher.coverage("rpm", "redhat", "rhel-9.3").covered()).isFalse();
    }

    @Test
    void unimportantIsNegligibleAndSourceVersionsFromUpstream() {
        DistroMatcher.Match m = find("pkg:deb/debian/perl-base@5.36.0-7+deb12u1?arch=amd64&distro=debian-12&upstream=perl",
                "CVE-2011-4116");
        assertThat(m.fixState()).isEqualTo("not-fixed");
        assertThat(m.negligible()).isTrue();
        // binNMU: the source version in the upstream qualifier is what the tracker's versions refer to
        DistroMatcher.Match b = find("pkg:deb/debian/perl-base@5.36.0-7+deb12u1+b1?arch=amd64&distro=debian-12&upstream=perl%405.36.0-7%2Bdeb12u1",
                "CVE-2023-31484");
        assertThat(b.sourceVersion()).isEqualTo("5.36.0-7+deb12u1");
        assertThat(b.fixedVersion()).isEqualTo("5.36.0-7+deb12u3");
    }

    @Test
    void alpineByOriginAndBranch() {
        String binsh = "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox";
        assertThat(ids(binsh)).contains("CVE-2023-42363", "CVE-2023-42364", "CVE-2023-42365").doesNotContain("CVE-2022-48174");
        assertThat(find(binsh, "CVE-2023-42363").fixedVersion()).isEqualTo("1.36.1-r17");
        assertThat(ids("pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=alpine-3.20.0&upstream=busybox")).isEmpty();
    }

    @Test
    void malformedDistroDocuments() {
        assertThatThrownBy(() -> DebianTrackerParser.parse("{\"Header\": {}}".getBytes(), "CVE-x.json"))
                .isInstanceOf(AdvisoryFormatException.class).hasMessageContaining("CVE-x.json at $.Header.ID");
        assertThatThrownBy(() -> AlpineSecdbParser.parse("{\"packages\": []}".getBytes(), "main.json"))
                .isInstanceOf(AdvisoryFormatException.class).hasMessageContaining("main.json at $.distroversion");
    }
}
