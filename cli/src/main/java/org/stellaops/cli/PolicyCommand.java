package org.stellaops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.stellaops.core.decider.Coverage;
import org.stellaops.core.model.Finding;
import org.stellaops.core.policy.Diagnostic;
import org.stellaops.core.policy.Policy;
import org.stellaops.core.policy.PolicyEngine;
import org.stellaops.core.vex.VexConsensus;
import org.stellaops.core.vex.VexStatement;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stella policy lint|test}. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Check policies and preview their effect.",
        subcommands = {PolicyCommand.Lint.class, PolicyCommand.Test.class})
public final class PolicyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "lint or test is required");
    }

    /** Diagnostics with code, severity, JSON path and message; the canonical digest. Exit 9 when invalid. */
    @Command(name = "lint", mixinStandardHelpOptions = true, description = "Validate a policy: diagnostics and its digest.")
    static final class Lint implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "POLICY") Path file;

        @Override
        public Integer call() throws IOException {
            var out = spec.commandLine().getOut();
            if (!Files.isRegularFile(file)) {
                spec.commandLine().getErr().println("stella: policy " + file + ": no such file");
                return ExitCodes.NOT_FOUND;
            }
            Policy p = Policy.parse(Files.readString(file), file.toString());
            for (Diagnostic d : p.diagnostics()) {
                out.println(d.severity() + " " + d.code() + " " + d.path() + ": " + d.message());
            }
            if (!p.valid()) {
                out.println(file + ": invalid (" + p.diagnostics().stream().filter(Diagnostic::isError).count() + " errors)");
                return ExitCodes.INVALID_ARGUMENTS;
            }
            out.println(file + ": valid, " + p.rules().size() + " rules, digest " + p.digest());
            return ExitCodes.OK;
        }
    }

    /** The verdicts that change between a baseline policy and a new one, on the findings of an existing report. */
    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Preview: re-evaluate the findings of a report under a baseline and a new policy and show what changes.")
    static final class Test implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "POLICY") Path file;

        @Option(names = "--baseline", paramLabel = "POLICY", description = "The policy in force (default: no rules).")
        Path baseline;

        @Option(names = "--report", required = true, paramLabel = "FILE", description = "A report written by stella scan or report.")
        Path report;

        @Override
        public Integer call() throws IOException {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            Policy next = Policy.parse(Files.readString(file), file.toString());
            Policy base = Policy.parse(baseline == null ? "version: \"1.0\"\nrules: []\n" : Files.readString(baseline),
                    baseline == null ? "(no rules)" : baseline.toString());
            for (Policy p : List.of(base, next)) {
                if (!p.valid()) {
                    p.diagnostics().forEach(d -> err.println(d.severity() + " " + d.code() + " " + d.path() + ": " + d.message()));
                    return ExitCodes.INVALID_ARGUMENTS;
                }
            }
            JsonNode r = DecisionOptions.readJson(report);
            List<PolicyEngine.Input> inputs = new ArrayList<>();
            for (JsonNode f : r.path("findings")) {
                inputs.add(new PolicyEngine.Input(finding(f), vex(f), false));
            }
            String asOf = r.path("inputs").path("asOf").asText(LocalDate.now(ZoneOffset.UTC).toString());
            PolicyEngine.Context ctx = new PolicyEngine.Context(r.path("inputs").path("environment").asText(null),
                    r.path("image").path("name").asText(null), r.path("image").path("digest").asText(null),
                    LocalDate.parse(asOf).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
            List<String[]> diffs = PolicyEngine.preview(base, next, inputs, ctx);
            for (String[] d : diffs) {
                out.println(d[1] + " -> " + d[2] + "  " + d[0]);
            }
            // the report's coverage gaps, judged under each policy's coverage setting (and the option the report was made with)
            List<String> uncovered = new ArrayList<>();
            r.path("coverage").path("entries").forEach(e -> {
                if (!e.path("covered").asBoolean(true)) {
                    uncovered.add(e.path("id").asText());
                }
            });
            boolean option = r.path("coverage").path("setBy").asText("").equals("option");
            String coverageBefore = Coverage.verdict(uncovered, base.coverage(), option);
            String coverageAfter = Coverage.verdict(uncovered, next.coverage(), option);
            if (!coverageBefore.equals(coverageAfter)) {
                out.println("coverage gaps (" + String.join(", ", uncovered) + "): " + coverageBefore + " -> " + coverageAfter);
            }
            out.println(diffs.size() + " of " + inputs.size() + " verdicts change; overall "
                    + PolicyEngine.worse(PolicyEngine.overall(PolicyEngine.evaluate(base, inputs, ctx)), coverageBefore) + " -> "
                    + PolicyEngine.worse(PolicyEngine.overall(PolicyEngine.evaluate(next, inputs, ctx)), coverageAfter)
                    + " (policy " + next.digest() + ")");
            return ExitCodes.OK;
        }

        private static List<String> strings(JsonNode n) {
            List<String> out = new ArrayList<>();
            n.forEach(x -> out.add(x.asText()));
            return out;
        }

        static Finding finding(JsonNode f) {
            // the report's severity is after escalation; the source severity is what the policy starts from
            return new Finding(f.path("vulnerability").asText(), strings(f.path("aliases")), f.path("purl").asText(),
                    f.path("installedVersion").asText(null), strings(f.path("fixedVersions")), f.path("fixState").asText(null),
                    f.path("distroStatus").asText(null), f.path("severity").asText(null), f.path("severitySource").asText(null),
                    f.path("severityReason").asText(null), strings(f.path("severities")), f.path("kev").asBoolean(false),
                    f.has("epss") ? f.path("epss").asDouble() : null, f.path("layerDigest").asText(null),
                    f.path("evidencePath").asText(null), f.path("matchReason").asText(null), strings(f.path("advisorySources")));
        }

        static VexConsensus.Decision vex(JsonNode f) {
            JsonNode v = f.path("vex");
            if (v.isMissingNode()) {
                return null;
            }
            List<VexStatement> statements = new ArrayList<>();
            for (JsonNode s : v.path("statements")) {
                statements.add(new VexStatement(f.path("vulnerability").asText(), List.of(), List.of(),
                        VexStatement.Status.valueOf(s.path("status").asText().toUpperCase(java.util.Locale.ROOT)),
                        s.path("justification").asText(null), null, null, s.path("timestamp").asText(null),
                        s.path("issuer").asText(null), s.path("document").asText(null), "report"));
            }
            String status = v.path("status").asText(null);
            VexStatement.Status st = status == null ? null : VexStatement.Status.valueOf(status.toUpperCase(java.util.Locale.ROOT));
            boolean suppressed = st == VexStatement.Status.NOT_AFFECTED || st == VexStatement.Status.FIXED;
            return new VexConsensus.Decision(st, suppressed, statements, strings(v.path("conflicts")), v.path("reason").asText(""));
        }
    }
}
