package org.stellaops.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.stellaops.core.json.Json;

/**
 * A parsed policy (YAML DSL, version "1.0"): its rules in order, lint diagnostics, the canonical JSON form and its
 * sha256 digest. An invalid policy ({@link #valid()} false) must never be applied.
 *
 * <p>Canonical form: keys sorted, the action shorthand ({@code action: block}) written as {@code {type: block}},
 * {@code block} spelled {@code fail}, severities upper-case, and every list-valued matcher sorted without duplicates;
 * rule order is kept because it is meaningful. {@code coverage} is part of the canonical form (and so of the digest)
 * when it differs from the default ({@code uncovered: warn}, nothing allowed): {@code uncovered} spelled out and
 * {@code allow} sorted without duplicates.
 *
 * <p>{@code coverage} says what a gap in the advisory data does to the verdict: an ecosystem or distro release of the
 * SBOM that no loaded advisory covers makes the image {@code warn} (the default) or {@code fail}; gaps whose id
 * (a purl type such as {@code generic}, or {@code type/namespace/distro} such as {@code rpm/redhat/rhel-9.3}) matches
 * an {@code allow} pattern ('*' any run of characters, '?' one character) are accepted: listed in the report, never
 * raising the verdict.
 */
public final class Policy {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final JsonSchema SCHEMA = loadSchema();
    private static final List<String> LIST_MATCHERS = List.of("severity", "environments", "images", "repositories", "purls",
            "cves", "vendors", "sources", "paths", "layerDigests", "fixState");

    private final List<Rule> rules;
    private final Coverage coverage;
    private final List<Diagnostic> diagnostics;
    private final String canonicalJson;
    private final String digest;

    private Policy(List<Rule> rules, Coverage coverage, List<Diagnostic> diagnostics, String canonicalJson, String digest) {
        this.rules = rules;
        this.coverage = coverage;
        this.diagnostics = diagnostics;
        this.canonicalJson = canonicalJson;
        this.digest = digest;
    }

    /**
     * What gaps in the advisory data do: {@code uncovered} is "warn" (default) or "fail"; {@code allow} the sorted
     * patterns of gaps that are accepted.
     */
    public record Coverage(String uncovered, List<String> allow) {
        public static final Coverage DEFAULT = new Coverage("warn", List.of());

        public Coverage {
            allow = List.copyOf(allow);
        }

        /** Whether a gap with this id (maven, generic, rpm/redhat/rhel-9.3) is accepted by an allow pattern. */
        public boolean allows(String id) {
            return allow.stream().anyMatch(g -> PolicyEngine.glob(g).matcher(id).matches());
        }
    }

    /** One rule: its matchers and action, already normalized. */
    public record Rule(int index, String name, JsonNode matchers, String action, String until, String justification,
                       List<String> vexVendors, List<String> vexJustifications, String escalateSeverity,
                       Boolean escalateKev, Double escalateEpss) {
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The policy's coverage setting; {@link Coverage#DEFAULT} when it has none. */
    public Coverage coverage() {
        return coverage;
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    public boolean valid() {
        return diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    public String canonicalJson() {
        return canonicalJson;
    }

    /** sha256 of the canonical form, "sha256:…". */
    public String digest() {
        return digest;
    }

    public static Policy parse(String yaml, String origin) {
        List<Diagnostic> diags = new ArrayList<>();
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            diags.add(Diagnostic.error("policy.yaml.malformed", "$", origin + ": malformed YAML: " + e.getOriginalMessage()));
            return new Policy(List.of(), Coverage.DEFAULT, diags, null, null);
        }
        if (root == null || !root.isObject()) {
            diags.add(Diagnostic.error("policy.document.type", "$", origin + ": a policy is a mapping with version and rules"));
            return new Policy(List.of(), Coverage.DEFAULT, diags, null, null);
        }
        for (ValidationMessage m : SCHEMA.validate(root)) {
            String path = m.getInstanceLocation() == null ? "$" : m.getInstanceLocation().toString();
            diags.add(Diagnostic.error("policy.schema." + m.getType(), path, m.getMessage()));
        }
        ObjectNode canonical = JsonNodeFactory.instance.objectNode();
        canonical.put("version", root.path("version").asText());
        ArrayNode canonicalRules = canonical.putArray("rules");
        List<Rule> rules = new ArrayList<>();
        JsonNode rs = root.path("rules");
        for (int i = 0; i < rs.size(); i++) {
            JsonNode r = rs.get(i);
            String path = "$.rules[" + i + "]";
            if (!r.isObject()) {
                continue;
            }
            ObjectNode cr = canonicalRules.addObject();
            ObjectNode matchers = JsonNodeFactory.instance.objectNode();
            for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (f.equals("name") || f.equals("action") || f.equals("description")) {
                    continue;
                }
                JsonNode v = r.get(f);
                if (LIST_MATCHERS.contains(f) && v.isArray()) {
                    TreeSet<String> sorted = new TreeSet<>();
                    v.forEach(x -> sorted.add(f.equals("severity") ? normalizeSeverity(x.asText()) : x.asText()));
                    ArrayNode a = matchers.putArray(f);
                    sorted.forEach(a::add);
                } else {
                    matchers.set(f, v);
                }
            }
            JsonNode action = r.path("action");
            String type = action.isTextual() ? action.asText() : action.path("type").asText("");
            if (type.equals("block")) {
                type = "fail";
            }
            ObjectNode ca = JsonNodeFactory.instance.objectNode();
            ca.put("type", type);
            if (action.isObject()) {
                for (Iterator<String> it = action.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!f.equals("type")) {
                        JsonNode v = action.get(f);
                        ca.set(f, f.equals("severity") ? JsonNodeFactory.instance.textNode(normalizeSeverity(v.asText())) : v);
                    }
                }
            }
            cr.put("name", r.path("name").asText());
            cr.setAll(sorted(matchers));
            cr.set("action", sorted(ca));
            String until = action.path("until").asText(null);
            lint(type, action, until, path, diags);
            rules.add(new Rule(i, r.path("name").asText(), matchers, type, until, action.path("justification").asText(null),
                    strings(action.path("vendors")), strings(action.path("justifications")),
                    action.has("severity") ? normalizeSeverity(action.path("severity").asText()) : null,
                    action.has("kev") ? action.path("kev").asBoolean() : null,
                    action.has("epss") ? action.path("epss").asDouble() : null));
        }
        Coverage coverage = coverage(root.path("coverage"), diags);
        if (!coverage.equals(Coverage.DEFAULT)) {
            ObjectNode cc = canonical.putObject("coverage");
            cc.put("uncovered", coverage.uncovered());
            if (!coverage.allow().isEmpty()) {
                ArrayNode a = cc.putArray("allow");
                coverage.allow().forEach(a::add);
            }
        }
        diags.sort(Comparator.comparing(Diagnostic::path).thenComparing(Diagnostic::code));
        String canonicalJson = new String(Json.write(sorted(canonical)), StandardCharsets.UTF_8);
        return new Policy(List.copyOf(rules), coverage, List.copyOf(diags), canonicalJson,
                org.stellaops.core.json.Digests.sha256(canonicalJson.getBytes(StandardCharsets.UTF_8)));
    }

    /** The coverage setting as written (the schema has checked its shape), with its lint. */
    private static Coverage coverage(JsonNode c, List<Diagnostic> diags) {
        if (!c.isObject()) {
            return Coverage.DEFAULT;
        }
        String uncovered = c.path("uncovered").asText("warn");
        if (!uncovered.equals("fail")) {
            uncovered = "warn";
        }
        TreeSet<String> allow = new TreeSet<>();
        c.path("allow").forEach(x -> allow.add(x.asText()));
        for (String g : allow) {
            if (!g.isEmpty() && g.chars().allMatch(ch -> ch == '*')) {
                diags.add(Diagnostic.warning("policy.coverage.allow.everything", "$.coverage.allow",
                        "'" + g + "' accepts every gap: advisory data missing for a whole ecosystem or distro never affects the verdict"));
            }
        }
        if (!c.has("uncovered") && !allow.isEmpty()) {
            diags.add(Diagnostic.warning("policy.coverage.uncovered.implicit", "$.coverage",
                    "coverage without 'uncovered': gaps that are not allowed make the image warn (say 'uncovered: warn' or 'fail')"));
        }
        return new Coverage(uncovered, List.copyOf(allow));
    }

    private static void lint(String type, JsonNode action, String until, String path, List<Diagnostic> diags) {
        if (type.equals("ignore")) {
            if (action.path("justification").asText("").isBlank()) {
                diags.add(Diagnostic.warning("policy.rule.ignore.no_justification", path + ".action",
                        "a waiver without a justification: say why the findings may be ignored"));
            }
            if (until == null) {
                diags.add(Diagnostic.warning("policy.rule.ignore.no_expiry", path + ".action",
                        "a waiver without 'until' never expires"));
            }
        }
        if (until != null && parseUntil(until) == null) {
            diags.add(Diagnostic.error("policy.rule.until.format", path + ".action.until",
                    "'" + until + "' is not an ISO-8601 date (2026-12-31) or date-time"));
        }
        if (type.equals("requireVex") && action.path("vendors").isMissingNode() && action.path("justifications").isMissingNode()) {
            diags.add(Diagnostic.warning("policy.rule.requireVex.unrestricted", path + ".action",
                    "requireVex without vendors or justifications accepts any trusted VEX statement"));
        }
        if (type.equals("escalate") && !action.has("severity")) {
            diags.add(Diagnostic.error("policy.rule.escalate.no_severity", path + ".action", "escalate needs a target severity"));
        }
    }

    /** The end of the day a waiver runs until, as epoch seconds (UTC), or null when unreadable. */
    static Long parseUntil(String until) {
        try {
            return LocalDate.parse(until).plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(until).toEpochSecond();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    static String normalizeSeverity(String s) {
        String u = s.trim().toUpperCase(Locale.ROOT);
        return u.equals("MODERATE") ? "MEDIUM" : u;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static ObjectNode sorted(ObjectNode n) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        for (String k : keys) {
            JsonNode v = n.get(k);
            out.set(k, v.isObject() ? sorted((ObjectNode) v) : v);
        }
        return out;
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = Policy.class.getResourceAsStream("/org/stellaops/core/policy/policy-schema-1.json")) {
            JsonNode schema = Json.mapper().readTree(in);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        } catch (IOException e) {
            throw new IllegalStateException("policy schema missing from the classpath", e);
        }
    }

}
