package org.stellaops.core.store;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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

    /**
     * Largest decompressed fragment JSON accepted, in bytes: {@code STELLA_MAX_FRAGMENT_BYTES} (environment) or the
     * {@code stella.maxFragmentBytes} system property, default 256 MiB (a layer of 100,000 files makes about 10 MiB).
     */
    static long maxJsonBytes() {
        return Limits.bytes("stella.maxFragmentBytes", "STELLA_MAX_FRAGMENT_BYTES", 256L * 1024 * 1024);
    }

    /** {@link #decode(byte[], String, String, long)} of an unnamed input with the configured limit. */
    static Optional<LayerFragment> decode(byte[] stored, String analyzerVersion) throws IOException {
        return decode(stored, analyzerVersion, "fragment", maxJsonBytes());
    }

    /**
     * A stored fragment, or empty when it is unreadable, of another schema or of another analyzer version (a miss: the
     * layer is analyzed again and the fragment rewritten). The zstd frame's declared content size is never trusted: the
     * JSON is decompressed as a stream and decompression stops at {@code maxJsonBytes}; a larger fragment (a crafted
     * frame or a decompression bomb in a shared store) is an error naming {@code what}, not a miss, so it is noticed.
     *
     * @param what names the input in errors, e.g. the file or object key
     */
    static Optional<LayerFragment> decode(byte[] stored, String analyzerVersion, String what, long maxJsonBytes)
            throws IOException {
        long declared = stored.length >= 4 ? Zstd.getFrameContentSize(stored) : -1;
        if (declared > maxJsonBytes) {
            throw new FragmentTooLargeException(what + ": declares " + declared + " decompressed bytes, more than the limit of "
                    + maxJsonBytes + "; refused (STELLA_MAX_FRAGMENT_BYTES)");
        }
        byte[] json;
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(stored))) {
            json = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxJsonBytes + 1));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not zstd, truncated
        }
        if (json.length > maxJsonBytes) {
            throw new FragmentTooLargeException(what + ": decompresses to more than the limit of " + maxJsonBytes
                    + " bytes (compressed " + stored.length + "); refused (STELLA_MAX_FRAGMENT_BYTES)");
        }
        try {
            LayerFragment f = Json.mapper().readValue(json, LayerFragment.class);
            return f.schema() == LayerFragment.SCHEMA && analyzerVersion.equals(f.analyzerVersion()) ? Optional.of(f) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A stored fragment larger than the configured limit. */
    final class FragmentTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        public FragmentTooLargeException(String message) {
            super(message);
        }
    }
}
