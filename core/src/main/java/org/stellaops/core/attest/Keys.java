package org.stellaops.core.attest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.stellaops.core.json.Digests;

/** PEM keys and certificates (parsed with Bouncy Castle), restricted to the algorithms we sign with. */
public final class Keys {
    /** Sigstore's names (protobuf-specs PublicKeyDetails) for the two key types we support. */
    public static final String ECDSA_P256 = "PKIX_ECDSA_P256_SHA_256";
    public static final String ED25519 = "PKIX_ED25519";

    private Keys() {
    }

    public static PrivateKey readPrivateKey(byte[] pem, String what) throws AttestationException {
        Object o = firstObject(pem, what);
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try {
            PrivateKey key;
            if (o instanceof PEMKeyPair kp) {
                key = conv.getKeyPair(kp).getPrivate();
            } else if (o instanceof PrivateKeyInfo pki) {
                key = conv.getPrivateKey(pki);
            } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new AttestationException(what + ": encrypted private keys are not read; decrypt it first "
                        + "(openssl pkey -in KEY -out plain.pem) or keep it in a Kubernetes Secret");
            } else {
                throw new AttestationException(what + ": no private key in PEM (found " + describe(o) + ")");
            }
            keyDetails(derivePublic(key), what);
            return key;
        } catch (IOException e) {
            throw e instanceof AttestationException ae ? ae : new AttestationException(what + ": " + e.getMessage(), e);
        }
    }

    /** A public key from a PEM public key or a PEM certificate. */
    public static PublicKey readPublicKey(byte[] pem, String what) throws AttestationException {
        Object o = firstObject(pem, what);
        try {
            PublicKey key;
            if (o instanceof SubjectPublicKeyInfo spki) {
                key = new JcaPEMKeyConverter().getPublicKey(spki);
            } else if (o instanceof X509CertificateHolder h) {
                key = new JcaPEMKeyConverter().getPublicKey(h.getSubjectPublicKeyInfo());
            } else if (o instanceof PEMKeyPair kp) {
                key = new JcaPEMKeyConverter().getPublicKey(kp.getPublicKeyInfo());
            } else {
                throw new AttestationException(what + ": no public key in PEM (found " + describe(o) + ")");
            }
            keyDetails(key, what);
            return key;
        } catch (IOException e) {
            throw e instanceof AttestationException ae ? ae : new AttestationException(what + ": " + e.getMessage(), e);
        }
    }

    public static PublicKey publicKeyFromDer(byte[] der, String what) throws AttestationException {
        for (String alg : new String[] {"EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // try the next algorithm
            }
        }
        throw new AttestationException(what + ": not an ECDSA or Ed25519 public key");
    }

    public static X509Certificate certificateFromDer(byte[] der, String what) throws AttestationException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new AttestationException(what + ": not a DER certificate (" + e.getMessage() + ")");
        }
    }

    /** The protobuf-specs key details name; only ECDSA P-256 and Ed25519 are accepted. */
    public static String keyDetails(PublicKey key, String what) throws AttestationException {
        if (key instanceof ECPublicKey ec) {
            if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new AttestationException(what + ": only ECDSA P-256 and Ed25519 keys are supported (EC key of "
                        + ec.getParams().getCurve().getField().getFieldSize() + " bits)");
            }
            return ECDSA_P256;
        }
        if (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA")) {
            return ED25519;
        }
        throw new AttestationException(what + ": only ECDSA P-256 and Ed25519 keys are supported (got " + key.getAlgorithm() + ")");
    }

    /** The JCA signature algorithm for a key: DER-encoded ECDSA over SHA-256, or pure Ed25519. */
    public static String signatureAlgorithm(PublicKey key) {
        return key instanceof ECPublicKey ? "SHA256withECDSA" : "Ed25519";
    }

    /** base64(sha256(SubjectPublicKeyInfo DER)): the bundle's public-key hint. */
    public static String hint(PublicKey key) {
        return Base64.getEncoder().encodeToString(Digests.sha256Bytes(key.getEncoded()));
    }

    /** The public half of a private key (SEC1 PEM carries it, PKCS#8 need not). */
    static PublicKey derivePublic(PrivateKey key) throws AttestationException {
        try {
            if (key instanceof java.security.interfaces.ECPrivateKey ec) {
                java.security.spec.ECParameterSpec params = ec.getParams();
                org.bouncycastle.math.ec.ECPoint q = org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util
                        .convertSpec(params).getG().multiply(ec.getS()).normalize();
                return KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(
                        new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                        params));
            }
            if (key instanceof java.security.interfaces.EdECPrivateKey ed && ed.getBytes().isPresent()) {
                byte[] pub = new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(ed.getBytes().get(), 0)
                        .generatePublicKey().getEncoded();
                byte[] prefix = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
                byte[] der = new byte[prefix.length + pub.length];
                System.arraycopy(prefix, 0, der, 0, prefix.length);
                System.arraycopy(pub, 0, der, prefix.length, pub.length);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new AttestationException("cannot derive the public key: " + e.getMessage(), e);
        }
        throw new AttestationException("only ECDSA P-256 and Ed25519 keys are supported (got " + key.getAlgorithm() + ")");
    }

    private static Object firstObject(byte[] pem, String what) throws AttestationException {
        try (Reader r = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
             PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            if (o == null) {
                throw new AttestationException(what + ": no PEM object found (expected -----BEGIN ...-----)");
            }
            return o;
        } catch (AttestationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new AttestationException(what + ": unreadable PEM (" + e.getMessage() + ")");
        }
    }

    private static String describe(Object o) {
        return o.getClass().getSimpleName();
    }
}
