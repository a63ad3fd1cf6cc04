package org.stellaops.core.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.stellaops.core.json.Json;

/**
 * The Sigstore trusted-root file ({@code application/vnd.dev.sigstore.trustedroot+json;version=0.1}): the transparency
 * logs, certificate authorities and timestamp authorities a verifier trusts. Only the parts our verifier uses are read.
 */
public record TrustedRoot(List<Log> tlogs, List<CertificateAuthority> certificateAuthorities,
                          List<CertificateAuthority> timestampAuthorities) {
    public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

    public record Log(String baseUrl, byte[] logId, PublicKey publicKey, String keyDetails, Instant validFrom, Instant validUntil) {
    }

    public record CertificateAuthority(String uri, List<X509Certificate> chain, Instant validFrom, Instant validUntil) {
    }

    public TrustedRoot {
        tlogs = List.copyOf(tlogs);
        certificateAuthorities = List.copyOf(certificateAuthorities);
        timestampAuthorities = List.copyOf(timestampAuthorities);
    }

    /** Logs and CAs, no timestamp authority. */
    public TrustedRoot(List<Log> tlogs, List<CertificateAuthority> certificateAuthorities) {
        this(tlogs, certificateAuthorities, List.of());
    }

    public Optional<Log> log(byte[] logId) {
        return tlogs.stream().filter(l -> java.util.Arrays.equals(l.logId(), logId)).findFirst();
    }

    public static TrustedRoot parse(byte[] json, String what) throws AttestationException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new AttestationException(what + ": not a JSON document");
        }
        if (root == null || !root.isObject() || !root.path("mediaType").asText("").startsWith("application/vnd.dev.sigstore.trustedroot")) {
            throw new AttestationException(what + ": not a Sigstore trusted root (mediaType "
                    + (root == null ? "missing" : "'" + root.path("mediaType").asText("") + "'") + ")");
        }
        List<Log> logs = new ArrayList<>();
        for (JsonNode t : root.path("tlogs")) {
            JsonNode pk = t.path("publicKey");
            byte[] der = Dsse.base64(Dsse.requireText(pk, "rawBytes", what + ": tlog public key"), what + ": tlog public key");
            PublicKey key = Keys.publicKeyFromDer(der, what + ": tlog " + t.path("baseUrl").asText());
            byte[] logId = Dsse.base64(Dsse.requireText(t.path("logId"), "keyId", what + ": tlog logId"), what + ": tlog logId");
            logs.add(new Log(t.path("baseUrl").asText(""), logId, key, pk.path("keyDetails").asText(""),
                    instant(pk.path("validFor").path("start"), what), instant(pk.path("validFor").path("end"), what)));
        }
        return new TrustedRoot(logs, authorities(root.path("certificateAuthorities"), what + ": CA certificate", what),
                authorities(root.path("timestampAuthorities"), what + ": timestamp authority certificate", what));
    }

    /** {@code certificateAuthorities[]} and {@code timestampAuthorities[]} share one shape: uri, certChain, validFor. */
    private static List<CertificateAuthority> authorities(JsonNode list, String certWhat, String what) throws AttestationException {
        List<CertificateAuthority> cas = new ArrayList<>();
        for (JsonNode ca : list) {
            List<X509Certificate> chain = new ArrayList<>();
            for (JsonNode c : ca.path("certChain").path("certificates")) {
                chain.add(Keys.certificateFromDer(Dsse.base64(Dsse.requireText(c, "rawBytes", what), certWhat), certWhat));
            }
            cas.add(new CertificateAuthority(ca.path("uri").asText(""), chain, instant(ca.path("validFor").path("start"), what),
                    instant(ca.path("validFor").path("end"), what)));
        }
        return cas;
    }

    /** Writes a trusted root (for a private log and CA); {@code validFor.start} is required by the format. */
    public byte[] toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("mediaType", MEDIA_TYPE);
        ArrayNode tl = root.putArray("tlogs");
        for (Log l : tlogs) {
            ObjectNode n = tl.addObject();
            n.put("baseUrl", l.baseUrl());
            n.put("hashAlgorithm", "SHA2_256");
            ObjectNode pk = n.putObject("publicKey");
            pk.put("rawBytes", Base64.getEncoder().encodeToString(l.publicKey().getEncoded()));
            pk.put("keyDetails", l.keyDetails());
            validFor(pk, l.validFrom(), l.validUntil());
            n.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(l.logId()));
        }
        writeAuthorities(root.putArray("certificateAuthorities"), certificateAuthorities);
        root.putArray("ctlogs");
        writeAuthorities(root.putArray("timestampAuthorities"), timestampAuthorities);
        return Json.write(root);
    }

    private static void writeAuthorities(ArrayNode cl, List<CertificateAuthority> authorities) {
        for (CertificateAuthority ca : authorities) {
            ObjectNode n = cl.addObject();
            n.put("uri", ca.uri());
            ArrayNode certs = n.putObject("certChain").putArray("certificates");
            for (X509Certificate c : ca.chain()) {
                try {
                    certs.addObject().put("rawBytes", Base64.getEncoder().encodeToString(c.getEncoded()));
                } catch (CertificateEncodingException e) {
                    throw new IllegalStateException(e);
                }
            }
            validFor(n, ca.validFrom(), ca.validUntil());
        }
    }

    private static void validFor(ObjectNode n, Instant from, Instant until) {
        ObjectNode v = n.putObject("validFor");
        v.put("start", (from == null ? Instant.EPOCH : from).toString());
        if (until != null) {
            v.put("end", until.toString());
        }
    }

    private static Instant instant(JsonNode n, String what) throws AttestationException {
        if (n.isMissingNode() || n.isNull() || n.asText().isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            throw new AttestationException(what + ": bad timestamp '" + n.asText() + "'");
        }
    }
}
