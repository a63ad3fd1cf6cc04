package org.stellaops.core.json;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 digests in the "sha256:hex" form used for every input and output digest. */
public final class Digests {
    private Digests() {
    }

    public static String sha256(byte[] data) {
        return "sha256:" + HexFormat.of().formatHex(sha256Bytes(data));
    }

    public static byte[] sha256Bytes(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
