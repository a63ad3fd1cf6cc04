package org.stellaops.storage;

import java.io.IOException;
import java.util.Optional;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.store.FragmentStore;

/** Layer fragments in the object store under {@code layers/<digest>/fragment.json.zst}, the same bytes as the CLI's cache. */
public final class S3FragmentStore implements FragmentStore {
    private final ObjectStore store;

    public S3FragmentStore(ObjectStore store) {
        this.store = store;
    }

    @Override
    public Optional<LayerFragment> get(String layerDigest, String analyzerVersion) throws IOException {
        Optional<byte[]> b = store.get(FragmentStore.key(layerDigest));
        return b.isEmpty() ? Optional.empty() : FragmentStore.decode(b.get(), analyzerVersion);
    }

    @Override
    public void put(LayerFragment fragment) throws IOException {
        store.put(FragmentStore.key(fragment.layerDigest()), FragmentStore.encode(fragment), "application/zstd");
    }
}
