package org.stellaops.scanner.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.stellaops.core.store.LocalFragmentStore;
import org.stellaops.scanner.ScanListener;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.Scanner;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.ImageSource;
import org.stellaops.scanner.image.ImageSources;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.sbom.CycloneDxWriter;
import org.stellaops.scanner.sbom.SbomMetadata;

/**
 * Cold and warm scans repeated in one JVM (what a long-lived process sees once the JIT has compiled the hot code):
 * {@code InProcessBench IMAGE ROUNDS}. Used by test-support/bench.sh; not a test.
 */
public final class InProcessBench {
    public static void main(String[] args) throws Exception {
        String image = args[0];
        int rounds = Integer.parseInt(args[1]);
        ImageSources.Options options = new ImageSources.Options(Platform.DEFAULT, null, Set.of(), Duration.ofSeconds(60));
        for (int i = 1; i <= rounds; i++) {
            Path cache = Files.createTempDirectory("stella-bench");
            long t0 = System.nanoTime();
            scan(image, options, cache);
            long t1 = System.nanoTime();
            scan(image, options, cache);
            long t2 = System.nanoTime();
            System.out.printf("round %d cold %.2f s warm %.3f s%n", i, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            try (var walk = Files.walk(cache)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void scan(String image, ImageSources.Options options, Path cache) throws Exception {
        try (ImageSource src = ImageSources.open(image, options)) {
            ScanResult r = new Scanner(AnalyzerSet.standard(), new LocalFragmentStore(cache),
                    Runtime.getRuntime().availableProcessors()).scan(src, ScanListener.NONE);
            new CycloneDxWriter().write(r.inventory(), new SbomMetadata("bench", null));
        }
    }
}
