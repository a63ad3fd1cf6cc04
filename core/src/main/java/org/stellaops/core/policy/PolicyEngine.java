package org.stellaops.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.stellaops.core.model.Finding;
import org.stellaops.core.vex.VexConsensus;
import org.stellaops.core.vex.VexStatement;

/**
 * Evaluates a policy on findings. The semantics, in order:
 * <ol>
 *   <li><b>escalate</b> rules whose matchers hold raise the finding's severity to theirs when the finding is in KEV
 *   ({@code kev: true}) or its EPSS reaches {@code epss}; they never decide.</li>
 *   <li><b>VEX</b>: a finding the VEX consensus suppresses (not_affected, fixed) is {@code suppressed} — unless a
 *   matching {@code requireVex} rule names vendors or justifications that the statements do not meet.</li>
 *   <li><b>Decision</b>: the first rule in order whose matchers hold and whose action decides — ignore (a waiver, skipped
 *   once its {@code until} day is over), warn, fail (= block), defer, requireVex (fails a finding without acceptable
 *   VEX) — gives the verdict.</li>
 *   <li>No rule: {@code warn}.</li>
 * </ol>
 * The overall verdict is fail if any finding fails, else warn if any warns or is deferred, else pass. Every verdict
 * carries the steps that led to it.
 */
public final class PolicyEngine {
    private static final List<String> ORDER = List.of("UNKNOWN", "NEGLIGIBLE", "LOW", "MEDIUM", "HIGH", "CRITICAL");

    /** What the policy may match besides the finding: where the image runs and when (for waiver expiry). */
    public record Context(String environment, String image, String imageDigest, long asOfEpochSeconds) {
    }

    /** A finding with the VEX decision about it and whether the entrypoint uses the component. */
    public record Input(Finding finding, VexConsensus.Decision vex, boolean usedByEntrypoint) {
    }

    /**
     * The verdict for one finding: pass never occurs per finding; suppressed, ignore, warn, defer or fail. For an
     * {@code ignore} by a waiver with {@code until}, {@code waiverExpires} is when it stops applying (epoch seconds:
     * the start of the day after an {@code until} date, UTC, or the {@code until} date-time); null otherwise.
     */
    public record Verdict(String findingKey, String verdict, String severity, String rule, List<String> explain,
                          Long waiverExpires) {
        public Verdict(String findingKey, String verdict, String severity, String rule, List<String> explain) {
            this(findingKey, verdict, severity, rule, explain, null);
        }
    }

    private PolicyEngine() {
    }

    public static List<Verdict> evaluate(Policy policy, List<Input> inputs, Context ctx) {
        if (!policy.valid()) {
            throw new IllegalArgumentException("an invalid policy is never applied: " + policy.diagnostics());
        }
        List<Verdict> out = new ArrayList<>();
        for (Input in : inputs) {
            out.add(evaluate(policy, in, ctx));
        }
        return out;
    }

    /** The worse of two overall verdicts (fail before warn before pass). */
    public static String worse(String a, String b) {
        List<String> order = List.of("pass", "warn", "fail");
        return order.indexOf(a) >= order.indexOf(b) ? a : b;
    }

    public static String overall(List<Verdict> verdicts) {
        if (verdicts.stream().anyMatch(v -> v.verdict().equals("fail"))) {
            return "fail";
        }
        return verdicts.stream().anyMatch(v -> v.verdict().equals("warn") || v.verdict().equals("defer")) ? "warn" : "pass";
    }

    static Verdict evaluate(Policy policy, Input in, Context ctx) {
        Finding f = in.finding();
        List<String> explain = new ArrayList<>();
        String severity = f.severity() == null ? "UNKNOWN" : f.severity();
        explain.add("severity " + severity + (f.severitySource() != null ? " from " + f.severitySource() : ""));
        for (Policy.Rule r : policy.rules()) {
            if (!r.action().equals("escalate") || !matches(r, in, severity, ctx, null)) {
                continue;
            }
            boolean byKev = Boolean.TRUE.equals(r.escalateKev()) && f.kev();
            boolean byEpss = r.escalateEpss() != null && f.epss() != null && f.epss() >= r.escalateEpss();
            if ((byKev || byEpss) && ORDER.indexOf(r.escalateSeverity()) > ORDER.indexOf(severity)) {
                explain.add("rule '" + r.name() + "' escalates " + severity + " to " + r.escalateSeverity()
                        + (byKev ? " (in KEV)" : " (EPSS " + f.epss() + " ≥ " + r.escalateEpss() + ")"));
                severity = r.escalateSeverity();
            }
        }
        VexConsensus.Decision vex = in.vex();
        if (vex != null && vex.suppressed()) {
            Policy.Rule rejecting = null;
            for (Policy.Rule r : policy.rules()) {
                if (r.action().equals("requireVex") && matches(r, in, severity, ctx, null) && !vexMeets(r, vex)) {
                    rejecting = r;
                    break;
                }
            }
            if (rejecting == null) {
                explain.add("VEX: " + vex.reason());
                return new Verdict(f.key(), "suppressed", severity, null, explain);
            }
            explain.add("VEX " + vex.status().id() + " not accepted: rule '" + rejecting.name() + "' requires "
                    + describe(rejecting));
        }
        for (Policy.Rule r : policy.rules()) {
            if (r.action().equals("escalate")) {
                continue;
            }
            List<String> why = new ArrayList<>();
            if (!matches(r, in, severity, ctx, why)) {
                continue;
            }
            String match = "rule '" + r.name() + "' (#" + r.index() + ") matches" + (why.isEmpty() ? "" : ": " + String.join(", ", why));
            switch (r.action()) {
                case "ignore" -> {
                    Long until = r.until() == null ? null : Policy.parseUntil(r.until());
                    if (until != null && ctx.asOfEpochSeconds() >= until) {
                        explain.add(match + ", but its waiver expired on " + r.until());
                        continue;
                    }
                    explain.add(match + " → ignore" + (r.justification() != null ? " (" + r.justification() + ")" : "")
                            + (r.until() != null ? " until " + r.until() : ""));
                    return new Verdict(f.key(), "ignore", severity, r.name(), explain, until);
                }
                case "requireVex" -> {
                    explain.add(match + " → fail: no VEX statement meets " + describe(r));
                    return new Verdict(f.key(), "fail", severity, r.name(), explain);
                }
                default -> {
                    explain.add(match + " → " + r.action());
                    return new Verdict(f.key(), r.action(), severity, r.name(), explain);
                }
            }
        }
        explain.add("no rule decides → warn");
        return new Verdict(f.key(), "warn", severity, null, explain);
    }

    private static String describe(Policy.Rule r) {
        List<String> parts = new ArrayList<>();
        if (!r.vexVendors().isEmpty()) {
            parts.add("a statement from " + String.join(" or ", r.vexVendors()));
        }
        if (!r.vexJustifications().isEmpty()) {
            parts.add("a justification of " + String.join(" or ", r.vexJustifications()));
        }
        return parts.isEmpty() ? "a trusted VEX statement" : String.join(" with ", parts);
    }

    private static boolean vexMeets(Policy.Rule r, VexConsensus.Decision vex) {
        for (VexStatement s : vex.statements()) {
            boolean vendorOk = r.vexVendors().isEmpty() || r.vexVendors().contains(s.issuer());
            boolean justOk = r.vexJustifications().isEmpty() || (s.justification() != null && r.vexJustifications().contains(s.justification()));
            if (vendorOk && justOk && (s.status() == VexStatement.Status.NOT_AFFECTED || s.status() == VexStatement.Status.FIXED)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every matcher of the rule holds; collects the reasons when {@code why} is given. */
    static boolean matches(Policy.Rule r, Input in, String severity, Context ctx, List<String> why) {
        Finding f = in.finding();
        JsonNode m = r.matchers();
        for (var e : m.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            boolean ok = switch (key) {
                case "severity" -> contains(v, severity);
                case "environments" -> ctx.environment() != null && contains(v, ctx.environment());
                case "images" -> anyGlob(v, ctx.image()) || anyGlob(v, ctx.image() + "@" + ctx.imageDigest());
                case "repositories" -> anyGlob(v, ctx.image());
                case "purls" -> anyGlob(v, f.purl());
                case "cves" -> contains(v, f.vulnerability()) || f.aliases().stream().anyMatch(a -> contains(v, a));
                case "vendors" -> in.vex() != null && in.vex().statements().stream().anyMatch(s -> contains(v, s.issuer()));
                case "sources" -> f.advisorySources().stream().anyMatch(s -> contains(v, s));
                case "paths" -> anyGlob(v, f.evidencePath());
                case "layerDigests" -> contains(v, f.layerDigest());
                case "usedByEntrypoint" -> v.asBoolean() == in.usedByEntrypoint();
                case "kev" -> v.asBoolean() == f.kev();
                case "epssAbove" -> f.epss() != null && f.epss() > v.asDouble();
                case "fixState" -> contains(v, f.fixState());
                default -> false;
            };
            if (!ok) {
                return false;
            }
            if (why != null) {
                why.add(key + " " + (v.isArray() ? v.toString() : v.asText()));
            }
        }
        return true;
    }

    private static boolean contains(JsonNode list, String value) {
        if (value == null) {
            return false;
        }
        for (JsonNode x : list) {
            if (x.asText().equalsIgnoreCase(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyGlob(JsonNode list, String value) {
        if (value == null) {
            return false;
        }
        for (JsonNode x : list) {
            if (glob(x.asText()).matcher(value).matches()) {
                return true;
            }
        }
        return false;
    }

    /** '*' any run of characters, '?' one character, everything else literal. */
    static Pattern glob(String g) {
        StringBuilder sb = new StringBuilder();
        for (char c : g.toCharArray()) {
            sb.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString());
    }

    /** The verdicts that change between two policies on the same findings: [key, before, after]. */
    public static List<String[]> preview(Policy before, Policy after, List<Input> inputs, Context ctx) {
        List<Verdict> a = evaluate(before, inputs, ctx);
        List<Verdict> b = evaluate(after, inputs, ctx);
        List<String[]> diffs = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.equals(a.get(i).verdict(), b.get(i).verdict())) {
                diffs.add(new String[] {a.get(i).findingKey(), a.get(i).verdict(), b.get(i).verdict()});
            }
        }
        return diffs;
    }
}
