package org.stellaops.core.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.stellaops.core.json.Json;

/**
 * DSSE (Dead Simple Signing Envelope) v1: the pre-authentication encoding and the JSON envelope. Hand-written because it
 * is a dozen lines and the libraries that carry it (sigstore-java, in-toto-java) expose it only inside their own flows.
 */
public final class Dsse {
    public static final String INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

    private Dsse() {
    }

    /**
     * {@code PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, where LEN is the length in bytes
     * (ASCII decimal, no leading zeros) and type is UTF-8 encoded — byte lengths, never character counts.
     */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(type.length + payload.length + 32);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    public record Signature(String keyid, byte[] sig) {
    }

    public record Envelope(String payloadType, byte[] payload, List<Signature> signatures) {
        public Envelope {
            signatures = List.copyOf(signatures);
        }

        public byte[] pae() {
            return Dsse.pae(payloadType, payload);
        }

        public ObjectNode toJson() {
            ObjectNode n = Json.mapper().createObjectNode();
            n.put("payload", Base64.getEncoder().encodeToString(payload));
            n.put("payloadType", payloadType);
            ArrayNode sigs = n.putArray("signatures");
            for (Signature s : signatures) {
                ObjectNode sn = sigs.addObject();
                if (s.keyid() != null && !s.keyid().isEmpty()) {
                    sn.put("keyid", s.keyid());
                }
                sn.put("sig", Base64.getEncoder().encodeToString(s.sig()));
            }
            return n;
        }

        public static Envelope fromJson(JsonNode n, String what) throws AttestationException {
            if (n == null || !n.isObject()) {
                throw new AttestationException(what + ": the DSSE envelope is not a JSON object");
            }
            String type = requireText(n, "payloadType", what);
            byte[] payload = base64(requireText(n, "payload", what), what + ": payload");
            JsonNode sigs = n.path("signatures");
            if (!sigs.isArray() || sigs.isEmpty()) {
                throw new AttestationException(what + ": the DSSE envelope has no signatures");
            }
            List<Signature> list = new ArrayList<>();
            for (JsonNode s : sigs) {
                list.add(new Signature(s.path("keyid").asText(""), base64(requireText(s, "sig", what), what + ": signature")));
            }
            return new Envelope(type, payload, list);
        }
    }

    static String requireText(JsonNode n, String field, String what) throws AttestationException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new AttestationException(what + ": missing or non-string field '" + field + "'");
        }
        return v.asText();
    }

    static byte[] base64(String s, String what) throws AttestationException {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(s);
            } catch (IllegalArgumentException e2) {
                throw new AttestationException(what + " is not valid base64");
            }
        }
    }
}
