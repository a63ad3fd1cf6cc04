package org.stellaops.core.attest;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;

/** Signs DSSE envelopes with a private key: ECDSA P-256 (SHA-256, DER signature) or Ed25519. */
public final class KeySigner {
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    public KeySigner(PrivateKey privateKey) throws AttestationException {
        this.privateKey = privateKey;
        this.publicKey = Keys.derivePublic(privateKey);
        Keys.keyDetails(publicKey, "signing key"); // only ECDSA P-256 and Ed25519 sign
    }

    public static KeySigner fromPem(byte[] pem, String what) throws AttestationException {
        return new KeySigner(Keys.readPrivateKey(pem, what));
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Signs {@code PAE(payloadType, payload)}; the key id is left empty as cosign does for key-based signatures. */
    public Dsse.Envelope sign(String payloadType, byte[] payload) throws AttestationException {
        try {
            Signature s = Signature.getInstance(Keys.signatureAlgorithm(publicKey));
            s.initSign(privateKey);
            s.update(Dsse.pae(payloadType, payload));
            return new Dsse.Envelope(payloadType, payload, List.of(new Dsse.Signature("", s.sign())));
        } catch (GeneralSecurityException e) {
            throw new AttestationException("signing failed: " + e.getMessage(), e);
        }
    }

    /** A bundle with the public-key hint as its verification material and no log entry yet. */
    public SigstoreBundle bundle(Dsse.Envelope envelope) {
        return new SigstoreBundle(envelope, Keys.hint(publicKey), List.of(), List.of());
    }
}
