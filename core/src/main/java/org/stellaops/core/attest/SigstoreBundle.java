package org.stellaops.core.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.stellaops.core.json.Json;

/**
 * A Sigstore bundle (v0.3 written; v0.1–v0.3 read) carrying one DSSE envelope, its verification material (a public-key
 * hint or a certificate), transparency-log entries as the log returned them (protobuf JSON, kept verbatim) and RFC 3161
 * timestamps ({@code timestampVerificationData.rfc3161Timestamps[].signedTimestamp}, DER bytes).
 */
public record SigstoreBundle(Dsse.Envelope envelope, String publicKeyHint, List<X509Certificate> certificates,
                             List<JsonNode> tlogEntries, List<byte[]> rfc3161Timestamps) {
    public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

    public SigstoreBundle {
        certificates = List.copyOf(certificates);
        tlogEntries = List.copyOf(tlogEntries);
        rfc3161Timestamps = List.copyOf(rfc3161Timestamps);
    }

    /** A bundle without RFC 3161 timestamps. */
    public SigstoreBundle(Dsse.Envelope envelope, String publicKeyHint, List<X509Certificate> certificates, List<JsonNode> tlogEntries) {
        this(envelope, publicKeyHint, certificates, tlogEntries, List.of());
    }

    public SigstoreBundle withTlogEntry(JsonNode entry) {
        List<JsonNode> entries = new ArrayList<>(tlogEntries);
        entries.add(entry);
        return new SigstoreBundle(envelope, publicKeyHint, certificates, entries, rfc3161Timestamps);
    }

    public SigstoreBundle withRfc3161Timestamp(byte[] signedTimestamp) {
        List<byte[]> ts = new ArrayList<>(rfc3161Timestamps);
        ts.add(signedTimestamp.clone());
        return new SigstoreBundle(envelope, publicKeyHint, certificates, tlogEntries, ts);
    }

    /** Canonical JSON (sorted keys, compact): the same bundle always gives the same bytes. */
    public byte[] toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("mediaType", MEDIA_TYPE);
        ObjectNode vm = root.putObject("verificationMaterial");
        if (!certificates.isEmpty()) {
            try {
                vm.putObject("certificate").put("rawBytes", Base64.getEncoder().encodeToString(certificates.get(0).getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            vm.putObject("publicKey").put("hint", publicKeyHint == null ? "" : publicKeyHint);
        }
        vm.putArray("tlogEntries").addAll(tlogEntries);
        if (!rfc3161Timestamps.isEmpty()) {
            ArrayNode ts = vm.putObject("timestampVerificationData").putArray("rfc3161Timestamps");
            rfc3161Timestamps.forEach(t -> ts.addObject().put("signedTimestamp", Base64.getEncoder().encodeToString(t)));
        }
        root.set("dsseEnvelope", envelope.toJson());
        return Json.writeSorted(root);
    }

    public static SigstoreBundle parse(byte[] json, String what) throws AttestationException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new AttestationException(what + ": not a JSON document (" + e.getClass().getSimpleName() + ": "
                    + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new AttestationException(what + ": not a JSON object");
        }
        String mt = root.path("mediaType").asText("");
        if (!mt.startsWith("application/vnd.dev.sigstore.bundle")) {
            throw new AttestationException(what + ": not a Sigstore bundle (mediaType '" + mt + "')");
        }
        if (!root.has("dsseEnvelope")) {
            throw new AttestationException(what + ": the bundle holds no DSSE envelope (a message-signature bundle is not an attestation)");
        }
        Dsse.Envelope env = Dsse.Envelope.fromJson(root.get("dsseEnvelope"), what);
        JsonNode vm = root.path("verificationMaterial");
        List<X509Certificate> certs = new ArrayList<>();
        if (vm.has("certificate")) {
            certs.add(Keys.certificateFromDer(Dsse.base64(Dsse.requireText(vm.get("certificate"), "rawBytes", what),
                    what + ": certificate"), what + ": certificate"));
        }
        for (JsonNode c : vm.path("x509CertificateChain").path("certificates")) {
            certs.add(Keys.certificateFromDer(Dsse.base64(Dsse.requireText(c, "rawBytes", what), what + ": certificate"),
                    what + ": certificate"));
        }
        String hint = vm.path("publicKey").path("hint").asText(null);
        if (certs.isEmpty() && !vm.has("publicKey")) {
            throw new AttestationException(what + ": the bundle has neither a certificate nor a public key in its verification material");
        }
        List<JsonNode> entries = new ArrayList<>();
        vm.path("tlogEntries").forEach(entries::add);
        List<byte[]> timestamps = new ArrayList<>();
        for (JsonNode t : vm.path("timestampVerificationData").path("rfc3161Timestamps")) {
            timestamps.add(Dsse.base64(Dsse.requireText(t, "signedTimestamp", what + ": RFC 3161 timestamp"), what + ": RFC 3161 timestamp"));
        }
        return new SigstoreBundle(env, hint, certs, entries, timestamps);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
