package org.stellaops.scanner.image;

import java.util.List;

/**
 * An image resolved to one platform manifest.
 *
 * @param reference      what the user asked for, normalized (registry/repository:tag, oci:DIR:tag, docker-archive:FILE)
 * @param name           repository name used in the SBOM (for example docker.io/library/debian)
 * @param tag            tag, null when none
 * @param indexDigest    digest of the image index / manifest list, null when the reference was a plain manifest
 * @param manifestDigest digest of the platform manifest: the image digest
 * @param platform       the platform of the manifest
 * @param config         parsed config
 * @param configDigest   digest of the config blob
 * @param layers         layers bottom to top
 */
public record ResolvedImage(String reference, String name, String tag, String indexDigest, String manifestDigest,
                            Platform platform, ImageConfig config, String configDigest, List<LayerRef> layers) {
    public ResolvedImage {
        layers = List.copyOf(layers);
    }
}
