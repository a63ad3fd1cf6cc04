package org.stellaops.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The operator's settings ({@code stella.*}); credentials come from environment variables filled from Secrets. */
@ConfigMapping(prefix = "stella")
public interface StellaConfig {
    Worker worker();

    S3 s3();

    Mongo mongo();

    Registry registry();

    Api api();

    interface Worker {
        /** The worker container image (runs org.stellaops.workers.LayerWorker). */
        @WithDefault("ghcr.io/stella-ops/stella-worker:0.1.0")
        String image();

        /** Worker Jobs running at once, across all scans and namespaces. */
        @WithDefault("4")
        int maxConcurrentJobs();

        @WithDefault("1800")
        long activeDeadlineSeconds();

        /** Attempts per layer (each a new Job) before the scan fails. */
        @WithDefault("3")
        int maxAttempts();

        @WithDefault("600")
        int ttlSecondsAfterFinished();

        @WithDefault("500m")
        String cpuRequest();

        @WithDefault("512Mi")
        String memoryRequest();

        @WithDefault("2Gi")
        String memoryLimit();

        /** Name of the Secret (in each scan namespace) with STELLA_S3_ACCESS_KEY/SECRET_KEY and STELLA_MONGO_URI for workers. */
        @WithDefault("stella-storage")
        String storageSecret();

        /** Service account of the worker pods. */
        Optional<String> serviceAccount();
    }

    interface S3 {
        @WithDefault("http://stella-minio:9000")
        String endpoint();

        /** The endpoint as workers reach it (default: the same). */
        Optional<String> workerEndpoint();

        @WithDefault("stellaops")
        String bucket();

        String accessKey();

        String secretKey();
    }

    interface Mongo {
        @WithDefault("mongodb://stella-mongodb:27017/")
        String uri();

        Optional<String> workerUri();

        @WithDefault("stellaops")
        String database();
    }

    interface Registry {
        @WithDefault("60s")
        Duration timeout();

        /** Registries talked to over plain HTTP (besides loopback). */
        Optional<List<String>> insecure();
    }

    interface Api {
        /** Authenticate REST calls with TokenReview and authorize them with SubjectAccessReview. */
        @WithDefault("true")
        boolean auth();
    }
}
