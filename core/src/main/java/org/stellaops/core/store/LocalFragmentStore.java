package org.stellaops.core.store;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;
import org.stellaops.core.model.LayerFragment;

/**
 * Embedded fragment cache in a directory (default {@code ~/.cache/stella}) with the object layout of the operator's
 * object store. Writes are atomic (temp file + rename) so concurrent scans never see half a fragment. A fragment
 * written by another analyzer version is a miss. An unreadable fragment is a miss too (and is rewritten); one larger
 * than {@link FragmentStore#maxJsonBytes()} (compressed or decompressed) is an error.
 */
public final class LocalFragmentStore implements FragmentStore {
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+:[a-f0-9]{32,128}");
    private final Path root;

    public LocalFragmentStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The default cache directory: {@code $STELLA_CACHE_DIR}, else {@code $XDG_CACHE_HOME/stella}, else {@code ~/.cache/stella}. */
    public static Path defaultRoot() {
        String env = System.getenv("STELLA_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "stella");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "stella");
    }

    private Path file(String layerDigest) {
        if (!DIGEST.matcher(layerDigest).matches()) {
            throw new IllegalArgumentException("not a layer digest: " + layerDigest);
        }
        return root.resolve(FragmentStore.key(layerDigest));
    }

    @Override
    public Optional<LayerFragment> get(String layerDigest, String analyzerVersion) throws IOException {
        Path f = file(layerDigest);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        long limit = FragmentStore.maxJsonBytes();
        byte[] stored;
        try {
            if (Files.size(f) > limit) {
                throw new FragmentStore.FragmentTooLargeException(f + ": " + Files.size(f) + " bytes, larger than the limit of "
                        + limit + " (STELLA_MAX_FRAGMENT_BYTES)");
            }
            stored = Files.readAllBytes(f);
        } catch (FragmentStore.FragmentTooLargeException e) {
            throw e;
        } catch (IOException e) {
            return Optional.empty();
        }
        return FragmentStore.decode(stored, analyzerVersion, f.toString(), limit);
    }

    @Override
    public void put(LayerFragment fragment) throws IOException {
        Path f = file(fragment.layerDigest());
        Files.createDirectories(f.getParent());
        Path tmp = Files.createTempFile(f.getParent(), ".fragment", ".tmp");
        try {
            Files.write(tmp, FragmentStore.encode(fragment));
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
