package org.stellaops.scanner.image;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** Where an image comes from: a registry, an OCI layout directory or a docker-archive tar. */
public interface ImageSource extends Closeable {

    /** Resolves the reference to one platform manifest, its config and its layers; every blob read is verified. */
    ResolvedImage resolve() throws IOException;

    /**
     * Opens a layer blob as stored (possibly compressed). The stream verifies the blob digest when read to its end and
     * fails with {@link org.stellaops.scanner.util.Digests.DigestMismatchException} otherwise.
     */
    InputStream openLayer(LayerRef layer) throws IOException;

    @Override
    default void close() throws IOException {
    }
}
