package org.stellaops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.decider.Coverage;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.json.Json;
import org.stellaops.core.policy.Diagnostic;
import org.stellaops.core.policy.Policy;
import org.stellaops.core.vex.VexFormatException;
import org.stellaops.core.vex.VexParser;
import org.stellaops.core.vex.VexStatement;
import org.stellaops.scanner.ScanException;
import picocli.CommandLine.Option;

/** The decision flags shared by {@code stella scan} and {@code stella report}, and running the decider with them. */
public final class DecisionOptions {
    @Option(names = "--advisories", paramLabel = "PATH",
            description = "Advisory data: a file, a directory or a zip (OSV JSON/YAML, Debian tracker, Alpine secdb, Red Hat CSAF, NVD CVE 2.0, KEV, EPSS). Repeatable.")
    List<Path> advisories = new ArrayList<>();

    @Option(names = "--vex", paramLabel = "FILE", description = "A VEX document (OpenVEX, CSAF or CycloneDX). Repeatable.")
    List<Path> vex = new ArrayList<>();

    @Option(names = "--vex-trust", paramLabel = "ISSUER=WEIGHT",
            description = "Trust weight 0..1 of a VEX issuer, or of a --vex FILE as given (every statement in it, with or without"
                    + " an author; an issuer's weight can only lower it). Default 1; below 0.5 a statement is not trusted. Repeatable.")
    Map<String, Double> vexTrust = new HashMap<>();

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy YAML (version \"1.0\"). Without one every finding is a warning.")
    Path policy;

    @Option(names = "--env", paramLabel = "NAME", description = "Environment the image runs in, for policy rules with environments.")
    String environment;

    @Option(names = "--as-of", paramLabel = "DATE", description = "Evaluate waivers as of this day (YYYY-MM-DD; default: today, UTC).")
    String asOf;

    @Option(names = "--fail-on-uncovered",
            description = "Fail when an ecosystem or distro release of the image has no advisory data (a gap the policy's coverage.allow does not accept), whatever the policy's coverage setting says. Without it, gaps make the verdict at least warn.")
    boolean failOnUncovered;

    boolean active() {
        return !advisories.isEmpty() || policy != null || !vex.isEmpty() || failOnUncovered;
    }

    Policy loadPolicy(PrintWriter err) throws IOException {
        String yaml = policy == null ? "version: \"1.0\"\nrules: []\n" : Files.readString(policy);
        Policy p = Policy.parse(yaml, policy == null ? "(no policy)" : policy.toString());
        for (Diagnostic d : p.diagnostics()) {
            err.println(d.severity().toLowerCase() + " " + d.code() + " " + d.path() + ": " + d.message());
        }
        if (!p.valid()) {
            throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "policy " + policy + " is invalid; it is never applied");
        }
        return p;
    }

    Instant asOfInstant() {
        if (asOf == null) {
            return LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        try {
            return LocalDate.parse(asOf).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "--as-of '" + asOf + "' is not a date (YYYY-MM-DD)");
        }
    }

    /** Runs the decider, prints the verdict and writes the report; returns the exit code (0 pass/warn, 2 fail). */
    int run(Decider.Image image, List<Decider.Component> components, Path out, boolean json, PrintWriter stdout,
            PrintWriter err) throws IOException {
        Decider.Result r = decide(image, components, err);
        if (out != null) {
            ScanCommand.writeAtomically(out, r.report()); // atomic, with the umask's permissions
        }
        if (json) {
            stdout.print(new String(r.report(), java.nio.charset.StandardCharsets.UTF_8));
        } else {
            printTable(r, stdout);
        }
        stdout.flush();
        return r.verdict().equals("fail") ? ExitCodes.POLICY_FAIL : ExitCodes.OK;
    }

    /** Runs the decider with these options; its diagnostics go to {@code err} as warnings. */
    Decider.Result decide(Decider.Image image, List<Decider.Component> components, PrintWriter err) throws IOException {
        Policy p = loadPolicy(err);
        FeedSet feeds = new FeedSet();
        for (Path a : advisories) {
            try {
                feeds.load(a);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ScanException(ScanException.Kind.NOT_FOUND, "advisories " + a + ": no such file or directory");
            }
        }
        List<VexStatement> statements = new ArrayList<>();
        for (Path v : vex) {
            try {
                Double fileWeight = vexTrust.get(v.toString());
                if (fileWeight != null && !(fileWeight >= 0 && fileWeight <= 1)) {
                    throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "--vex-trust " + v + ": the weight must lie in 0..1");
                }
                for (VexStatement st : VexParser.parse(Files.readAllBytes(v), v.toString())) {
                    statements.add(fileWeight == null ? st : st.fromSource(fileWeight, null));
                }
            } catch (VexFormatException e) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, e.getMessage());
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ScanException(ScanException.Kind.NOT_FOUND, "VEX " + v + ": no such file");
            }
        }
        Decider.Result r = Decider.decide(image, components, feeds, statements, vexTrust, p, environment, asOfInstant(),
                new Decider.Options(failOnUncovered));
        for (String d : r.diagnostics()) {
            err.println("warning: " + d);
        }
        return r;
    }

    private static void printTable(Decider.Result r, PrintWriter out) {
        String fmt = "%-10s %-10s %-20s %-58s %-22s %-22s %s%n";
        out.printf(fmt, "VERDICT", "SEVERITY", "VULNERABILITY", "COMPONENT", "INSTALLED", "FIXED", "STATE");
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Decider.Decided d : r.findings()) {
            var f = d.finding();
            counts.merge(d.verdict().verdict(), 1, Integer::sum);
            String purl = f.purl().replaceFirst("\\?.*$", "");
            out.printf(fmt, d.verdict().verdict(), d.verdict().severity(), f.vulnerability(),
                    purl.length() > 58 ? purl.substring(0, 55) + "..." : purl, f.installedVersion(),
                    f.fixedVersions().isEmpty() ? "-" : String.join(",", f.fixedVersions()),
                    f.fixState() + (f.distroStatus() != null ? " (" + f.distroStatus() + ")" : "") + (f.kev() ? " KEV" : ""));
        }
        for (Coverage.Entry e : r.coverage().entries()) {
            if (!e.covered()) {
                out.printf("%s %s (%d %s): %s%n", e.accepted() ? "accepted gap:" : "not covered:", e.id(), e.components(),
                        e.components() == 1 ? "component" : "components", e.reason());
            }
        }
        out.printf("%nverdict: %s (%d findings%s)%s%n", r.verdict().toUpperCase(), r.findings().size(),
                counts.isEmpty() ? "" : ": " + counts.toString().replaceAll("[{}]", "").replace("=", " "),
                r.coverage().verdict().equals("pass") ? "" : "; advisory data does not cover everything: " + r.coverage().verdict());
    }

    static JsonNode readJson(Path f) throws IOException {
        try {
            return Json.mapper().readTree(Files.readAllBytes(f));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, f + ": malformed JSON: " + e.getOriginalMessage());
        }
    }
}
