package org.stellaops.scanner.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Turns what a user typed into an image source: {@code oci:DIR[:tag]}, {@code docker-archive:FILE[:tag]}, an existing
 * directory with an {@code index.json} or an existing {@code .tar} file, and otherwise a registry reference.
 */
public final class ImageSources {
    /** Options for registry access. */
    public record Options(Platform platform, Path registryConfig, Set<String> insecureRegistries, Duration timeout) {
    }

    private ImageSources() {
    }

    public static ImageSource open(String ref, Options o) {
        if (ref.startsWith("oci:")) {
            return OciLayoutSource.open(ref.substring(4), o.platform());
        }
        if (ref.startsWith("docker-archive:")) {
            String spec = ref.substring("docker-archive:".length());
            String tag = null;
            if (!Files.exists(Path.of(spec))) {
                int c = spec.lastIndexOf(':');
                if (c > spec.lastIndexOf('/') && c > 0) {
                    tag = spec.substring(c + 1);
                    spec = spec.substring(0, c);
                }
            }
            return DockerArchiveSource.open(Path.of(spec), tag, o.platform());
        }
        Path p = Path.of(ref);
        if (!ref.contains("@") && Files.isDirectory(p)) {
            return OciLayoutSource.open(ref, o.platform());
        }
        if (!ref.contains("@") && Files.isRegularFile(p)) {
            return DockerArchiveSource.open(p, null, o.platform());
        }
        ImageRef r = ImageRef.parse(ref);
        return new RegistrySource(r, o.platform(), new RegistryClient(DockerConfig.load(o.registryConfig()),
                o.insecureRegistries(), o.timeout()));
    }
}
