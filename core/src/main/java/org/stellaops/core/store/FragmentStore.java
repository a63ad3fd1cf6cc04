package org.stellaops.core.store;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.util.Optional;
import org.stellaops.core.json.Json;
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

    /** The stored form: zstd-compressed JSON. */
    static byte[] encode(LayerFragment fragment) {
        return Zstd.compress(Json.write(fragment), 6);
    }

    /** A stored fragment, or empty when it is unreadable, of another schema or of another analyzer version. */
    static Optional<LayerFragment> decode(byte[] stored, String analyzerVersion) {
        try {
            long size = Zstd.getFrameContentSize(stored);
            byte[] json = size > 0 && size < Integer.MAX_VALUE ? Zstd.decompress(stored, (int) size)
                    : new com.github.luben.zstd.ZstdInputStream(new java.io.ByteArrayInputStream(stored)).readAllBytes();
            LayerFragment f = Json.mapper().readValue(json, LayerFragment.class);
            return f.schema() == LayerFragment.SCHEMA && analyzerVersion.equals(f.analyzerVersion()) ? Optional.of(f) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
