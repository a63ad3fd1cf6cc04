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
import org.stellaops.core.advisories.OsvParser;

/** The published OSV records of shared/data/osv (GHSA, Go vulndb, PyPA YAML) parsed and matched against purls. */
class OsvMatchingTest {
    static List<Advisory> advisories = new ArrayList<>();
    static AdvisoryMatcher matcher;

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.walk(SharedData.dir().resolve("osv"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                advisories.add(OsvParser.parse(Files.readAllBytes(f), f.toString()));
            }
        }
        matcher = new AdvisoryMatcher(advisories);
    }

    private static List<String> ids(String purl) {
        return matcher.match(purl).stream().map(m -> m.advisory().id()).toList();
    }

    @Test
    void everyPublishedRecordParses() {
        assertThat(advisories.size()).isEqualTo(29); // every file of shared/data/osv
        Advisory log4shell = advisories.stream().filter(a -> a.id().equals("GHSA-jfh8-c2jp-5v3q")).findFirst().orElseThrow();
        assertThat(log4shell.aliases()).containsExactly("CVE-2021-44228");
        assertThat(log4shell.severities()).extracting(Advisory.Severity::type).contains("CVSS_V3", "rating");
        Advisory yaml = advisories.stream().filter(a -> a.id().equals("PYSEC-2023-74")).findFirst().orElseThrow();
        assertThat(yaml.affected()).singleElement().satisfies(a -> assertThat(a.versions()).contains("2.28.0"));
    }

    @Test
    void log4ShellMatchesLog4jCore2141AndNot2171() {
        assertThat(ids("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")).contains("GHSA-jfh8-c2jp-5v3q", "GHSA-7rjr-3q55-vv33");
        assertThat(ids("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1")).isEmpty();
        assertThat(ids("pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1")).contains("GHSA-jfh8-c2jp-5v3q");
        assertThat(ids("pkg:maven/org.apache.logging.log4j/log4j-core@2.3.1")).doesNotContain("GHSA-jfh8-c2jp-5v3q");
        AdvisoryMatcher.Match m = matcher.match("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").stream()
                .filter(x -> x.advisory().id().equals("GHSA-jfh8-c2jp-5v3q")).findFirst().orElseThrow();
        assertThat(m.fixedVersions()).contains("2.15.0");
        assertThat(m.reason()).contains("introduced 2.13.0").contains("fixed 2.15.0");
    }

    @Test
    void ecosystemsOfTheFixtureImage() {
        assertThat(ids("pkg:npm/lodash@4.17.20")).contains("GHSA-35jh-r3h4-6jhm");
        assertThat(ids("pkg:npm/lodash@4.17.21")).isEmpty();
        assertThat(ids("pkg:npm/minimist@1.2.5")).contains("GHSA-xvch-5gv4-984h");
        assertThat(ids("pkg:npm/express@4.17.1")).contains("GHSA-rv95-896h-c2vc");
        assertThat(ids("pkg:pypi/requests@2.28.0")).contains("GHSA-j8r2-6x86-q33q", "PYSEC-2023-74");
        assertThat(ids("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0")).contains("GHSA-57j2-w4cx-62h2", "GHSA-jjjh-jjxp-wpff");
        assertThat(ids("pkg:nuget/Newtonsoft.Json@12.0.3")).contains("GHSA-5crp-9r3c-p9vr");
        assertThat(ids("pkg:nuget/Newtonsoft.Json@13.0.1")).isEmpty();
        assertThat(ids("pkg:gem/nokogiri@1.13.3")).contains("GHSA-crjr-9rc5-ghw8");
    }

    @Test
    void goModulesAndTheStandardLibrary() {
        assertThat(ids("pkg:golang/github.com/gin-gonic/gin@v1.5.0")).contains("GO-2020-0001");
        assertThat(ids("pkg:golang/github.com/gin-gonic/gin@v1.6.0")).isEmpty();
        assertThat(ids("pkg:golang/stdlib@1.21.2")).contains("GO-2023-2102");
        assertThat(ids("pkg:golang/stdlib@1.21.3")).doesNotContain("GO-2023-2102");
        assertThat(ids("pkg:golang/gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b")).contains("GO-2022-0603");
        // withdrawn records never match
        assertThat(ids("pkg:golang/k8s.io/kubernetes@v1.25.0")).doesNotContain("GO-2022-0617");
    }

    @Test
    void malformedRecordsNameTheDocumentAndPath() {
        assertThatThrownBy(() -> OsvParser.parse("{\"id\": \"X-1\", \"affected\": [{\"package\": {\"name\": \"a\"}}]}".getBytes(), "bad.json"))
                .isInstanceOf(AdvisoryFormatException.class).hasMessageContaining("bad.json at $.affected[0].package");
        assertThatThrownBy(() -> OsvParser.parse("{\"id\": ".getBytes(), "cut.json"))
                .isInstanceOf(AdvisoryFormatException.class).hasMessageContaining("cut.json").hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> OsvParser.parse("[1,2]".getBytes(), "array.json")).hasMessageContaining("array.json at $");
    }
}
