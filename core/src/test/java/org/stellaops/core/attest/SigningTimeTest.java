package org.stellaops.core.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;

/**
 * Which time a certificate-signed bundle's certificate is checked at: only a time a signature covers — a Rekor v1
 * signed entry timestamp (made here with a test log key listed in the test trusted root) or an RFC 3161 timestamp
 * (made here with Bouncy Castle's TimeStampTokenGenerator and a test TSA listed in the trusted root). Every certificate
 * here was valid for ten minutes two hours ago, so it verifies only when such a time is proven.
 */
class SigningTimeTest {
    static final String ISSUER = CertificateVerifyTest.ISSUER;
    static final String EMAIL = "builder@example.com";
    static KeyPair logKeys;
    static byte[] logId;
    static KeyPair tsaRootKeys;
    static X509Certificate tsaRoot;
    static KeyPair tsaKeys;
    static X509Certificate tsaCert;
    static TrustedRoot root;
    static Instant then;

    @BeforeAll
    static void trust() throws Exception {
        CertificateVerifyTest.ca();
        logKeys = CertificateVerifyTest.ecKeys();
        logId = Digests.sha256Bytes(logKeys.getPublic().getEncoded());
        tsaRootKeys = CertificateVerifyTest.ecKeys();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder rb = new JcaX509v3CertificateBuilder(new X500Name("CN=test-tsa-root"), BigInteger.TWO,
                Date.from(now.minus(Duration.ofDays(2))), Date.from(now.plus(Duration.ofDays(365))), new X500Name("CN=test-tsa-root"),
                tsaRootKeys.getPublic());
        rb.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        rb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        tsaRoot = CertificateVerifyTest.sign(rb, tsaRootKeys.getPrivate());
        tsaKeys = CertificateVerifyTest.ecKeys();
        tsaCert = tsa(tsaKeys, tsaRoot, tsaRootKeys);
        root = new TrustedRoot(List.of(new TrustedRoot.Log("https://rekor.test", logId, logKeys.getPublic(), Keys.ECDSA_P256,
                Instant.EPOCH, null)), CertificateVerifyTest.root.certificateAuthorities(),
                List.of(new TrustedRoot.CertificateAuthority("https://tsa.test", List.of(tsaCert, tsaRoot), Instant.EPOCH, null)));
        then = now.minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
    }

    static X509Certificate tsa(KeyPair keys, X509Certificate issuer, KeyPair issuerKeys) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), new X500Name("CN=test-tsa"),
                keys.getPublic());
        b.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        return CertificateVerifyTest.sign(b, issuerKeys.getPrivate());
    }

    /** A bundle signed by a certificate that was valid from {@code then} for ten minutes. */
    static SigstoreBundle shortLivedBundle() throws Exception {
        KeyPair k = CertificateVerifyTest.ecKeys();
        return CertificateVerifyTest.bundle(k, CertificateVerifyTest.leaf(k, EMAIL, ISSUER, then, then.plusSeconds(600),
                CertificateVerifyTest.caKeys.getPrivate()));
    }

    static BundleVerifier.Policy policy() {
        return new BundleVerifier.Policy(null, root, EMAIL, null, ISSUER, false, CertificateVerifyTest.DIGEST, null, null);
    }

    static byte[] sign(KeyPair keys, byte[] message) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(keys.getPrivate());
        s.update(message);
        return s.sign();
    }

    /**
     * A Rekor v1 hashedrekord entry for the bundle's signature, as a v1 log returns it: a one-leaf tree with its signed
     * checkpoint, and (when {@code promiseKey} is not null) a signed entry timestamp over {body, integratedTime, logID, logIndex}.
     */
    static ObjectNode v1Entry(SigstoreBundle b, long integratedTime, KeyPair promiseKey) throws Exception {
        ObjectNode body = Json.mapper().createObjectNode().put("apiVersion", "0.0.1").put("kind", "hashedrekord");
        ObjectNode spec = body.putObject("spec");
        spec.putObject("data").putObject("hash").put("algorithm", "sha256")
                .put("value", HexFormat.of().formatHex(Digests.sha256Bytes(b.envelope().pae())));
        ObjectNode sig = spec.putObject("signature").put("content", Base64.getEncoder().encodeToString(b.envelope().signatures().get(0).sig()));
        sig.putObject("publicKey").put("content", Base64.getEncoder().encodeToString(b.certificates().get(0).getEncoded()));
        byte[] bodyBytes = Json.writeSorted(body);
        byte[] rootHash = TransparencyLogVerifier.leafHash(bodyBytes);
        String note = "rekor.test - 1193050959916656506\n1\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
        byte[] noteSig = sign(logKeys, note.getBytes(StandardCharsets.UTF_8));
        byte[] keyHash = Arrays.copyOf(Digests.sha256Bytes(logKeys.getPublic().getEncoded()), 4);
        byte[] sigLine = new byte[4 + noteSig.length];
        System.arraycopy(keyHash, 0, sigLine, 0, 4);
        System.arraycopy(noteSig, 0, sigLine, 4, noteSig.length);
        String checkpoint = note + "\n\u2014 rekor.test " + Base64.getEncoder().encodeToString(sigLine) + "\n";
        long logIndex = 4711;
        ObjectNode e = Json.mapper().createObjectNode();
        e.put("logIndex", String.valueOf(logIndex));
        e.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(logId));
        e.putObject("kindVersion").put("kind", "hashedrekord").put("version", "0.0.1");
        e.put("integratedTime", String.valueOf(integratedTime));
        if (promiseKey != null) {
            ObjectNode payload = Json.mapper().createObjectNode().put("body", Base64.getEncoder().encodeToString(bodyBytes))
                    .put("integratedTime", integratedTime).put("logID", HexFormat.of().formatHex(logId)).put("logIndex", logIndex);
            // the exact bytes Rekor v1 signs: RFC 8785 canonical JSON of the four fields
            byte[] canonical = ("{\"body\":\"" + Base64.getEncoder().encodeToString(bodyBytes) + "\",\"integratedTime\":" + integratedTime
                    + ",\"logID\":\"" + HexFormat.of().formatHex(logId) + "\",\"logIndex\":" + logIndex + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(Json.writeSorted(payload)).isEqualTo(canonical);
            e.putObject("inclusionPromise").put("signedEntryTimestamp", Base64.getEncoder().encodeToString(sign(promiseKey, canonical)));
        }
        ObjectNode proof = e.putObject("inclusionProof");
        proof.put("logIndex", "0").put("treeSize", "1").put("rootHash", Base64.getEncoder().encodeToString(rootHash));
        proof.putArray("hashes");
        proof.putObject("checkpoint").put("envelope", checkpoint);
        e.put("canonicalizedBody", Base64.getEncoder().encodeToString(bodyBytes));
        return e;
    }

    static SigstoreBundle reparse(SigstoreBundle b) throws Exception {
        return SigstoreBundle.parse(b.toJson(), "bundle");
    }

    @Test
    void withoutASignedTimeAnExpiredCertificateFailsAtTheCurrentTime() throws Exception {
        SigstoreBundle b = shortLivedBundle();
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy())).isInstanceOf(VerificationException.class)
                .hasMessageContaining("expired").hasMessageContaining("current time");
    }

    @Test
    void aVerifiedSignedEntryTimestampIsTheSigningTime() throws Exception {
        SigstoreBundle plain = shortLivedBundle();
        long t = then.plusSeconds(60).getEpochSecond();
        SigstoreBundle b = reparse(plain.withTlogEntry(v1Entry(plain, t, logKeys)));
        BundleVerifier.Result r = BundleVerifier.verify(b, policy());
        assertThat(r.tlog()).singleElement().satisfies(v -> {
            assertThat(v.signedTime()).isEqualTo(Instant.ofEpochSecond(t));
            assertThat(v.rekorV2()).isFalse();
        });
        assertThat(r.times()).singleElement().satisfies(st -> {
            assertThat(st.at()).isEqualTo(Instant.ofEpochSecond(t));
            assertThat(st.signed()).isTrue();
            assertThat(st.source()).contains("signed entry timestamp of https://rekor.test entry 4711");
        });
        assertThat(r.notes()).noneMatch(n -> n.contains("current time"));
    }

    @Test
    void anEditedIntegratedTimeIsRefusedWhenASignedEntryTimestampCoversIt() throws Exception {
        SigstoreBundle plain = shortLivedBundle();
        // signed at a time after the certificate expired, then the number edited back into the validity window
        ObjectNode e = v1Entry(plain, Instant.now().getEpochSecond(), logKeys);
        e.put("integratedTime", String.valueOf(then.plusSeconds(60).getEpochSecond()));
        SigstoreBundle b = reparse(plain.withTlogEntry(e));
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy())).isInstanceOf(VerificationException.class)
                .hasMessageContaining("signed entry timestamp does not verify");
    }

    @Test
    void anIntegratedTimeWithoutSignedEntryTimestampIsNotUsed() throws Exception {
        SigstoreBundle plain = shortLivedBundle();
        SigstoreBundle b = reparse(plain.withTlogEntry(v1Entry(plain, then.plusSeconds(60).getEpochSecond(), null)));
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy())).isInstanceOf(VerificationException.class)
                .hasMessageContaining("expired").hasMessageContaining("current time");
        // with a key instead of the certificate the same bundle verifies, and the note says why the time was not used
        BundleVerifier.Result r = BundleVerifier.verify(b, new BundleVerifier.Policy(b.certificates().get(0).getPublicKey(), root,
                null, null, null, true, null, null, null));
        assertThat(r.times()).isEmpty();
        assertThat(r.notes()).anyMatch(n -> n.contains("not used as the signing time") && n.contains("no signed entry timestamp"));
    }

    @Test
    void aSignedEntryTimestampByAnotherKeyOrOutsideTheLogKeysValidityIsRefused() throws Exception {
        SigstoreBundle plain = shortLivedBundle();
        long t = then.plusSeconds(60).getEpochSecond();
        SigstoreBundle forged = reparse(plain.withTlogEntry(v1Entry(plain, t, CertificateVerifyTest.ecKeys())));
        assertThatThrownBy(() -> BundleVerifier.verify(forged, policy())).isInstanceOf(VerificationException.class)
                .hasMessageContaining("signed entry timestamp does not verify");
        TrustedRoot later = new TrustedRoot(List.of(new TrustedRoot.Log("https://rekor.test", logId, logKeys.getPublic(), Keys.ECDSA_P256,
                then.plus(Duration.ofHours(1)), null)), root.certificateAuthorities(), root.timestampAuthorities());
        SigstoreBundle b = reparse(plain.withTlogEntry(v1Entry(plain, t, logKeys)));
        assertThatThrownBy(() -> BundleVerifier.verify(b, new BundleVerifier.Policy(null, later, EMAIL, null, ISSUER, false, null, null, null)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("outside the validity of log");
    }

    /** A DER TimeStampResp from a TSA over sha256(signature), at {@code genTime}. */
    static byte[] timestamp(byte[] signature, Instant genTime, KeyPair keys, X509Certificate cert) throws Exception {
        TimeStampTokenGenerator gen = new TimeStampTokenGenerator(new JcaSimpleSignerInfoGeneratorBuilder()
                .build("SHA256withECDSA", keys.getPrivate(), cert),
                new JcaDigestCalculatorProviderBuilder().build().get(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                        org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256)), new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.2"));
        TimeStampRequestGenerator req = new TimeStampRequestGenerator();
        req.setCertReq(true);
        return new TimeStampResponseGenerator(gen, TSPAlgorithms.ALLOWED).generate(req.generate(TSPAlgorithms.SHA256,
                Digests.sha256Bytes(signature)), BigInteger.valueOf(42), Date.from(genTime)).getEncoded();
    }

    @Test
    void aVerifiedRfc3161TimestampIsTheSigningTime() throws Exception {
        SigstoreBundle plain = shortLivedBundle();
        Instant at = then.plusSeconds(120);
        SigstoreBundle b = reparse(plain.withRfc3161Timestamp(timestamp(plain.envelope().signatures().get(0).sig(), at, tsaKeys, tsaCert)));
        assertThat(b.rfc3161Timestamps()).hasSize(1);
        BundleVerifier.Result r = BundleVerifier.verify(b, policy());
        assertThat(r.times()).singleElement().satisfies(st -> {
            assertThat(st.at()).isEqualTo(at);
            assertThat(st.signed()).isTrue();
            assertThat(st.source()).isEqualTo("RFC 3161 timestamp of https://tsa.test");
        });
        // the trusted root's timestamp authorities survive a round trip through the file format
        TrustedRoot again = TrustedRoot.parse(root.toJson(), "trusted_root.json");
        assertThat(again.timestampAuthorities()).singleElement().satisfies(a -> assertThat(a.chain()).containsExactly(tsaCert, tsaRoot));
        assertThat(BundleVerifier.verify(b, new BundleVerifier.Policy(null, again, EMAIL, null, ISSUER, false, null, null, null))
                .times()).extracting(BundleVerifier.SigningTime::at).containsExactly(at);
    }

    @Test
    void aTamperedOrForeignRfc3161TimestampIsNotUsed() throws Exception {
        SigstoreBundle plain = shortLivedBundle();
        byte[] sig = plain.envelope().signatures().get(0).sig();
        Instant at = then.plusSeconds(120);
        byte[] good = timestamp(sig, Instant.now(), tsaKeys, tsaCert);
        // the token's genTime edited into the certificate's validity (the signature over the TSTInfo no longer matches)
        String now = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(
                new org.bouncycastle.tsp.TimeStampResponse(good).getTimeStampToken().getTimeStampInfo().getGenTime().toInstant());
        String edited = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(at);
        byte[] tampered = replace(good, now.getBytes(StandardCharsets.US_ASCII), edited.getBytes(StandardCharsets.US_ASCII));
        expectNotUsed(plain.withRfc3161Timestamp(tampered), "RFC 3161 timestamp: does not verify with the certificate of https://tsa.test");
        // a timestamp over other bytes
        expectNotUsed(plain.withRfc3161Timestamp(timestamp(new byte[] {1, 2, 3}, at, tsaKeys, tsaCert)), "message imprint");
        // a timestamp by an authority the trusted root does not list
        KeyPair rogueKeys = CertificateVerifyTest.ecKeys();
        expectNotUsed(plain.withRfc3161Timestamp(timestamp(sig, at, rogueKeys, tsa(rogueKeys, tsaRoot, tsaRootKeys))),
                "not in the trusted root");
        // garbage
        expectNotUsed(plain.withRfc3161Timestamp(new byte[] {0x30, 0x03, 0x02, 0x01, 0x05}), "not a DER timestamp");
    }

    static void expectNotUsed(SigstoreBundle b, String reason) throws Exception {
        SigstoreBundle parsed = reparse(b);
        assertThatThrownBy(() -> BundleVerifier.verify(parsed, policy())).as(reason).isInstanceOf(VerificationException.class)
                .hasMessageContaining("expired").hasMessageContaining("current time");
        BundleVerifier.Result r = BundleVerifier.verify(parsed, new BundleVerifier.Policy(b.certificates().get(0).getPublicKey(), root,
                null, null, null, false, null, null, null));
        assertThat(r.times()).isEmpty();
        assertThat(r.notes()).as(reason).anyMatch(n -> n.startsWith("timestamp not used: ") && n.contains(reason));
    }

    static byte[] replace(byte[] data, byte[] what, byte[] with) {
        for (int i = 0; i + what.length <= data.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(data, i, i + what.length), what)) {
                byte[] out = data.clone();
                System.arraycopy(with, 0, out, i, with.length);
                return out;
            }
        }
        throw new AssertionError("not found in the token: " + new String(what, StandardCharsets.US_ASCII));
    }
}
