package org.stellaops.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.storage.testing.MongoServer;

/** The catalog's runtime_events against FerretDB: idempotent ingest of resent batches, the TTL index. */
class RuntimeEventsIT {
    @TempDir
    static Path dir;
    static MongoServer mongo;
    static Catalog catalog;

    @BeforeAll
    static void start() throws Exception {
        mongo = new MongoServer(dir.resolve("mongo"));
        catalog = new Catalog(mongo.uri(), "stellaops");
        catalog.ensureIndexes();
    }

    @AfterAll
    static void stop() {
        catalog.close();
        mongo.close();
    }

    private static Document event(String digest, int i) {
        return Document.parse("""
                {"schema": "stella.runtime.event@v1", "eventId": "%s", "kind": "ContainerStart",
                 "time": "2026-01-01T00:00:%02dZ", "node": "node-a",
                 "container": {"id": "c%d", "name": "web", "state": "CONTAINER_RUNNING"},
                 "pod": {"namespace": "team-a", "name": "shop", "uid": "u1"},
                 "image": {"reference": "stella.test/debian-app:1", "digest": "%s", "imageId": "sha256:7937"},
                 "process": {"pid": 42, "exe": "/usr/bin/python3.11", "exeSha256": "00", "cmdline": ["python3"],
                             "libraries": [{"path": "/usr/lib/x86_64-linux-gnu/libssl.so.3", "inode": 7, "sha256": "11"}]}}
                """.formatted(UUID.randomUUID(), i, i, digest));
    }

    @Test
    void aResentBatchIsStoredOnce() throws Exception {
        catalog.ensureRuntimeEventIndexes(Duration.ofDays(45));
        String digest = "sha256:" + "a".repeat(64);
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(event(digest, i));
        }
        Instant now = Instant.parse("2026-01-01T00:01:00Z");
        assertThat(catalog.putRuntimeEvents(batch.subList(0, 4), now)).isEqualTo(new Catalog.RuntimeIngest(4, 0));
        // the whole batch again (the first part was stored, the answer lost): duplicates counted, the rest stored
        assertThat(catalog.putRuntimeEvents(batch, now)).isEqualTo(new Catalog.RuntimeIngest(6, 4));
        assertThat(catalog.putRuntimeEvents(batch, now)).isEqualTo(new Catalog.RuntimeIngest(0, 10));
        List<Document> stored = catalog.runtimeEventsOfImage(digest);
        assertThat(stored).hasSize(10);
        assertThat(stored).extracting(d -> d.getString("_id"))
                .containsExactlyElementsOf(batch.stream().map(d -> d.getString("eventId")).toList());
        assertThat(stored.get(0).getDate("receivedAt").toInstant()).isEqualTo(now);
        assertThat(stored.get(0).get("pod", Document.class).getString("name")).isEqualTo("shop");
        assertThat(catalog.putRuntimeEvents(List.of(), now)).isEqualTo(new Catalog.RuntimeIngest(0, 0));
    }

    @Test
    void eventsOlderThanTheTtlAreRemoved() throws Exception {
        // FerretDB 1.x has no TTL indexes (NotImplemented): the index is then absent and expiry is explicit
        boolean ttlIndex = catalog.ensureRuntimeEventIndexes(Duration.ofDays(45));
        assertThat(ttlIndex).isFalse();
        assertThat(ttl()).isEqualTo(-1);
        assertThat(catalog.ensureRuntimeEventIndexes(Duration.ofDays(45))).isFalse(); // idempotent
        String digest = "sha256:" + "b".repeat(64);
        Instant old = Instant.parse("2025-06-01T00:00:00Z"); // before the other test's events
        Instant recent = old.plus(Duration.ofDays(40));
        catalog.putRuntimeEvents(List.of(event(digest, 1), event(digest, 2)), old);
        catalog.putRuntimeEvents(List.of(event(digest, 3)), recent);
        Instant now = old.plus(Duration.ofDays(46));
        assertThat(catalog.expireRuntimeEvents(Duration.ofDays(45), now)).isEqualTo(2);
        assertThat(catalog.runtimeEventsOfImage(digest)).extracting(d -> d.getDate("receivedAt").toInstant())
                .containsExactly(recent);
        assertThat(catalog.expireRuntimeEvents(Duration.ofDays(45), now)).isZero();
    }

    private static long ttl() {
        try (var client = com.mongodb.client.MongoClients.create(mongo.uri())) {
            for (Document ix : client.getDatabase("stellaops").getCollection("runtime_events").listIndexes()) {
                if ("receivedAt_ttl".equals(ix.getString("name"))) {
                    return ((Number) ix.get("expireAfterSeconds")).longValue();
                }
            }
        }
        return -1;
    }
}
