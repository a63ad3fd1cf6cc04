package org.stellaops.workers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
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
import org.stellaops.storage.Catalog;
import org.stellaops.storage.ObjectStore;
import org.stellaops.storage.testing.MongoServer;
import org.stellaops.storage.testing.S3Server;

/** The worker main against a real registry, S3Proxy and FerretDB: analyze, store, mark done; idempotent; failures named. */
class LayerWorkerIT {
    @TempDir
    static Path dir;
    static LocalRegistry registry;
    static S3Server s3;
    static MongoServer mongo;
    static ResolvedImage image;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        s3 = new S3Server(dir.resolve("s3"));
        mongo = new MongoServer(dir.resolve("mongo"));
        String ref = registry.push(Fixtures.image("debian-app"), "1", "shop/app", "1");
        try (RegistrySource src = new RegistrySource(ImageRef.parse(ref), Platform.parse("linux/amd64"),
                new RegistryClient(DockerConfig.empty(), java.util.Set.of(), java.time.Duration.ofSeconds(60)))) {
            image = src.resolve();
        }
        env = new HashMap<>(Map.of("STELLA_S3_ENDPOINT", s3.endpoint(), "STELLA_S3_ACCESS_KEY", S3Server.ACCESS_KEY,
                "STELLA_S3_SECRET_KEY", S3Server.SECRET_KEY, "STELLA_MONGO_URI", mongo.uri()));
        new ObjectStore(s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "stellaops").ensureBucket();
    }

    @AfterAll
    static void stop() throws Exception {
        mongo.close();
        s3.close();
        registry.close();
    }

    record Run(int code, String out) {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int code = LayerWorker.run(args, env, new PrintStream(b, true, StandardCharsets.UTF_8));
        return new Run(code, b.toString(StandardCharsets.UTF_8));
    }

    static String[] args(LayerRef l, String diffId) {
        return new String[] {"--image", image.name(), "--layer", l.digest(), "--diff-id", diffId, "--media-type", l.mediaType(),
                "--size", Long.toString(l.size())};
    }

    @Test
    void analyzesEveryLayerOnceAndRerunsAreNoOps() throws Exception {
        ObjectStore store = new ObjectStore(s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "stellaops");
        try (Catalog catalog = new Catalog(mongo.uri(), "stellaops")) {
            int packages = 0;
            for (LayerRef l : image.layers()) {
                Run r = run(env, args(l, l.diffId()));
                assertThat(r.code()).as(r.out()).isZero();
                assertThat(r.out()).contains("\"message\":\"analyzed\"");
                packages += Integer.parseInt(r.out().replaceAll(".*\"packages\":(\\d+).*\\s*", "$1"));
                assertThat(catalog.layer(l.digest()).orElseThrow().state()).isEqualTo(Catalog.LayerState.done);
            }
            assertThat(packages).as("dpkg, jars, npm, python, go in the fixture").isGreaterThan(100);
            LayerRef first = image.layers().get(0);
            byte[] before = store.get(FragmentStore.key(first.digest())).orElseThrow();
            Run again = run(env, args(first, first.diffId()));
            assertThat(again.code()).isZero();
            assertThat(again.out()).contains("already analyzed");
            assertThat(store.get(FragmentStore.key(first.digest())).orElseThrow()).isEqualTo(before);
            assertThat(catalog.missing(image.layers().stream().map(LayerRef::digest).toList(), AnalyzerSet.standard().version()))
                    .isEmpty();
        }
    }

    @Test
    void aLayerThatIsNotWhatItsDiffIdSaysFailsAndIsNotMarkedDone() throws Exception {
        LayerRef l = image.layers().get(image.layers().size() - 1);
        Map<String, String> other = new HashMap<>(env);
        other.put("STELLA_MONGO_DATABASE", "other");
        other.put("STELLA_S3_BUCKET", "stellaops");
        try (Catalog c = new Catalog(mongo.uri(), "other")) {
            Run r = run(other, args(l, "sha256:" + "0".repeat(64)));
            assertThat(r.code()).as(r.out()).isEqualTo(LayerWorker.BAD_INPUT);
            assertThat(r.out()).contains("diff");
            assertThat(c.layer(l.digest())).isEmpty();
        }
    }

    @Test
    void badArgumentsAndUnreachableStorageAreNamed() {
        assertThat(run(env, "--image", "x").code()).isEqualTo(LayerWorker.INVALID_ARGUMENTS);
        assertThat(run(Map.of(), args(image.layers().get(0), image.layers().get(0).diffId())).out())
                .contains("STELLA_S3_ENDPOINT is required");
        Map<String, String> down = new HashMap<>(env);
        down.put("STELLA_MONGO_URI", "mongodb://127.0.0.1:1/");
        Run r = run(down, args(image.layers().get(0), image.layers().get(0).diffId()));
        assertThat(r.code()).isEqualTo(LayerWorker.STORAGE_UNAVAILABLE);
        assertThat(r.out()).contains("unreachable");
    }
}
