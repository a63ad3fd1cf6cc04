package org.stellaops.scanner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.TestScans;

class OciLayoutSourceTest {

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    @Test
    void aBlobWhoseContentDoesNotMatchItsDigestIsRefusedNamingTheLayer(@TempDir Path dir) throws IOException {
        Path layout = copy(Fixtures.image("minbase"), dir.resolve("minbase"));
        ResolvedImage img;
        try (ImageSource src = ImageSources.open("oci:" + layout + ":1", TestScans.options(Platform.DEFAULT, null))) {
            img = src.resolve();
        }
        String digest = img.layers().get(0).digest();
        Path blob = layout.resolve("blobs/sha256/" + digest.substring(7));
        // a different but valid gzip stream under the old name
        Files.copy(Fixtures.image("debian-app").resolve("blobs/sha256/"
                + firstOtherLayer(img.layers().get(0).digest())), blob, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> TestScans.scan("oci:" + layout + ":1", dir.resolve("cache")))
                .isInstanceOf(ScanException.class).hasMessageContaining(digest)
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.BAD_INPUT);
        assertThat(dir.resolve("cache/layers")).doesNotExist(); // nothing cached from a bad blob
    }

    private static String firstOtherLayer(String notThis) throws IOException {
        try (ImageSource src = ImageSources.open("oci:" + Fixtures.image("debian-app") + ":1", TestScans.options(Platform.DEFAULT, null))) {
            return src.resolve().layers().stream().map(LayerRef::digest).filter(d -> !d.equals(notThis))
                    .reduce((a, b) -> b).orElseThrow().substring(7);
        }
    }

    @Test
    void malformedIndexAndUnknownLayouts(@TempDir Path dir) throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("index.json"), "{\"manifests\": [ {\"digest\": 12");
        assertThatThrownBy(() -> TestScans.scan("oci:" + bad, dir.resolve("c")))
                .isInstanceOf(ScanException.class).hasMessageContaining("index.json").hasMessageContaining("malformed JSON");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> TestScans.scan("oci:" + empty, dir.resolve("c")))
                .isInstanceOf(ScanException.class).hasMessageContaining("not an OCI image layout");
    }
}
