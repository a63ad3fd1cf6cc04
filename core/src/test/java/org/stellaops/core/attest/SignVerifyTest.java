package org.stellaops.core.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stellaops.core.SharedData;
import org.stellaops.core.json.Json;

/** Sign → verify round trips for both key types on a published CycloneDX document, and every way of breaking them. */
class SignVerifyTest {
    static final String IMAGE_DIGEST = "sha256:" + "ab".repeat(32);
    @TempDir
    static Path dir;
    static TestKeys.Pair ec;
    static TestKeys.Pair ed;
    static TestKeys.Pair other;
    static JsonNode bom;

    @BeforeAll
    static void keys() throws Exception {
        ec = TestKeys.ecdsa(dir, "ec");
        ed = TestKeys.ed25519(dir, "ed");
        other = TestKeys.ecdsa(dir, "other");
        bom = Json.mapper().readTree(Files.readAllBytes(SharedData.dir().resolve("vex/cyclonedx/VEX/bom.json")));
    }

    static SigstoreBundle sign(TestKeys.Pair keys) throws Exception {
        KeySigner signer = KeySigner.fromPem(TestKeys.read(keys.privatePem()), "key");
        InToto.Statement st = new InToto.Statement(List.of(InToto.Subject.of("registry.example/shop", IMAGE_DIGEST)),
                InToto.Predicate.detect(bom).orElseThrow().type, bom);
        return signer.bundle(signer.sign(Dsse.INTOTO_PAYLOAD_TYPE, st.toBytes()));
    }

    static BundleVerifier.Policy keyPolicy(TestKeys.Pair keys, String subject) throws Exception {
        return new BundleVerifier.Policy(Keys.readPublicKey(TestKeys.read(keys.publicPem()), "pub"), null, null, null, null,
                false, subject, null, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecdsa", "ed25519"})
    void roundTrip(String type) throws Exception {
        TestKeys.Pair keys = type.equals("ecdsa") ? ec : ed;
        SigstoreBundle b = sign(keys);
        byte[] json = b.toJson();
        SigstoreBundle parsed = SigstoreBundle.parse(json, "bundle");
        BundleVerifier.Result r = BundleVerifier.verify(parsed, keyPolicy(keys, IMAGE_DIGEST.substring(7)));
        assertThat(r.statement().predicateType()).isEqualTo("https://cyclonedx.org/bom");
        assertThat(r.statement().subjects()).extracting(InToto.Subject::name).containsExactly("registry.example/shop");
        assertThat(r.statement().predicate()).isEqualTo(bom);
        JsonNode tree = Json.mapper().readTree(json);
        assertThat(tree.path("mediaType").asText()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(tree.path("dsseEnvelope").path("payloadType").asText()).isEqualTo("application/vnd.in-toto+json");
        assertThat(tree.path("verificationMaterial").path("publicKey").path("hint").asText()).isNotEmpty();
        // ECDSA signatures are DER (SEQUENCE of two INTEGERs), Ed25519 ones 64 raw bytes
        byte[] sig = parsed.envelope().signatures().get(0).sig();
        if (type.equals("ecdsa")) {
            assertThat(sig[0]).isEqualTo((byte) 0x30);
        } else {
            assertThat(sig).hasSize(64);
        }
    }

    @Test
    void samePayloadSameStatementBytes() throws Exception {
        assertThat(sign(ed).envelope().payload()).isEqualTo(sign(ed).envelope().payload());
        // Ed25519 is deterministic: the whole bundle is byte-identical
        assertThat(sign(ed).toJson()).isEqualTo(sign(ed).toJson());
    }

    @Test
    void tamperedPayloadFails() throws Exception {
        SigstoreBundle b = sign(ec);
        byte[] payload = b.envelope().payload().clone();
        String s = new String(payload, StandardCharsets.UTF_8).replace("\"CycloneDX\"", "\"CycloneDx\"");
        Dsse.Envelope forged = new Dsse.Envelope(b.envelope().payloadType(), s.getBytes(StandardCharsets.UTF_8), b.envelope().signatures());
        assertThat(forged.payload()).isNotEqualTo(payload);
        SigstoreBundle tampered = new SigstoreBundle(forged, b.publicKeyHint(), List.of(), List.of());
        assertThatThrownBy(() -> BundleVerifier.verify(tampered, keyPolicy(ec, null)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("signature does not verify");
    }

    @Test
    void tamperedPayloadTypeFails() throws Exception {
        SigstoreBundle b = sign(ec);
        // a different payloadType changes the PAE: the signature must not carry over
        Dsse.Envelope forged = new Dsse.Envelope("application/vnd.in-toto+json ", b.envelope().payload(), b.envelope().signatures());
        assertThatThrownBy(() -> BundleVerifier.verify(new SigstoreBundle(forged, null, List.of(), List.of()), keyPolicy(ec, null)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("payload type");
    }

    @Test
    void wrongKeyFails() throws Exception {
        assertThatThrownBy(() -> BundleVerifier.verify(sign(ec), keyPolicy(other, null)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("signature does not verify with the given ECDSA P-256 key");
        assertThatThrownBy(() -> BundleVerifier.verify(sign(ed), keyPolicy(other, null)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("signature does not verify");
    }

    @Test
    void wrongSubjectFails() throws Exception {
        assertThatThrownBy(() -> BundleVerifier.verify(sign(ec), keyPolicy(ec, "cd".repeat(32))))
                .isInstanceOf(VerificationException.class).hasMessageContaining("do not include sha256:" + "cd".repeat(32));
    }

    @Test
    void wrongPredicateTypeFails() throws Exception {
        BundleVerifier.Policy p = new BundleVerifier.Policy(Keys.readPublicKey(TestKeys.read(ec.publicPem()), "pub"), null, null,
                null, null, false, null, InToto.Predicate.REPORT.type, null);
        assertThatThrownBy(() -> BundleVerifier.verify(sign(ec), p))
                .isInstanceOf(VerificationException.class).hasMessageContaining("predicate type");
    }

    @Test
    void missingTlogFailsWhenRequired() throws Exception {
        BundleVerifier.Policy p = new BundleVerifier.Policy(Keys.readPublicKey(TestKeys.read(ec.publicPem()), "pub"), null, null,
                null, null, true, null, null, null);
        assertThatThrownBy(() -> BundleVerifier.verify(sign(ec), p))
                .isInstanceOf(VerificationException.class).hasMessageContaining("no transparency log entry");
    }

    @Test
    void truncatedOrMalformedBundlesAreRefusedWithTheReason() throws Exception {
        byte[] json = sign(ec).toJson();
        assertThatThrownBy(() -> SigstoreBundle.parse(Arrays.copyOf(json, json.length / 2), "b.json"))
                .isInstanceOf(AttestationException.class).hasMessageStartingWith("b.json: not a JSON document");
        assertThatThrownBy(() -> SigstoreBundle.parse("{\"mediaType\":\"x\"}".getBytes(), "b.json"))
                .hasMessageContaining("not a Sigstore bundle");
        String noSig = new String(json, StandardCharsets.UTF_8).replaceAll("\"signatures\":\\[[^\\]]*\\]", "\"signatures\":[]");
        assertThatThrownBy(() -> SigstoreBundle.parse(noSig.getBytes(), "b.json")).hasMessageContaining("no signatures");
        String badB64 = new String(json, StandardCharsets.UTF_8).replaceFirst("\"payload\":\"", "\"payload\":\"%%%");
        assertThatThrownBy(() -> SigstoreBundle.parse(badB64.getBytes(), "b.json")).hasMessageContaining("not valid base64");
    }

    @Test
    void nonStatementPayloadIsNotVerified() throws Exception {
        KeySigner signer = KeySigner.fromPem(TestKeys.read(ec.privatePem()), "key");
        SigstoreBundle b = signer.bundle(signer.sign(Dsse.INTOTO_PAYLOAD_TYPE, "{\"hello\":1}".getBytes()));
        assertThatThrownBy(() -> BundleVerifier.verify(b, keyPolicy(ec, null)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("not an in-toto statement");
    }

    @Test
    void unsupportedAndBrokenKeysAreNamed() throws Exception {
        Path rsa = dir.resolve("rsa.pem");
        TestKeys.run(List.of("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa.toString()));
        assertThatThrownBy(() -> KeySigner.fromPem(Files.readAllBytes(rsa), "rsa.pem"))
                .isInstanceOf(AttestationException.class).hasMessageContaining("only ECDSA P-256 and Ed25519");
        Path p384 = dir.resolve("p384.pem");
        TestKeys.run(List.of("openssl", "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", p384.toString()));
        assertThatThrownBy(() -> KeySigner.fromPem(Files.readAllBytes(p384), "p384.pem")).hasMessageContaining("P-256");
        assertThatThrownBy(() -> KeySigner.fromPem("not a pem".getBytes(), "x.pem")).hasMessageContaining("x.pem: no PEM object");
        assertThatThrownBy(() -> KeySigner.fromPem(TestKeys.read(ec.publicPem()), "pub.pem")).hasMessageContaining("no private key");
        Path enc = dir.resolve("enc.pem");
        TestKeys.run(List.of("openssl", "pkcs8", "-topk8", "-in", ec.privatePem().toString(), "-passout", "pass:x", "-out", enc.toString()));
        assertThatThrownBy(() -> KeySigner.fromPem(Files.readAllBytes(enc), "enc.pem")).hasMessageContaining("encrypted");
    }

    @Test
    void pkcs8EcKeysWork() throws Exception {
        Path p8 = dir.resolve("ec-p8.pem");
        TestKeys.run(List.of("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", ec.privatePem().toString(), "-out", p8.toString()));
        KeySigner s = KeySigner.fromPem(Files.readAllBytes(p8), "p8");
        assertThat(Base64.getEncoder().encodeToString(s.publicKey().getEncoded())).isEqualTo(
                Base64.getEncoder().encodeToString(Keys.readPublicKey(TestKeys.read(ec.publicPem()), "pub").getEncoded()));
    }
}
