package org.stellaops.scanner.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.analyzer.lang.JavaAnalyzer;
import org.stellaops.scanner.testing.Collect;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.TestLayers;

/** The in-memory bound of wanted files, spilling, and the zip bomb bounds of nested archives. */
class ScanLimitsTest {
    private static final ScanLimits TINY_MEMORY = new ScanLimits(64 * 1024, 512L << 20, 2L << 30, 200_000, 200);

    private static LayerFragment read(ScanLimits limits, byte[] tar) throws IOException {
        return new LayerReader(AnalyzerSet.standard(limits)).read(new ByteArrayInputStream(tar), TestLayers.ref(tar, tar));
    }

    private static List<String> purls(LayerFragment f, boolean dpkg) {
        return f.packages().stream().filter(p -> p.analyzer().equals("dpkg") == dpkg)
                .map(p -> p.type() + ":" + p.namespace() + "/" + p.name() + "@" + p.version() + " " + p.evidencePath()).toList();
    }

    /**
     * Real jars and a real CPython binary above an in-memory limit of 64 KiB are spilled to disk and give the same
     * components as when read into memory; the dpkg database (an analyzer that needs memory) is reported as not analyzed.
     */
    @Test
    void filesAboveTheInMemoryLimitAreAnalyzedFromASpillFile() throws IOException {
        Path rootfs = Fixtures.rootfs("tools");
        byte[] tar = new TestLayers()
                .file("app/lib/guava-31.1-jre.jar", Files.readAllBytes(Fixtures.jar("guava", "31.1-jre")), 0644)
                .file("app/lib/spring-core-5.3.20.jar", Files.readAllBytes(Fixtures.jar("spring-core", "5.3.20")), 0644)
                .file("usr/bin/python3.11", Files.readAllBytes(rootfs.resolve("usr/bin/python3.11")), 0755)
                .file("var/lib/dpkg/status", Files.readAllBytes(rootfs.resolve("var/lib/dpkg/status")), 0644)
                .tar();
        assertThat(Files.size(rootfs.resolve("var/lib/dpkg/status"))).isGreaterThan(TINY_MEMORY.maxInMemoryFileBytes());
        LayerFragment memory = read(ScanLimits.DEFAULT, tar);
        LayerFragment spilled = read(TINY_MEMORY, tar);
        assertThat(purls(memory, false)).contains("generic:null/python@3.11.2 usr/bin/python3.11")
                .anyMatch(p -> p.startsWith("maven:com.google.guava/guava@31.1-jre"))
                .anyMatch(p -> p.startsWith("maven:org.springframework/spring-core@5.3.20"));
        assertThat(purls(spilled, false)).isEqualTo(purls(memory, false));
        assertThat(memory.warnings()).isEmpty();
        assertThat(purls(memory, true)).isNotEmpty();
        assertThat(purls(spilled, true)).isEmpty();
        assertThat(spilled.warnings()).singleElement().asString()
                .endsWith("var/lib/dpkg/status (" + Files.size(rootfs.resolve("var/lib/dpkg/status")) + " bytes) is larger than 65536"
                        + " bytes (STELLA_SCAN_MAX_IN_MEMORY_BYTES); not analyzed by dpkg");
        assertThat(spilled.files()).isEqualTo(memory.files());
    }

    /** The rpm databases of every backend above the in-memory limit are read from their spill file. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sqlite/rpmdb.sqlite", "bdb/Packages", "ndb/Packages.db"})
    void rpmDatabasesAboveTheInMemoryLimitAreReadFromTheSpillFile(String db) throws IOException {
        Path file = Fixtures.rpmdb().resolve(db);
        assertThat(Files.size(file)).isGreaterThan(TINY_MEMORY.maxInMemoryFileBytes());
        byte[] tar = new TestLayers().file("var/lib/rpm/" + file.getFileName(), Files.readAllBytes(file), 0644).tar();
        LayerFragment memory = read(ScanLimits.DEFAULT, tar);
        LayerFragment spilled = read(TINY_MEMORY, tar);
        assertThat(memory.packages()).extracting(PackageRecord::name).contains("stella-hello");
        assertThat(spilled.packages()).isEqualTo(memory.packages());
        assertThat(spilled.warnings()).isEqualTo(memory.warnings()).isEmpty();
    }

    @Test
    void filesAboveTheFileLimitAreListedButNotAnalyzed() throws IOException {
        byte[] jar = Files.readAllBytes(Fixtures.jar("guava", "31.1-jre"));
        byte[] tar = new TestLayers().file("app/guava-31.1-jre.jar", jar, 0644).tar();
        LayerFragment f = read(new ScanLimits(64 * 1024, 1L << 20, 2L << 30, 200_000, 200), tar);
        assertThat(f.packages()).isEmpty();
        assertThat(f.files()).singleElement().satisfies(r -> assertThat(r.size()).isEqualTo(jar.length));
        assertThat(f.warnings()).singleElement().asString().endsWith("app/guava-31.1-jre.jar (" + jar.length
                + " bytes) is larger than 1048576 bytes (STELLA_SCAN_MAX_FILE_BYTES); not analyzed");
    }

    private static byte[] zip(Object... nameThenBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < nameThenBytes.length; i += 2) {
                z.putNextEntry(new ZipEntry((String) nameThenBytes[i]));
                z.write((byte[]) nameThenBytes[i + 1]);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] pom(String group, String artifact, String version) {
        return ("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(Collect c) {
        return c.packages.stream().map(PackageRecord::name).toList();
    }

    @Test
    void aHighlyCompressedNestedEntryIsASuspectedBombAndTheRestIsStillAnalyzed() throws IOException {
        byte[] zeros = new byte[64 << 20];
        byte[] app = zip("META-INF/maven/org.example/app/pom.properties", pom("org.example", "app", "1.0"),
                "BOOT-INF/lib/bomb-1.0.jar", zeros,
                "BOOT-INF/lib/lib-2.0.jar", zip("META-INF/maven/org.example/lib/pom.properties", pom("org.example", "lib", "2.0")));
        assertThat(app.length).isLessThan(200 * 1024);
        Collect c = Collect.run(new JavaAnalyzer(ScanLimits.DEFAULT), "app/app-1.0.jar", app);
        assertThat(names(c)).containsExactlyInAnyOrder("app", "lib");
        assertThat(c.warnings).singleElement().asString().startsWith("app/app-1.0.jar!/BOOT-INF/lib/bomb-1.0.jar: entry inflates"
                + " more than 200 times its compressed size").endsWith("(STELLA_SCAN_MAX_COMPRESSION_RATIO): suspected zip bomb; skipped");
    }

    @Test
    void entryCountAndTotalInflationOfAnArchiveAreBounded() throws IOException {
        Object[] many = new Object[2 * 600];
        for (int i = 0; i < 600; i++) {
            many[2 * i] = "data/f" + i + ".txt";
            many[2 * i + 1] = new byte[] {'x'};
        }
        Collect c = Collect.run(new JavaAnalyzer(new ScanLimits(32L << 20, 512L << 20, 2L << 30, 500, 200)), "app/many-1.0.jar",
                zip(many));
        assertThat(c.packages).isEmpty();
        assertThat(c.warnings).containsExactly("app/many-1.0.jar: more than 500 entries in this archive and the ones it contains"
                + " (STELLA_SCAN_MAX_ARCHIVE_ENTRIES): suspected zip bomb; not analyzed");

        // three nested jars of 2 MiB of incompressible bytes each, with a total budget of 5 MiB: the third is refused
        Random random = new Random(42);
        Object[] nested = new Object[6];
        for (int i = 0; i < 3; i++) {
            byte[] noise = new byte[2 << 20];
            random.nextBytes(noise);
            nested[2 * i] = "WEB-INF/lib/n" + i + "-1.0.jar";
            nested[2 * i + 1] = zip("META-INF/maven/org.example/n" + i + "/pom.properties", pom("org.example", "n" + i, "1.0"),
                    "blob.bin", noise);
        }
        Collect t = Collect.run(new JavaAnalyzer(new ScanLimits(32L << 20, 512L << 20, 5L << 20, 200_000, 200)),
                "app/web-1.0.war", zip(nested));
        assertThat(names(t)).containsExactly("web", "n0", "n1");
        assertThat(t.warnings).singleElement().asString().isEqualTo("app/web-1.0.war!/WEB-INF/lib/n2-1.0.jar: the archive inflates"
                + " past 5242880 bytes in total (STELLA_SCAN_MAX_ARCHIVE_INFLATED_BYTES): suspected zip bomb; skipped");
    }

    /** A nested archive above the in-memory limit is inflated to a temp file and analyzed from there. */
    @Test
    void aLargeNestedArchiveIsSpilled() throws IOException {
        byte[] guava = Files.readAllBytes(Fixtures.jar("guava", "31.1-jre"));
        byte[] boot = zip("BOOT-INF/lib/guava-31.1-jre.jar", guava);
        Collect memory = Collect.run(new JavaAnalyzer(ScanLimits.DEFAULT), "app/boot-1.0.jar", boot);
        Collect spilled = Collect.run(new JavaAnalyzer(TINY_MEMORY), "app/boot-1.0.jar", boot);
        assertThat(names(memory)).contains("guava");
        assertThat(spilled.packages).isEqualTo(memory.packages);
        assertThat(spilled.warnings).isEqualTo(memory.warnings);
    }
}
