package org.stellaops.workers;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.stellaops.storage.StorageException;

/**
 * The per-layer worker Job: fetch one blob from the registry (digest and diffID verified), analyze it and PUT
 * {@code layers/<digest>/fragment.json.zst} to the object store through the pre-signed URL the operator gave this Job.
 * The worker holds no storage credentials and never talks to the catalog: the URL allows writing exactly that one
 * object until it expires, and the operator records the layer as done only after checking what was written. Plain
 * Java with no framework, so a Job starts in well under a second.
 *
 * <pre>
 * stella-worker --image REGISTRY/REPOSITORY --layer sha256:… --diff-id sha256:… --media-type TYPE --size BYTES
 * environment: STELLA_JOB_DIR (the Job's own Secret, mounted: {@code upload-url} = the pre-signed PUT URL of the
 *              fragment, {@code config.json} = a Docker config with the pull credentials of the image's registry, optional),
 *              STELLA_INSECURE_REGISTRIES (comma-separated), STELLA_REGISTRY_TIMEOUT_SECONDS (300)
 * </pre>
 */
public final class LayerWorker {
    public record Task(String image, String layerDigest, String diffId, String mediaType, long size) {
    }

    public record Settings(String uploadUrl, Path dockerConfig, Set<String> insecureRegistries, Duration timeout) {
        public static Settings fromEnv(Map<String, String> env) {
            Path dir = Path.of(require(env, "STELLA_JOB_DIR"));
            Set<String> insecure = new LinkedHashSet<>();
            for (String s : env.getOrDefault("STELLA_INSECURE_REGISTRIES", "").split(",")) {
                if (!s.isBlank()) {
                    insecure.add(s.trim());
                }
            }
            String url;
            try {
                url = Files.readString(dir.resolve("upload-url"), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("the Job's upload-url file in " + dir + " is not readable");
            }
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException("the Job's upload-url file in " + dir + " does not hold an http(s) URL");
            }
            Path cfg = dir.resolve("config.json");
            return new Settings(url, Files.isRegularFile(cfg) ? cfg : null, insecure,
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
        try {
            Result r = analyze(task, settings);
            return finish(out, OK, "analyzed", r, env);
        } catch (StorageException e) {
            return finish(out, e.unavailable() ? STORAGE_UNAVAILABLE : BAD_INPUT, e.getMessage(), null, env);
        } catch (ScanException e) {
            return finish(out, e.kind().exitCode(), e.getMessage(), null, env);
        } catch (IOException | RuntimeException e) {
            return finish(out, BAD_INPUT, e.toString(), null, env);
        }
    }

    public record Result(String layerDigest, String fragmentKey, int packages, int files, long millis) {
    }

    public static Result analyze(Task task, Settings settings) throws IOException {
        long start = System.nanoTime();
        AnalyzerSet analyzers = AnalyzerSet.standard();
        ImageRef ref = ImageRef.parse(task.image());
        RegistryClient client = new RegistryClient(DockerConfig.load(settings.dockerConfig()), settings.insecureRegistries(),
                settings.timeout());
        LayerRef layer = new LayerRef(task.layerDigest(), task.mediaType(), task.size(), task.diffId());
        Upload upload = new Upload(settings.uploadUrl(), settings.timeout());
        LayerFragment fragment;
        try (RegistrySource source = new RegistrySource(ref, Platform.parse("linux/amd64"), client)) {
            fragment = new Scanner(analyzers, upload, 1).analyzeLayer(source, layer);
        }
        if (!upload.done) {
            throw new StorageException("the fragment of " + task.layerDigest() + " was not uploaded", false, null);
        }
        return new Result(task.layerDigest(), FragmentStore.key(task.layerDigest()), fragment.packages().size(),
                fragment.files().size(), (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * A write-only fragment store: nothing is read (the worker may not read the store; the operator starts a Job only
     * for a layer it lacks), and the one fragment is PUT to the pre-signed URL. The URL is a credential: no message
     * names it.
     */
    static final class Upload implements FragmentStore {
        private final String url;
        private final Duration timeout;
        boolean done;

        Upload(String url, Duration timeout) {
            this.url = url;
            this.timeout = timeout;
        }

        @Override
        public Optional<LayerFragment> get(String layerDigest, String analyzerVersion) {
            return Optional.empty();
        }

        @Override
        public void put(LayerFragment fragment) throws IOException {
            String what = "upload of the fragment of " + fragment.layerDigest();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new StorageException("the Job's upload-url is not a valid URL", false, null); // its text is a credential
            }
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/zstd")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(FragmentStore.encode(fragment))).build();
            HttpResponse<Void> r;
            try {
                r = http.send(req, HttpResponse.BodyHandlers.discarding());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(what + " interrupted", true, e);
            } catch (IOException e) {
                throw new StorageException("object store unreachable (" + what + "): " + e.getClass().getSimpleName(), true, e);
            }
            if (r.statusCode() / 100 != 2) {
                boolean retry = r.statusCode() >= 500 || r.statusCode() == 429;
                throw new StorageException("object store answered HTTP " + r.statusCode() + " to the " + what
                        + (r.statusCode() == 403 ? " (the pre-signed URL expired or is not for this layer)" : ""), retry, null);
            }
            done = true;
        }
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
            line.put("packages", r.packages());
            line.put("files", r.files());
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
