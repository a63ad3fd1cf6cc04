package org.stellaops.scanner.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.stellaops.core.store.LocalFragmentStore;
import org.stellaops.scanner.ScanListener;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.Scanner;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.ImageSource;
import org.stellaops.scanner.image.ImageSources;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.sbom.Composer;
import org.stellaops.scanner.trace.ExecAnalyzer;

/**
 * The entrypoint trace's cost, side by side in one JVM: cold scans with every analyzer and without the trace's
 * {@link ExecAnalyzer} (whose absence leaves the trace nothing to read), alternating; and the composition of cached
 * fragments (which runs the trace) with and without the records. {@code TraceBench IMAGE ROUNDS}. Not a test.
 */
public final class TraceBench {
    public static void main(String[] args) throws Exception {
        String image = args[0];
        int rounds = Integer.parseInt(args[1]);
        ImageSources.Options options = new ImageSources.Options(Platform.DEFAULT, null, Set.of(), Duration.ofSeconds(60));
        AnalyzerSet with = AnalyzerSet.standard();
        List<Analyzer> rest = with.all().stream().filter(a -> !(a instanceof ExecAnalyzer)).toList();
        AnalyzerSet without = new AnalyzerSet(rest, with.limits());
        for (int i = 0; i <= rounds; i++) {
            double a = cold(image, options, without);
            double b = cold(image, options, with);
            Path warm = Files.createTempDirectory("stella-trace-bench");
            ScanResult r = scan(image, options, with, warm);
            delete(warm);
            long t0 = System.nanoTime();
            new Composer().compose(r.inventory().image(), r.fragments());
            long t1 = System.nanoTime();
            var cfg = r.inventory().image().config();
            org.stellaops.scanner.trace.EntrypointTracer.trace(new org.stellaops.scanner.trace.ComposedFs(r.fragments()),
                    new org.stellaops.scanner.trace.EntrypointTracer.Process(cfg.entrypoint(), cfg.cmd(), cfg.env(),
                            cfg.workingDir(), cfg.user()));
            long t2 = System.nanoTime();
            System.out.printf("round %d%s cold without trace %.2f s, with trace %.2f s (+%.1f %%); compose with trace %.1f ms"
                            + " (of which the trace %.1f ms), reached %d files%n", i, i == 0 ? " (warm-up)" : "", a, b,
                    100 * (b - a) / a, (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    r.inventory().usage().reached().size());
        }
    }

    static double cold(String image, ImageSources.Options options, AnalyzerSet set) throws Exception {
        Path cache = Files.createTempDirectory("stella-trace-bench");
        long t0 = System.nanoTime();
        scan(image, options, set, cache);
        double s = (System.nanoTime() - t0) / 1e9;
        long bytes;
        try (var walk = Files.walk(cache)) {
            bytes = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("  fragments %s: %d bytes%n", set.version(), bytes);
        delete(cache);
        return s;
    }

    static void delete(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static ScanResult scan(String image, ImageSources.Options options, AnalyzerSet set, Path cache) throws Exception {
        try (ImageSource src = ImageSources.open(image, options)) {
            return new Scanner(set, new LocalFragmentStore(cache), 2).scan(src, ScanListener.NONE);
        }
    }
}
