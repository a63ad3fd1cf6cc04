package org.stellaops.scanner.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.os.ApkAnalyzer;
import org.stellaops.scanner.analyzer.os.DpkgAnalyzer;
import org.stellaops.scanner.analyzer.os.RpmAnalyzer;
import org.stellaops.scanner.testing.Collect;
import org.stellaops.scanner.testing.Fixtures;

class OsAnalyzersTest {

    /** The rpm databases of test-support/rpmdb.sh: made by rpm itself (SQLite), BerkeleyDB's db_load, and an NDB writer. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite/rpmdb.sqlite", "bdb/Packages", "ndb/Packages.db"})
    void rpmDatabasesOfEveryBackend(String db) throws IOException {
        Path file = Fixtures.rpmdb().resolve(db);
        String name = file.getFileName().toString();
        Collect c = Collect.run(new RpmAnalyzer(), "var/lib/rpm/" + name, Files.readAllBytes(file));
        assertThat(c.warnings).isEmpty();
        TreeSet<String> got = c.packages.stream().map(p -> p.name() + "\t" + p.qualifiers().getOrDefault("epoch", "0") + "\t"
                + p.version() + "\t" + p.qualifiers().get("arch") + "\t" + p.qualifiers().get("upstream"))
                .collect(Collectors.toCollection(TreeSet::new));
        TreeSet<String> expected = new TreeSet<>(Files.readAllLines(Fixtures.rpmdb().resolve("expected.tsv")));
        expected.remove("");
        assertThat(got).isEqualTo(expected);
        PackageRecord hello = c.packages.stream().filter(p -> p.name().equals("stella-hello")).findFirst().orElseThrow();
        assertThat(hello.files()).containsExactly("usr/bin/stella-hello", "usr/share/doc/stella-hello/README");
        assertThat(hello.licenses()).containsExactly("MIT");
        assertThat(hello.properties()).containsEntry("stella:package:source", "stella-hello");
        PackageRecord devel = c.packages.stream().filter(p -> p.name().equals("stella-libs-devel")).findFirst().orElseThrow();
        assertThat(devel.properties()).containsEntry("stella:package:source", "stella-libs");
        PackageRecord many = c.packages.stream().filter(p -> p.name().equals("stella-many")).findFirst().orElseThrow();
        assertThat(many.files()).hasSize(401); // the directory and its 400 files; a header that needs overflow pages
    }

    @Test
    void aCorruptRpmDatabaseIsAWarningNotACrash() throws IOException {
        byte[] db = Files.readAllBytes(Fixtures.rpmdb().resolve("bdb/Packages"));
        byte[] bad = java.util.Arrays.copyOf(db, 5000);
        Collect c = Collect.run(new RpmAnalyzer(), "var/lib/rpm/Packages", bad);
        assertThat(c.packages).isEmpty();
        assertThat(c.warnings).isNotEmpty().allMatch(w -> w.startsWith("var/lib/rpm/Packages"));
        Collect n = Collect.run(new RpmAnalyzer(), "var/lib/rpm/Packages.db", "not an ndb".getBytes());
        assertThat(n.warnings).singleElement().asString().contains("NDB");
    }

    @Test
    void apkInstalledDatabase() throws IOException {
        byte[] db = getClass().getResourceAsStream("/apk/installed").readAllBytes();
        Collect c = Collect.run(new ApkAnalyzer(), "lib/apk/db/installed", db);
        assertThat(c.packages).extracting(PackageRecord::name).containsExactly("bash", "busybox-binsh", "musl", "readline");
        PackageRecord binsh = c.packages.get(1);
        assertThat(binsh.version()).isEqualTo("1.36.1-r15");
        assertThat(binsh.qualifiers()).containsEntry("upstream", "busybox").containsEntry("arch", "x86_64");
        assertThat(binsh.files()).containsExactly("bin/sh");
        assertThat(c.packages.get(2).files()).containsExactly("lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1");
        assertThat(c.packages.get(2).licenses()).containsExactly("MIT");
    }

    @Test
    void dpkgStatusOfTheRealRootfsSkipsNotInstalledStanzasAndWarnsOnBrokenOnes() throws IOException {
        String status = Files.readString(Fixtures.rootfs("minbase").resolve("var/lib/dpkg/status"));
        String extra = "\nPackage: removed-pkg\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: broken\nStatus: install ok installed\n";
        Collect c = Collect.run(new DpkgAnalyzer(), "var/lib/dpkg/status", status + extra);
        List<String[]> truth = Fixtures.dpkgQuery("minbase");
        assertThat(c.packages).hasSize(truth.size());
        assertThat(c.packages).noneMatch(p -> p.name().equals("removed-pkg"));
        assertThat(c.warnings).singleElement().asString().contains("broken");
    }

    /**
     * A real stanza (openjdk-17-jre-headless of the Debian fixture) in every dpkg state: packages whose files are on disk
     * are kept with their state, packages not installed, with only config files, or selected for removal are dropped.
     */
    @Test
    void dpkgPackagesInEveryStateWhoseFilesArePresent() throws IOException {
        String status = Files.readString(Fixtures.rootfs("jre").resolve("var/lib/dpkg/status"));
        String stanza = java.util.Arrays.stream(status.split("\n\n"))
                .filter(st -> st.startsWith("Package: openjdk-17-jre-headless\n")).findFirst().orElseThrow();
        assertThat(stanza).contains("\nStatus: install ok installed\n");
        StringBuilder db = new StringBuilder();
        String[] statuses = {"install ok installed", "install ok half-configured", "install ok unpacked",
                "install reinstreq half-installed", "install ok triggers-awaited", "install ok triggers-pending",
                "hold ok installed", "install ok not-installed", "deinstall ok config-files", "deinstall ok installed",
                "purge ok half-configured", "unknown ok not-installed"};
        for (int i = 0; i < statuses.length; i++) {
            db.append(stanza.replace("Package: openjdk-17-jre-headless\n", "Package: openjdk-17-jre-headless" + i + "\n")
                    .replace("Status: install ok installed", "Status: " + statuses[i])).append("\n\n");
        }
        Collect c = Collect.run(new DpkgAnalyzer(), "var/lib/dpkg/status", db.toString());
        assertThat(c.warnings).isEmpty();
        assertThat(c.packages).extracting(p -> p.name() + " " + p.version() + " "
                        + p.properties().getOrDefault(DpkgAnalyzer.STATUS_PROPERTY, "-"))
                .containsExactlyInAnyOrder(
                        "openjdk-17-jre-headless0 17.0.19+10-1~deb12u2 -",
                        "openjdk-17-jre-headless1 17.0.19+10-1~deb12u2 half-configured",
                        "openjdk-17-jre-headless2 17.0.19+10-1~deb12u2 unpacked",
                        "openjdk-17-jre-headless3 17.0.19+10-1~deb12u2 half-installed",
                        "openjdk-17-jre-headless4 17.0.19+10-1~deb12u2 triggers-awaited",
                        "openjdk-17-jre-headless5 17.0.19+10-1~deb12u2 triggers-pending",
                        "openjdk-17-jre-headless6 17.0.19+10-1~deb12u2 -");
        assertThat(c.packages).allSatisfy(p -> assertThat(p.properties()).containsEntry("stella:package:source", "openjdk-17"));
    }

    @Test
    void distrolessStatusDirectoryAndMd5sums() throws IOException {
        DpkgAnalyzer a = new DpkgAnalyzer();
        Collect c = Collect.run(a, "var/lib/dpkg/status.d/base-files",
                "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\nMaintainer: Santiago Vila <sanvila@debian.org>\n");
        assertThat(c.packages).singleElement().satisfies(p -> assertThat(p.version()).isEqualTo("12.4+deb12u5"));
        Collect m = Collect.run(a, "var/lib/dpkg/status.d/base-files.md5sums",
                "0123456789abcdef0123456789abcdef  etc/debian_version\n0123456789abcdef0123456789abcdef  usr/lib/os-release\n");
        assertThat(m.fileLists).singleElement().satisfies(f -> assertThat(f).containsExactly("dpkg:base-files",
                "var/lib/dpkg/status.d/base-files.md5sums", "2"));
    }
}
