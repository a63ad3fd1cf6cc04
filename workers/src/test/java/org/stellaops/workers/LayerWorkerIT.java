package org.stellaops.workers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.store.FragmentStore;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.RegistryClient;
import org.stellaops.scanner.image.RegistrySource;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.LocalRegistry;
import org.stellaops.storage.ObjectStore;
import org.stellaops.storage.S3FragmentStore;
import org.stellaops.storage.testing.S3Server;

/**
 * The worker main against a real registry and S3Proxy: it writes its fragment only through the pre-signed PUT URL of
 * its Job directory (no storage credentials, no catalog), pull credentials come from the same directory, failures are
 * named without echoing the URL.
 */
class LayerWorkerIT {
    static final String VERSION = AnalyzerSet.standard().version();
    @TempDir
    static Path dir;
    static LocalRegistry registry;
    static LocalRegistry authRegistry;
    static S3Server s3;
    static ObjectStore store;
    static ResolvedImage image;
    static String privateRef;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        authRegistry = LocalRegistry.start("puller", "pull-secret-pw");
        s3 = new S3Server(dir.resolve("s3"));
        String ref = registry.push(Fixtures.image("debian-app"), "1", "shop/app", "1");
        privateRef = authRegistry.push(Fixtures.image("minbase"), "1", "private/base", "1");
        try (RegistrySource src = new RegistrySource(ImageRef.parse(ref), Platform.parse("linux/amd64"),
                new RegistryClient(DockerConfig.empty(), java.util.Set.of(), Duration.ofSeconds(60)))) {
            image = src.resolve();
        }
        store = new ObjectStore(s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "stellaops");
        store.ensureBucket();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        authRegistry.close();
        registry.close();
    }

    record Run(int code, String out) {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int code = LayerWorker.run(args, env, new PrintStream(b, true, StandardCharsets.UTF_8));
        return new Run(code, b.toString(StandardCharsets.UTF_8));
    }

    static String[] args(String imageName, LayerRef l, String diffId) {
        return new String[] {"--image", imageName, "--layer", l.digest(), "--diff-id", diffId, "--media-type", l.mediaType(),
                "--size", Long.toString(l.size())};
    }

    /** What the operator puts in a Job's Secret: the pre-signed URL of the fragment key, optionally a Docker config. */
    static Path jobDir(String name, String url, String dockerConfig) throws Exception {
        Path d = Files.createDirectories(dir.resolve("jobs").resolve(name));
        Files.writeString(d.resolve("upload-url"), url);
        if (dockerConfig != null) {
            Files.writeString(d.resolve("config.json"), dockerConfig);
        }
        Files.writeString(d.resolve("termination-log"), ""); // Kubernetes creates /dev/termination-log in every container
        return d;
    }

    static Map<String, String> env(Path jobDir) {
        return Map.of("STELLA_JOB_DIR", jobDir.toString(), "STELLA_TERMINATION_LOG", jobDir.resolve("termination-log").toString());
    }

    @Test
    void eachLayerIsWrittenThroughItsPresignedUrlAndPassesTheOperatorsCheck() throws Exception {
        S3FragmentStore fragments = new S3FragmentStore(store);
        int packages = 0;
        for (LayerRef l : image.layers()) {
            assertThat(fragments.problem(l.digest(), l.diffId(), VERSION)).isPresent();
            String url = store.presignedPut(FragmentStore.key(l.digest()), Duration.ofMinutes(5));
            Run r = run(env(jobDir("ok-" + l.digest().substring(7, 19), url, null)), args(image.name(), l, l.diffId()));
            assertThat(r.code()).as(r.out()).isZero();
            assertThat(r.out()).contains("\"message\":\"analyzed\"").doesNotContain("X-Amz-Signature");
            packages += Integer.parseInt(r.out().replaceAll("(?s).*\"packages\":(\\d+).*", "$1"));
            assertThat(fragments.problem(l.digest(), l.diffId(), VERSION)).as(l.digest()).isEmpty();
        }
        assertThat(packages).as("dpkg, jars, npm, python, go in the fixture").isGreaterThan(100);
    }

    @Test
    void aUrlForAnotherLayerWritesOnlyThatKeyAndTheOperatorsCheckRefusesIt() throws Exception {
        LayerRef b = image.layers().get(image.layers().size() - 1);
        String victim = "layers/sha256:" + "e1".repeat(32) + "/fragment.json.zst";
        String url = store.presignedPut(victim, Duration.ofMinutes(5));
        // the worker of layer b can only ever write the key its URL names: here the (wrong) key of another layer
        Run r = run(env(jobDir("wrong", url, null)), args(image.name(), b, b.diffId()));
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(new S3FragmentStore(store).problem("sha256:" + "e1".repeat(32), null, VERSION))
                .hasValueSatisfying(p -> assertThat(p).contains("another layer"));
    }

    @Test
    void anExpiredOrForgedUrlIsRefusedAndNamedWithoutTheUrl() throws Exception {
        LayerRef l = image.layers().get(0);
        String key = "layers/" + l.digest() + "/fragment.json.zst";
        String forged = store.presignedPut(key, Duration.ofMinutes(5)).replaceAll("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0".repeat(64));
        Path job = jobDir("forged", forged, null);
        Run r = run(env(job), args(image.name(), l, l.diffId()));
        assertThat(r.code()).as(r.out()).isEqualTo(LayerWorker.BAD_INPUT);
        assertThat(r.out()).contains("HTTP 403").contains("pre-signed URL").doesNotContain("X-Amz");
        assertThat(Files.readString(job.resolve("termination-log"))).contains("HTTP 403").doesNotContain("X-Amz");
    }

    @Test
    void aLayerThatIsNotWhatItsDiffIdSaysFailsAndNothingIsWritten() throws Exception {
        LayerRef l = image.layers().get(image.layers().size() - 1);
        String key = "layers/sha256:" + "e2".repeat(32) + "/fragment.json.zst";
        Path job = jobDir("diff", store.presignedPut(key, Duration.ofMinutes(5)), null);
        Run r = run(env(job), args(image.name(), l, "sha256:" + "0".repeat(64)));
        assertThat(r.code()).as(r.out()).isEqualTo(LayerWorker.BAD_INPUT);
        assertThat(r.out()).contains("diff");
        assertThat(Files.readString(job.resolve("termination-log"))).contains("diff");
        assertThat(store.exists(key)).isFalse();
    }

    @Test
    void pullCredentialsComeFromTheJobDirectory() throws Exception {
        ResolvedImage priv;
        String cfg = "{\"auths\":{\"" + authRegistry.host() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("puller:pull-secret-pw".getBytes(StandardCharsets.UTF_8)) + "\"}}}";
        try (RegistrySource src = new RegistrySource(ImageRef.parse(privateRef), Platform.parse("linux/amd64"),
                new RegistryClient(DockerConfig.of(org.stellaops.core.json.Json.mapper().readTree(cfg)), java.util.Set.of(),
                        Duration.ofSeconds(60)))) {
            priv = src.resolve();
        }
        LayerRef l = priv.layers().get(0);
        String url = store.presignedPut(FragmentStore.key(l.digest()), Duration.ofMinutes(5));
        Run denied = run(env(jobDir("anon", url, null)), args(priv.name(), l, l.diffId()));
        assertThat(denied.code()).as(denied.out()).isEqualTo(4);
        Run ok = run(env(jobDir("auth", url, cfg)), args(priv.name(), l, l.diffId()));
        assertThat(ok.code()).as(ok.out()).isZero();
        assertThat(new S3FragmentStore(store).problem(l.digest(), l.diffId(), VERSION)).isEmpty();
    }

    @Test
    void badArgumentsAndUnreachableStorageAreNamed() throws Exception {
        LayerRef l = image.layers().get(0);
        assertThat(run(Map.of(), "--image", "x").code()).isEqualTo(LayerWorker.INVALID_ARGUMENTS);
        assertThat(run(Map.of(), args(image.name(), l, l.diffId())).out()).contains("STELLA_JOB_DIR is required");
        Path empty = Files.createDirectories(dir.resolve("jobs/empty"));
        assertThat(run(env(empty), args(image.name(), l, l.diffId())).out()).contains("upload-url");
        String down = "http://127.0.0.1:1/stellaops/" + FragmentStore.key(l.digest()) + "?X-Amz-Signature=" + "1".repeat(64);
        Run r = run(env(jobDir("down", down, null)), args(image.name(), l, l.diffId()));
        assertThat(r.code()).as(r.out()).isEqualTo(LayerWorker.STORAGE_UNAVAILABLE);
        assertThat(r.out()).contains("unreachable").doesNotContain("X-Amz");
    }
}
