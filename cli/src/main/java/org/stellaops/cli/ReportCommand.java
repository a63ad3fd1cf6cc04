package org.stellaops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.decider.SbomComponents;
import org.stellaops.core.json.Digests;
import org.stellaops.scanner.ScanException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stella report --sbom FILE}: decide on an existing CycloneDX SBOM written by {@code stella scan}. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Evaluate an existing SBOM against advisories, VEX and a policy; print the verdict and write the report.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:verdict pass or warn", "2:verdict fail", "5:a file is missing", "9:invalid arguments or policy"})
public final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sbom", required = true, paramLabel = "FILE", description = "CycloneDX JSON SBOM from stella scan.")
    Path sbom;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the report here.")
    Path out;

    @Option(names = "--json", description = "Print the report (JSON) instead of the table.")
    boolean json;

    @CommandLine.Mixin
    DecisionOptions decision = new DecisionOptions();

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        try {
            if (!Files.isRegularFile(sbom)) {
                throw new ScanException(ScanException.Kind.NOT_FOUND, "SBOM " + sbom + ": no such file");
            }
            byte[] bytes = Files.readAllBytes(sbom);
            JsonNode bom = DecisionOptions.readJson(sbom);
            if (!"CycloneDX".equals(bom.path("bomFormat").asText())) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "SBOM " + sbom + ": not a CycloneDX JSON document");
            }
            JsonNode subject = bom.path("metadata").path("component");
            Decider.Image image = new Decider.Image(subject.path("name").asText(null), subject.path("version").asText(null),
                    SbomComponents.property(subject, "stella:image:indexDigest"), Digests.sha256(bytes));
            return decision.run(image, SbomComponents.fromCycloneDx(bom), out, json, spec.commandLine().getOut(), err);
        } catch (ScanException e) {
            err.println("stella: " + e.getMessage());
            return e.kind().exitCode();
        } catch (IOException | RuntimeException e) {
            err.println("stella: " + e);
            return ExitCodes.FAILED;
        }
    }
}
