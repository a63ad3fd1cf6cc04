package org.stellaops.scanner.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.lang.JavaAnalyzer;
import org.stellaops.scanner.analyzer.lang.NpmAnalyzer;
import org.stellaops.scanner.analyzer.lang.PythonAnalyzer;
import org.stellaops.scanner.testing.Collect;
import org.stellaops.scanner.testing.Fixtures;

class LanguageAnalyzersTest {

    private static byte[] zip(String name, byte[] content, int level) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.setLevel(level);
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    @Test
    void realJarFromMavenCentral() throws IOException {
        byte[] jar = Files.readAllBytes(Fixtures.jar("jackson-databind", "2.13.0"));
        Collect c = Collect.run(new JavaAnalyzer(), "opt/lib/jackson-databind-2.13.0.jar", jar);
        assertThat(c.packages).singleElement().satisfies(p -> {
            assertThat(p.namespace()).isEqualTo("com.fasterxml.jackson.core");
            assertThat(p.name()).isEqualTo("jackson-databind");
            assertThat(p.version()).isEqualTo("2.13.0");
            assertThat(p.confidence()).isEqualTo("high");
        });
    }

    @Test
    void aZipBombInsideAJarIsSkippedWithAWarning() throws IOException {
        // 300 MiB of zeros deflate to ~300 KiB: a nested "jar" that inflates past the nested-archive limit
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(inner)) {
            z.setLevel(9);
            z.putNextEntry(new ZipEntry("lib/bomb.jar"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) {
                z.write(zeros);
            }
            z.closeEntry();
        }
        Collect c = Collect.run(new JavaAnalyzer(), "app/evil-1.0.jar", inner.toByteArray());
        assertThat(c.warnings).anyMatch(w -> w.contains("suspected zip bomb") && w.contains("app/evil-1.0.jar"));
        assertThat(c.packages).singleElement().satisfies(p -> {
            assertThat(p.type()).isEqualTo("generic");
            assertThat(p.name()).isEqualTo("evil");
            assertThat(p.confidence()).isEqualTo("low");
        });
    }

    @Test
    void jarsNested50DeepStopAtTheDepthLimit() throws IOException {
        byte[] jar = zip("META-INF/maven/org.example/leaf/pom.properties",
                "groupId=org.example\nartifactId=leaf\nversion=1.0\n".getBytes(), 6);
        for (int depth = 0; depth < 50; depth++) {
            jar = zip("lib/level" + depth + ".jar", jar, 0);
        }
        Collect c = Collect.run(new JavaAnalyzer(), "app/deep.jar", jar);
        assertThat(c.warnings).anyMatch(w -> w.contains("nested deeper than 4"));
        assertThat(c.packages).noneMatch(p -> p.name().equals("leaf"));
    }

    @Test
    void aCorruptJarIsAWarning() throws IOException {
        Collect c = Collect.run(new JavaAnalyzer(), "app/broken.jar", "PK\u0003\u0004 not really a zip".getBytes());
        assertThat(c.packages).isEmpty();
        assertThat(c.warnings).singleElement().asString().contains("app/broken.jar").contains("not a readable Java archive");
    }

    @Test
    void malformedPackageJsonAndMetadataAreWarnings() throws IOException {
        Collect npm = Collect.run(new NpmAnalyzer(), "app/node_modules/x/package.json", "{\"name\": \"x\", \"version\": ");
        assertThat(npm.packages).isEmpty();
        assertThat(npm.warnings).singleElement().asString().contains("app/node_modules/x/package.json").contains("malformed JSON");
        Collect py = Collect.run(new PythonAnalyzer(), "site-packages/x-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nSummary: no name\n");
        assertThat(py.packages).isEmpty();
        assertThat(py.warnings).singleElement().asString().contains("without Name or Version");
    }

    @Test
    void pythonNamesAreNormalizedAsPep503Says() throws IOException {
        Collect py = Collect.run(new PythonAnalyzer(), "site-packages/Zope.Interface-5.0.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: Zope.Interface\nVersion: 5.0\nLicense: ZPL 2.1\n\nlong description: here\n");
        assertThat(py.packages).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("zope-interface");
            assertThat(p.licenses()).containsExactly("ZPL 2.1");
        });
    }
}
