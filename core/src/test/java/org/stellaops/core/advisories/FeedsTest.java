package org.stellaops.core.advisories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;

/** KEV, EPSS and NVD documents of shared/data, and merging advisories of several sources by alias. */
class FeedsTest {

    private static byte[] read(String rel) throws IOException {
        return Files.readAllBytes(SharedData.dir().resolve(rel));
    }

    @Test
    void kevCatalog() throws IOException {
        KevCatalog kev = KevCatalog.parse(read("kev/known_exploited_vulnerabilities.json"), "kev.json");
        assertThat(kev.catalogVersion()).isEqualTo("2025.08.25");
        assertThat(kev.entries()).hasSize(1404);
        assertThat(kev.contains("CVE-2021-44228")).isTrue();
        assertThat(kev.contains("CVE-2023-32681")).isFalse();
        assertThatThrownBy(() -> KevCatalog.parse("{\"vulnerabilities\": [{\"cveID\": 5}]}".getBytes(), "k.json"))
                .hasMessageContaining("k.json at $.vulnerabilities[0].cveID");
    }

    @Test
    void epssScores() throws IOException {
        EpssScores epss = EpssScores.parse(read("epss/epss_scores-subset.csv"), "epss.csv");
        assertThat(epss.modelVersion()).isEqualTo("v2026.06.15");
        assertThat(epss.scores()).hasSize(197);
        assertThat(epss.scores().get("CVE-1999-0002").epss()).isEqualTo(0.27858);
        assertThatThrownBy(() -> EpssScores.parse("cve,epss,percentile\nCVE-1,abc,0.1\n".getBytes(), "e.csv"))
                .hasMessageContaining("e.csv at line 2");
    }

    @Test
    void nvdCveObjects() throws IOException {
        List<Advisory> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(SharedData.dir().resolve("nvd"))) {
            for (Path f : files.sorted().toList()) {
                all.addAll(NvdParser.parse(Files.readAllBytes(f), f.toString()));
            }
        }
        assertThat(all).hasSize(10);
        Advisory requests = all.stream().filter(a -> a.id().equals("CVE-2023-32681")).findFirst().orElseThrow();
        assertThat(requests.severities()).anyMatch(s -> s.type().equals("CVSS_V3") && s.score().startsWith("CVSS:3.1/"));
        assertThat(requests.summary()).isNotBlank();
    }

    @Test
    void mergeByAlias() throws IOException {
        List<Advisory> all = new ArrayList<>();
        all.add(OsvParser.parse(read("osv/pypi/GHSA-j8r2-6x86-q33q.json"), "ghsa"));
        all.add(OsvParser.parse(read("osv/pypa-yaml/PYSEC-2023-74.yaml"), "pysec.yaml"));
        all.addAll(NvdParser.parse(read("nvd/CVE-2023-32681.json"), "nvd"));
        all.add(OsvParser.parse(read("osv/go/GO-2023-2102.json"), "go"));
        all.add(OsvParser.parse(read("osv/maven/GHSA-jfh8-c2jp-5v3q.json"), "log4shell"));
        AliasGroups groups = new AliasGroups(all);
        assertThat(groups.ids("PYSEC-2023-74")).contains("GHSA-j8r2-6x86-q33q", "PYSEC-2023-74", "CVE-2023-32681");
        assertThat(groups.key("GHSA-j8r2-6x86-q33q")).isEqualTo("CVE-2023-32681");
        assertThat(groups.advisories("CVE-2023-32681")).extracting(Advisory::source).containsExactlyInAnyOrder("osv", "osv", "nvd");
        assertThat(groups.ids("GO-2023-2102")).contains("GHSA-4374-p667-p6c8", "CVE-2023-39325");
        assertThat(groups.groups()).containsKeys("CVE-2023-32681", "CVE-2023-39325", "CVE-2021-44228");
    }
}
