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

    @Test
    void leasesGoToOneHolderUntilDoneOrExpired() throws Exception {
        String d = "sha256:" + "b2".repeat(32);
        Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
        assertThat(catalog.tryLease(d, "ns/job-1", Duration.ofMinutes(10), t0)).isTrue();
        assertThat(catalog.tryLease(d, "ns/job-1", Duration.ofMinutes(10), t0.plusSeconds(5))).as("same holder again").isTrue();
        assertThat(catalog.tryLease(d, "other/job-1", Duration.ofMinutes(10), t0.plusSeconds(6))).as("another holder").isFalse();
        assertThat(catalog.tryLease(d, "other/job-1", Duration.ofMinutes(10), t0.plusSeconds(3600))).as("after expiry").isTrue();
        assertThat(catalog.markFailed(d, "other/job-1", "OOMKilled", t0.plusSeconds(3700))).isTrue();
        assertThat(catalog.markFailed(d, "other/job-1", "OOMKilled", t0.plusSeconds(3710))).as("counted once").isFalse();
        assertThat(catalog.layer(d).orElseThrow().attempts()).isEqualTo(1);
        assertThat(catalog.layer(d).orElseThrow().state()).isEqualTo(Catalog.LayerState.failed);
        assertThat(catalog.tryLease(d, "ns/job-2", Duration.ofMinutes(10), t0.plusSeconds(3701))).as("released on failure").isTrue();
        catalog.markDone(d, "layers/" + d + "/fragment.json.zst", "analyzers-1", t0.plusSeconds(3800));
        assertThat(catalog.tryLease(d, "ns/job-3", Duration.ofMinutes(10), t0.plusSeconds(9999))).as("done layers are never leased").isFalse();
        assertThat(catalog.missing(List.of(d, "sha256:" + "c3".repeat(32)), "analyzers-1")).containsExactly("sha256:" + "c3".repeat(32));
        assertThat(catalog.missing(List.of(d), "analyzers-2")).containsExactly(d);
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
