package org.stellaops.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.stellaops.admission.AdmissionPolicy;
import org.stellaops.admission.testing.Reviews;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.storage.Catalog;

/**
 * A benchmark, not a test (run: mvn -pl webhook -am verify -Dtest=WebhookBench -DskipITs ...): AdmissionReviews over TLS
 * on loopback at fixed rates, latency percentiles for cached verdicts (one image) and uncached ones (every request a
 * new digest: a catalog lookup), written to target/webhook-bench.txt. Peak RSS: VmHWM of this JVM (Quarkus runs inside
 * it, with the load generator).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(WebhookServers.class)
class WebhookBench {
    @TestHTTPResource(value = "/validate", tls = true)
    URL validate;
    @Inject
    KubernetesClient client;

    @Test
    void bench() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).createOr(x -> x.update());
        Policy shop = WebhookServers.world.policies.get("shop/shop-policy");
        client.resource(io.fabric8.kubernetes.client.utils.Serialization.clone(shop)).createOr(x -> x.update());
        String policyDigest = AdmissionPolicy.of(shop).policyDigest();
        HttpClient http = WebhookIT.https(); // HTTP/2 over TLS (ALPN): one connection, requests multiplexed
        URI uri = URI.create(validate.toString().replace("127.0.0.1", "localhost"));
        byte[] cached = Reviews.bytes(Reviews.review(Reviews.manifest("deployment", WebhookServers.world.digestRef("minbase"), null),
                null, "shop", "CREATE", false, "bench"));
        Thread.sleep(3000); // informer sync
        StringBuilder out = new StringBuilder("# webhook latency over TLS on loopback (client and server in one JVM, 2 shared cores)\n");
        for (int i = 0; i < 200; i++) { // warm-up: the connection, JIT, caches
            http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(cached)).build(), HttpResponse.BodyHandlers.discarding());
        }
        run(http, uri, i -> cached, 100, 5);
        for (int rate : new int[] {200, 400, 800}) {
            out.append("cached   ").append(run(http, uri, i -> cached, rate, 10)).append('\n');
        }
        // uncached: a new digest per request, its verdict in the catalog (a catalog lookup per request)
        String repo = WebhookServers.world.registry.host() + "/fixtures/bench";
        SecureRandom rnd = new SecureRandom();
        int n = 200 * 10 + 10;
        List<byte[]> reviews = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[32];
            rnd.nextBytes(d);
            String digest = "sha256:" + HexFormat.of().formatHex(d);
            WebhookServers.world.catalog.putVerdict(new Catalog.Verdict(digest, policyDigest, "pass", null, null, "bench", "bench",
                    Instant.now()));
            ObjectNode r = Reviews.review(Reviews.manifest("deployment", repo + "@" + digest, null), null, "shop", "CREATE", false, "bench");
            reviews.add(Reviews.bytes(r));
        }
        out.append("uncached ").append(run(http, uri, reviews::get, 200, 10)).append('\n');
        String status = Files.readString(Path.of("/proc/self/status"));
        status.lines().filter(l -> l.startsWith("VmHWM") || l.startsWith("VmRSS")).forEach(l -> out.append(l).append('\n'));
        Files.writeString(Path.of("target/webhook-bench.txt"), out);
        System.out.println(out);
    }

    interface Bodies {
        byte[] get(int i);
    }

    /** Sends at a fixed rate for some seconds; latency from the scheduled send time (no coordinated omission). */
    static String run(HttpClient http, URI uri, Bodies bodies, int rate, int seconds) throws Exception {
        int total = rate * seconds;
        ConcurrentLinkedQueue<Long> lat = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        int[] errors = new int[1];
        for (int i = 0; i < total; i++) {
            long at = start + i * interval;
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            HttpRequest req = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i))).build();
            all.add(http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).handle((r, e) -> {
                if (e != null || r.statusCode() != 200) {
                    synchronized (errors) {
                        errors[0]++;
                    }
                }
                lat.add(System.nanoTime() - at);
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        double secs = (System.nanoTime() - start) / 1e9;
        long[] v = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format("rate %4d/s  n=%d  achieved %.0f/s  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  errors %d",
                rate, v.length, v.length / secs, pct(v, 50), pct(v, 90), pct(v, 99), v[v.length - 1] / 1e6, errors[0]);
    }

    static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }
}
