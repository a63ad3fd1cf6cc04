package org.stellaops.core.vex;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One VEX statement in the format-independent model (OpenVEX, CSAF VEX and CycloneDX VEX map onto it).
 *
 * @param vulnerability the vulnerability id the statement names
 * @param aliases       further ids it gives
 * @param products      the products it speaks about
 * @param status        not_affected, affected, fixed or under_investigation
 * @param justification the not_affected justification (OpenVEX/CSAF/CycloneDX words kept as written)
 * @param timestamp     ISO-8601 time of the statement (or of its document)
 * @param issuer        who says it (author, publisher, manufacturer)
 * @param document      the document's id and where it was read from
 * @param weight        the trust (0..1) of the source the statement was read from, with or without an issuer; null when
 *                      the source sets none (then only the issuer's configured trust or the default applies)
 */
public record VexStatement(String vulnerability, List<String> aliases, List<Product> products, Status status,
                           String justification, String impactStatement, String actionStatement, String timestamp,
                           String issuer, String document, String format,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Double weight) {
    public VexStatement {
        aliases = List.copyOf(aliases);
        products = List.copyOf(products);
        if (weight != null && !(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("a VEX source's weight lies in 0..1");
        }
    }

    /** A statement as read, before its source's weight is known. */
    public VexStatement(String vulnerability, List<String> aliases, List<Product> products, Status status, String justification,
                        String impactStatement, String actionStatement, String timestamp, String issuer, String document,
                        String format) {
        this(vulnerability, aliases, products, status, justification, impactStatement, actionStatement, timestamp, issuer,
                document, format, null);
    }

    /** This statement as its source says it: the source's weight, and the issuer the source names (null: as written). */
    public VexStatement fromSource(double sourceWeight, String sourceIssuer) {
        return new VexStatement(vulnerability, aliases, products, status, justification, impactStatement, actionStatement,
                timestamp, sourceIssuer != null ? sourceIssuer : issuer, document, format, sourceWeight);
    }

    /** The four statuses every VEX format can express. */
    public enum Status {
        NOT_AFFECTED, AFFECTED, FIXED, UNDER_INVESTIGATION;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A product: a package URL, an image digest (sha256:…), or both; subcomponents narrow a product to the packages
     * inside it that the statement is about.
     */
    public record Product(String purl, String digest, String name, List<String> subcomponents) {
        public Product {
            subcomponents = subcomponents == null ? List.of() : List.copyOf(subcomponents);
        }
    }
}
