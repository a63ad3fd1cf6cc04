package org.stellaops.core.store;

import java.io.IOException;
import java.util.Optional;
import org.stellaops.core.model.LayerFragment;

/**
 * Where analyzed layer fragments are kept, keyed by layer digest and analyzer version. The embedded default is a
 * directory ({@link LocalFragmentStore}); the operator implements it on an S3-compatible object store.
 */
public interface FragmentStore {

    Optional<LayerFragment> get(String layerDigest, String analyzerVersion) throws IOException;

    void put(LayerFragment fragment) throws IOException;

    /** Object key of a fragment, the same in every implementation: {@code layers/<digest>/fragment.json.zst}. */
    static String key(String layerDigest) {
        return "layers/" + layerDigest + "/fragment.json.zst";
    }
}
