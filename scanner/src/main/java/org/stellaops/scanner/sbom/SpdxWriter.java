package org.stellaops.scanner.sbom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.image.ResolvedImage;

/**
 * SPDX 2.3 JSON. Written with Jackson from the SPDX 2.3 JSON schema: the Java SPDX libraries pull a large model and
 * storage stack for what is one flat document here. Deterministic: sorted keys, packages in purl order, SPDX ids and
 * the document namespace derived from content, and {@code created} from the image's own creation time unless a
 * timestamp is asked for (SPDX requires the field).
 */
public final class SpdxWriter {

    public byte[] write(ImageInventory inv, SbomMetadata meta) {
        ResolvedImage img = inv.image();
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("spdxVersion", "SPDX-2.3");
        doc.put("dataLicense", "CC0-1.0");
        doc.put("SPDXID", "SPDXRef-DOCUMENT");
        doc.put("name", img.name() + (img.tag() != null ? ":" + img.tag() : "") + "@" + img.manifestDigest());
        ObjectNode ci = doc.putObject("creationInfo");
        ci.put("created", created(meta, img));
        ci.putArray("creators").add("Tool: stella-" + meta.toolVersion()).add("Organization: Stella Ops");
        ci.put("licenseListVersion", "3.25");
        ArrayNode packages = doc.putArray("packages");
        ArrayNode rels = doc.putArray("relationships");
        Map<String, String> extracted = new TreeMap<>();

        ObjectNode image = packages.addObject();
        image.put("SPDXID", "SPDXRef-Image");
        image.put("name", img.name());
        image.put("versionInfo", img.manifestDigest());
        image.put("downloadLocation", "NOASSERTION");
        image.put("filesAnalyzed", false);
        image.put("primaryPackagePurpose", "CONTAINER");
        image.put("licenseConcluded", "NOASSERTION");
        image.put("licenseDeclared", "NOASSERTION");
        image.put("copyrightText", "NOASSERTION");
        image.putArray("checksums").addObject().put("algorithm", "SHA256")
                .put("checksumValue", img.manifestDigest().substring(img.manifestDigest().indexOf(':') + 1));
        purlRef(image, Purls.ofImage(img.name(), img.manifestDigest()));
        rel(rels, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
        doc.putArray("documentDescribes").add("SPDXRef-Image");

        for (Component c : inv.components()) {
            String id = "SPDXRef-Package-" + c.type() + "-" + sanitize(c.name()) + "-" + Composer.shortHash(c.bomRef());
            ObjectNode p = packages.addObject();
            p.put("SPDXID", id);
            p.put("name", c.namespace() != null && !isOs(c) ? c.namespace() + "/" + c.name() : c.name());
            if (c.version() != null) {
                p.put("versionInfo", c.version());
            }
            p.put("downloadLocation", "NOASSERTION");
            p.put("filesAnalyzed", false);
            p.put("licenseConcluded", "NOASSERTION");
            p.put("licenseDeclared", declared(c.licenses(), extracted));
            p.put("copyrightText", "NOASSERTION");
            p.put("sourceInfo", "found by the " + c.analyzer() + " analyzer in /" + c.evidencePath() + " (layer "
                    + c.layerIndex() + " " + c.layerDigest() + ")");
            if (c.properties().containsKey("stella:ownedBy")) {
                p.put("comment", "file owned by " + c.properties().get("stella:ownedBy"));
            }
            purlRef(p, c.purl());
            rel(rels, "SPDXRef-Image", "CONTAINS", id);
        }
        if (!extracted.isEmpty()) {
            ArrayNode ex = doc.putArray("hasExtractedLicensingInfos");
            extracted.forEach((text, ref) -> ex.addObject().put("licenseId", ref).put("extractedText", text)
                    .put("name", text.length() > 60 ? text.substring(0, 60) : text));
        }
        String ns = "https://stella-ops.org/spdx/" + sanitize(img.name()) + "/"
                + CycloneDxWriter.contentUuid(new String(Json.write(doc), StandardCharsets.UTF_8));
        doc.put("documentNamespace", ns);
        try {
            return (Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isOs(Component c) {
        return c.type().equals("deb") || c.type().equals("apk") || c.type().equals("rpm");
    }

    private static String created(SbomMetadata meta, ResolvedImage img) {
        if (meta.timestamp() != null) {
            return meta.timestamp();
        }
        String created = img.config().created();
        if (created != null) {
            try {
                return java.time.Instant.parse(created).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            } catch (java.time.format.DateTimeParseException ignored) {
                // fall through
            }
        }
        return "1970-01-01T00:00:00Z";
    }

    private static String declared(List<String> licenses, Map<String, String> extracted) {
        if (licenses.isEmpty()) {
            return "NOASSERTION";
        }
        List<String> parts = new ArrayList<>();
        for (String l : licenses) {
            if (CycloneDxWriter.looksLikeExpression(l)) {
                parts.add(licenses.size() > 1 ? "(" + l + ")" : l);
                continue;
            }
            String id = SpdxLicenses.resolve(l).orElse(null);
            if (id == null) {
                id = extracted.computeIfAbsent(l, t -> "LicenseRef-" + sanitize(t.length() > 40 ? t.substring(0, 40) : t)
                        + "-" + Composer.shortHash(t));
            }
            parts.add(id);
        }
        return String.join(" AND ", parts);
    }

    private static void purlRef(ObjectNode p, String purl) {
        p.putArray("externalRefs").addObject().put("referenceCategory", "PACKAGE-MANAGER")
                .put("referenceType", "purl").put("referenceLocator", purl);
    }

    private static void rel(ArrayNode rels, String a, String type, String b) {
        rels.addObject().put("spdxElementId", a).put("relationshipType", type).put("relatedSpdxElement", b);
    }

    static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9.-]+", "-");
    }
}
