package org.stellaops.core.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;

/**
 * Offline verification of a transparency-log entry from a bundle: the logged body names this envelope's signature, the
 * RFC 9162 inclusion proof leads from the body's leaf hash to the root hash, and the checkpoint (a C2SP signed note)
 * carrying that root is signed by a log the trusted root lists. A Rekor v1 entry's signed entry timestamp (inclusion
 * promise) is verified too: it is the only thing that makes the entry's {@code integratedTime} a signed time. Rekor v2
 * entries carry no promise and their integrated time is not signed. Hand-written: sigstore-java verifies proofs only
 * inside its keyless flow against the public-good instance, not against an arbitrary trusted root with key-signed bundles.
 */
public final class TransparencyLogVerifier {
    private TransparencyLogVerifier() {
    }

    /**
     * A verified entry. {@code signedTime} is the entry's integrated time when a signed entry timestamp by the log's key
     * covers it, otherwise null (Rekor v2, or a v1 entry without a promise); {@code rekorV2} tells which log version wrote it.
     */
    public record Verified(String logBaseUrl, long logIndex, long treeSize, String kind, boolean rekorV2, Instant signedTime) {
    }

    public static Verified verify(JsonNode entry, Dsse.Envelope envelope, TrustedRoot root) throws VerificationException {
        String kind = entry.path("kindVersion").path("kind").asText("");
        byte[] body = b64(entry.path("canonicalizedBody").asText(""), "canonicalizedBody");
        if (body.length == 0) {
            throw new VerificationException("transparency log entry: no canonicalized body");
        }
        boolean v2 = checkBodyBindsEnvelope(body, envelope);
        byte[] keyId = b64(entry.path("logId").path("keyId").asText(""), "logId");
        TrustedRoot.Log log = root.log(keyId).orElseThrow(() -> new VerificationException(
                "transparency log entry: the log " + Base64.getEncoder().encodeToString(keyId) + " is not in the trusted root"));
        JsonNode proof = entry.path("inclusionProof");
        if (proof.isMissingNode()) {
            throw new VerificationException("transparency log entry: no inclusion proof (an inclusion promise alone is not verified offline)");
        }
        long index = parseLong(proof.path("logIndex"), "inclusionProof.logIndex");
        long size = parseLong(proof.path("treeSize"), "inclusionProof.treeSize");
        byte[] rootHash = b64(proof.path("rootHash").asText(""), "inclusionProof.rootHash");
        List<byte[]> hashes = new ArrayList<>();
        for (JsonNode h : proof.path("hashes")) {
            hashes.add(b64(h.asText(), "inclusionProof.hashes"));
        }
        byte[] computed = rootFromInclusionProof(index, size, leafHash(body), hashes);
        if (!MessageDigest.isEqual(computed, rootHash)) {
            throw new VerificationException("transparency log entry: the inclusion proof does not lead to the root hash "
                    + "(entry " + index + " of " + size + ")");
        }
        String checkpoint = proof.path("checkpoint").path("envelope").asText("");
        verifyCheckpoint(checkpoint, log, size, rootHash);
        String set = entry.path("inclusionPromise").path("signedEntryTimestamp").asText("");
        Instant signedTime = v2 || set.isEmpty() ? null : verifySignedEntryTimestamp(entry, body, keyId, log, b64(set, "signedEntryTimestamp"));
        return new Verified(log.baseUrl(), index, size, kind, v2, signedTime);
    }

    /**
     * Rekor v1's inclusion promise: the log's signature over the canonical JSON (RFC 8785; here only base64/hex strings
     * and integers, so sorted compact JSON is that form) of {@code {body, integratedTime, logID, logIndex}}, with the
     * body base64, the log id hex and the entry's global log index. A promise that does not verify means the entry was
     * altered: the entry is refused. The time must also fall in the log key's validity in the trusted root.
     */
    static Instant verifySignedEntryTimestamp(JsonNode entry, byte[] body, byte[] keyId, TrustedRoot.Log log, byte[] set)
            throws VerificationException {
        long integratedTime = parseLong(entry.path("integratedTime"), "integratedTime");
        long logIndex = parseLong(entry.path("logIndex"), "logIndex");
        ObjectNode payload = Json.mapper().createObjectNode();
        payload.put("body", Base64.getEncoder().encodeToString(body));
        payload.put("integratedTime", integratedTime);
        payload.put("logID", HexFormat.of().formatHex(keyId));
        payload.put("logIndex", logIndex);
        if (!verifySignature(log.publicKey(), Json.writeSorted(payload), set)) {
            throw new VerificationException("transparency log entry " + logIndex + ": the signed entry timestamp does not verify "
                    + "with the key of log " + log.baseUrl() + " (its integrated time, index or body was altered, or another key signed it)");
        }
        Instant at = Instant.ofEpochSecond(integratedTime);
        if (log.validFrom() != null && at.isBefore(log.validFrom()) || log.validUntil() != null && at.isAfter(log.validUntil())) {
            throw new VerificationException("transparency log entry " + logIndex + ": integrated time " + at
                    + " is outside the validity of log " + log.baseUrl() + "'s key in the trusted root");
        }
        return at;
    }

    /**
     * The logged body must be about this envelope: its digest and signature (hashedrekord) or payload hash (dsse).
     * Returns whether the body is a Rekor v2 one (hashedRekordV002, dsseV002).
     */
    static boolean checkBodyBindsEnvelope(byte[] body, Dsse.Envelope env) throws VerificationException {
        JsonNode b;
        try {
            b = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new VerificationException("transparency log entry: the canonicalized body is not JSON");
        }
        String kind = b.path("kind").asText("");
        JsonNode spec = b.path("spec");
        byte[] sig = env.signatures().get(0).sig();
        switch (kind) {
            case "hashedrekord" -> {
                JsonNode v2 = spec.path("hashedRekordV002");
                byte[] digest;
                byte[] loggedSig;
                if (!v2.isMissingNode()) {
                    digest = b64(v2.path("data").path("digest").asText(""), "body digest");
                    loggedSig = b64(v2.path("signature").path("content").asText(""), "body signature");
                } else {
                    digest = hex(spec.path("data").path("hash").path("value").asText(""));
                    loggedSig = b64(spec.path("signature").path("content").asText(""), "body signature");
                }
                if (!MessageDigest.isEqual(digest, Digests.sha256Bytes(env.pae()))) {
                    throw new VerificationException("transparency log entry: the logged digest is not the digest of this envelope's PAE");
                }
                if (!MessageDigest.isEqual(loggedSig, sig)) {
                    throw new VerificationException("transparency log entry: the logged signature is not this envelope's signature");
                }
                return !v2.isMissingNode();
            }
            case "dsse" -> {
                JsonNode v2 = spec.path("dsseV002");
                byte[] payloadHash = !v2.isMissingNode()
                        ? b64(v2.path("payloadHash").path("digest").asText(""), "payload hash")
                        : hex(spec.path("payloadHash").path("value").asText(""));
                if (!MessageDigest.isEqual(payloadHash, Digests.sha256Bytes(env.payload()))) {
                    throw new VerificationException("transparency log entry: the logged payload hash is not this envelope's payload");
                }
                boolean found = false;
                for (JsonNode s : (v2.isMissingNode() ? spec : v2).path("signatures")) {
                    String c = s.has("content") ? s.path("content").asText() : s.path("signature").asText();
                    if (MessageDigest.isEqual(b64(c, "logged signature"), sig)) {
                        found = true;
                    }
                }
                if (!found) {
                    throw new VerificationException("transparency log entry: the logged signatures do not include this envelope's signature");
                }
                return !v2.isMissingNode();
            }
            default -> throw new VerificationException("transparency log entry: unsupported entry kind '" + kind + "'");
        }
    }

    public static byte[] leafHash(byte[] leaf) {
        return hash(new byte[] {0}, leaf, new byte[0]);
    }

    /** RFC 9162 section 2.1.3.2: the root a leaf's audit path leads to. */
    public static byte[] rootFromInclusionProof(long index, long size, byte[] leafHash, List<byte[]> path) throws VerificationException {
        if (index < 0 || size <= 0 || index >= size) {
            throw new VerificationException("transparency log entry: index " + index + " is outside a tree of size " + size);
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : path) {
            if (sn == 0) {
                throw new VerificationException("transparency log entry: the inclusion proof is longer than the tree");
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = hash(new byte[] {1}, p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = hash(new byte[] {1}, r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new VerificationException("transparency log entry: the inclusion proof is shorter than the tree");
        }
        return r;
    }

    /** A C2SP checkpoint: origin, size, base64 root hash, optional lines, blank line, signature lines. */
    static void verifyCheckpoint(String note, TrustedRoot.Log log, long size, byte[] rootHash) throws VerificationException {
        int split = note.indexOf("\n\n");
        if (split < 0) {
            throw new VerificationException("transparency log entry: the checkpoint is not a signed note");
        }
        String text = note.substring(0, split + 1);
        String[] lines = text.split("\n");
        if (lines.length < 3) {
            throw new VerificationException("transparency log entry: the checkpoint has fewer than three lines");
        }
        String origin = lines[0];
        long cpSize;
        try {
            cpSize = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new VerificationException("transparency log entry: bad checkpoint size '" + lines[1] + "'");
        }
        byte[] cpRoot = b64(lines[2], "checkpoint root hash");
        if (cpSize != size || !MessageDigest.isEqual(cpRoot, rootHash)) {
            throw new VerificationException("transparency log entry: the checkpoint (size " + cpSize
                    + ") does not commit to the proof's root (size " + size + ")");
        }
        byte[] expectedKeyHash = Arrays.copyOf(noteKeyHash(origin, log.publicKey()), 4);
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        for (String line : note.substring(split + 2).split("\n")) {
            if (!line.startsWith("\u2014 ")) {
                continue;
            }
            String[] parts = line.substring(2).split(" ");
            if (parts.length != 2) {
                continue;
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (raw.length <= 4 || !Arrays.equals(Arrays.copyOf(raw, 4), expectedKeyHash)) {
                continue;
            }
            if (verifySignature(log.publicKey(), message, Arrays.copyOfRange(raw, 4, raw.length))) {
                return;
            }
            throw new VerificationException("transparency log entry: the checkpoint signature of " + parts[0] + " does not verify");
        }
        throw new VerificationException("transparency log entry: the checkpoint carries no signature of the trusted log key");
    }

    /** The note key hash: sha256(name "\n" 0x01 key) for Ed25519, sha256(PKIX DER) for ECDSA (as Rekor v2 does). */
    public static byte[] noteKeyHash(String name, PublicKey key) {
        if (key instanceof ECPublicKey) {
            return Digests.sha256Bytes(key.getEncoded());
        }
        byte[] der = key.getEncoded();
        byte[] raw = Arrays.copyOfRange(der, der.length - 32, der.length);
        return hash((name + "\n").getBytes(StandardCharsets.UTF_8), new byte[] {1}, raw);
    }

    private static boolean verifySignature(PublicKey key, byte[] message, byte[] sig) {
        try {
            Signature s = Signature.getInstance(Keys.signatureAlgorithm(key));
            s.initVerify(key);
            s.update(message);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] hash(byte[] a, byte[] b, byte[] c) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(a);
            md.update(b);
            md.update(c);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long parseLong(JsonNode n, String what) throws VerificationException {
        try {
            return Long.parseLong(n.asText(""));
        } catch (NumberFormatException e) {
            throw new VerificationException("transparency log entry: bad " + what + " '" + n.asText("") + "'");
        }
    }

    private static byte[] b64(String s, String what) throws VerificationException {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("transparency log entry: " + what + " is not base64");
        }
    }

    private static byte[] hex(String s) throws VerificationException {
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("transparency log entry: bad hex digest");
        }
    }
}
