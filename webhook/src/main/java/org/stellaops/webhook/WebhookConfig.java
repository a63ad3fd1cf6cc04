package org.stellaops.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the webhook (prefix {@code stella}); see docs/webhook.md. */
@ConfigMapping(prefix = "stella")
public interface WebhookConfig {
    Admission admission();

    Mongo mongo();

    S3 s3();

    Registry registry();

    interface Admission {
        /** The suite's namespace: never judged; its Policies apply to other namespaces by namespaceSelector. */
        @WithDefault("stella-system")
        String namespace();

        /** Further namespaces never judged (kube-system, kube-public, kube-node-lease always are). */
        Optional<List<String>> excludedNamespaces();

        /** Answer within this time (below the webhook's timeoutSeconds); images not judged by then are "unknown". */
        @WithDefault("3s")
        Duration deadline();

        @WithDefault("30s")
        Duration verdictCacheTtl();

        @WithDefault("10000")
        int verdictCacheSize();

        @WithDefault("5m")
        Duration tagCacheTtl();

        @WithDefault("10000")
        int tagCacheSize();

        @WithDefault("linux/amd64")
        String platform();

        /** The file of the serving certificate (PEM); readiness needs it loaded. */
        @WithDefault("/etc/stella/tls/tls.crt")
        String certificateFile();

        /** Its private key (PEM). */
        @WithDefault("/etc/stella/tls/tls.key")
        String keyFile();
    }

    interface Mongo {
        String uri();

        @WithDefault("stella")
        String database();
    }

    interface S3 {
        /** Optional: without it a refusal names the report but not its top findings. */
        Optional<String> endpoint();

        Optional<String> accessKey();

        Optional<String> secretKey();

        @WithDefault("stella")
        String bucket();
    }

    interface Registry {
        Optional<List<String>> insecure();

        @WithDefault("2s")
        Duration timeout();
    }
}
