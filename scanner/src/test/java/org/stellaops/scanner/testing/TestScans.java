package org.stellaops.scanner.testing;

import java.io.IOException;
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
import org.stellaops.scanner.sbom.Component;

/** Short ways for tests to run real scans. */
public final class TestScans {
    private TestScans() {
    }

    public static ImageSources.Options options(Platform platform, Path registryConfig) {
        return new ImageSources.Options(platform, registryConfig, Set.of(), Duration.ofSeconds(60));
    }

    public static ScanResult scan(String ref, Path cache) throws IOException {
        return scan(ref, cache, Platform.DEFAULT, null);
    }

    public static ScanResult scan(String ref, Path cache, Platform platform, Path registryConfig) throws IOException {
        try (ImageSource src = ImageSources.open(ref, options(platform, registryConfig))) {
            return new Scanner(AnalyzerSet.standard(), new LocalFragmentStore(cache), 2).scan(src, ScanListener.NONE);
        }
    }

    public static Component find(ScanResult r, String purlPrefix) {
        return r.inventory().components().stream().filter(c -> c.purl().startsWith(purlPrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no component " + purlPrefix + " among "
                        + r.inventory().components().size() + " components"));
    }
}
