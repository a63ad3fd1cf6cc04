package org.stellaops.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.storage.testing.MongoServer;
import org.stellaops.storage.testing.S3Server;

/** The object store against S3Proxy and the catalog against FerretDB, both real servers over the wire. */
class StorageIT {
    @TempDir
    static Path dir;
    static S3Server s3;
    static MongoServer mongo;
    static ObjectStore store;
    static Catalog catalog;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3Server(dir.resolve("s3"));
        mongo = new MongoServer(dir.resolve("mongo"));
        store = new ObjectStore(s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "stellaops");
        store.ensureBucket();
        store.ensureBucket(); // idempotent
        catalog = new Catalog(mongo.uri(), "stellaops");
        catalog.ensureIndexes();
    }

    @AfterAll
    static void stop() {
        catalog.close();
        mongo.close();
        s3.close();
    }

    @Test
    void objectsRoundTrip() throws Exception {
        byte[] body = "{\"hello\":\"wörld\"}".getBytes(StandardCharsets.UTF_8);
        store.put("reports/abc.json", body, "application/json");
        assertThat(store.get("reports/abc.json")).contains(body);
        assertThat(store.exists("reports/abc.json")).isTrue();
        assertThat(store.get("reports/missing.json")).isEmpty();
        assertThat(store.exists("reports/missing.json")).isFalse();
        store.delete("reports/abc.json");
        assertThat(store.exists("reports/abc.json")).isFalse();
    }

    @Test
    void fragmentsUseTheSharedLayoutAndAnalyzerVersion() throws Exception {
        S3FragmentStore fs = new S3FragmentStore(store);
        String digest = "sha256:" + "a1".repeat(32);
        LayerFragment f = new LayerFragment(LayerFragment.SCHEMA, digest, "sha256:" + "a2".repeat(32), "analyzers-1", List.of(),
                List.of("etc/.wh.x"), List.of(), List.of(), List.of(), List.of(), List.of("a warning"));
        fs.put(f);
        assertThat(store.exists("layers/" + digest + "/fragment.json.zst")).isTrue();
        assertThat(fs.get(digest, "analyzers-1")).contains(f);
        assertThat(fs.get(digest, "analyzers-2")).isEmpty();
    }

    static final Duration COOL_DOWN = Duration.ofHours(1);

    @Test
    void leasesGoToOneHolderUntilDoneOrExpired() throws Exception {
        String d = "sha256:" + "b2".repeat(32);
        Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
        assertThat(catalog.tryLease(d, "analyzers-1", "job-1", Duration.ofMinutes(10), t0)).isTrue();
        assertThat(catalog.tryLease(d, "analyzers-1", "job-1", Duration.ofMinutes(10), t0.plusSeconds(5))).as("same holder again").isTrue();
        assertThat(catalog.tryLease(d, "analyzers-1", "job-x", Duration.ofMinutes(10), t0.plusSeconds(6))).as("another holder").isFalse();
        assertThat(catalog.tryLease(d, "analyzers-1", "job-x", Duration.ofMinutes(10), t0.plusSeconds(3600))).as("after expiry").isTrue();
        assertThat(catalog.layer(d, "analyzers-1").orElseThrow().leasedAt()).isEqualTo(t0.plusSeconds(3600));
        assertThat(catalog.markFailed(d, "analyzers-1", "job-x", "OOMKilled", t0.plusSeconds(3700))).isTrue();
        assertThat(catalog.markFailed(d, "analyzers-1", "job-x", "OOMKilled", t0.plusSeconds(3710))).as("counted once").isFalse();
        assertThat(catalog.layer(d, "analyzers-1").orElseThrow().attempts()).isEqualTo(1);
        assertThat(catalog.layer(d, "analyzers-1").orElseThrow().state()).isEqualTo(Catalog.LayerState.failed);
        assertThat(catalog.tryLease(d, "analyzers-1", "job-2", Duration.ofMinutes(10), t0.plusSeconds(3701))).as("released on failure").isTrue();
        catalog.markDone(d, "analyzers-1", "layers/" + d + "/fragment.json.zst", t0.plusSeconds(3800));
        assertThat(catalog.tryLease(d, "analyzers-1", "job-3", Duration.ofMinutes(10), t0.plusSeconds(9999))).as("done layers are never leased").isFalse();
        assertThat(catalog.missing(List.of(d, "sha256:" + "c3".repeat(32)), "analyzers-1")).containsExactly("sha256:" + "c3".repeat(32));
        assertThat(catalog.missing(List.of(d), "analyzers-2")).containsExactly(d);
    }

    @Test
    void aLayerDoneUnderAnOlderAnalyzerVersionIsLeasedAndDoneAgainForTheNewOne() throws Exception {
        String d = "sha256:" + "b3".repeat(32);
        Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
        assertThat(catalog.tryLease(d, "analyzers-1", "job-1", Duration.ofMinutes(10), t0)).isTrue();
        catalog.markDone(d, "analyzers-1", "layers/" + d + "/fragment.json.zst", t0.plusSeconds(60));
        assertThat(catalog.missing(List.of(d), "analyzers-2")).containsExactly(d);
        assertThat(catalog.tryLease(d, "analyzers-2", "job-2", Duration.ofMinutes(10), t0.plusSeconds(120)))
                .as("the new analyzer version's lease").isTrue();
        assertThat(catalog.tryLease(d, "analyzers-1", "job-9", Duration.ofMinutes(10), t0.plusSeconds(121)))
                .as("still done for the old version").isFalse();
        catalog.markDone(d, "analyzers-2", "layers/" + d + "/fragment.json.zst", t0.plusSeconds(180));
        assertThat(catalog.missing(List.of(d), "analyzers-2")).isEmpty();
        assertThat(catalog.missing(List.of(d), "analyzers-1")).as("each version keeps its own state").isEmpty();
        assertThat(catalog.layer(d, "analyzers-2").orElseThrow().analyzerVersion()).isEqualTo("analyzers-2");
    }

    @Test
    void aTransientFailureFollowedBySuccessLeavesNoAttemptsAndOldFailuresCoolDown() throws Exception {
        String d = "sha256:" + "b4".repeat(32);
        Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
        assertThat(catalog.tryLease(d, "analyzers-1", "job-1", Duration.ofMinutes(10), t0)).isTrue();
        assertThat(catalog.markFailed(d, "analyzers-1", "job-1", "catalog unreachable", t0.plusSeconds(10))).isTrue();
        assertThat(catalog.tryLease(d, "analyzers-1", "job-2", Duration.ofMinutes(10), t0.plusSeconds(20))).isTrue();
        catalog.markDone(d, "analyzers-1", "layers/" + d + "/fragment.json.zst", t0.plusSeconds(30));
        Catalog.Layer done = catalog.layer(d, "analyzers-1").orElseThrow();
        assertThat(done.state()).isEqualTo(Catalog.LayerState.done);
        assertThat(done.attempts()).as("a success clears the count").isZero();
        assertThat(done.error()).isNull();

        String e = "sha256:" + "b5".repeat(32);
        for (int i = 1; i <= 3; i++) {
            assertThat(catalog.tryLease(e, "analyzers-1", "job-" + i, Duration.ofMinutes(10), t0.plusSeconds(i * 60L))).isTrue();
            assertThat(catalog.markFailed(e, "analyzers-1", "job-" + i, "registry unavailable", t0.plusSeconds(i * 60L + 5))).isTrue();
        }
        assertThat(catalog.layer(e, "analyzers-1", COOL_DOWN, t0.plusSeconds(600)).orElseThrow().attempts())
                .as("recent failures count").isEqualTo(3);
        Catalog.Layer later = catalog.layer(e, "analyzers-1", COOL_DOWN, t0.plusSeconds(185).plus(COOL_DOWN).plusSeconds(1)).orElseThrow();
        assertThat(later.attempts()).as("failures older than the cool-down no longer count").isZero();
        assertThat(later.error()).as("the last reason stays for the record").isEqualTo("registry unavailable");
        assertThat(catalog.tryLease(e, "analyzers-1", "job-4", Duration.ofMinutes(10), t0.plus(COOL_DOWN).plusSeconds(200))).isTrue();
        assertThat(catalog.markFailed(e, "analyzers-1", "job-4", "again", t0.plus(COOL_DOWN).plusSeconds(210))).isTrue();
        assertThat(catalog.layer(e, "analyzers-1").orElseThrow().attempts()).as("counting starts again").isEqualTo(1);
    }

    @Test
    void aLeaseWhoseJobIsGoneIsReleasedWithoutCountingAFailure() throws Exception {
        String d = "sha256:" + "b6".repeat(32);
        Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
        assertThat(catalog.tryLease(d, "analyzers-1", "job-a", Duration.ofMinutes(32), t0)).isTrue();
        assertThat(catalog.releaseLease(d, "analyzers-1", "job-other", t0.plusSeconds(5))).as("only by its holder").isFalse();
        assertThat(catalog.releaseLease(d, "analyzers-1", "job-a", t0.plusSeconds(5))).isTrue();
        assertThat(catalog.layer(d, "analyzers-1").orElseThrow().attempts()).isZero();
        assertThat(catalog.tryLease(d, "analyzers-1", "job-b", Duration.ofMinutes(32), t0.plusSeconds(6))).as("at once").isTrue();
    }

    @Test
    void aPresignedPutWritesExactlyItsKeyAndTheFragmentIsChecked() throws Exception {
        S3FragmentStore fs = new S3FragmentStore(store);
        String digest = "sha256:" + "a7".repeat(32);
        String diffId = "sha256:" + "a8".repeat(32);
        String key = "layers/" + digest + "/fragment.json.zst";
        String url = store.presignedPut(key, Duration.ofMinutes(5));
        assertThat(url).doesNotContain(S3Server.SECRET_KEY).contains("X-Amz-Signature=");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        assertThat(fs.problem(digest, diffId, "analyzers-1")).hasValueSatisfying(p -> assertThat(p).contains("missing"));
        // a valid URL for one key does not write another key
        java.net.http.HttpResponse<String> other = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(requireChanged(url, url.replace("a7".repeat(32), "a9".repeat(32)))))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(store.exists("layers/sha256:" + "a9".repeat(32) + "/fragment.json.zst")).isFalse();
        // garbage under the right key is refused by the check
        put(http, url, "not a fragment".getBytes(StandardCharsets.UTF_8));
        assertThat(fs.problem(digest, diffId, "analyzers-1")).hasValueSatisfying(p -> assertThat(p).contains("not a readable fragment")
                .doesNotContain("not a fragment"));
        // a fragment of another layer under this key is refused too
        LayerFragment foreign = new LayerFragment(LayerFragment.SCHEMA, "sha256:" + "a9".repeat(32), diffId, "analyzers-1", List.of(),
                List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        put(http, url, org.stellaops.core.store.FragmentStore.encode(foreign));
        assertThat(fs.problem(digest, diffId, "analyzers-1")).hasValueSatisfying(p -> assertThat(p).contains("another layer"));
        LayerFragment good = new LayerFragment(LayerFragment.SCHEMA, digest, diffId, "analyzers-1", List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of());
        put(http, url, org.stellaops.core.store.FragmentStore.encode(good));
        assertThat(fs.problem(digest, diffId, "analyzers-1")).isEmpty();
        assertThat(fs.problem(digest, diffId, "analyzers-2")).as("another analyzer version").isPresent();
        String expired = store.presignedPut(key, Duration.ofSeconds(1));
        Thread.sleep(2100);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(expired))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("an expired URL").isEqualTo(403);
        assertThat(fs.problem(digest, diffId, "analyzers-1")).isEmpty();
    }

    static String requireChanged(String before, String after) {
        assertThat(after).isNotEqualTo(before);
        return after;
    }

    static void put(java.net.http.HttpClient http, String url, byte[] body) throws Exception {
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void verdictsAndSourcesRoundTrip() throws Exception {
        Catalog.Verdict v = new Catalog.Verdict("sha256:" + "d4".repeat(32), "sha256:" + "e5".repeat(32), "fail", "reports/x.json",
                "sha256:" + "f6".repeat(32), "rev-a", "rev-v", Instant.parse("2026-11-27T10:00:00Z"));
        catalog.putVerdict(v);
        catalog.putVerdict(v);
        assertThat(catalog.verdict(v.imageDigest(), v.policyDigest())).contains(v);
        Catalog.Source s = new Catalog.Source("AdvisoryFeed/ns/osv", "AdvisoryFeed", "sha256:1", "feeds/x.zip", 26,
                Instant.parse("2026-11-27T10:00:00Z"), "\"etag\"", null);
        catalog.putSource(s);
        assertThat(catalog.source(s.id())).contains(s);
        List<org.bson.Document> entries = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            entries.add(new org.bson.Document("id", "OSV-" + i).append("packages", List.of("npm:p" + (i % 10))));
        }
        catalog.putAdvisoryIndex(s.id(), "sha256:1", entries);
        catalog.putAdvisoryIndex(s.id(), "sha256:1", entries);
        assertThat(catalog.countAdvisories(s.id())).isEqualTo(2500);
        catalog.putAdvisoryIndex(s.id(), "sha256:2", entries.subList(0, 10));
        assertThat(catalog.countAdvisories(s.id())).isEqualTo(10);
    }

    @Test
    void unreachableServersAreNamedNotHung() throws Exception {
        ObjectStore down = new ObjectStore("http://127.0.0.1:1", "a", "b", "stellaops");
        assertThatThrownBy(down::ensureBucket).isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).unavailable()).isTrue())
                .hasMessageContaining("object store http://127.0.0.1:1");
        try (Catalog c = new Catalog("mongodb://127.0.0.1:1/", "x")) {
            assertThatThrownBy(c::ping).isInstanceOf(StorageException.class)
                    .satisfies(e -> assertThat(((StorageException) e).unavailable()).isTrue()).hasMessageContaining("unreachable");
        }
    }
}
