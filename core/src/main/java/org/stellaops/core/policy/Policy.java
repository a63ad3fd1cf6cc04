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
 * rule order is kept because it is meaningful.
 */
public final class Policy {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final JsonSchema SCHEMA = loadSchema();
    private static final List<String> LIST_MATCHERS = List.of("severity", "environments", "images", "repositories", "purls",
            "cves", "vendors", "sources", "paths", "layerDigests", "fixState");

    private final List<Rule> rules;
    private final List<Diagnostic> diagnostics;
    private final String canonicalJson;
    private final String digest;

    private Policy(List<Rule> rules, List<Diagnostic> diagnostics, String canonicalJson, String digest) {
        this.rules = rules;
        this.diagnostics = diagnostics;
        this.canonicalJson = canonicalJson;
        this.digest = digest;
    }

    /** One rule: its matchers and action, already normalized. */
    public record Rule(int index, String name, JsonNode matchers, String action, String until, String justification,
                       List<String> vexVendors, List<String> vexJustifications, String escalateSeverity,
                       Boolean escalateKev, Double escalateEpss) {
    }

    public List<Rule> rules() {
        return rules;
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
            return new Policy(List.of(), diags, null, null);
        }
        if (root == null || !root.isObject()) {
            diags.add(Diagnostic.error("policy.document.type", "$", origin + ": a policy is a mapping with version and rules"));
            return new Policy(List.of(), diags, null, null);
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
        diags.sort(Comparator.comparing(Diagnostic::path).thenComparing(Diagnostic::code));
        String canonicalJson = new String(Json.write(sorted(canonical)), StandardCharsets.UTF_8);
        return new Policy(List.copyOf(rules), List.copyOf(diags), canonicalJson,
                org.stellaops.core.json.Digests.sha256(canonicalJson.getBytes(StandardCharsets.UTF_8)));
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
