package org.stellaops.core.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellaops.core.json.Json;

/**
 * Certificate-signed (keyless-style) bundles: a Fulcio-shaped leaf (code-signing EKU, e-mail SAN, OIDC issuer extension
 * 1.3.6.1.4.1.57264.1.8) under a private CA. No Fulcio runs here; the certificates are made in the test.
 */
class CertificateVerifyTest {
    static final String DIGEST = "ef".repeat(32);
    static final String ISSUER = "https://issuer.example";
    static KeyPair caKeys;
    static X509Certificate ca;
    static TrustedRoot root;

    @BeforeAll
    static void ca() throws Exception {
        caKeys = ecKeys();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=test-ca,O=stella-ops"), BigInteger.ONE,
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))),
                new X500Name("CN=test-ca,O=stella-ops"), caKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca = sign(b, caKeys.getPrivate());
        root = new TrustedRoot(List.of(), List.of(new TrustedRoot.CertificateAuthority("https://fulcio.test", List.of(ca),
                Instant.EPOCH, null)));
    }

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    static X509Certificate leaf(KeyPair keys, String email, String issuer, Instant from, Instant until, PrivateKey signer) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, BigInteger.valueOf(System.nanoTime()), Date.from(from),
                Date.from(until), new X500Name(""), keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(GeneralName.rfc822Name, email)));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8"), false, new DERUTF8String(issuer));
        return sign(b, signer);
    }

    static SigstoreBundle bundle(KeyPair keys, X509Certificate cert) throws Exception {
        byte[] payload = new InToto.Statement(List.of(new InToto.Subject("img", DIGEST)), InToto.Predicate.REPORT.type,
                Json.mapper().createObjectNode().put("schema", InToto.Predicate.REPORT.type)).toBytes();
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(keys.getPrivate());
        s.update(Dsse.pae(Dsse.INTOTO_PAYLOAD_TYPE, payload));
        Dsse.Envelope env = new Dsse.Envelope(Dsse.INTOTO_PAYLOAD_TYPE, payload, List.of(new Dsse.Signature("", s.sign())));
        return SigstoreBundle.parse(new SigstoreBundle(env, null, List.of(cert), List.of()).toJson(), "bundle");
    }

    static BundleVerifier.Policy policy(String identity, String issuer) {
        return new BundleVerifier.Policy(null, root, identity, null, issuer, false, DIGEST, null, null);
    }

    @Test
    void validCertificateVerifies() throws Exception {
        KeyPair k = ecKeys();
        Instant now = Instant.now();
        SigstoreBundle b = bundle(k, leaf(k, "builder@example.com", ISSUER, now.minusSeconds(60), now.plusSeconds(600), caKeys.getPrivate()));
        BundleVerifier.Result r = BundleVerifier.verify(b, policy("builder@example.com", ISSUER));
        assertThat(r.signer()).contains("builder@example.com").contains(ISSUER);
        assertThat(r.notes()).anyMatch(n -> n.contains("current time"));
        BundleVerifier.Policy regexp = new BundleVerifier.Policy(null, root, null, ".*@example\\.com", ISSUER, false, DIGEST, null, null);
        assertThat(BundleVerifier.verify(b, regexp).statement().predicateType()).isEqualTo(InToto.Predicate.REPORT.type);
    }

    @Test
    void expiredCertificateFails() throws Exception {
        KeyPair k = ecKeys();
        Instant then = Instant.now().minus(Duration.ofHours(2));
        SigstoreBundle b = bundle(k, leaf(k, "builder@example.com", ISSUER, then, then.plusSeconds(600), caKeys.getPrivate()));
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy("builder@example.com", ISSUER)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("expired");
    }

    @Test
    void wrongIdentityOrIssuerFails() throws Exception {
        KeyPair k = ecKeys();
        Instant now = Instant.now();
        SigstoreBundle b = bundle(k, leaf(k, "someone-else@example.com", ISSUER, now.minusSeconds(60), now.plusSeconds(600), caKeys.getPrivate()));
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy("builder@example.com", ISSUER)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not match 'builder@example.com'");
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy("someone-else@example.com", "https://other.example")))
                .isInstanceOf(VerificationException.class).hasMessageContaining("OIDC issuer 'https://issuer.example' is not");
    }

    @Test
    void aCaOutsideItsTrustedRootWindowIsNotUsed() throws Exception {
        KeyPair k = ecKeys();
        Instant now = Instant.now();
        SigstoreBundle b = bundle(k, leaf(k, "builder@example.com", ISSUER, now.minusSeconds(60), now.plusSeconds(600), caKeys.getPrivate()));
        TrustedRoot retired = new TrustedRoot(List.of(), List.of(new TrustedRoot.CertificateAuthority("https://fulcio.test", List.of(ca),
                Instant.EPOCH, now.minus(Duration.ofDays(1)))));
        assertThatThrownBy(() -> BundleVerifier.verify(b, new BundleVerifier.Policy(null, retired, "builder@example.com", null, ISSUER,
                false, DIGEST, null, null))).isInstanceOf(VerificationException.class).hasMessageContaining("was not in use");
    }

    @Test
    void untrustedCaFails() throws Exception {
        KeyPair k = ecKeys();
        KeyPair rogue = ecKeys();
        Instant now = Instant.now();
        SigstoreBundle b = bundle(k, leaf(k, "builder@example.com", ISSUER, now.minusSeconds(60), now.plusSeconds(600), rogue.getPrivate()));
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy("builder@example.com", ISSUER)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not chain to the trusted CA");
    }

    @Test
    void signatureByAnotherKeyFails() throws Exception {
        KeyPair k = ecKeys();
        KeyPair certKey = ecKeys();
        Instant now = Instant.now();
        SigstoreBundle b = bundle(k, leaf(certKey, "builder@example.com", ISSUER, now.minusSeconds(60), now.plusSeconds(600), caKeys.getPrivate()));
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy("builder@example.com", ISSUER)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("certificate's key");
    }

    @Test
    void certificateBundleNeedsTrust() throws Exception {
        KeyPair k = ecKeys();
        Instant now = Instant.now();
        SigstoreBundle b = bundle(k, leaf(k, "builder@example.com", ISSUER, now.minusSeconds(60), now.plusSeconds(600), caKeys.getPrivate()));
        assertThatThrownBy(() -> BundleVerifier.verify(b, new BundleVerifier.Policy(null, null, "builder@example.com", null, ISSUER,
                false, null, null, null))).hasMessageContaining("trusted root");
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy(null, ISSUER))).hasMessageContaining("--certificate-identity");
    }
}
