package org.stellaops.core.advisories;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Red Hat CSAF documents (VEX per CVE from security.access.redhat.com/data/csaf/v2/vex, and RHSA security advisories)
 * as distro advisory data for RPM packages.
 *
 * <p>The product tree is walked for products and their identification: a {@code product_name} with a CPE is a
 * product stream, a {@code product_version} is a package (its purl, or for older advisories its NEVRA product id
 * {@code name-epoch:version-release.arch}). {@code default_component_of} relationships join the two into the
 * product ids the vulnerabilities' {@code product_status} lists. A stream maps to a release line by its CPE:
 * {@code cpe:/o:redhat:enterprise_linux:9} and {@code cpe:/a:redhat:enterprise_linux:9::appstream} (BaseOS, AppStream,
 * CRB, …) are line {@code rhel-9}. Other products (JBoss, OpenShift, and the EUS/AUS/TUS/E4S streams
 * {@code rhel_eus:9.2}, which are fixed on their own schedule) are not RHEL's main line and are left out.
 *
 * <p>Each CVE becomes an advisory with one affected line per release and package name, keeping Red Hat's status word:
 * {@code fixed} (with the fixed NEVRA's {@code epoch:version-release}), {@code known_affected} refined by its remediation
 * ({@code no_fix_planned} → will-not-fix, {@code none_available} → affected, {@code vendor_fix} with a version →
 * fixed), {@code known_not_affected} (with the flag's justification), {@code under_investigation}. The threat's impact
 * (Low, Moderate, Important, Critical) is the advisory's rating.
 */
public final class RedHatCsafParser {
    /** Source name of advisories read from Red Hat CSAF. */
    public static final String SOURCE = "redhat-csaf";

    private static final Pattern RHEL_CPE = Pattern.compile("cpe:/[oa]:redhat:enterprise_linux:(\\d+)(?:[:.].*)?");
    /** name-epoch:version-release.arch, as Red Hat's product ids for rpms write it. */
    private static final Pattern NEVRA = Pattern.compile("(.+)-(\\d+):([^-:]+)-([^-:]+)\\.([A-Za-z0-9_]+)");

    private RedHatCsafParser() {
    }

    /** Whether a JSON document is a CSAF document (a VEX or a security advisory). */
    public static boolean isCsaf(JsonNode root) {
        return root.has("document") && root.has("product_tree") && root.path("document").has("csaf_version");
    }

    /** A package product: its name and, when the product names one, its epoch:version-release. */
    private record Pkg(String name, String evr) {
    }

    public static List<Advisory> parse(byte[] content, String origin) {
        JsonNode root = Documents.readJson(content, origin);
        if (root == null || !root.isObject() || !isCsaf(root)) {
            throw new AdvisoryFormatException(origin, "$.document", "not a CSAF document");
        }
        Map<String, String> streams = new HashMap<>(); // product id → rhel-N
        Map<String, Pkg> packages = new HashMap<>();    // product id → package
        walk(root.path("product_tree").path("branches"), streams, packages);
        Map<String, String[]> products = new HashMap<>(); // full product id → {line, name, evr}
        JsonNode rels = root.path("product_tree").path("relationships");
        for (int i = 0; i < rels.size(); i++) {
            JsonNode r = rels.get(i);
            String stream = streams.get(r.path("relates_to_product_reference").asText(""));
            Pkg pkg = packages.get(r.path("product_reference").asText(""));
            String id = r.path("full_product_name").path("product_id").asText(null);
            if (id == null) {
                throw new AdvisoryFormatException(origin, "$.product_tree.relationships[" + i + "].full_product_name.product_id",
                        "missing product id");
            }
            if (stream != null && pkg != null && r.path("category").asText("").equals("default_component_of")) {
                products.put(id, new String[] {stream, pkg.name(), pkg.evr()});
            }
        }
        List<Advisory> out = new ArrayList<>();
        JsonNode vulns = root.path("vulnerabilities");
        for (int v = 0; v < vulns.size(); v++) {
            JsonNode vuln = vulns.get(v);
            String cve = vuln.path("cve").asText(null);
            if (cve == null || cve.isBlank()) {
                throw new AdvisoryFormatException(origin, "$.vulnerabilities[" + v + "].cve", "missing CVE id");
            }
            Map<String, String> remediation = new HashMap<>(); // product id → category
            Map<String, String> remediationNote = new HashMap<>();
            for (JsonNode rem : vuln.path("remediations")) {
                String cat = rem.path("category").asText("");
                for (JsonNode p : rem.path("product_ids")) {
                    remediation.put(p.asText(), cat);
                    if (rem.hasNonNull("details") && !cat.equals("vendor_fix")) {
                        remediationNote.put(p.asText(), rem.path("details").asText());
                    }
                }
            }
            Map<String, String> justification = new HashMap<>();
            for (JsonNode flag : vuln.path("flags")) {
                for (JsonNode p : flag.path("product_ids")) {
                    justification.put(p.asText(), flag.path("label").asText(null));
                }
            }
            String impact = null;
            for (JsonNode t : vuln.path("threats")) {
                if (t.path("category").asText("").equals("impact") && t.hasNonNull("details")) {
                    impact = t.path("details").asText();
                }
            }
            // one line per (release, package, status): the latest fixed version of a package wins
            Map<String, Advisory.Affected> lines = new TreeMap<>();
            JsonNode status = vuln.path("product_status");
            for (String category : List.of("fixed", "known_affected", "known_not_affected", "under_investigation")) {
                for (JsonNode p : status.path(category)) {
                    String[] prod = products.get(p.asText());
                    if (prod == null) {
                        continue; // not a RHEL main-line rpm (another product, an EUS stream, a container image)
                    }
                    String word = statusWord(category, remediation.get(p.asText()), prod[2]);
                    List<Advisory.Range> ranges = word.equals("fixed") && prod[2] != null
                            ? List.of(new Advisory.Range("ECOSYSTEM", List.of(new Advisory.Event("introduced", "0"),
                            new Advisory.Event("fixed", prod[2])))) : List.of();
                    String note = word.equals("not-affected") ? justification.get(p.asText())
                            : remediationNote.get(p.asText());
                    Advisory.Affected line = new Advisory.Affected("Red Hat:" + prod[0].substring("rhel-".length()), "rpm",
                            "redhat", prod[1], prod[0], ranges, List.of(), word, impact, note);
                    String key = prod[0] + "|" + prod[1] + "|" + word;
                    Advisory.Affected old = lines.get(key);
                    if (old == null || word.equals("fixed") && laterFix(line, old)) {
                        lines.put(key, line);
                    }
                }
            }
            List<Advisory.Severity> severities = impact == null ? List.of()
                    : List.of(new Advisory.Severity(SOURCE, "rating", rating(impact)));
            // an RHSA fixes several CVEs: its id is no alias of any one of them (aliases join vulnerabilities), it is
            // kept as the errata reference of the fix
            List<String> refs = new ArrayList<>();
            vuln.path("references").forEach(r -> {
                if (r.hasNonNull("url")) {
                    refs.add(r.path("url").asText());
                }
            });
            vuln.path("remediations").forEach(r -> {
                if (r.hasNonNull("url") && !refs.contains(r.path("url").asText())) {
                    refs.add(r.path("url").asText());
                }
            });
            out.add(new Advisory(cve, List.of(), vuln.path("title").asText(null), vuln.path("release_date").asText(null),
                    root.path("document").path("tracking").path("current_release_date").asText(null), null, severities,
                    new ArrayList<>(lines.values()), refs, SOURCE, origin));
        }
        return out;
    }

    private static boolean laterFix(Advisory.Affected a, Advisory.Affected b) {
        String x = a.ranges().isEmpty() ? null : a.ranges().get(0).events().get(1).version();
        String y = b.ranges().isEmpty() ? null : b.ranges().get(0).events().get(1).version();
        return x != null && (y == null || org.stellaops.core.versions.RpmVersion.compareEvr(x, y) > 0);
    }

    /**
     * Red Hat's status in the distro's own words: fixed, affected (no fix yet), will-not-fix, not-affected,
     * under-investigation. A known_affected product with a vendor fix but no fixed version stays affected.
     */
    static String statusWord(String category, String remediation, String evr) {
        return switch (category) {
            case "fixed" -> "fixed";
            case "known_not_affected" -> "not-affected";
            case "under_investigation" -> "under-investigation";
            default -> "no_fix_planned".equals(remediation) ? "will-not-fix"
                    : "vendor_fix".equals(remediation) && evr != null ? "fixed" : "affected";
        };
    }

    /** Red Hat's impact words as ratings: Low, Moderate → MEDIUM, Important → HIGH, Critical. */
    static String rating(String impact) {
        return switch (impact.toLowerCase(Locale.ROOT)) {
            case "low" -> "LOW";
            case "moderate" -> "MEDIUM";
            case "important" -> "HIGH";
            case "critical" -> "CRITICAL";
            default -> impact.toUpperCase(Locale.ROOT);
        };
    }

    /** The release line of a Red Hat product CPE (rhel-9), or null when it is not RHEL's main line. */
    static String line(String cpe) {
        if (cpe == null) {
            return null;
        }
        Matcher m = RHEL_CPE.matcher(cpe);
        return m.matches() ? "rhel-" + m.group(1) : null;
    }

    private static void walk(JsonNode branches, Map<String, String> streams, Map<String, Pkg> packages) {
        for (JsonNode b : branches) {
            JsonNode product = b.path("product");
            String id = product.path("product_id").asText(null);
            if (id != null) {
                JsonNode helper = product.path("product_identification_helper");
                String stream = line(helper.path("cpe").asText(null));
                if (stream != null) {
                    streams.put(id, stream);
                } else if (b.path("category").asText("").equals("product_version")) {
                    Pkg p = pkg(helper.path("purl").asText(null), id);
                    if (p != null) {
                        packages.put(id, p);
                    }
                }
            }
            walk(b.path("branches"), streams, packages);
        }
    }

    /** The package a product version names: by its rpm purl, else by a NEVRA product id. */
    private static Pkg pkg(String purl, String id) {
        if (purl != null) {
            try {
                PackageURL p = new PackageURL(purl);
                if (!p.getType().equals("rpm")) {
                    return null; // container images and other artifacts
                }
                String evr = null;
                if (p.getVersion() != null) {
                    String epoch = p.getQualifiers() == null ? null : p.getQualifiers().get("epoch");
                    evr = (epoch == null ? "0" : epoch) + ":" + p.getVersion();
                }
                return new Pkg(p.getName(), evr);
            } catch (MalformedPackageURLException e) {
                return null;
            }
        }
        Matcher m = NEVRA.matcher(id);
        if (m.matches()) {
            return new Pkg(m.group(1), m.group(2) + ":" + m.group(3) + "-" + m.group(4));
        }
        return null;
    }
}
