package org.stellaops.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.decider.SbomComponents;
import org.stellaops.core.json.Json;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.store.FragmentStore;
import org.stellaops.core.store.LocalFragmentStore;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.ScanListener;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.Scanner;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.ImageSource;
import org.stellaops.scanner.image.ImageSources;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.sbom.CycloneDxProtobufWriter;
import org.stellaops.scanner.sbom.CycloneDxWriter;
import org.stellaops.scanner.sbom.ImageInventory;
import org.stellaops.scanner.sbom.SbomFormat;
import org.stellaops.scanner.sbom.SbomMetadata;
import org.stellaops.scanner.sbom.SpdxWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stella scan <image>}: a local scan on the embedded store, no servers. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Scan an image and write its SBOM.",
                "IMAGE is a registry reference (registry/repo:tag or @sha256:...), oci:DIR[:tag], docker-archive:FILE[:tag],",
                "an OCI layout directory or a docker save tar."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:SBOM written (with --advisories/--vex/--policy: verdict pass or warn)", "1:scan failed (corrupt or unsupported input)",
                "2:policy verdict fail", "4:registry authentication failed",
                "5:image or platform not found", "6:rate limited", "7:registry unavailable", "9:invalid arguments"})
public final class ScanCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to scan.")
    String image;

    @Option(names = "--format", defaultValue = "cyclonedx-json", paramLabel = "FORMAT",
            description = "cyclonedx-json (CycloneDX 1.6), cyclonedx-protobuf (CycloneDX 1.6 protobuf; binary, so give --out) or spdx-json (SPDX 2.3). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--view", defaultValue = "inventory", paramLabel = "VIEW",
            description = "inventory (everything on disk; each component carries stella:usedByEntrypoint) or usage "
                    + "(only the components the image's entrypoint reaches, each with the chain that reaches it).")
    String view;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the SBOM here (default: standard output).")
    Path out;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
            description = "Platform to pick from a multi-platform image. Default: ${DEFAULT-VALUE}.")
    String platform;

    @Option(names = "--json", description = "Print machine-readable progress events (JSON lines) on standard error.")
    boolean json;

    @CommandLine.Mixin
    RegistryOptions registry = new RegistryOptions();

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Layer fragment cache (default: $STELLA_CACHE_DIR, else ~/.cache/stella).")
    Path cacheDir;

    @Option(names = "--timestamp", paramLabel = "ISO-8601|now",
            description = "Write this creation time into the SBOM. Without it the SBOM carries no clock and is byte-identical across runs.")
    String timestamp;

    @Option(names = "--parallelism", paramLabel = "N", description = "Layers analyzed at once (default: number of cores).")
    Integer parallelism;

    @CommandLine.Mixin
    DecisionOptions decision = new DecisionOptions();

    @Option(names = "--sbom-out", paramLabel = "FILE",
            description = "With --advisories/--vex/--policy: also write the SBOM here (--out then receives the report).")
    Path sbomOut;

    @Override
    public Integer call() {
        long started = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr();
        Events events = new Events(err, json, System.console() != null);
        try {
            SbomFormat fmt = SbomFormat.parse(format);
            if (!view.equals(ImageInventory.INVENTORY) && !view.equals(ImageInventory.USAGE)) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "unknown view '" + view + "' (supported: inventory, usage)");
            }
            Platform pf = Platform.parse(platform);
            String ts = timestamp(timestamp);
            if (parallelism != null && parallelism < 1) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "--parallelism must be at least 1");
            }
            FragmentStore store = new LocalFragmentStore(cacheDir != null ? cacheDir : LocalFragmentStore.defaultRoot());
            Scanner scanner = new Scanner(AnalyzerSet.standard(), store,
                    parallelism != null ? parallelism : Runtime.getRuntime().availableProcessors());
            ScanResult result;
            try (ImageSource source = ImageSources.open(image, new ImageSources.Options(pf, registry.registryConfig,
                    registry.insecureSet(), registry.timeout()))) {
                result = scanner.scan(source, events);
            }
            SbomMetadata meta = new SbomMetadata(Main.version(), ts);
            ImageInventory shown = view.equals(ImageInventory.USAGE) ? result.inventory().usageView() : result.inventory();
            byte[] sbom = switch (fmt) {
                case SPDX_JSON -> new SpdxWriter().write(shown, meta);
                case CYCLONEDX_PROTOBUF -> new CycloneDxProtobufWriter().write(shown, meta);
                default -> new CycloneDxWriter().write(shown, meta);
            };
            if (decision.active()) {
                if (sbomOut != null) {
                    writeAtomically(sbomOut, sbom);
                }
                events.done(result, fmt, sbomOut, (System.nanoTime() - started) / 1_000_000);
                ResolvedImage img = result.inventory().image();
                return decision.run(new Decider.Image(img.name(), img.manifestDigest(), img.indexDigest(),
                                org.stellaops.core.json.Digests.sha256(sbom)), components(result), out, json,
                        spec.commandLine().getOut(), err);
            }
            if (out != null) {
                writeAtomically(out, sbom);
            } else if (fmt == SbomFormat.CYCLONEDX_PROTOBUF) {
                System.out.write(sbom); // binary: bytes as they are, not through the character writer
                System.out.flush();
            } else {
                spec.commandLine().getOut().print(new String(sbom, StandardCharsets.UTF_8));
                spec.commandLine().getOut().flush();
            }
            events.done(result, fmt, out, (System.nanoTime() - started) / 1_000_000);
            return ExitCodes.OK;
        } catch (ScanException e) {
            events.error(e.kind().exitCode(), e.kind().name(), e.getMessage());
            return e.kind().exitCode();
        } catch (IOException | RuntimeException e) {
            events.error(ExitCodes.FAILED, "FAILED", e.getClass().getSimpleName() + ": " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }

    /**
     * Writes through a temp file in the same directory and a rename, so readers never see half a file. The temp file is
     * created like any new file ({@code CREATE_NEW} without attributes: mode 0666 minus the umask), not with
     * {@link Files#createTempFile}, whose 0600 would make the SBOM unreadable to the group and others.
     */
    static void writeAtomically(Path file, byte[] data) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = null;
        for (int attempt = 0; tmp == null; attempt++) {
            Path candidate = parent.resolve(".stella-out" + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                Files.write(candidate, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                tmp = candidate;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** The inventory as the decider sees it. */
    static List<Decider.Component> components(ScanResult r) {
        List<SbomComponents.Row> rows = new ArrayList<>();
        for (org.stellaops.scanner.sbom.Component c : r.inventory().components()) {
            rows.add(new SbomComponents.Row(c.purl(), c.layerDigest(), c.evidencePath(), c.properties().get("stella:ownedBy"),
                    "true".equals(c.properties().get("stella:go:mainModule")),
                    SbomComponents.used(c.properties().get(SbomComponents.USED)), c.properties().get(SbomComponents.CHAIN)));
        }
        return SbomComponents.of(rows);
    }

    private static String timestamp(String t) {
        if (t == null) {
            String epoch = System.getenv("SOURCE_DATE_EPOCH");
            if (epoch != null && epoch.matches("\\d+")) {
                return Instant.ofEpochSecond(Long.parseLong(epoch)).toString();
            }
            return null;
        }
        if (t.equals("now")) {
            return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        }
        try {
            return Instant.parse(t).toString();
        } catch (java.time.format.DateTimeParseException e) {
            throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "--timestamp '" + t + "' is not ISO-8601 UTC (2026-01-31T12:00:00Z) nor 'now'");
        }
    }

    /** Progress output: JSON lines with --json, short human lines on a terminal, a summary otherwise. */
    static final class Events implements ScanListener {
        private final PrintWriter err;
        private final boolean json;
        private final boolean tty;
        private int total;

        Events(PrintWriter err, boolean json, boolean tty) {
            this.err = err;
            this.json = json;
            this.tty = tty;
        }

        private synchronized void emit(ObjectNode n) {
            err.println(new String(Json.write(n), StandardCharsets.UTF_8));
            err.flush();
        }

        @Override
        public void resolved(ResolvedImage img) {
            total = img.layers().size();
            if (json) {
                ObjectNode n = Json.mapper().createObjectNode().put("event", "resolved").put("image", img.reference())
                        .put("digest", img.manifestDigest()).put("platform", img.platform().toString())
                        .put("layers", img.layers().size());
                if (img.indexDigest() != null) {
                    n.put("indexDigest", img.indexDigest());
                }
                emit(n);
            } else if (tty) {
                synchronized (this) {
                    err.printf("Resolved %s%n  digest %s (%s), %d layers%n", img.reference(), img.manifestDigest(),
                            img.platform(), img.layers().size());
                    err.flush();
                }
            }
        }

        @Override
        public void layerDone(int index, LayerRef layer, LayerFragment f, boolean cached, long millis) {
            if (json) {
                ObjectNode n = Json.mapper().createObjectNode().put("event", "layer").put("index", index)
                        .put("digest", layer.digest()).put("cached", cached).put("files", f.files().size())
                        .put("packages", f.packages().size()).put("millis", millis);
                if (!f.warnings().isEmpty()) {
                    n.put("warnings", f.warnings().size());
                }
                emit(n);
            } else if (tty) {
                synchronized (this) {
                    err.printf("  [%d/%d] %s %s: %d files, %d packages (%d ms)%n", index + 1, total,
                            layer.digest().substring(0, Math.min(19, layer.digest().length())), cached ? "cached" : "analyzed",
                            f.files().size(), f.packages().size(), millis);
                    err.flush();
                }
            }
        }

        void done(ScanResult r, SbomFormat fmt, Path out, long millis) {
            if (json) {
                ObjectNode n = Json.mapper().createObjectNode().put("event", "done")
                        .put("digest", r.inventory().image().manifestDigest())
                        .put("components", r.inventory().components().size()).put("cachedLayers", r.cachedLayers())
                        .put("analyzedLayers", r.analyzedLayers()).put("format", fmt.id())
                        .put("warnings", r.inventory().warnings().size()).put("millis", millis);
                if (out != null) {
                    n.put("out", out.toString());
                }
                emit(n);
                for (String w : r.inventory().warnings()) {
                    emit(Json.mapper().createObjectNode().put("event", "warning").put("message", w));
                }
            } else {
                synchronized (this) {
                    for (String w : r.inventory().warnings()) {
                        err.println("warning: " + w);
                    }
                    err.printf("%s: %d components from %d layers (%d cached)%s%n",
                            r.inventory().image().manifestDigest(), r.inventory().components().size(),
                            r.fragments().size(), r.cachedLayers(), out != null ? ", " + fmt.id() + " written to " + out : "");
                    err.flush();
                }
            }
        }

        void error(int code, String kind, String message) {
            if (json) {
                emit(Json.mapper().createObjectNode().put("event", "error").put("exitCode", code).put("kind", kind)
                        .put("message", message));
            } else {
                synchronized (this) {
                    err.println("stella: " + message);
                    err.flush();
                }
            }
        }
    }
}
