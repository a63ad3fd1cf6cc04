package org.stellaops.scanner.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real images and databases built by {@code test-support/fixtures.sh} (cached under ~/.cache/stella-fixtures or
 * $STELLA_FIXTURES). Tests fail, not skip, when they are missing: CI builds them.
 */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path root() {
        String p = System.getProperty("stella.fixtures");
        if (p == null || p.isBlank() || p.startsWith("${")) {
            p = System.getenv("STELLA_FIXTURES");
        }
        Path root = p == null || p.isBlank() ? Path.of(System.getProperty("user.home"), ".cache", "stella-fixtures") : Path.of(p);
        if (!Files.isDirectory(root.resolve("images"))) {
            throw new IllegalStateException("test fixtures are missing in " + root + ": run test-support/fixtures.sh");
        }
        return root;
    }

    public static Path image(String name) {
        return root().resolve("images").resolve(name);
    }

    public static Path layerTar(String name) {
        return root().resolve("layers").resolve(name + ".tar");
    }

    public static Path rootfs(String name) {
        return root().resolve("rootfs").resolve(name);
    }

    /** dpkg-query -W output of the rootfs: package, version, architecture, source package, source version. */
    public static List<String[]> dpkgQuery(String rootfs) throws IOException {
        return Files.readAllLines(root().resolve("rootfs").resolve(rootfs + ".dpkg-query.tsv")).stream()
                .filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).toList();
    }

    public static Path jar(String artifact, String version) {
        return root().resolve("downloads/jars").resolve(artifact + "-" + version + ".jar");
    }

    public static Path rpmdb() {
        return root().resolve("rpmdb");
    }
}
