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
        String key = FragmentStore.key(layerDigest);
        Optional<byte[]> b = store.get(key);
        return b.isEmpty() ? Optional.empty() : FragmentStore.decode(b.get(), analyzerVersion, key, FragmentStore.maxJsonBytes());
    }

    /**
     * What is wrong with the fragment an untrusted writer (a worker holding a pre-signed PUT) stored for this layer, or
     * empty when it is there and decodes as a fragment of exactly this layer digest, diffID and analyzer version. The
     * answer names the problem, never the object's content.
     */
    public Optional<String> problem(String layerDigest, String diffId, String analyzerVersion) throws StorageException {
        String key = FragmentStore.key(layerDigest);
        Optional<byte[]> b = store.get(key);
        if (b.isEmpty()) {
            return Optional.of("the worker reported success but " + key + " is missing");
        }
        Optional<LayerFragment> f;
        try {
            f = FragmentStore.decode(b.get(), analyzerVersion, key, FragmentStore.maxJsonBytes());
        } catch (IOException e) {
            return Optional.of(e.getMessage()); // too large: the message names the key and the limit, not the content
        }
        if (f.isEmpty()) {
            return Optional.of(key + " is not a readable fragment of analyzer version " + analyzerVersion);
        }
        if (!layerDigest.equals(f.get().layerDigest()) || diffId != null && !diffId.equals(f.get().diffId())) {
            return Optional.of(key + " describes another layer");
        }
        return Optional.empty();
    }

    @Override
    public void put(LayerFragment fragment) throws IOException {
        store.put(FragmentStore.key(fragment.layerDigest()), FragmentStore.encode(fragment), "application/zstd");
    }
}
