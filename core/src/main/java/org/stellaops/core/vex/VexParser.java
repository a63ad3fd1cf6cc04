package org.stellaops.core.vex;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stellaops.core.advisories.DocumentErrors;
import org.stellaops.core.json.Json;

/**
 * OpenVEX (v0.0.1 and v0.2.0), CSAF 2.0 VEX and CycloneDX VEX into {@link VexStatement}s. {@link #parse} detects the
 * format; an unknown one is refused with a message saying what was expected.
 */
public final class VexParser {
    private VexParser() {
    }

    public static List<VexStatement> parse(byte[] content, String origin) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(content);
        } catch (JsonProcessingException e) {
            throw new VexFormatException(origin, null, DocumentErrors.describe(e, "JSON"));
        } catch (IOException e) {
            throw new VexFormatException(origin, null, DocumentErrors.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw new VexFormatException(origin, "$", "not a JSON object");
        }
        if (root.path("@context").asText("").contains("openvex")) {
            return openVex(root, origin);
        }
        if (root.path("document").path("csaf_version").isTextual()) {
            return csaf(root, origin);
        }
        if ("CycloneDX".equals(root.path("bomFormat").asText())) {
            return cycloneDx(root, origin);
        }
        throw new VexFormatException(origin, "$", "unknown VEX format (expected OpenVEX @context, CSAF document.csaf_version"
                + " or CycloneDX bomFormat)");
    }

    private static VexStatement.Status status(String s, String origin, String path) {
        return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
            case "not_affected", "known_not_affected", "false_positive" -> VexStatement.Status.NOT_AFFECTED;
            case "affected", "known_affected", "exploitable" -> VexStatement.Status.AFFECTED;
            case "fixed", "first_fixed", "resolved", "resolved_with_pedigree" -> VexStatement.Status.FIXED;
            case "under_investigation", "in_triage" -> VexStatement.Status.UNDER_INVESTIGATION;
            default -> throw new VexFormatException(origin, path, "unknown status (expected not_affected, affected, fixed, under_investigation"
                    + " or their CSAF and CycloneDX names)");
        };
    }

    private static List<VexStatement> openVex(JsonNode root, String origin) {
        String author = root.path("author").asText(null);
        String docTime = root.path("timestamp").asText(null);
        String docId = root.path("@id").asText(origin);
        List<VexStatement> out = new ArrayList<>();
        JsonNode sts = root.path("statements");
        if (!sts.isArray()) {
            throw new VexFormatException(origin, "$.statements", "OpenVEX document without statements");
        }
        for (int i = 0; i < sts.size(); i++) {
            JsonNode s = sts.get(i);
            String path = "$.statements[" + i + "]";
            JsonNode v = s.path("vulnerability");
            String vuln = v.isTextual() ? v.asText() : v.path("name").asText(v.path("@id").asText(null));
            if (vuln == null) {
                throw new VexFormatException(origin, path + ".vulnerability", "missing vulnerability");
            }
            List<String> aliases = new ArrayList<>();
            v.path("aliases").forEach(a -> aliases.add(a.asText()));
            List<VexStatement.Product> products = new ArrayList<>();
            for (JsonNode p : s.path("products")) {
                if (p.isTextual()) {
                    products.add(product(p.asText(), List.of()));
                } else {
                    String id = p.path("@id").asText(p.path("identifiers").path("purl").asText(null));
                    List<String> subs = new ArrayList<>();
                    p.path("subcomponents").forEach(sc -> subs.add(sc.isTextual() ? sc.asText() : sc.path("@id").asText()));
                    VexStatement.Product prod = product(id, subs);
                    String sha = p.path("hashes").path("sha-256").asText(null);
                    if (sha != null && prod.digest() == null) {
                        prod = new VexStatement.Product(prod.purl(), "sha256:" + sha, prod.name(), subs);
                    }
                    products.add(prod);
                }
            }
            if (products.isEmpty()) {
                throw new VexFormatException(origin, path + ".products", "statement without products");
            }
            out.add(new VexStatement(vuln, aliases, products, status(s.path("status").asText(null), origin, path + ".status"),
                    s.path("justification").asText(null), s.path("impact_statement").asText(null),
                    s.path("action_statement").asText(null), s.path("timestamp").asText(docTime),
                    s.path("supplier").asText(author), docId, "openvex"));
        }
        return out;
    }

    /** A product id: a purl, an image digest, or a pkg:oci purl whose version is the digest. */
    static VexStatement.Product product(String id, List<String> subcomponents) {
        if (id == null) {
            return new VexStatement.Product(null, null, null, subcomponents);
        }
        if (id.matches("sha256:[0-9a-f]{64}")) {
            return new VexStatement.Product(null, id, null, subcomponents);
        }
        if (id.startsWith("pkg:oci/") && id.contains("@sha256")) {
            String digest = id.substring(id.indexOf('@') + 1).replace("%3A", ":").replace("%3a", ":");
            int q = digest.indexOf('?');
            return new VexStatement.Product(id, q > 0 ? digest.substring(0, q) : digest, null, subcomponents);
        }
        return id.startsWith("pkg:") ? new VexStatement.Product(id, null, null, subcomponents)
                : new VexStatement.Product(null, null, id, subcomponents);
    }

    private static List<VexStatement> csaf(JsonNode root, String origin) {
        JsonNode doc = root.path("document");
        String issuer = doc.path("publisher").path("name").asText(null);
        String time = doc.path("tracking").path("current_release_date").asText(null);
        String docId = doc.path("tracking").path("id").asText(origin);
        Map<String, VexStatement.Product> products = new HashMap<>();
        collectBranches(root.path("product_tree").path("branches"), products);
        for (JsonNode fp : root.path("product_tree").path("full_product_names")) {
            products.put(fp.path("product_id").asText(), csafProduct(fp));
        }
        for (JsonNode rel : root.path("product_tree").path("relationships")) {
            // "component X default_component_of platform Y": the statement is about X as shipped in Y
            JsonNode fp = rel.path("full_product_name");
            VexStatement.Product component = products.get(rel.path("product_reference").asText());
            VexStatement.Product own = csafProduct(fp);
            products.put(fp.path("product_id").asText(), component != null && own.purl() == null
                    ? new VexStatement.Product(component.purl(), component.digest(), own.name(), List.of()) : own);
        }
        List<VexStatement> out = new ArrayList<>();
        JsonNode vulns = root.path("vulnerabilities");
        for (int i = 0; i < vulns.size(); i++) {
            JsonNode v = vulns.get(i);
            String path = "$.vulnerabilities[" + i + "]";
            String cve = v.path("cve").asText(null);
            List<String> aliases = new ArrayList<>();
            v.path("ids").forEach(x -> aliases.add(x.path("text").asText()));
            if (cve == null && aliases.isEmpty()) {
                throw new VexFormatException(origin, path, "vulnerability without cve or ids");
            }
            String vuln = cve != null ? cve : aliases.remove(0);
            Map<String, String> justifications = new HashMap<>();
            for (JsonNode f : v.path("flags")) {
                f.path("product_ids").forEach(pid -> justifications.put(pid.asText(), f.path("label").asText()));
            }
            Map<String, String> impacts = new HashMap<>();
            for (JsonNode t : v.path("threats")) {
                if ("impact".equals(t.path("category").asText())) {
                    t.path("product_ids").forEach(pid -> impacts.put(pid.asText(), t.path("details").asText()));
                }
            }
            Map<String, String> actions = new HashMap<>();
            for (JsonNode r : v.path("remediations")) {
                r.path("product_ids").forEach(pid -> actions.put(pid.asText(), r.path("details").asText()));
            }
            for (var st : v.path("product_status").properties()) {
                VexStatement.Status status;
                try {
                    status = status(st.getKey(), origin, path + ".product_status." + st.getKey());
                } catch (VexFormatException e) {
                    continue; // recommended, last_affected and known statuses that are not VEX statuses
                }
                for (JsonNode pid : st.getValue()) {
                    String id = pid.asText();
                    VexStatement.Product p = products.get(id);
                    if (p == null) {
                        throw new VexFormatException(origin, path + ".product_status." + st.getKey(), "a product id that is not in the product tree");
                    }
                    out.add(new VexStatement(vuln, aliases, List.of(p), status, justifications.get(id), impacts.get(id),
                            actions.get(id), time, issuer, docId, "csaf"));
                }
            }
        }
        return out;
    }

    private static void collectBranches(JsonNode branches, Map<String, VexStatement.Product> out) {
        for (JsonNode b : branches) {
            if (b.has("product")) {
                out.put(b.path("product").path("product_id").asText(), csafProduct(b.path("product")));
            }
            collectBranches(b.path("branches"), out);
        }
    }

    private static VexStatement.Product csafProduct(JsonNode p) {
        JsonNode helper = p.path("product_identification_helper");
        String purl = helper.path("purl").asText(null);
        String sha = null;
        for (JsonNode h : helper.path("hashes")) {
            for (JsonNode fh : h.path("file_hashes")) {
                if ("sha256".equalsIgnoreCase(fh.path("algorithm").asText())) {
                    sha = "sha256:" + fh.path("value").asText();
                }
            }
        }
        return new VexStatement.Product(purl, sha, p.path("name").asText(null), List.of());
    }

    private static List<VexStatement> cycloneDx(JsonNode root, String origin) {
        JsonNode md = root.path("metadata");
        String issuer = md.path("manufacture").path("name").asText(md.path("supplier").path("name").asText(
                md.path("component").path("name").asText(null)));
        String time = md.path("timestamp").asText(null);
        String docId = root.path("serialNumber").asText(origin);
        Map<String, String> refToPurl = new HashMap<>();
        collectComponents(root.path("components"), refToPurl);
        if (md.path("component").has("bom-ref")) {
            refToPurl.put(md.path("component").path("bom-ref").asText(), md.path("component").path("purl").asText(null));
        }
        List<VexStatement> out = new ArrayList<>();
        JsonNode vulns = root.path("vulnerabilities");
        for (int i = 0; i < vulns.size(); i++) {
            JsonNode v = vulns.get(i);
            String path = "$.vulnerabilities[" + i + "]";
            JsonNode analysis = v.path("analysis");
            if (!analysis.has("state")) {
                continue; // a vulnerability listed without analysis says nothing as VEX
            }
            List<VexStatement.Product> products = new ArrayList<>();
            for (JsonNode a : v.path("affects")) {
                String ref = a.path("ref").asText();
                String local = ref.contains("#") ? ref.substring(ref.indexOf('#') + 1) : ref;
                String purl = refToPurl.getOrDefault(local, local.startsWith("pkg:") ? local : null);
                products.add(new VexStatement.Product(purl, null, purl == null ? ref : null, List.of()));
            }
            if (products.isEmpty()) {
                throw new VexFormatException(origin, path + ".affects", "analysis without affected components");
            }
            List<String> aliases = new ArrayList<>();
            v.path("references").forEach(r -> aliases.add(r.path("id").asText()));
            String action = null;
            if (analysis.path("response").isArray() && analysis.path("response").size() > 0) {
                action = analysis.path("response").get(0).asText();
            }
            out.add(new VexStatement(v.path("id").asText(), aliases, products,
                    status(analysis.path("state").asText(), origin, path + ".analysis.state"),
                    analysis.path("justification").asText(null), analysis.path("detail").asText(null), action,
                    analysis.path("lastUpdated").asText(time), issuer, docId, "cyclonedx"));
        }
        return out;
    }

    private static void collectComponents(JsonNode comps, Map<String, String> out) {
        for (JsonNode c : comps) {
            if (c.has("bom-ref")) {
                out.put(c.path("bom-ref").asText(), c.path("purl").asText(null));
            }
            collectComponents(c.path("components"), out);
        }
    }
}
