package org.stellaops.workers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.stellaops.core.json.Json;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.store.FragmentStore;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.Scanner;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.RegistryClient;
import org.stellaops.scanner.image.RegistrySource;
import org.stellaops.storage.Catalog;
import org.stellaops.storage.ObjectStore;
import org.stellaops.storage.S3FragmentStore;
import org.stellaops.storage.StorageException;

/**
 * The per-layer worker Job: fetch one blob from the registry (digest and diffID verified), analyze it, write
 * {@code layers/<digest>/fragment.json.zst} to the object store and mark the layer done in the catalog. Idempotent: a
 * layer already done for this analyzer set exits at once, and a rerun writes the same object and the same catalog
 * values (no duplicates). Plain Java with no framework, so a Job starts in well under a second.
 *
 * <pre>
 * stella-worker --image REGISTRY/REPOSITORY --layer sha256:… --diff-id sha256:… --media-type TYPE --size BYTES
 * environment: STELLA_S3_ENDPOINT, STELLA_S3_ACCESS_KEY, STELLA_S3_SECRET_KEY, STELLA_S3_BUCKET (stellaops),
 *              STELLA_MONGO_URI, STELLA_MONGO_DATABASE (stellaops), DOCKER_CONFIG (a directory with config.json),
 *              STELLA_INSECURE_REGISTRIES (comma-separated), STELLA_REGISTRY_TIMEOUT_SECONDS (300)
 * </pre>
 */
public final class LayerWorker {
    public record Task(String image, String layerDigest, String diffId, String mediaType, long size) {
    }

    public record Settings(String s3Endpoint, String s3AccessKey, String s3SecretKey, String bucket, String mongoUri,
                           String mongoDatabase, Path dockerConfig, Set<String> insecureRegistries, Duration timeout) {
        public static Settings fromEnv(Map<String, String> env) {
            String dockerConfig = env.get("DOCKER_CONFIG");
            Set<String> insecure = new LinkedHashSet<>();
            for (String s : env.getOrDefault("STELLA_INSECURE_REGISTRIES", "").split(",")) {
                if (!s.isBlank()) {
                    insecure.add(s.trim());
                }
            }
            return new Settings(require(env, "STELLA_S3_ENDPOINT"), require(env, "STELLA_S3_ACCESS_KEY"),
                    require(env, "STELLA_S3_SECRET_KEY"), env.getOrDefault("STELLA_S3_BUCKET", "stellaops"),
                    require(env, "STELLA_MONGO_URI"), env.getOrDefault("STELLA_MONGO_DATABASE", "stellaops"),
                    dockerConfig == null ? null : Path.of(dockerConfig).resolve("config.json"), insecure,
                    Duration.ofSeconds(Long.parseLong(env.getOrDefault("STELLA_REGISTRY_TIMEOUT_SECONDS", "300"))));
        }
    }

    public static final int OK = 0;
    public static final int BAD_INPUT = 1;
    public static final int STORAGE_UNAVAILABLE = 7;
    public static final int INVALID_ARGUMENTS = 9;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out));
    }

    /** Runs one task; the exit code follows the CLI's (1 bad input, 4 auth, 5 not found, 6 rate limited, 7 unavailable). */
    public static int run(String[] args, Map<String, String> env, PrintStream out) {
        Task task;
        Settings settings;
        try {
            task = parse(args);
            settings = Settings.fromEnv(env);
        } catch (IllegalArgumentException e) {
            return finish(out, INVALID_ARGUMENTS, "invalid arguments: " + e.getMessage(), null, env);
        }
        try (Catalog catalog = new Catalog(settings.mongoUri(), settings.mongoDatabase())) {
            ObjectStore store = new ObjectStore(settings.s3Endpoint(), settings.s3AccessKey(), settings.s3SecretKey(), settings.bucket());
            Result r = analyze(task, settings, store, catalog);
            return finish(out, OK, r.cached() ? "already analyzed" : "analyzed", r, env);
        } catch (StorageException e) {
            return finish(out, e.unavailable() ? STORAGE_UNAVAILABLE : BAD_INPUT, e.getMessage(), null, env);
        } catch (ScanException e) {
            return finish(out, e.kind().exitCode(), e.getMessage(), null, env);
        } catch (IOException | RuntimeException e) {
            return finish(out, BAD_INPUT, e.toString(), null, env);
        }
    }

    public record Result(String layerDigest, String fragmentKey, int packages, int files, boolean cached, long millis) {
    }

    public static Result analyze(Task task, Settings settings, ObjectStore store, Catalog catalog) throws IOException {
        long start = System.nanoTime();
        AnalyzerSet analyzers = AnalyzerSet.standard();
        String key = FragmentStore.key(task.layerDigest());
        S3FragmentStore fragments = new S3FragmentStore(store);
        Optional<Catalog.Layer> known = catalog.layer(task.layerDigest());
        if (known.isPresent() && known.get().state() == Catalog.LayerState.done
                && analyzers.version().equals(known.get().analyzerVersion())) {
            // the catalog names the analyzer version; the object only has to be there (no need to read it)
            if (store.exists(key)) {
                return new Result(task.layerDigest(), key, -1, -1, true, (System.nanoTime() - start) / 1_000_000);
            }
        }
        store.ensureBucket(); // the operator creates it; a worker of a fresh installation must not fail on its absence
        ImageRef ref = ImageRef.parse(task.image());
        RegistryClient client = new RegistryClient(DockerConfig.load(settings.dockerConfig()), settings.insecureRegistries(),
                settings.timeout());
        LayerRef layer = new LayerRef(task.layerDigest(), task.mediaType(), task.size(), task.diffId());
        LayerFragment fragment;
        try (RegistrySource source = new RegistrySource(ref, Platform.parse("linux/amd64"), client)) {
            // Scanner.analyzeLayer reuses a fragment already in the store for this digest, diffID and analyzer set
            fragment = new Scanner(analyzers, fragments, 1).analyzeLayer(source, layer);
        }
        catalog.markDone(task.layerDigest(), key, analyzers.version(), Instant.now());
        return new Result(task.layerDigest(), key, fragment.packages().size(), fragment.files().size(), false,
                (System.nanoTime() - start) / 1_000_000);
    }

    static Task parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            a.put(args[i].substring(2), args[++i]);
        }
        String digest = need(a, "layer");
        String diffId = need(a, "diff-id");
        if (!digest.matches("sha256:[0-9a-f]{64}") || !diffId.matches("sha256:[0-9a-f]{64}")) {
            throw new IllegalArgumentException("--layer and --diff-id must be sha256:<64 hex>");
        }
        long size;
        try {
            size = Long.parseLong(need(a, "size"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must be a number");
        }
        return new Task(need(a, "image"), digest, diffId, need(a, "media-type"), size);
    }

    private static String need(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is required");
        }
        return v;
    }

    /** One JSON line on stdout; on failure the reason also goes to the termination log Kubernetes shows. */
    private static int finish(PrintStream out, int code, String message, Result r, Map<String, String> env) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("exitCode", code);
        line.put("message", message);
        if (r != null) {
            line.put("layer", r.layerDigest());
            line.put("fragment", r.fragmentKey());
            if (r.packages() >= 0) {
                line.put("packages", r.packages());
                line.put("files", r.files());
            }
            line.put("millis", r.millis());
        }
        out.println(new String(Json.write(line), StandardCharsets.UTF_8));
        if (code != OK) {
            Path log = Path.of(env.getOrDefault("STELLA_TERMINATION_LOG", "/dev/termination-log"));
            try {
                if (Files.isWritable(log)) { // Kubernetes creates it in every container
                    Files.writeString(log, message.length() > 3500 ? message.substring(0, 3500) : message);
                }
            } catch (IOException | RuntimeException ignored) {
                // the exit code still says it failed
            }
        }
        return code;
    }
}
