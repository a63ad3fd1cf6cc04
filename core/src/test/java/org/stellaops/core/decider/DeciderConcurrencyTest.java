package org.stellaops.core.decider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.policy.Policy;

/**
 * Decisions on different images share one cached index (as the operator keeps it between scans): each report holds
 * only its own image's warnings, and decisions running at the same time give the bytes they give alone.
 */
class DeciderConcurrencyTest {
    static final String LAYER = "sha256:" + "1".repeat(64);

    /** Image A: Log4Shell, and a PyPI version PEP 440 cannot read (a warning naming it). */
    static final List<Decider.Component> A = List.of(
            new Decider.Component("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", LAYER, "app/log4j-core-2.14.1.jar", null, Set.of()),
            new Decider.Component("pkg:pypi/requests@2.28.0~local", LAYER, "app/requests/METADATA", null, Set.of()));

    /** Image B: a Go module whose version lacks the 'v' (a warning naming it), and a Debian package. */
    static final List<Decider.Component> B = List.of(
            new Decider.Component("pkg:golang/golang.org/x/net@0.17.0", LAYER, "app/server", null, Set.of()),
            new Decider.Component("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
                    "sha256:" + "0".repeat(64), "var/lib/dpkg/status", null, Set.of()));

    static final Decider.Image IMAGE_A = new Decider.Image("registry.example/a", "sha256:" + "a".repeat(64), null, null);
    static final Decider.Image IMAGE_B = new Decider.Image("registry.example/b", "sha256:" + "b".repeat(64), null, null);
    static final Policy POLICY = Policy.parse("version: \"1.0\"\nrules:\n  - {name: Block critical, severity: [Critical], action: block}\n",
            "policy.yaml");
    static final Instant AS_OF = Instant.parse("2026-11-27T00:00:00Z");

    static byte[] decide(Decider.Image image, List<Decider.Component> components, Decider.Index index) {
        return Decider.decide(image, components, index, List.of(), Map.of(), POLICY, "prod", AS_OF).report();
    }

    @Test
    void aSharedIndexKeepsEveryDecisionsWarningsItsOwnSequentiallyAndConcurrently() throws Exception {
        FeedSet feeds = DeciderTest.feeds();
        byte[] aliceAlone = decide(IMAGE_A, A, Decider.Index.of(feeds));
        byte[] bobAlone = decide(IMAGE_B, B, Decider.Index.of(feeds));
        String a = new String(aliceAlone, StandardCharsets.UTF_8);
        String b = new String(bobAlone, StandardCharsets.UTF_8);
        // each image has a warning of its own: otherwise this test could not see them leak
        assertThat(a).contains("pkg:pypi/requests@2.28.0~local").doesNotContain("golang.org/x/net@0.17.0");
        assertThat(b).contains("pkg:golang/golang.org/x/net@0.17.0").doesNotContain("requests@2.28.0~local");

        Decider.Index shared = Decider.Index.of(feeds);
        assertThat(decide(IMAGE_A, A, shared)).isEqualTo(aliceAlone);
        byte[] bobAfterAlice = decide(IMAGE_B, B, shared);
        assertThat(new String(bobAfterAlice, StandardCharsets.UTF_8)).doesNotContain("requests@2.28.0~local");
        assertThat(bobAfterAlice).isEqualTo(bobAlone);
        assertThat(decide(IMAGE_A, A, shared)).as("the same decision again on the shared index").isEqualTo(aliceAlone);

        int threads = 4;
        int iterations = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean alice = t % 2 == 0;
                Callable<List<String>> task = () -> {
                    start.await();
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < iterations; i++) {
                        byte[] got = alice ? decide(IMAGE_A, A, shared) : decide(IMAGE_B, B, shared);
                        if (!java.util.Arrays.equals(got, alice ? aliceAlone : bobAlone)) {
                            wrong.add((alice ? "A" : "B") + " iteration " + i);
                        }
                    }
                    return wrong;
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> f : results) {
                wrong.addAll(f.get(5, TimeUnit.MINUTES));
            }
            assertThat(wrong).as("reports that differ from the decision made alone").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }
}
