package org.stellaops.operator.attest;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.stellaops.core.attest.AttestationException;
import org.stellaops.core.attest.Dsse;
import org.stellaops.core.attest.InToto;
import org.stellaops.core.attest.KeySigner;
import org.stellaops.core.attest.RekorClient;
import org.stellaops.core.attest.SigstoreBundle;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.AttestationSpec;
import org.stellaops.crds.v1alpha1.AttestationStatus;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.operator.config.Storage;
import org.stellaops.operator.scan.ScanPipeline;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.Referrers;
import org.stellaops.storage.StorageException;

/**
 * Signs a scan's SBOM and report with the attestation library of core (DSSE/in-toto), logs, stores, attaches, and
 * verifies the stored bundles against the configured trust ({@link AttestationTrust}).
 */
@ApplicationScoped
public class Signing {
    /** Ready reasons of a finished signing pass: the bundles for the status' inputs exist and only their verification can change. */
    static final List<String> SIGNED_REASONS = List.of("Attested", "TrustNotConfigured", "VerificationFailed");
    @Inject
    Storage storage;
    @Inject
    ScanPipeline pipeline;
    @Inject
    AttestConfig attestConfig;
    @Inject
    org.stellaops.operator.sources.Outbound outbound;
    AttestationTrust trust;

    @PostConstruct
    void init() {
        trust = AttestationTrust.of(attestConfig);
    }

    public static String inputsDigest(ImageScan scan) {
        Map<String, String> m = new TreeMap<>();
        m.put("image", scan.getStatus().imageDigest);
        m.put("report", scan.getStatus().report == null ? "" : scan.getStatus().report.sha256);
        if (scan.getStatus().sbom != null && scan.getStatus().sbom.keys != null) {
            m.putAll(scan.getStatus().sbom.keys);
        }
        return Digests.sha256(m.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static AttestationStatus notReady(AttestationStatus prev, Long gen, String reason, String message, Instant now) {
        AttestationStatus st = prev == null ? new AttestationStatus() : Json.mapper().convertValue(prev, AttestationStatus.class);
        st.observedGeneration = gen;
        st.conditions = Conditions.set(st.conditions, "Ready", false, reason, message, gen, now);
        return st;
    }

    public AttestationStatus sign(Attestation att, ImageScan scan, Secret keySecret, AttestationStatus prev, Instant now)
            throws StorageException {
        Long gen = att.getMetadata().getGeneration();
        AttestationSpec spec = att.getSpec();
        String digest = scan.getStatus().imageDigest;
        if (spec.subject.imageDigest != null && !spec.subject.imageDigest.equals(digest)) {
            return notReady(prev, gen, "SubjectMismatch", "the scan's image is " + digest + ", not " + spec.subject.imageDigest, now);
        }
        if (spec.signer.keyless != null) {
            return notReady(prev, gen, "KeylessNotSupported", "keyless signing needs an OIDC identity token for Fulcio; the operator "
                    + "signs with keySecretRef (the CLI's stella attest --keyless signs keyless)", now);
        }
        if (spec.rekor != null) { // a tenant-chosen URL: checked like a feed URL before anything is sent
            try {
                outbound.policy().check(URI.create(spec.rekor.url));
            } catch (org.stellaops.core.net.OutboundException | IllegalArgumentException e) {
                return notReady(prev, gen, "RekorRefused", "rekor.url: " + (e instanceof IllegalArgumentException
                        ? "not a valid URL" : e.getMessage()), now);
            }
        }
        KeySigner signer;
        try {
            signer = KeySigner.fromPem(secretValue(keySecret, spec.signer.keySecretRef), "Secret " + spec.signer.keySecretRef.name);
        } catch (AttestationException e) {
            return notReady(prev, gen, "KeyUnavailable", e.getMessage(), now);
        }
        AttestationStatus st = new AttestationStatus();
        st.observedGeneration = gen;
        st.imageDigest = digest;
        st.inputsDigest = inputsDigest(scan);
        st.conditions = prev == null ? new ArrayList<>() : prev.conditions;
        String name = ImageRef.parse(scan.getSpec().image).name();
        List<AttestationTrust.Verdict> verdicts = new ArrayList<>();
        List<AttestationStatus.Envelope> envelopes = new ArrayList<>();
        try {
            for (AttestationSpec.Predicate p : spec.predicates) {
                byte[] doc = document(scan, p);
                String type = switch (p) {
                    case sbom_cyclonedx -> InToto.Predicate.CYCLONEDX.type;
                    case sbom_spdx -> InToto.Predicate.SPDX.type;
                    case report -> InToto.Predicate.REPORT.type;
                };
                byte[] statement = new InToto.Statement(List.of(InToto.Subject.of(name, digest)), type, Json.mapper().readTree(doc)).toBytes();
                Dsse.Envelope env = signer.sign(Dsse.INTOTO_PAYLOAD_TYPE, statement);
                SigstoreBundle bundle = signer.bundle(env);
                AttestationStatus.Envelope e = new AttestationStatus.Envelope();
                e.predicateType = type;
                if (spec.rekor != null) {
                    JsonNode entry = new RekorClient(URI.create(spec.rekor.url), Duration.ofSeconds(30)).log(env, signer.publicKey());
                    bundle = bundle.withTlogEntry(entry);
                    e.rekorLogIndex = entry.path("logIndex").asLong();
                }
                byte[] json = bundle.toJson();
                e.sha256 = Digests.sha256(json);
                e.key = "attest/" + e.sha256.substring(7) + ".dsse.json";
                storage.objects().put(e.key, json, "application/json");
                if (Boolean.TRUE.equals(spec.attachToRegistry)) {
                    var creds = pipeline.credentials(scan);
                    var client = pipeline.registry(creds);
                    ImageRef ref = ImageRef.parse(scan.getSpec().image);
                    var subject = Referrers.subject(client, ref, digest);
                    e.referrer = Referrers.attachBundle(client, ref, subject, json, type,
                            now.truncatedTo(ChronoUnit.SECONDS).toString()).manifestDigest();
                }
                verdicts.add(trust.verify(json, e.key, signer.publicKey(), spec.rekor != null, digest.substring(7), type));
                envelopes.add(e);
            }
        } catch (StorageException ex) {
            throw ex;
        } catch (ScanException ex) {
            return notReady(prev, gen, "AttachFailed", ex.getMessage(), now);
        } catch (AttestationException ex) {
            return notReady(prev, gen, "SigningFailed", ex.getMessage(), now);
        } catch (IOException ex) {
            return notReady(prev, gen, "SigningFailed", String.valueOf(ex.getMessage()), now);
        }
        st.envelopes = envelopes;
        st.conditions = Conditions.set(st.conditions, "Signed", true, "Signed", envelopes.size() + " envelope(s)", gen, now);
        if (spec.rekor != null) {
            st.conditions = Conditions.set(st.conditions, "Logged", true, "Logged", spec.rekor.url, gen, now);
        }
        if (Boolean.TRUE.equals(spec.attachToRegistry)) {
            st.conditions = Conditions.set(st.conditions, "Attached", true, "Attached", "OCI referrers of " + digest, gen, now);
        }
        return verified(st, verdicts, gen, now);
    }

    /**
     * Verifies the stored bundles of a finished signing pass again against the trust configured now (no signing, no
     * network): a changed key list or trusted root changes {@code verified} without signing again.
     */
    public AttestationStatus reverify(Attestation att, Secret keySecret, AttestationStatus prev, Instant now) throws StorageException {
        Long gen = att.getMetadata().getGeneration();
        AttestationStatus st = Json.mapper().convertValue(prev, AttestationStatus.class);
        PublicKey signerKey = null;
        if (att.getSpec().signer.keySecretRef != null) {
            try {
                signerKey = KeySigner.fromPem(secretValue(keySecret, att.getSpec().signer.keySecretRef),
                        "Secret " + att.getSpec().signer.keySecretRef.name).publicKey();
            } catch (AttestationException e) {
                // the signer's key matters here only when it is itself trusted
                if (trust.trustsSignerKeys()) {
                    return verified(st, List.of(new AttestationTrust.Verdict(false, "VerificationFailed",
                            "the signer's key is trusted but unavailable: " + e.getMessage())), gen, now);
                }
            }
        }
        List<AttestationTrust.Verdict> verdicts = new ArrayList<>();
        for (AttestationStatus.Envelope e : st.envelopes) {
            var json = storage.objects().get(e.key);
            verdicts.add(json.isEmpty() ? new AttestationTrust.Verdict(false, "VerificationFailed", "object " + e.key + " is missing from the store")
                    : trust.verify(json.get(), e.key, signerKey, att.getSpec().rekor != null, st.imageDigest.substring(7), e.predicateType));
        }
        return verified(st, verdicts, gen, now);
    }

    /** {@code verified}, the Verified condition (the first failure's reason, or what was verified) and Ready. */
    private static AttestationStatus verified(AttestationStatus st, List<AttestationTrust.Verdict> verdicts, Long gen, Instant now) {
        AttestationTrust.Verdict v = verdicts.stream().filter(x -> !x.verified()).findFirst().orElse(verdicts.isEmpty()
                ? new AttestationTrust.Verdict(false, "VerificationFailed", "no envelope to verify")
                : new AttestationTrust.Verdict(true, "Verified", verdicts.size() + " bundle(s) verified against the configured trust; "
                + verdicts.get(0).message()));
        st.verified = v.verified();
        st.conditions = Conditions.set(st.conditions, "Verified", v.verified(), v.reason(), v.message(), gen, now);
        st.conditions = Conditions.set(st.conditions, "Ready", v.verified(), v.verified() ? "Attested" : v.reason(),
                v.verified() ? st.envelopes.size() + " attestation(s) for " + st.imageDigest : v.message(), gen, now);
        return st;
    }

    private byte[] document(ImageScan scan, AttestationSpec.Predicate p) throws IOException {
        String key = switch (p) {
            case sbom_cyclonedx -> scan.getStatus().sbom == null ? null : scan.getStatus().sbom.keys.get("cyclonedx-json");
            case sbom_spdx -> scan.getStatus().sbom == null ? null : scan.getStatus().sbom.keys.get("spdx-json");
            case report -> scan.getStatus().report == null ? null : scan.getStatus().report.key;
        };
        if (key == null) {
            throw new AttestationException("the scan has no " + p + (p == AttestationSpec.Predicate.sbom_spdx
                    ? " (add spdx-json to the ImageScan's formats)" : ""));
        }
        return storage.objects().get(key).orElseThrow(() -> new AttestationException("object " + key + " is missing from the store"));
    }

    private static byte[] secretValue(Secret s, org.stellaops.crds.v1alpha1.SourceRef.KeyRef ref) throws AttestationException {
        if (s == null || s.getData() == null || s.getData().isEmpty()) {
            throw new AttestationException("Secret " + ref.name + " not found or empty");
        }
        String v = ref.key != null ? s.getData().get(ref.key) : s.getData().values().iterator().next();
        if (v == null) {
            throw new AttestationException("Secret " + ref.name + " has no key " + ref.key);
        }
        return Base64.getDecoder().decode(v);
    }
}
