package org.stellaops.scanner.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.stellaops.scanner.ScanException;

/** Content digests in the OCI form {@code algorithm:hex}. */
public final class Digests {
    private Digests() {
    }

    public static MessageDigest newDigest(String digest) {
        String algorithm = digest.substring(0, Math.max(0, digest.indexOf(':')));
        String jca = switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new ScanException(ScanException.Kind.BAD_INPUT, "unsupported digest algorithm in " + digest);
        };
        try {
            return MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] data) {
        return org.stellaops.core.json.Digests.sha256(data);
    }

    public static boolean isDigest(String s) {
        return s != null && s.matches("(sha256:[a-f0-9]{64})|(sha512:[a-f0-9]{128})");
    }

    /** Verifies the digest of a whole byte array read in one piece (manifests, configs). */
    public static void verify(byte[] data, String expected, String what) {
        MessageDigest md = newDigest(expected);
        String actual = expected.substring(0, expected.indexOf(':') + 1) + HexFormat.of().formatHex(md.digest(data));
        if (!actual.equals(expected)) {
            throw new ScanException(ScanException.Kind.BAD_INPUT,
                    what + ": digest mismatch: expected " + expected + ", content has " + actual);
        }
    }

    /**
     * Computes the digest of everything read through it and, at end of stream, fails when it differs from the expected
     * one. A stream closed before its end is not verified (and its content is not used).
     */
    public static final class VerifyingInputStream extends FilterInputStream {
        private final MessageDigest md;
        private final String expected;
        private final String what;
        private boolean checked;

        public VerifyingInputStream(InputStream in, String expected, String what) {
            super(in);
            this.md = newDigest(expected);
            this.expected = expected;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                check();
            } else {
                md.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                check();
            } else {
                md.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** Reads to the end (so trailing padding is hashed too) and verifies. */
        public void drainAndVerify() throws IOException {
            byte[] buf = new byte[65536];
            while (read(buf, 0, buf.length) >= 0) {
                // keep reading
            }
        }

        private void check() throws IOException {
            if (checked) {
                return;
            }
            checked = true;
            String actual = expected.substring(0, expected.indexOf(':') + 1) + HexFormat.of().formatHex(md.digest());
            if (!actual.equals(expected)) {
                throw new DigestMismatchException(what + ": digest mismatch: expected " + expected + ", content has " + actual);
            }
        }
    }

    /** Thrown from a stream when the content does not match its digest. */
    public static final class DigestMismatchException extends IOException {
        public DigestMismatchException(String message) {
            super(message);
        }
    }
}
