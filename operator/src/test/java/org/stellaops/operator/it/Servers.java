package org.stellaops.operator.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.stellaops.scanner.testing.LocalRegistry;
import org.stellaops.storage.testing.MongoServer;
import org.stellaops.storage.testing.S3Server;

/**
 * The real servers the operator talks to in its integration test, started before Quarkus: S3Proxy (object store),
 * FerretDB (catalog), Debian's docker-registry anonymous and with basic auth (images pushed by skopeo).
 */
public class Servers implements QuarkusTestResourceLifecycleManager {
    /** Where worker Jobs and their Secrets are (the operator's namespace in a cluster). */
    static final String WORKER_NAMESPACE = "stella-system";
    static Path dir;
    static S3Server s3;
    static MongoServer mongo;
    static LocalRegistry registry;
    static LocalRegistry authRegistry;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("stella-operator-it");
            s3 = new S3Server(dir.resolve("s3"));
            mongo = new MongoServer(dir.resolve("mongo"));
            registry = LocalRegistry.start();
            authRegistry = LocalRegistry.start("puller", "pull-secret-pw");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.ofEntries(Map.entry("stella.s3.endpoint", s3.endpoint()), Map.entry("stella.s3.access-key", S3Server.ACCESS_KEY),
                Map.entry("stella.s3.secret-key", S3Server.SECRET_KEY), Map.entry("stella.mongo.uri", mongo.uri()),
                Map.entry("stella.mongo.database", "stella-it"), Map.entry("stella.worker.max-attempts", "2"),
                Map.entry("stella.worker.max-concurrent-jobs", "8"), Map.entry("stella.registry.timeout", "30s"),
                Map.entry("stella.api.auth", "true"), Map.entry("stella.worker.namespace", WORKER_NAMESPACE),
                Map.entry("stella.worker.start-timeout", "5s"));
    }

    /** Stops the catalog server (its data stays in its directory) — the storage-outage test. */
    static void stopMongo() {
        mongo.close();
    }

    static void startMongo(int port) throws Exception {
        mongo = new MongoServer(dir.resolve("mongo"), port);
    }

    @Override
    public void stop() {
        try {
            authRegistry.close();
            registry.close();
        } catch (Exception ignored) {
            // temp servers
        }
        mongo.close();
        s3.close();
    }
}
