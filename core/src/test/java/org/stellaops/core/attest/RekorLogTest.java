package org.stellaops.core.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.core.testing.RekorServer;

/** Entries logged in a real Rekor v2 (rekor-tiles) and their inclusion proofs and checkpoints verified offline. */
class RekorLogTest {
    @TempDir
    static Path dir;
    static RekorServer rekor;
    static TestKeys.Pair ec;
    static TestKeys.Pair ed;

    @BeforeAll
    static void start() throws Exception {
        rekor = new RekorServer(dir.resolve("rekor"));
        ec = TestKeys.ecdsa(dir, "ec");
        ed = TestKeys.ed25519(dir, "ed");
    }

    @AfterAll
    static void stop() {
        rekor.close();
    }

    static SigstoreBundle signAndLog(TestKeys.Pair keys, String digest) throws Exception {
        KeySigner signer = KeySigner.fromPem(TestKeys.read(keys.privatePem()), "key");
        byte[] st = new InToto.Statement(List.of(new InToto.Subject("img", digest)), InToto.Predicate.REPORT.type,
                Json.mapper().createObjectNode().put("schema", InToto.Predicate.REPORT.type)).toBytes();
        Dsse.Envelope env = signer.sign(Dsse.INTOTO_PAYLOAD_TYPE, st);
        JsonNode entry = new RekorClient(rekor.url(), Duration.ofSeconds(30)).log(env, signer.publicKey());
        return SigstoreBundle.parse(signer.bundle(env).withTlogEntry(entry).toJson(), "bundle");
    }

    static BundleVerifier.Policy policy(TestKeys.Pair keys, TrustedRoot root) throws Exception {
        return new BundleVerifier.Policy(Keys.readPublicKey(TestKeys.read(keys.publicPem()), "pub"), root, null, null, null, true,
                null, null, null);
    }

    @Test
    void ecdsaHashedRekordEntryVerifiesOffline() throws Exception {
        SigstoreBundle b = signAndLog(ec, "11".repeat(32));
        assertThat(b.tlogEntries().get(0).path("kindVersion").path("kind").asText()).isEqualTo("hashedrekord");
        BundleVerifier.Result r = BundleVerifier.verify(b, policy(ec, rekor.trustedRoot()));
        assertThat(r.tlog()).hasSize(1);
        assertThat(r.tlog().get(0).treeSize()).isGreaterThan(r.tlog().get(0).logIndex());
        // a second entry grows the log; both proofs verify against their own checkpoints
        SigstoreBundle b2 = signAndLog(ec, "12".repeat(32));
        assertThat(BundleVerifier.verify(b2, policy(ec, rekor.trustedRoot())).tlog().get(0).logIndex())
                .isGreaterThan(r.tlog().get(0).logIndex());
    }

    @Test
    void ed25519EnvelopeCannotGoToRekorV2AndSaysWhy() {
        assertThatThrownBy(() -> signAndLog(ed, "13".repeat(32)))
                .isInstanceOf(AttestationException.class).hasMessageContaining("sign with an ECDSA P-256 key to log it");
    }

    @Test
    void tamperedProofBodyOrCheckpointFails() throws Exception {
        SigstoreBundle b = signAndLog(ec, "14".repeat(32));
        for (int i = 0; i < 3; i++) {
            signAndLog(ec, ("2" + i).repeat(32)); // make sure the tree has siblings
        }
        b = signAndLog(ec, "15".repeat(32));
        ObjectNode entry = (ObjectNode) b.tlogEntries().get(0).deepCopy();
        ObjectNode proof = (ObjectNode) entry.get("inclusionProof");
        ArrayNode hashes = (ArrayNode) proof.get("hashes");
        assertThat(hashes).as("a log of several entries gives a non-empty audit path").isNotEmpty();
        hashes.set(0, Json.mapper().getNodeFactory().textNode(Base64.getEncoder().encodeToString(new byte[32])));
        assertFails(b, entry, "inclusion proof does not lead to the root hash");
        ObjectNode e2 = (ObjectNode) b.tlogEntries().get(0).deepCopy();
        String cp = e2.path("inclusionProof").path("checkpoint").path("envelope").asText();
        String[] lines = cp.split("\n", -1);
        lines[0] = lines[0] + "x";
        ((ObjectNode) e2.get("inclusionProof").get("checkpoint")).put("envelope", String.join("\n", lines));
        assertFails(b, e2, "checkpoint");
        // an entry about another envelope: its body does not name this signature
        SigstoreBundle other = signAndLog(ec, "16".repeat(32));
        assertFails(b, (ObjectNode) other.tlogEntries().get(0).deepCopy(), "not the digest of this envelope");
    }

    /**
     * A Rekor v2 entry has no signed entry timestamp: its integrated time is a number anyone can edit, so it is never
     * the signing time, and neither is an inclusion promise grafted onto it.
     */
    @Test
    void aRekorV2IntegratedTimeIsNeverTheSigningTime() throws Exception {
        CertificateVerifyTest.ca();
        java.security.KeyPair k = CertificateVerifyTest.ecKeys();
        java.time.Instant then = java.time.Instant.now().minus(Duration.ofHours(2));
        SigstoreBundle plain = CertificateVerifyTest.bundle(k, CertificateVerifyTest.leaf(k, "builder@example.com",
                CertificateVerifyTest.ISSUER, then, then.plusSeconds(600), CertificateVerifyTest.caKeys.getPrivate()));
        ObjectNode entry = (ObjectNode) new RekorClient(rekor.url(), Duration.ofSeconds(30)).log(plain.envelope(), k.getPublic()).deepCopy();
        entry.put("integratedTime", String.valueOf(then.plusSeconds(60).getEpochSecond()));
        entry.putObject("inclusionPromise").put("signedEntryTimestamp", Base64.getEncoder().encodeToString(new byte[70]));
        SigstoreBundle b = SigstoreBundle.parse(plain.withTlogEntry(entry).toJson(), "bundle");
        TrustedRoot both = new TrustedRoot(rekor.trustedRoot().tlogs(), CertificateVerifyTest.root.certificateAuthorities());
        assertThatThrownBy(() -> BundleVerifier.verify(b, new BundleVerifier.Policy(null, both, "builder@example.com", null,
                CertificateVerifyTest.ISSUER, true, CertificateVerifyTest.DIGEST, null, null)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("expired").hasMessageContaining("current time");
        // the entry itself verifies (with the key): a Rekor v2 entry, no signed time, and the note says why
        BundleVerifier.Result r = BundleVerifier.verify(b, new BundleVerifier.Policy(k.getPublic(), both, null, null, null, true,
                null, null, null));
        assertThat(r.tlog()).singleElement().satisfies(v -> {
            assertThat(v.rekorV2()).isTrue();
            assertThat(v.signedTime()).isNull();
        });
        assertThat(r.times()).isEmpty();
        assertThat(r.notes()).anyMatch(n -> n.contains("not used as the signing time") && n.contains("Rekor v2"));
    }

    @Test
    void untrustedLogFails() throws Exception {
        SigstoreBundle b = signAndLog(ec, "17".repeat(32));
        TestKeys.Pair rogue = TestKeys.ed25519(dir, "rogue");
        var pk = Keys.readPublicKey(TestKeys.read(rogue.publicPem()), "rogue");
        TrustedRoot wrong = new TrustedRoot(List.of(new TrustedRoot.Log("http://rogue", TransparencyLogVerifier.noteKeyHash(
                RekorServer.ORIGIN, pk), pk, Keys.ED25519, null, null)), List.of());
        assertThatThrownBy(() -> BundleVerifier.verify(b, policy(ec, wrong)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("is not in the trusted root");
    }

    @Test
    void trustedRootRoundTrips() throws Exception {
        TrustedRoot again = TrustedRoot.parse(rekor.trustedRoot().toJson(), "trusted_root.json");
        SigstoreBundle b = signAndLog(ec, "18".repeat(32));
        assertThat(BundleVerifier.verify(b, policy(ec, again)).tlog()).hasSize(1);
    }

    @Test
    void unreachableLogIsAClearError() {
        assertThatThrownBy(() -> new RekorClient(URI.create("http://127.0.0.1:1"), Duration.ofSeconds(2))
                .log(new Dsse.Envelope("t", new byte[0], List.of(new Dsse.Signature("", new byte[8]))),
                        Keys.readPublicKey(TestKeys.read(ec.publicPem()), "pub")))
                .isInstanceOf(AttestationException.class).hasMessageContaining("Rekor http://127.0.0.1:1");
    }

    static void assertFails(SigstoreBundle b, ObjectNode entry, String reason) throws Exception {
        SigstoreBundle t = new SigstoreBundle(b.envelope(), b.publicKeyHint(), List.of(), List.of(entry));
        assertThatThrownBy(() -> BundleVerifier.verify(t, policy(ec, rekor.trustedRoot())))
                .isInstanceOf(VerificationException.class).hasMessageContaining(reason);
    }
}
