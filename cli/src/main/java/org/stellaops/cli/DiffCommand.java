package org.stellaops.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.diff.ImageDiff;
import org.stellaops.core.store.FragmentStore;
import org.stellaops.core.store.LocalFragmentStore;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.Scanner;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.ImageSource;
import org.stellaops.scanner.image.ImageSources;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.ResolvedImage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stella diff <image-a> <image-b>}: what changed from one image to the next. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare two images: layers shared, added and removed; components added, removed and changed;",
                "with --advisories/--vex/--policy also findings introduced and fixed and the verdict change.",
                "IMAGE_A is the old image, IMAGE_B the new one (any form stella scan reads)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:difference written (the new image's verdict, if decided, is pass or warn)",
                "1:scan failed (corrupt or unsupported input)", "2:the new image's verdict is fail",
                "4:registry authentication failed", "5:image or platform not found", "6:rate limited",
                "7:registry unavailable", "9:invalid arguments"})
public final class DiffCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE_A", description = "The old image.")
    String imageA;

    @Parameters(index = "1", paramLabel = "IMAGE_B", description = "The new image.")
    String imageB;

    @Option(names = "--json", description = "Write the difference as JSON (sorted, deterministic) instead of a table.")
    boolean json;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the JSON difference here as well.")
    Path out;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
            description = "Platform to pick from multi-platform images. Default: ${DEFAULT-VALUE}.")
    String platform;

    @CommandLine.Mixin
    RegistryOptions registry = new RegistryOptions();

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Layer fragment cache (default: $STELLA_CACHE_DIR, else ~/.cache/stella).")
    Path cacheDir;

    @CommandLine.Mixin
    DecisionOptions decision = new DecisionOptions();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            Platform pf = Platform.parse(platform);
            FragmentStore store = new LocalFragmentStore(cacheDir != null ? cacheDir : LocalFragmentStore.defaultRoot());
            Scanner scanner = new Scanner(AnalyzerSet.standard(), store, Runtime.getRuntime().availableProcessors());
            ImageDiff.Side a = side(scanner, imageA, pf, err);
            ImageDiff.Side b = side(scanner, imageB, pf, err);
            ImageDiff.Result r = ImageDiff.diff(a, b);
            byte[] doc = r.json();
            if (out != null) {
                ScanCommand.writeAtomically(out, doc);
            }
            if (json) {
                stdout.print(new String(doc, StandardCharsets.UTF_8));
            } else {
                printTable(r, stdout);
            }
            stdout.flush();
            return r.failing() ? ExitCodes.POLICY_FAIL : ExitCodes.OK;
        } catch (ScanException e) {
            err.println("stella: " + e.getMessage());
            return e.kind().exitCode();
        } catch (IOException | RuntimeException e) {
            err.println("stella: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }

    private ImageDiff.Side side(Scanner scanner, String ref, Platform pf, PrintWriter err) throws IOException {
        ScanResult result;
        try (ImageSource source = ImageSources.open(ref, new ImageSources.Options(pf, registry.registryConfig,
                registry.insecureSet(), registry.timeout()))) {
            result = scanner.scan(source, new org.stellaops.scanner.ScanListener() {
            });
        }
        ResolvedImage img = result.inventory().image();
        List<Decider.Component> components = ScanCommand.components(result);
        ImageDiff.Decision d = null;
        if (decision.active()) {
            d = ImageDiff.decision(decision.decide(new Decider.Image(img.name(), img.manifestDigest(), img.indexDigest(),
                    null), components, err));
        }
        return new ImageDiff.Side(img.name(), img.manifestDigest(), img.layers().stream().map(LayerRef::digest).toList(),
                components, d);
    }

    private static String shortDigest(String d) {
        return d.length() > 19 ? d.substring(0, 19) : d;
    }

    static void printTable(ImageDiff.Result r, PrintWriter out) {
        out.printf("from %s (%s)%n  to %s (%s)%n%n", r.from().name(), shortDigest(r.from().digest()), r.to().name(),
                shortDigest(r.to().digest()));
        out.printf("layers: %d shared, %d added, %d removed%n", r.layersShared().size(), r.layersAdded().size(),
                r.layersRemoved().size());
        r.layersShared().forEach(l -> out.printf("  = %s%n", l));
        r.layersAdded().forEach(l -> out.printf("  + %s%n", l));
        r.layersRemoved().forEach(l -> out.printf("  - %s%n", l));
        out.printf("%ncomponents: %d added, %d removed, %d changed, %d unchanged%n", r.added().size(), r.removed().size(),
                r.changed().size(), r.unchanged());
        String fmt = "  %s %-70s %s%n";
        for (ImageDiff.Change c : r.changed()) {
            out.printf(fmt, "~", c.id(), c.from() + " -> " + c.to());
        }
        for (ImageDiff.ComponentRef c : r.added()) {
            out.printf(fmt, "+", c.purl().replaceFirst("\\?.*$", ""), "");
        }
        for (ImageDiff.ComponentRef c : r.removed()) {
            out.printf(fmt, "-", c.purl().replaceFirst("\\?.*$", ""), "");
        }
        if (r.verdictFrom() != null || r.verdictTo() != null) {
            out.printf("%nfindings: %d introduced, %d fixed%n", r.introduced().size(), r.fixed().size());
            String ff = "  %s %-10s %-20s %-12s %s%n";
            for (ImageDiff.FindingRef f : r.introduced()) {
                out.printf(ff, "+", f.severity(), f.vulnerability(), f.verdict(), f.purl().replaceFirst("\\?.*$", ""));
            }
            for (ImageDiff.FindingRef f : r.fixed()) {
                out.printf(ff, "-", f.severity(), f.vulnerability(), f.verdict(), f.purl().replaceFirst("\\?.*$", ""));
            }
            out.printf("%nverdict: %s -> %s%n", String.valueOf(r.verdictFrom()).toUpperCase(),
                    String.valueOf(r.verdictTo()).toUpperCase());
        }
    }
}
