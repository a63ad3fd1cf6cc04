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

        /** Low, so that max-concurrent-jobs workers fit a small node next to the operator. */
        @WithDefault("100m")
        String cpuRequest();

        @WithDefault("512Mi")
        String memoryRequest();

        @WithDefault("2Gi")
        String memoryLimit();

        /**
         * The worker JVM's maximum heap as a percentage of the container's memory limit ({@code -XX:MaxRAMPercentage} in
         * {@code JAVA_TOOL_OPTIONS}); the rest is left for metaspace, thread stacks, direct buffers and zstd/gzip state.
         */
        @WithDefault("70")
        int maxRamPercentage();

        /**
         * The namespace worker Jobs (and their per-Job Secrets) run in — never a scan's namespace. Default: the
         * operator's own namespace ({@code POD_NAMESPACE} from the downward API, else the service account's namespace),
         * else {@code stella-system}.
         */
        Optional<String> namespace();

        /** Service account of the worker pods (in the worker namespace; its token is not mounted). */
        @WithDefault("stella-worker")
        String serviceAccount();

        /**
         * A worker pod that has not started its container after this long (image pull errors, a missing Secret,
         * CreateContainerConfigError such as runAsNonRoot with a root image) fails the layer with the pod's reason.
         */
        @WithDefault("3m")
        Duration startTimeout();

        /** Failed attempts of a layer count towards max-attempts only while the last failure is younger than this. */
        @WithDefault("1h")
        Duration attemptsCoolDown();
    }

    interface S3 {
        @WithDefault("http://stella-minio.stella-system.svc.cluster.local:9000")
        String endpoint();

        /** The endpoint as worker pods reach it, used in their pre-signed upload URLs (default: the same). */
        Optional<String> workerEndpoint();

        @WithDefault("stellaops")
        String bucket();

        String accessKey();

        String secretKey();
    }

    interface Mongo {
        @WithDefault("mongodb://stella-mongodb.stella-system.svc.cluster.local:27017/")
        String uri();

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
