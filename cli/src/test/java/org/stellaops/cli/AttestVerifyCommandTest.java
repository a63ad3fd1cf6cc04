package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.core.testing.RekorServer;
import org.stellaops.core.testing.Tools;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.LocalRegistry;

/**
 * stella attest / stella verify on a real image in a local registry (Debian's docker-registry, which has no Referrers
 * API, so the referrers-tag fallback is used), with a real Rekor v2 log, and cosign as the independent verifier and
 * signer in both directions.
 */
class AttestVerifyCommandTest {
    @TempDir
    static Path dir;
    static LocalRegistry registry;
    static RekorServer rekor;
    static String image;
    static String digest;
    static Path sbom;
    static Path report;
    static Path trustedRoot;
    static Path ecKey;
    static Path ecPub;
    static Path edKey;
    static Path edPub;

    @BeforeAll
    static void setUp() throws Exception {
        registry = LocalRegistry.start();
        rekor = new RekorServer(dir.resolve("rekor"));
        image = registry.push(Fixtures.image("debian-app"), "1", "shop/app", "1");
        sbom = dir.resolve("sbom.json");
        report = dir.resolve("report.json");
        Path data = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/SOURCES.md"))) {
                data = d.resolve("shared/data");
            }
        }
        assertThat(data).isNotNull();
        ScanCommandTest.Run scan = ScanCommandTest.run("scan", image, "--cache-dir", dir.resolve("cache").toString(),
                "--advisories", data.resolve("osv").toString(), "--as-of", "2026-11-27",
                "--out", report.toString(), "--sbom-out", sbom.toString());
        assertThat(scan.code()).as(scan.err()).isIn(ExitCodes.OK, ExitCodes.POLICY_FAIL);
        digest = Json.mapper().readTree(sbom.toFile()).path("metadata").path("component").path("version").asText();
        assertThat(digest).startsWith("sha256:");
        trustedRoot = dir.resolve("trusted_root.json");
        Files.write(trustedRoot, rekor.trustedRoot().toJson());
        ecKey = dir.resolve("ec.key");
        ecPub = dir.resolve("ec.pub");
        edKey = dir.resolve("ed.key");
        edPub = dir.resolve("ed.pub");
        exec(Map.of(), "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ecKey.toString());
        exec(Map.of(), "openssl", "pkey", "-in", ecKey.toString(), "-pubout", "-out", ecPub.toString());
        exec(Map.of(), "openssl", "genpkey", "-algorithm", "ed25519", "-out", edKey.toString());
        exec(Map.of(), "openssl", "pkey", "-in", edKey.toString(), "-pubout", "-out", edPub.toString());
    }

    @AfterAll
    static void tearDown() throws IOException {
        rekor.close();
        registry.close();
    }

    @Test
    void ecdsaSbomAttestationLoggedAttachedAndVerifiedOffline() throws Exception {
        Path bundle = dir.resolve("sbom.bundle.json");
        ScanCommandTest.Run a = ScanCommandTest.run("attest", "--predicate", sbom.toString(), "--image", image, "--key", ecKey.toString(),
                "--rekor-url", rekor.url().toString(), "--attach", "--bundle", bundle.toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.err()).contains("logged: ").contains("attached: ").contains("referrers tag sha256-");
        JsonNode b = Json.mapper().readTree(bundle.toFile());
        JsonNode statement = Json.mapper().readTree(Base64.getDecoder().decode(b.path("dsseEnvelope").path("payload").asText()));
        assertThat(statement.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(statement.path("predicateType").asText()).isEqualTo("https://cyclonedx.org/bom");
        assertThat(statement.path("subject").path(0).path("digest").path("sha256").asText()).isEqualTo(digest.substring(7));
        assertThat(statement.path("predicate")).isEqualTo(Json.mapper().readTree(sbom.toFile()));

        // the bundle file, offline: signature, subject, inclusion proof and checkpoint against the trusted root
        ScanCommandTest.Run v = ScanCommandTest.run("verify", "--bundle", bundle.toString(), "--subject-digest", digest,
                "--key", ecPub.toString(), "--trusted-root", trustedRoot.toString(), "--require-tlog");
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(v.out()).contains("VERIFIED").contains("hashedrekord entry").contains("inclusion proof and checkpoint verified");
        // the attached referrer, found through the fallback tag
        ScanCommandTest.Run vi = ScanCommandTest.run("verify", "--image", image, "--key", ecPub.toString(), "--type", "cyclonedx",
                "--trusted-root", trustedRoot.toString(), "--require-tlog", "--json");
        assertThat(vi.code()).as(vi.err() + vi.out()).isZero();
        JsonNode outcomes = Json.mapper().readTree(vi.out());
        assertThat(outcomes).anySatisfy(o -> {
            assertThat(o.path("verified").asBoolean()).isTrue();
            assertThat(o.path("tlog").path(0).path("kind").asText()).isEqualTo("hashedrekord");
        });
    }

    @Test
    void ed25519ReportAttestationRoundTrip() throws Exception {
        Path bundle = dir.resolve("report.bundle.json");
        ScanCommandTest.Run a = ScanCommandTest.run("attest", "--predicate", report.toString(), "--image", image, "--key", edKey.toString(),
                "--bundle", bundle.toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.err()).contains("https://stella-ops.org/attestations/report/v1");
        ScanCommandTest.Run v = ScanCommandTest.run("verify", "--bundle", bundle.toString(), "--image", image, "--key", edPub.toString(),
                "--type", "report");
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(v.out()).contains("predicate: https://stella-ops.org/attestations/report/v1");
        // a log is required but the bundle has none
        ScanCommandTest.Run strict = ScanCommandTest.run("verify", "--bundle", bundle.toString(), "--image", image, "--key",
                edPub.toString(), "--require-tlog");
        assertThat(strict.code()).isEqualTo(ExitCodes.VERIFICATION_FAILED);
        assertThat(strict.err()).contains("no transparency log entry");
        // the same inputs sign to the same bytes (Ed25519 is deterministic, the statement canonical)
        Path again = dir.resolve("report.bundle.2.json");
        assertThat(ScanCommandTest.run("attest", "--predicate", report.toString(), "--subject-digest", digest, "--subject-name",
                image.substring(0, image.lastIndexOf(':')), "--key", edKey.toString(), "--bundle", again.toString()).code()).isZero();
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(bundle));
    }

    @Test
    void tamperingWrongKeyWrongSubjectAndTruncationFailWithExitThree() throws Exception {
        Path bundle = dir.resolve("t.bundle.json");
        assertThat(ScanCommandTest.run("attest", "--predicate", sbom.toString(), "--image", image, "--key", ecKey.toString(),
                "--rekor-url", rekor.url().toString(), "--bundle", bundle.toString()).code()).isZero();
        ObjectNode b = (ObjectNode) Json.mapper().readTree(bundle.toFile());
        String payload = new String(Base64.getDecoder().decode(b.path("dsseEnvelope").path("payload").asText()), StandardCharsets.UTF_8);
        ((ObjectNode) b.get("dsseEnvelope")).put("payload", Base64.getEncoder().encodeToString(
                payload.replace("\"name\":\"", "\"name\":\"x").getBytes(StandardCharsets.UTF_8)));
        Path tampered = dir.resolve("tampered.json");
        Files.write(tampered, Json.write(b));
        expectFailure(tampered, ecPub, digest, "signature does not verify");
        expectFailure(bundle, edPub, digest, "signature does not verify");
        expectFailure(bundle, ecPub, "sha256:" + "0".repeat(64), "do not include sha256:" + "0".repeat(64));
        byte[] whole = Files.readAllBytes(bundle);
        Path truncated = dir.resolve("truncated.json");
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 100));
        expectFailure(truncated, ecPub, digest, "not a JSON document");
        // tlog: the proof is checked against the trusted root; a different log key is refused
        Path otherRoot = dir.resolve("other-root.json");
        try (RekorServer other = new RekorServer(dir.resolve("rekor-other"))) {
            Files.write(otherRoot, other.trustedRoot().toJson());
        }
        ScanCommandTest.Run r = ScanCommandTest.run("verify", "--bundle", bundle.toString(), "--subject-digest", digest, "--key",
                ecPub.toString(), "--trusted-root", otherRoot.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.VERIFICATION_FAILED);
        assertThat(r.err()).contains("not in the trusted root");
    }

    private static void expectFailure(Path bundle, Path key, String subject, String reason) {
        ScanCommandTest.Run r = ScanCommandTest.run("verify", "--bundle", bundle.toString(), "--subject-digest", subject, "--key", key.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.VERIFICATION_FAILED);
        assertThat(r.err()).contains("FAILED").contains(reason);
        assertThat(r.out()).doesNotContain("VERIFIED");
    }

    @Test
    void cosignVerifiesOursAndWeVerifyCosigns() throws Exception {
        String cosign = Tools.binary("cosign").toString();
        // ours → cosign: attached as a referrer, logged in Rekor v2; cosign checks signature, claims and (for the
        // bundle file) the Rekor v2 inclusion proof and checkpoint against the same trusted root
        Path bundle = dir.resolve("interop.bundle.json");
        assertThat(ScanCommandTest.run("attest", "--predicate", sbom.toString(), "--image", image, "--key", ecKey.toString(),
                "--rekor-url", rekor.url().toString(), "--attach", "--bundle", bundle.toString()).code()).isZero();
        String byDigest = image.substring(0, image.lastIndexOf(':')) + "@" + digest;
        Path emptyRoot = dir.resolve("empty-root.json");
        Files.writeString(emptyRoot, "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\",\"tlogs\":[],"
                + "\"certificateAuthorities\":[],\"ctlogs\":[],\"timestampAuthorities\":[]}");
        String fromRegistry = exec(Map.of(), cosign, "verify-attestation", "--key", ecPub.toString(), "--type", "https://cyclonedx.org/bom",
                "--new-bundle-format", "--trusted-root", emptyRoot.toString(), "--insecure-ignore-tlog=true", "--allow-http-registry",
                byDigest);
        assertThat(fromRegistry).contains("The signatures were verified against the specified public key");
        String withLog = exec(Map.of(), cosign, "verify-blob-attestation", "--bundle", bundle.toString(), "--new-bundle-format",
                "--key", ecPub.toString(), "--trusted-root", trustedRoot.toString(), "--digest", digest.substring(7),
                "--digestAlg", "sha256", "--type", "https://cyclonedx.org/bom");
        assertThat(withLog).contains("Verified OK");

        // cosign → ours: a cosign key pair, an attestation cosign attaches in the new bundle format
        Path cosignDir = Files.createDirectories(dir.resolve("cosign"));
        exec(Map.of("COSIGN_PASSWORD", ""), cosign, "generate-key-pair", "--output-key-prefix", cosignDir.resolve("c").toString());
        exec(Map.of("COSIGN_PASSWORD", ""), cosign, "attest", "--key", cosignDir.resolve("c.key").toString(), "--type", "cyclonedx",
                "--predicate", sbom.toString(), "--tlog-upload=false", "--new-bundle-format", "--allow-http-registry", "--yes", byDigest);
        ScanCommandTest.Run v = ScanCommandTest.run("verify", "--image", image, "--key", cosignDir.resolve("c.pub").toString(),
                "--type", "cyclonedx", "--json");
        assertThat(v.code()).as(v.err() + v.out()).isZero();
        JsonNode outcomes = Json.mapper().readTree(v.out());
        // our own ECDSA attestations are attached too and fail with cosign's key; cosign's verifies
        assertThat(outcomes).anySatisfy(o -> assertThat(o.path("verified").asBoolean()).isTrue());
        assertThat(outcomes).anySatisfy(o -> assertThat(o.path("reason").asText()).contains("signature does not verify"));
        // cosign's legacy layout (the sha256-<hex>.att tag, DSSE envelopes as layers) is read too
        exec(Map.of("COSIGN_PASSWORD", ""), cosign, "attest", "--key", cosignDir.resolve("c.key").toString(), "--type",
                "https://stella-ops.org/attestations/report/v1", "--predicate", report.toString(), "--tlog-upload=false",
                "--allow-http-registry", "--yes", byDigest);
        ScanCommandTest.Run legacy = ScanCommandTest.run("verify", "--image", image, "--key", cosignDir.resolve("c.pub").toString(),
                "--type", "report");
        assertThat(legacy.code()).as(legacy.err() + legacy.out()).isZero();
        assertThat(legacy.out()).contains(".att").doesNotContain("FAILED");
        // and cosign's attestation is not accepted with a key that did not sign it
        ScanCommandTest.Run wrong = ScanCommandTest.run("verify", "--image", image, "--key", edPub.toString(), "--type", "cyclonedx");
        assertThat(wrong.code()).isEqualTo(ExitCodes.VERIFICATION_FAILED);
    }

    @Test
    void missingAttestationAndBadArguments() {
        ScanCommandTest.Run none = ScanCommandTest.run("verify", "--image", image, "--key", ecPub.toString(), "--type", "spdx");
        assertThat(none.code()).isEqualTo(ExitCodes.VERIFICATION_FAILED);
        assertThat(none.err()).contains("no attestation bundle of type https://spdx.dev/Document is attached");
        assertThat(ScanCommandTest.run("verify", "--bundle", "x.json").code()).isEqualTo(ExitCodes.INVALID_ARGUMENTS);
        assertThat(ScanCommandTest.run("attest", "--predicate", sbom.toString(), "--subject-digest", "sha256:12", "--key",
                ecKey.toString(), "--bundle", dir.resolve("x").toString()).code()).isEqualTo(ExitCodes.INVALID_ARGUMENTS);
        ScanCommandTest.Run notJson = ScanCommandTest.run("attest", "--predicate", ecPub.toString(), "--subject-digest", digest, "--key",
                ecKey.toString(), "--bundle", dir.resolve("x").toString());
        assertThat(notJson.code()).as(notJson.err()).isNotZero();
        assertThat(notJson.err()).contains(ecPub.toString());
    }

    static String exec(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("SIGSTORE_NO_CACHE", "true");
        pb.environment().put("TUF_ROOT", dir.resolve("tuf").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", new ArrayList<>(List.of(cmd))) + " failed: " + out);
        }
        return out;
    }
}
