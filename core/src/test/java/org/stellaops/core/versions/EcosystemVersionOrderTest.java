package org.stellaops.core.versions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Version order of the language ecosystems: PEP 440 against pypa/packaging (pip's copy) and RubyGems against Ruby's
 * Gem::Version on every pair of a corpus; SemVer, Go, Maven and NuGet against their specifications' examples.
 */
class EcosystemVersionOrderTest {

    private static List<Integer> oracle(List<String> cmd, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> !l.isBlank()).map(Integer::parseInt).toList();
    }

    private static void agreeOnAllPairs(List<String> corpus, List<Integer> expected, VersionScheme scheme) {
        assertThat(expected).hasSize(corpus.size() * corpus.size());
        int k = 0;
        for (String a : corpus) {
            for (String b : corpus) {
                assertThat(scheme.compare(a, b)).as("%s: %s vs %s", scheme, a, b).isEqualTo(expected.get(k++));
            }
        }
    }

    static final List<String> PEP440 = List.of("1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
            "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0c1.dev456", "1.0c1",
            "1.0rc2", "1.0c3", "1.0", "1.0.post456.dev34", "1.0.post456", "1.1.dev1", "1.2+123abc", "1.2+123abc456",
            "1.2+abc", "1.2+abc123", "1.2+abc123def", "1.2+1234.abc", "1.2+123456", "1.2.r32+123456", "1.2.rev33+123456",
            "1!1.0", "1!1.0.post1", "1.0.0", "1.0.0.0", "v1.0", "2.0.0-1", "1.0-ALPHA-1", "1.0_pre_2", "2022.1",
            "0.9.8", "2.28.0", "2.28.0rc1", "1.16.0");

    @Test
    void pep440AgreesWithPackaging() throws Exception {
        StringBuilder py = new StringBuilder("from pip._vendor.packaging.version import Version\nvs = [");
        for (String v : PEP440) {
            py.append('"').append(v).append("\",");
        }
        py.append("]\nfor a in vs:\n    for b in vs:\n        x, y = Version(a), Version(b)\n"
                + "        print(-1 if x < y else (0 if x == y else 1))\n");
        agreeOnAllPairs(PEP440, oracle(List.of("python3", "-"), py.toString()), VersionScheme.PYPI);
        assertThatThrownBy(() -> VersionScheme.PYPI.compare("1.0", "not-a-version"))
                .isInstanceOf(InvalidVersionException.class).hasMessageContaining("not-a-version");
    }

    static final List<String> GEMS = List.of("1.0", "1.0.0", "1.0.a", "1.0.a1", "1.0.a.2", "1.0.b1", "1.0.rc1", "1.0.0.pre",
            "1-pre", "1.0.1", "1.1", "1.10", "1.9", "2.2.22", "2.2.3", "0.9.9.9", "5.0.0.beta1", "5.0.0.beta10",
            "5.0.0.rc1", "5.0.0", "1.a", "1.0.0.1", "3.2.1-alpha.1");

    @Test
    void rubyGemsAgreesWithGemVersion() throws Exception {
        StringBuilder rb = new StringBuilder("vs = [");
        for (String v : GEMS) {
            rb.append('"').append(v).append("\",");
        }
        rb.append("]\nvs.each { |a| vs.each { |b| puts(Gem::Version.new(a) <=> Gem::Version.new(b)) } }\n");
        agreeOnAllPairs(GEMS, oracle(List.of("ruby", "-e", rb.toString().replace("\n", ";")), ""), VersionScheme.GEM);
    }

    private static void ascending(VersionScheme s, String... versions) {
        List<String> v = new ArrayList<>(List.of(versions));
        for (int i = 0; i + 1 < v.size(); i++) {
            assertThat(s.compare(v.get(i), v.get(i + 1))).as("%s: %s < %s", s, v.get(i), v.get(i + 1)).isNegative();
            assertThat(s.compare(v.get(i + 1), v.get(i))).as("%s: %s > %s", s, v.get(i + 1), v.get(i)).isPositive();
        }
    }

    @Test
    void semverPrecedenceOfTheSpecification() {
        // semver.org 2.0.0, §11
        ascending(VersionScheme.SEMVER, "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1");
        assertThat(VersionScheme.SEMVER.compare("1.0.0+build.1", "1.0.0+build.2")).isZero();
    }

    @Test
    void goModuleVersions() {
        // golang.org/ref/mod: pseudo-versions are pre-releases, +incompatible is build metadata
        ascending(VersionScheme.GO, "v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", "v1.2.3-pre",
                "v1.2.3", "v1.10.0", "v2.0.0+incompatible", "v2.0.1");
        assertThat(VersionScheme.GO.compare("v2.0.0+incompatible", "v2.0.0")).isZero();
        assertThatThrownBy(() -> VersionScheme.GO.compare("1.2.3", "v1.2.3")).isInstanceOf(InvalidVersionException.class);
    }

    @Test
    void mavenComparableVersion() {
        // examples of Maven's version order specification (ComparableVersion)
        ascending(VersionScheme.MAVEN, "1-alpha", "1-beta", "1-milestone", "1-rc", "1-snapshot", "1", "1-sp", "1.0.1",
                "2.14.1", "2.17.1", "5.2.20.RELEASE", "5.3.0");
        assertThat(VersionScheme.MAVEN.compare("1.0", "1")).isZero();
        assertThat(VersionScheme.MAVEN.compare("1.0-GA", "1.0-final")).isZero();
    }

    @Test
    void nugetVersions() {
        ascending(VersionScheme.NUGET, "1.0.0-alpha", "1.0.0-Beta", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1", "13.0.1");
        assertThat(VersionScheme.NUGET.compare("1.0", "1.0.0.0")).isZero();
        assertThat(VersionScheme.NUGET.compare("1.0.0-BETA", "1.0.0-beta")).isZero();
        assertThat(VersionScheme.NUGET.compare("1.0.0+abc", "1.0.0")).isZero();
    }

    @Test
    void schemesByPurlType() {
        assertThat(VersionScheme.forPurlType("npm")).isEqualTo(VersionScheme.SEMVER);
        assertThat(VersionScheme.forPurlType("deb").compare("1:1.0", "2.0")).isPositive();
        assertThat(VersionScheme.forPurlType("rpm").compare("1.0-1.el9", "1.0-2.el9")).isNegative();
        assertThatThrownBy(() -> VersionScheme.forPurlType("swift")).hasMessageContaining("swift");
    }
}
