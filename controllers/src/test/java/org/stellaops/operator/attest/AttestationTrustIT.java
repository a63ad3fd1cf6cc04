package org.stellaops.operator.attest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.SharedData;
import org.stellaops.core.attest.InToto;
import org.stellaops.core.attest.Keys;
import org.stellaops.core.attest.TransparencyLogVerifier;
import org.stellaops.core.attest.TrustedRoot;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;
import org.stellaops.core.testing.RekorServer;
import org.stellaops.core.testing.Tools;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.AttestationSpec;
import org.stellaops.crds.v1alpha1.AttestationStatus;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.crds.v1alpha1.SourceRef;
import org.stellaops.operator.config.StellaConfig;
import org.stellaops.operator.config.Storage;
import org.stellaops.operator.sources.SourceSettings;
import org.stellaops.storage.testing.MongoServer;
import org.stellaops.storage.testing.S3Server;

/**
 * The Attestation controller's signing flow ({@link Signing#sign}, {@link Signing#reverify}) with real storage
 * (S3Proxy, FerretDB) and a real Rekor v2 log: {@code verified} is true only against the configured trust — a trusted
 * verification key, and for logged entries a trusted root holding the log's key — and false with the reason otherwise.
 */
class AttestationTrustIT {
    static final String DIGEST = "sha256:" + "5a".repeat(32);
    @TempDir
    static Path dir;
    static S3Server s3;
    static MongoServer mongo;
    static RekorServer rekor;
    static Storage storage;
    static org.stellaops.operator.sources.Outbound outbound;
    static Secret keySecret;
    static Path signerPub;
    static Path otherPub;
    static Path rekorRoot;
    static Path rogueRoot;
    static ImageScan scan;

    @BeforeAll
    static void servers() throws Exception {
        s3 = new S3Server(dir.resolve("s3"));
        mongo = new MongoServer(dir.resolve("mongo"));
        rekor = new RekorServer(dir.resolve("rekor"));
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(StellaConfig.class).withMapping(AttestConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("stella.s3.endpoint", s3.endpoint(), "stella.s3.access-key", S3Server.ACCESS_KEY,
                        "stella.s3.secret-key", S3Server.SECRET_KEY, "stella.mongo.uri", mongo.uri(), "stella.mongo.database", "attest-it"))
                .build();
        storage = new Storage(c.getConfigMapping(StellaConfig.class));
        // the test's Rekor listens on the loopback address, which the outbound policy refuses unless allowed
        SmallRyeConfig sources = new SmallRyeConfigBuilder().withMapping(SourceSettings.Outbound.class).withMapping(SourceSettings.Limits.class)
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 100, new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withDefaultValues(Map.of("stella.outbound.allowed-cidrs", "127.0.0.0/8")).build();
        outbound = new org.stellaops.operator.sources.Outbound(sources.getConfigMapping(SourceSettings.Outbound.class),
                sources.getConfigMapping(SourceSettings.Limits.class));

        Path key = dir.resolve("signing.pem");
        Tools.run(List.of("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString()));
        signerPub = dir.resolve("signing.pub.pem");
        Tools.run(List.of("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", signerPub.toString()));
        Path other = dir.resolve("other.pem");
        Tools.run(List.of("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", other.toString()));
        otherPub = dir.resolve("other.pub.pem");
        Tools.run(List.of("openssl", "pkey", "-in", other.toString(), "-pubout", "-out", otherPub.toString()));
        keySecret = new SecretBuilder().withNewMetadata().withName("signing-key").endMetadata()
                .addToData("key.pem", Base64.getEncoder().encodeToString(Files.readAllBytes(key))).build();

        rekorRoot = Files.write(dir.resolve("trusted_root.json"), rekor.trustedRoot().toJson());
        // a trusted root naming another log (same URL, another key): the Rekor answer must not verify against it
        Path rogueKey = dir.resolve("rogue-log.pem");
        Tools.run(List.of("openssl", "genpkey", "-algorithm", "ed25519", "-out", rogueKey.toString()));
        Path roguePub = dir.resolve("rogue-log.pub.pem");
        Tools.run(List.of("openssl", "pkey", "-in", rogueKey.toString(), "-pubout", "-out", roguePub.toString()));
        var pk = Keys.readPublicKey(Files.readAllBytes(roguePub), "rogue log key");
        rogueRoot = Files.write(dir.resolve("rogue_root.json"), new TrustedRoot(List.of(new TrustedRoot.Log(rekor.url().toString(),
                TransparencyLogVerifier.noteKeyHash(RekorServer.ORIGIN, pk), pk, Keys.ED25519, null, null)), List.of()).toJson());

        byte[] bom = Files.readAllBytes(SharedData.dir().resolve("vex/cyclonedx/VEX/bom.json"));
        byte[] report = Json.writeSorted(Json.mapper().createObjectNode().put("schema", InToto.Predicate.REPORT.type).put("verdict", "pass"));
        storage.objects().put("sboms/attest-it.cdx.json", bom, "application/json");
        storage.objects().put("reports/attest-it.json", report, "application/json");
        scan = new ImageScan();
        scan.getMetadata().setName("app");
        scan.getMetadata().setNamespace("shop");
        scan.getSpec().image = "registry.example/shop/app:1";
        scan.setStatus(new ImageScanStatus());
        scan.getStatus().phase = ImageScanStatus.Phase.Completed;
        scan.getStatus().imageDigest = DIGEST;
        scan.getStatus().sbom = new ImageScanStatus.Sbom();
        scan.getStatus().sbom.keys = Map.of("cyclonedx-json", "sboms/attest-it.cdx.json");
        scan.getStatus().report = new ImageScanStatus.Report();
        scan.getStatus().report.key = "reports/attest-it.json";
        scan.getStatus().report.sha256 = Digests.sha256(report);
    }

    @AfterAll
    static void stop() {
        if (rekor != null) {
            rekor.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    static Attestation attestation(boolean logged) {
        Attestation a = new Attestation();
        a.getMetadata().setName("app");
        a.getMetadata().setNamespace("shop");
        a.getMetadata().setGeneration(1L);
        AttestationSpec spec = new AttestationSpec();
        spec.subject = new AttestationSpec.Subject();
        spec.subject.imageScanRef = "app";
        spec.predicates = List.of(AttestationSpec.Predicate.sbom_cyclonedx, AttestationSpec.Predicate.report);
        spec.signer = new AttestationSpec.Signer();
        spec.signer.keySecretRef = new SourceRef.KeyRef();
        spec.signer.keySecretRef.name = "signing-key";
        spec.signer.keySecretRef.key = "key.pem";
        if (logged) {
            spec.rekor = new AttestationSpec.Rekor();
            spec.rekor.url = rekor.url().toString();
        }
        a.setSpec(spec);
        return a;
    }

    static Signing signing(AttestationTrust trust) {
        Signing s = new Signing();
        s.storage = storage;
        s.trust = trust;
        s.outbound = outbound;
        return s;
    }

    static AttestationStatus sign(AttestationTrust trust, boolean logged) throws Exception {
        return signing(trust).sign(attestation(logged), scan, keySecret, null, java.time.Instant.now());
    }

    static Condition condition(AttestationStatus st, String type) {
        return st.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    static void assertNotVerified(AttestationStatus st, String reason, String message) {
        String all = String.valueOf(Json.mapper().valueToTree(st));
        assertThat(st.verified).as(all).isFalse();
        assertThat(condition(st, "Verified").getStatus()).as(all).isEqualTo("False");
        assertThat(condition(st, "Verified").getReason()).as(all).isEqualTo(reason);
        assertThat(condition(st, "Verified").getMessage()).as(all).contains(message);
        assertThat(Conditions.isTrue(st.conditions, "Ready")).as(all).isFalse();
        assertThat(Conditions.reason(st.conditions, "Ready")).as(all).isEqualTo(reason);
        // signed and stored all the same: only the verification failed
        assertThat(Conditions.isTrue(st.conditions, "Signed")).as(all).isTrue();
        assertThat(st.envelopes).hasSize(2);
    }

    @Test
    void aConfiguredKeyAndTrustedRootVerifyTheSignatureAndTheRekorAnswer() throws Exception {
        AttestationStatus st = sign(new AttestationTrust(List.of(otherPub, signerPub), false, Optional.of(rekorRoot)), true);
        String all = String.valueOf(Json.mapper().valueToTree(st));
        assertThat(st.verified).as(all).isTrue();
        assertThat(Conditions.isTrue(st.conditions, "Ready")).as(all).isTrue();
        assertThat(condition(st, "Verified").getMessage()).as(all).contains("trusted key")
                .contains("inclusion proof and checkpoint verified with the trusted root");
        assertThat(st.envelopes).allSatisfy(e -> assertThat(e.rekorLogIndex).isNotNull());
    }

    @Test
    void aTrustedRootWithoutTheLogKeyIsNotVerified() throws Exception {
        AttestationStatus st = sign(new AttestationTrust(List.of(signerPub), false, Optional.of(rogueRoot)), true);
        assertNotVerified(st, "VerificationFailed", "is not in the trusted root");
        // the same stored bundles verify once the trusted root holds the log's key: no new signature, no new log entry
        Signing s = signing(new AttestationTrust(List.of(signerPub), false, Optional.of(rekorRoot)));
        AttestationStatus again = s.reverify(attestation(true), keySecret, st, java.time.Instant.now());
        assertThat(again.verified).as(String.valueOf(Json.mapper().valueToTree(again))).isTrue();
        assertThat(again.envelopes).isEqualTo(st.envelopes);
        // and no longer after the log key is removed from the trust
        AttestationStatus revoked = signing(new AttestationTrust(List.of(signerPub), false, Optional.of(rogueRoot)))
                .reverify(attestation(true), keySecret, again, java.time.Instant.now());
        assertNotVerified(revoked, "VerificationFailed", "is not in the trusted root");
    }

    @Test
    void aLoggedAttestationWithoutTrustedRootIsNotVerified() throws Exception {
        assertNotVerified(sign(new AttestationTrust(List.of(signerPub), false, Optional.empty()), true), "TrustNotConfigured",
                "stella.attest.trusted-root");
    }

    @Test
    void aKeyThatIsNotTrustedIsNotVerified() throws Exception {
        assertNotVerified(sign(new AttestationTrust(List.of(otherPub), false, Optional.empty()), false), "VerificationFailed",
                "is not a trusted verification key");
    }

    @Test
    void withoutConfiguredTrustNothingIsVerified() throws Exception {
        assertNotVerified(sign(new AttestationTrust(List.of(), false, Optional.empty()), false), "TrustNotConfigured",
                "stella.attest.verification-keys");
    }

    @Test
    void theSignerSecretsKeyCountsOnlyWhenConfiguredAsTrusted() throws Exception {
        AttestationStatus st = sign(new AttestationTrust(List.of(), true, Optional.empty()), false);
        assertThat(st.verified).as(String.valueOf(Json.mapper().valueToTree(st))).isTrue();
        assertThat(Conditions.reason(st.conditions, "Ready")).isEqualTo("Attested");
    }

    @Test
    void theSettingsAreReadFromStellaAttest() {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(StellaConfig.class).withMapping(AttestConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("stella.s3.access-key", "a", "stella.s3.secret-key", "b",
                        "stella.attest.verification-keys", signerPub + "," + otherPub, "stella.attest.trusted-root", rekorRoot.toString()))
                .build();
        AttestConfig a = c.getConfigMapping(AttestConfig.class);
        assertThat(a.verificationKeys()).contains(List.of(signerPub, otherPub));
        assertThat(a.trustedRoot()).contains(rekorRoot);
        assertThat(a.trustSignerKeys()).isFalse();
        assertThat(AttestationTrust.of(a).trustsSignerKeys()).isFalse();
    }
}
