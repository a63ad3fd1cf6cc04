package org.stellaops.scanner.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.ScanException.Kind;

/**
 * OCI 1.1 referrers of an image: pushes a Sigstore bundle as an artifact manifest whose {@code subject} is the image
 * (the layout cosign's {@code --new-bundle-format} writes), and finds the bundles attached to an image. Registries
 * without the Referrers API get the referrers-tag fallback of the distribution spec: an index tagged
 * {@code sha256-<hex>} that lists the referrers.
 */
public final class Referrers {
    public static final String BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    private Referrers() {
    }

    public record Attached(String manifestDigest, boolean viaReferrersApi) {
    }

    public record Descriptor(String mediaType, String digest, long size) {
    }

    /** The subject descriptor of an image digest: media type and size of its manifest as the registry has it. */
    public static Descriptor subject(RegistryClient client, ImageRef ref, String digest) throws IOException {
        return descriptor(ref, digest, client.manifest(ref, digest));
    }

    /**
     * The subject descriptor of a reference, from one manifest request: a tag names what it points at now, a digest
     * reference is checked against the manifest's content.
     */
    public static Descriptor subject(RegistryClient client, ImageRef ref) throws IOException {
        RegistryClient.Manifest m = client.manifest(ref, ref.manifestReference());
        return descriptor(ref, ref.digest() != null ? ref.digest() : Digests.sha256(m.body()), m);
    }

    private static Descriptor descriptor(ImageRef ref, String digest, RegistryClient.Manifest m) {
        String actual = Digests.sha256(m.body());
        if (!actual.equals(digest)) {
            throw new ScanException(Kind.BAD_INPUT, "manifest " + ref.name() + "@" + digest + " has digest " + actual);
        }
        String mt = m.contentType() != null ? m.contentType().split(";")[0].trim()
                : Manifests.readTree(m.body(), "manifest").path("mediaType").asText(MediaTypes.OCI_MANIFEST);
        return new Descriptor(mt, digest, m.body().length);
    }

    public static Attached attachBundle(RegistryClient client, ImageRef ref, Descriptor subject, byte[] bundle, String predicateType,
                                        String created) throws IOException {
        String configDigest = client.pushBlob(ref, EMPTY);
        String bundleDigest = client.pushBlob(ref, bundle);
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.put("artifactType", BUNDLE_MEDIA_TYPE);
        ObjectNode config = m.putObject("config");
        config.put("mediaType", EMPTY_MEDIA_TYPE);
        config.put("digest", configDigest);
        config.put("size", EMPTY.length);
        ObjectNode layer = m.putArray("layers").addObject();
        layer.put("mediaType", BUNDLE_MEDIA_TYPE);
        layer.put("digest", bundleDigest);
        layer.put("size", bundle.length);
        ObjectNode subj = m.putObject("subject");
        subj.put("mediaType", subject.mediaType());
        subj.put("digest", subject.digest());
        subj.put("size", subject.size());
        ObjectNode ann = m.putObject("annotations");
        ann.put("dev.sigstore.bundle.content", "dsse-envelope");
        ann.put("dev.sigstore.bundle.predicateType", predicateType);
        if (created != null) {
            ann.put("org.opencontainers.image.created", created);
        }
        byte[] body = Json.write(m);
        String digest = Digests.sha256(body);
        var headers = client.pushManifest(ref, digest, body, MediaTypes.OCI_MANIFEST);
        if (headers.firstValue("OCI-Subject").isPresent()) {
            return new Attached(digest, true);
        }
        updateFallbackIndex(client, ref, subject.digest(), digest, body.length, predicateType);
        return new Attached(digest, false);
    }

    /** Adds the referrer to the {@code sha256-<hex>} index (created when missing); an entry already there is kept once. */
    private static void updateFallbackIndex(RegistryClient client, ImageRef ref, String subjectDigest, String manifestDigest, long size,
                                            String predicateType) throws IOException {
        String tag = fallbackTag(subjectDigest);
        ObjectNode index;
        Optional<RegistryClient.Manifest> existing = client.manifestIfPresent(ref, tag);
        if (existing.isPresent()) {
            JsonNode n = Manifests.readTree(existing.get().body(), "referrers index " + ref.name() + ":" + tag);
            if (!n.isObject() || !n.path("manifests").isArray()) {
                throw new ScanException(Kind.BAD_INPUT, "the tag " + ref.name() + ":" + tag + " exists and is not a referrers index");
            }
            index = (ObjectNode) n;
        } else {
            index = Json.mapper().createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.OCI_INDEX);
            index.putArray("manifests");
        }
        ArrayNode manifests = (ArrayNode) index.get("manifests");
        for (JsonNode d : manifests) {
            if (manifestDigest.equals(d.path("digest").asText())) {
                return;
            }
        }
        ObjectNode d = manifests.addObject();
        d.put("mediaType", MediaTypes.OCI_MANIFEST);
        d.put("digest", manifestDigest);
        d.put("size", size);
        d.put("artifactType", BUNDLE_MEDIA_TYPE);
        d.putObject("annotations").put("dev.sigstore.bundle.predicateType", predicateType);
        client.pushManifest(ref, tag, Json.write(index), MediaTypes.OCI_INDEX);
    }

    public static String fallbackTag(String digest) {
        return digest.replace(':', '-');
    }

    public record Bundle(String manifestDigest, String predicateType, byte[] json) {
    }

    static final String DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

    /**
     * Attestations in cosign's legacy layout — the tag {@code sha256-<hex>.att}, one DSSE envelope per layer, a signing
     * certificate in an annotation when keyless — each wrapped as a v0.3 bundle JSON so that one verifier reads both.
     */
    public static List<Bundle> legacyAttestations(RegistryClient client, ImageRef ref, String subjectDigest) throws IOException {
        Optional<RegistryClient.Manifest> tagged = client.manifestIfPresent(ref, fallbackTag(subjectDigest) + ".att");
        if (tagged.isEmpty()) {
            return List.of();
        }
        String md = Digests.sha256(tagged.get().body());
        JsonNode man = Manifests.readTree(tagged.get().body(), "attestations " + ref.name() + ":" + fallbackTag(subjectDigest) + ".att");
        List<Bundle> out = new ArrayList<>();
        int i = 0;
        for (JsonNode layer : man.path("layers")) {
            i++;
            if (!DSSE_MEDIA_TYPE.equals(layer.path("mediaType").asText())) {
                continue;
            }
            byte[] envelope = blob(client, ref, layer);
            ObjectNode b = Json.mapper().createObjectNode();
            b.put("mediaType", BUNDLE_MEDIA_TYPE);
            ObjectNode vm = b.putObject("verificationMaterial");
            String pem = layer.path("annotations").path("dev.sigstore.cosign/certificate").asText("");
            if (!pem.isEmpty()) {
                try {
                    var cert = java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
                    vm.putObject("certificate").put("rawBytes", java.util.Base64.getEncoder().encodeToString(cert.getEncoded()));
                } catch (java.security.GeneralSecurityException e) {
                    throw new ScanException(Kind.BAD_INPUT, "attestation layer " + layer.path("digest").asText()
                            + ": unreadable certificate annotation (" + e.getMessage() + ")");
                }
            } else {
                vm.putObject("publicKey").put("hint", "");
            }
            vm.putArray("tlogEntries");
            b.set("dsseEnvelope", Manifests.readTree(envelope, "DSSE envelope " + layer.path("digest").asText()));
            out.add(new Bundle(md + " (" + fallbackTag(subjectDigest) + ".att, layer " + i + ")", layer.path("annotations").path("predicateType").asText(""), Json.write(b)));
        }
        return out;
    }

    private static byte[] blob(RegistryClient client, ImageRef ref, JsonNode descriptor) throws IOException {
        String bd = descriptor.path("digest").asText();
        long size = descriptor.path("size").asLong(-1);
        if (size < 0 || size > 16L * 1024 * 1024) {
            throw new ScanException(Kind.BAD_INPUT, "blob " + bd + " has size " + size + " (at most 16 MiB are read)");
        }
        byte[] body;
        try (InputStream in = client.blob(ref, bd)) {
            body = in.readNBytes((int) size + 1);
        }
        if (body.length != size || !Digests.sha256(body).equals(bd)) {
            throw new ScanException(Kind.BAD_INPUT, "blob " + ref.name() + "@" + bd + " does not match its descriptor");
        }
        return body;
    }

    /** Every Sigstore bundle attached to the image digest, through the Referrers API or the fallback tag. */
    public static List<Bundle> bundles(RegistryClient client, ImageRef ref, String subjectDigest) throws IOException {
        byte[] index = client.referrers(ref, subjectDigest).orElse(null);
        if (index == null) {
            Optional<RegistryClient.Manifest> tagged = client.manifestIfPresent(ref, fallbackTag(subjectDigest));
            if (tagged.isEmpty()) {
                return List.of();
            }
            index = tagged.get().body();
        }
        JsonNode idx = Manifests.readTree(index, "referrers of " + ref.name() + "@" + subjectDigest);
        List<Bundle> out = new ArrayList<>();
        for (JsonNode d : idx.path("manifests")) {
            String at = d.path("artifactType").asText("");
            // go-containerregistry's fallback index names the config type (the empty type) instead of the artifact
            // type: such entries are opened and judged by their manifest
            if (!at.startsWith("application/vnd.dev.sigstore.bundle") && !at.isEmpty() && !at.equals(EMPTY_MEDIA_TYPE)) {
                continue;
            }
            String md = d.path("digest").asText();
            RegistryClient.Manifest m = client.manifest(ref, md);
            if (!Digests.sha256(m.body()).equals(md)) {
                throw new ScanException(Kind.BAD_INPUT, "referrer manifest " + ref.name() + "@" + md + " does not match its digest");
            }
            JsonNode man = Manifests.readTree(m.body(), "referrer manifest " + md);
            JsonNode layer = man.path("layers").path(0);
            if (man.path("layers").size() != 1
                    || !layer.path("mediaType").asText("").startsWith("application/vnd.dev.sigstore.bundle")) {
                continue;
            }
            byte[] body = blob(client, ref, layer);
            String pt = man.path("annotations").path("dev.sigstore.bundle.predicateType")
                    .asText(d.path("annotations").path("dev.sigstore.bundle.predicateType").asText(""));
            out.add(new Bundle(md, pt, body));
        }
        return out;
    }

}
