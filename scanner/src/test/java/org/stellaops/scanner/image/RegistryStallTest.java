package org.stellaops.scanner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.store.LocalFragmentStore;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.ScanListener;
import org.stellaops.scanner.Scanner;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.testing.TestLayers;
import org.stellaops.scanner.util.Digests;

/**
 * A registry on 127.0.0.1 that answers with headers and then stops sending the body: the scan must fail with a read
 * timeout within the configured time instead of hanging. The test's own timeout catches a hang.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RegistryStallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, byte[]> blobs = new HashMap<>();
    private HttpServer server;
    private ExecutorService executor;
    private String layerDigest;

    @BeforeEach
    void start() throws IOException {
        byte[] tar = new TestLayers().file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n").tar();
        byte[] layer = TestLayers.gzip(tar);
        layerDigest = Digests.sha256(layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digests.sha256(tar) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = Digests.sha256(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        blobs.put(configDigest, config);
        blobs.put(layerDigest, layer);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/v2/", ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v2/")) {
                send(ex, 200, "{}".getBytes(StandardCharsets.UTF_8), "application/json", -1);
            } else if (path.equals("/v2/stalled/blob/manifests/1")) {
                send(ex, 200, manifest, MediaTypes.OCI_MANIFEST, -1);
            } else if (path.equals("/v2/stalled/manifest/manifests/1")) {
                send(ex, 200, manifest, MediaTypes.OCI_MANIFEST, 10);
            } else if (path.startsWith("/v2/stalled/blob/blobs/")) {
                String digest = path.substring("/v2/stalled/blob/blobs/".length());
                byte[] b = blobs.get(digest);
                if (b == null) {
                    send(ex, 404, new byte[0], "application/json", -1);
                } else {
                    send(ex, 200, b, "application/octet-stream", digest.equals(layerDigest) ? b.length / 2 : -1);
                }
            } else {
                send(ex, 404, new byte[0], "application/json", -1);
            }
        });
        server.start();
    }

    /** Sends the headers and the body, or only its first {@code stallAfter} bytes and then nothing until the test ends. */
    private void send(HttpExchange ex, int status, byte[] body, String contentType, int stallAfter) throws IOException {
        ex.getResponseHeaders().add("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (stallAfter < 0) {
                out.write(body);
                return;
            }
            out.write(body, 0, stallAfter);
            out.flush();
            try {
                release.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (IOException e) {
            // the client gave up: what the test wants
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private String registry() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void aLayerBlobThatStallsAfterItsHeadersFailsTheScanWithinTheTimeout(@TempDir Path cache) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> {
            try (ImageSource src = ImageSources.open(registry() + "/stalled/blob:1",
                    new ImageSources.Options(Platform.DEFAULT, null, Set.of(), TIMEOUT))) {
                new Scanner(AnalyzerSet.standard(), new LocalFragmentStore(cache), 1).scan(src, ScanListener.NONE);
            }
        }).isInstanceOfSatisfying(ScanException.class, e -> {
            assertThat(e.kind()).isEqualTo(ScanException.Kind.UNAVAILABLE);
            assertThat(e.getMessage()).contains("blob " + registry() + "/stalled/blob@" + layerDigest)
                    .contains("read timed out").contains("2 s");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aManifestThatStallsAfterItsHeadersFailsWithinTheTimeout() {
        RegistryClient client = new RegistryClient(DockerConfig.empty(), Set.of(), TIMEOUT);
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.manifest(ImageRef.parse(registry() + "/stalled/manifest:1"), "1"))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.getMessage())
                        .contains("manifest " + registry() + "/stalled/manifest:1").contains("read timed out"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
}
