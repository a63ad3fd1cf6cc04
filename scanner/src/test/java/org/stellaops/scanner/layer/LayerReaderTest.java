package org.stellaops.scanner.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.stellaops.core.model.FileRecord;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.testing.TestLayers;
import org.stellaops.scanner.util.Digests;

class LayerReaderTest {
    private final LayerReader reader = new LayerReader(AnalyzerSet.standard());

    private LayerFragment read(byte[] blob, byte[] tar) throws IOException {
        return reader.read(new ByteArrayInputStream(blob), TestLayers.ref(blob, tar));
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesAreRecordedNotListedAsFiles() throws IOException {
        byte[] tar = new TestLayers().dir("etc").file("etc/.wh.motd", "").dir("opt/app").file("opt/app/.wh..wh..opq", "")
                .file("opt/app/new.txt", "x").tar();
        LayerFragment f = read(TestLayers.gzip(tar), tar);
        assertThat(f.whiteouts()).containsExactly("etc/motd");
        assertThat(f.opaqueDirs()).containsExactly("opt/app");
        assertThat(f.files()).extracting(FileRecord::path).containsExactly("etc", "opt/app", "opt/app/new.txt");
    }

    @Test
    void pathsEscapingTheRootAreSkippedWithAWarningAndAbsolutePathsAreRerooted() throws IOException {
        byte[] tar = new TestLayers().file("../../etc/passwd", "root:x:0:0").file("/etc/hostname", "h")
                .file("./a/../b/c", "c").tar();
        LayerFragment f = read(tar, tar);
        assertThat(f.files()).extracting(FileRecord::path).containsExactly("b/c", "etc/hostname");
        assertThat(f.warnings()).singleElement().asString().contains("'../../etc/passwd' escapes the layer root");
    }

    @Test
    void symlinkLoopsAndLinksOutOfTheLayerAreRecordedNeverFollowed() throws IOException {
        byte[] tar = new TestLayers().symlink("a", "b").symlink("b", "a").symlink("etc/os-release", "/../../../host/os-release")
                .hardlink("lib/apk/db/installed", "../../outside").tar();
        LayerFragment f = read(tar, tar);
        assertThat(f.files()).extracting(FileRecord::kind).containsExactly("l", "l", "l", "h");
        assertThat(f.osReleases()).isEmpty();
        assertThat(f.packages()).isEmpty();
    }

    @Test
    void hardLinksToAnalyzedFilesAreAnalyzedUnderTheirOwnPath() throws IOException {
        String pkg = "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL\"}";
        byte[] tar = new TestLayers().file("a/node_modules/left-pad/package.json", pkg)
                .hardlink("b/node_modules/left-pad/package.json", "a/node_modules/left-pad/package.json").tar();
        LayerFragment f = read(tar, tar);
        assertThat(f.packages()).extracting(p -> p.evidencePath())
                .containsExactly("a/node_modules/left-pad/package.json", "b/node_modules/left-pad/package.json");
    }

    @Test
    void zstdLayersAreRead() throws IOException {
        byte[] tar = new TestLayers().file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n").tar();
        LayerFragment f = read(TestLayers.zstd(tar), tar);
        assertThat(f.osReleases()).singleElement().satisfies(o -> assertThat(o.distroQualifier()).isEqualTo("alpine-3.19.1"));
    }

    @Test
    void corruptGzipNamesTheLayer() throws IOException {
        byte[] tar = new TestLayers().file("a.txt", "hello world ".repeat(1000)).tar();
        byte[] gz = TestLayers.gzip(tar);
        byte[] bad = gz.clone();
        for (int i = 20; i < 60; i++) {
            bad[i] ^= 0x5a;
        }
        LayerRef ref = new LayerRef(Digests.sha256(bad), "gzip", bad.length, Digests.sha256(tar));
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(bad), ref)).isInstanceOf(ScanException.class)
                .hasMessageContaining("layer " + ref.digest());
    }

    @Test
    void corruptAndTruncatedZstdNameTheLayer() throws IOException {
        byte[] tar = new TestLayers().file("a.txt", "zstd ".repeat(5000)).file("b.bin", new byte[100_000], 0644).tar();
        byte[] z = TestLayers.zstd(tar);
        byte[] cut = Arrays.copyOf(z, z.length - 10);
        LayerRef cutRef = TestLayers.ref(cut, tar);
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(cut), cutRef)).isInstanceOf(ScanException.class)
                .hasMessageContaining(cutRef.digest())
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.BAD_INPUT);
        byte[] bad = z.clone();
        for (int i = 12; i < 40; i++) {
            bad[i] ^= 0x33;
        }
        LayerRef badRef = TestLayers.ref(bad, tar);
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(bad), badRef)).isInstanceOf(ScanException.class)
                .hasMessageContaining(badRef.digest());
    }

    @Test
    void truncatedGzipAndTruncatedTarAreBadInput() throws IOException {
        byte[] tar = new TestLayers().file("big.bin", new byte[200_000], 0644).file("after.txt", "x").tar();
        byte[] gz = TestLayers.gzip(tar);
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(cut), TestLayers.ref(cut, tar)))
                .isInstanceOf(ScanException.class).hasMessageContaining("truncated")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.BAD_INPUT);
        byte[] shortTar = Arrays.copyOf(tar, 100_000);
        // a tar cut inside an entry ends early; its content cannot match the diffID it was published with
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(shortTar), TestLayers.ref(shortTar, tar)))
                .isInstanceOf(ScanException.class).hasMessageContaining("diffID")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.BAD_INPUT);
    }

    @Test
    void uncompressedContentThatDoesNotMatchTheDiffIdIsRefused() throws IOException {
        byte[] tar = new TestLayers().file("a.txt", "a").tar();
        byte[] other = new TestLayers().file("a.txt", "b").tar();
        LayerRef ref = new LayerRef(Digests.sha256(tar), "tar", tar.length, Digests.sha256(other));
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(tar), ref)).isInstanceOf(ScanException.class)
                .hasMessageContaining("diffID").hasMessageContaining("digest mismatch");
    }

    private static byte[] sparseTar(java.nio.file.Path dir, long size) throws Exception {
        java.nio.file.Path root = java.nio.file.Files.createDirectories(dir.resolve("root/app"));
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(root.resolve("huge.jar").toFile(), "rw")) {
            f.setLength(size);
        }
        java.nio.file.Path out = dir.resolve("layer.tar");
        Process p = new ProcessBuilder("tar", "--sparse", "--format=posix", "-cf", out.toString(), "-C",
                dir.resolve("root").toString(), "app").redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        byte[] tar = java.nio.file.Files.readAllBytes(out);
        assertThat(tar.length).isLessThan(1 << 20);
        return tar;
    }

    @Test
    void aLargeSparseEntryIsListedWithItsRealSizeButNotRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // GNU tar stores a 1 GiB sparse jar in a few KiB; reading it would inflate to 1 GiB of zeros
        byte[] tar = sparseTar(dir, 1L << 30);
        LayerFragment f = read(tar, tar);
        assertThat(f.files()).filteredOn(r -> r.path().equals("app/huge.jar")).singleElement()
                .satisfies(r -> assertThat(r.size()).isEqualTo(1L << 30));
        assertThat(f.warnings()).singleElement().asString().contains("app/huge.jar").contains("not analyzed");
    }

    @Test
    void aSparseEntryBeyondWhatTheTarReaderParsesIsAClearError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        byte[] tar = sparseTar(dir, 10L << 30);
        LayerRef ref = TestLayers.ref(tar, tar);
        assertThatThrownBy(() -> read(tar, tar)).isInstanceOf(ScanException.class)
                .hasMessageContaining("layer " + ref.digest()).hasMessageContaining("the entry after 'app/'");
    }
}
