package org.stellaops.core.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.stellaops.core.json.Json;

/** in-toto Statement v1 with the three predicates Stella Ops signs. Serialized canonically (sorted keys, compact). */
public final class InToto {
    public static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private InToto() {
    }

    /** The predicate types Stella Ops produces; any other URI may still be signed and verified as given. */
    public enum Predicate {
        CYCLONEDX("https://cyclonedx.org/bom"),
        SPDX("https://spdx.dev/Document"),
        REPORT("https://stella-ops.org/attestations/report/v1");

        public final String type;

        Predicate(String type) {
            this.type = type;
        }

        /** The predicate type a document is, by its content: CycloneDX, SPDX 2.x/3 JSON, or a Stella Ops report. */
        public static Optional<Predicate> detect(JsonNode doc) {
            if (doc == null || !doc.isObject()) {
                return Optional.empty();
            }
            if ("CycloneDX".equals(doc.path("bomFormat").asText())) {
                return Optional.of(CYCLONEDX);
            }
            if (doc.has("spdxVersion") || doc.path("@context").asText().contains("spdx.org")) {
                return Optional.of(SPDX);
            }
            if (REPORT.type.equals(doc.path("schema").asText())) {
                return Optional.of(REPORT);
            }
            return Optional.empty();
        }

        /** A short name (cyclonedx, spdx, report) or a predicate type URI to its URI. */
        public static String typeFor(String nameOrUri) {
            for (Predicate p : values()) {
                if (p.name().toLowerCase(Locale.ROOT).equals(nameOrUri.toLowerCase(Locale.ROOT))) {
                    return p.type;
                }
            }
            return nameOrUri;
        }
    }

    public record Subject(String name, String sha256) {
        public Subject {
            if (sha256 == null || !SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("subject digest must be 64 lowercase hex characters (sha256): " + sha256);
            }
        }

        /** From {@code sha256:<hex>}. */
        public static Subject of(String name, String digest) {
            String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
            return new Subject(name, hex.toLowerCase(Locale.ROOT));
        }
    }

    public record Statement(List<Subject> subjects, String predicateType, JsonNode predicate) {
        public Statement {
            subjects = List.copyOf(subjects);
        }

        public byte[] toBytes() {
            ObjectNode n = Json.mapper().createObjectNode();
            n.put("_type", STATEMENT_V1);
            ArrayNode subs = n.putArray("subject");
            for (Subject s : subjects) {
                ObjectNode sn = subs.addObject();
                sn.put("name", s.name());
                sn.putObject("digest").put("sha256", s.sha256());
            }
            n.put("predicateType", predicateType);
            n.set("predicate", predicate);
            return Json.writeSorted(n); // the same inputs give the same payload bytes
        }

        public boolean hasSubjectDigest(String sha256Hex) {
            return subjects.stream().anyMatch(s -> s.sha256().equalsIgnoreCase(sha256Hex));
        }

        public static Statement parse(byte[] payload, String what) throws AttestationException {
            JsonNode n;
            try {
                n = Json.mapper().readTree(payload);
            } catch (IOException e) {
                throw new AttestationException(what + ": the DSSE payload is not JSON (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
            }
            if (n == null || !n.isObject()) {
                throw new AttestationException(what + ": the DSSE payload is not a JSON object");
            }
            String type = n.path("_type").asText();
            if (!type.equals(STATEMENT_V1) && !type.equals("https://in-toto.io/Statement/v0.1")) {
                throw new AttestationException(what + ": not an in-toto statement (_type '" + type + "')");
            }
            List<Subject> subjects = new ArrayList<>();
            for (JsonNode s : n.path("subject")) {
                String hex = s.path("digest").path("sha256").asText("");
                if (!hex.isEmpty()) {
                    try {
                        subjects.add(new Subject(s.path("name").asText(""), hex.toLowerCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new AttestationException(what + ": " + e.getMessage());
                    }
                }
            }
            if (subjects.isEmpty()) {
                throw new AttestationException(what + ": the statement has no sha256 subject");
            }
            return new Statement(subjects, n.path("predicateType").asText(""), n.path("predicate"));
        }
    }
}
