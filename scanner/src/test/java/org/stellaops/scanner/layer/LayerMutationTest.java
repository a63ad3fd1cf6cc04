package org.stellaops.scanner.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.ImageSource;
import org.stellaops.scanner.image.ImageSources;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.TestScans;
import org.stellaops.scanner.util.Digests;

/**
 * Random corruption of a real layer (the Debian "tools" layer: curl, python3, openssl) in its gzip and its tar form:
 * every mutant must end in a {@link ScanException} of kind BAD_INPUT naming the layer, and nothing else may escape.
 */
class LayerMutationTest {
    static LayerRef layer;
    static byte[] gzipBlob;
    static byte[] tar;

    @BeforeAll
    static void load() throws IOException {
        Path image = Fixtures.image("debian-app");
        try (ImageSource src = ImageSources.open("oci:" + image + ":1", TestScans.options(Platform.DEFAULT, null))) {
            ResolvedImage img = src.resolve();
            layer = img.layers().get(1);
        }
        gzipBlob = Files.readAllBytes(image.resolve("blobs/sha256/" + layer.digest().substring(7)));
        tar = Files.readAllBytes(Fixtures.layerTar("tools"));
        assertThat(Digests.sha256(tar)).isEqualTo(layer.diffId());
    }

    private static void expectTypedError(byte[] mutant, LayerRef ref, String what) {
        LayerReader reader = new LayerReader(AnalyzerSet.standard());
        try {
            reader.read(new Digests.VerifyingInputStream(new ByteArrayInputStream(mutant), ref.digest(), "layer " + ref.digest()), ref);
            fail(what + ": a corrupted layer was read without error");
        } catch (ScanException e) {
            assertThat(e.kind()).as(what).isEqualTo(ScanException.Kind.BAD_INPUT);
            assertThat(e.getMessage()).as(what).contains(ref.digest().substring(0, 20));
        } catch (Throwable t) {
            throw new AssertionError(what + ": untyped error escaped: " + t, t);
        }
    }

    private static byte[] mutate(byte[] original, Random rnd, int i) {
        if (i % 5 == 4) {
            return Arrays.copyOf(original, rnd.nextInt(original.length)); // truncation
        }
        byte[] m = original.clone();
        int flips = 1 + rnd.nextInt(8);
        for (int k = 0; k < flips; k++) {
            int pos = rnd.nextInt(m.length);
            m[pos] = (byte) (m[pos] ^ (1 + rnd.nextInt(255)));
        }
        return m;
    }

    @Test
    void corruptedGzipBlobs() {
        Random rnd = new Random(20261127L);
        for (int i = 0; i < 16; i++) {
            expectTypedError(mutate(gzipBlob, rnd, i), layer, "gzip mutant " + i);
        }
    }

    @Test
    void corruptedTars() {
        Random rnd = new Random(42L);
        LayerRef plain = new LayerRef(layer.diffId(), "application/vnd.oci.image.layer.v1.tar", tar.length, layer.diffId());
        for (int i = 0; i < 10; i++) {
            expectTypedError(mutate(tar, rnd, i), plain, "tar mutant " + i);
        }
    }
}
