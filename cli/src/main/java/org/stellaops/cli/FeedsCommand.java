package org.stellaops.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.stellaops.core.advisories.AdvisoryFormatException;
import org.stellaops.core.advisories.FeedFetcher;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.advisories.OfflineKit;
import org.stellaops.core.store.LocalFragmentStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stella feeds export|import|fetch}: the offline kit and conditional downloads. */
@Command(name = "feeds", mixinStandardHelpOptions = true, description = "Advisory feeds: offline kit export and import, downloads.",
        subcommands = {FeedsCommand.Export.class, FeedsCommand.Import.class, FeedsCommand.Fetch.class})
public final class FeedsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "export, import or fetch is required");
    }

    /** Writes every advisory of the inputs into one deterministic zip. */
    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write an offline kit (a zip) from advisory inputs.")
    static final class Export implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--advisories", required = true, paramLabel = "PATH", description = "Advisory inputs, as for scan. Repeatable.")
        List<Path> inputs = new ArrayList<>();

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE") Path out;

        @Override
        public Integer call() throws Exception {
            FeedSet feeds = new FeedSet();
            for (Path p : inputs) {
                if (!Files.exists(p)) {
                    spec.commandLine().getErr().println("stella: advisories " + p + ": no such file or directory");
                    return ExitCodes.NOT_FOUND;
                }
                feeds.load(p);
            }
            feeds.diagnostics().forEach(d -> spec.commandLine().getErr().println("warning: " + d));
            ScanCommand.writeAtomically(out, OfflineKit.export(feeds)); // atomic, with the umask's permissions
            spec.commandLine().getOut().println(out + ": " + feeds.advisories().size() + " advisories, revision " + feeds.revision());
            return ExitCodes.OK;
        }
    }

    /** Verifies a kit and installs it into the cache. */
    @Command(name = "import", mixinStandardHelpOptions = true, description = "Verify an offline kit and install it into the cache.")
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "KIT") Path kit;

        @Option(names = "--cache-dir", paramLabel = "DIR", description = "Default: $STELLA_CACHE_DIR, else ~/.cache/stella.")
        Path cacheDir;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(kit)) {
                spec.commandLine().getErr().println("stella: offline kit " + kit + ": no such file");
                return ExitCodes.NOT_FOUND;
            }
            try {
                Path installed = OfflineKit.install(Files.readAllBytes(kit), kit.toString(),
                        cacheDir != null ? cacheDir : LocalFragmentStore.defaultRoot());
                spec.commandLine().getOut().println("installed " + installed + " (use it with --advisories " + installed + ")");
                return ExitCodes.OK;
            } catch (AdvisoryFormatException e) {
                spec.commandLine().getErr().println("stella: " + e.getMessage());
                return ExitCodes.VERIFICATION_FAILED;
            }
        }
    }

    /** Downloads feed documents with conditional requests. */
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download feed documents (ETag / If-Modified-Since) into the cache; prints where they are.")
    static final class Fetch implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "URL", arity = "1..*") List<URI> urls;

        @Option(names = "--cache-dir", paramLabel = "DIR") Path cacheDir;

        @Override
        public Integer call() {
            FeedFetcher fetcher = new FeedFetcher((cacheDir != null ? cacheDir : LocalFragmentStore.defaultRoot()).resolve("downloads"));
            int rc = ExitCodes.OK;
            for (URI u : urls) {
                try {
                    FeedFetcher.Fetched f = fetcher.fetch(u);
                    spec.commandLine().getOut().println((f.changed() ? "updated " : "unchanged ") + f.file() + " " + f.sha256());
                } catch (java.io.IOException e) {
                    spec.commandLine().getErr().println("stella: " + e.getMessage());
                    rc = ExitCodes.UNAVAILABLE;
                }
            }
            return rc;
        }
    }
}
