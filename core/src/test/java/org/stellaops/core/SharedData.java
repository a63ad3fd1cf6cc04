package org.stellaops.core;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real published advisory and VEX documents in the shared data folder beside the repository (shared/data). */
public final class SharedData {
    private SharedData() {
    }

    public static Path dir() {
        String p = System.getProperty("stella.shared.data");
        if (p != null && !p.isBlank() && !p.startsWith("${")) {
            return Path.of(p);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared/data");
            if (Files.isRegularFile(candidate.resolve("SOURCES.md"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/data (published advisories and VEX documents) not found beside the repository");
    }
}
