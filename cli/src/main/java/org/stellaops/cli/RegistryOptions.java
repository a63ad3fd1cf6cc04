package org.stellaops.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.RegistryClient;
import picocli.CommandLine.Option;

/** How to reach registries: credentials file, plain-HTTP registries, request timeout. */
final class RegistryOptions {
    @Option(names = "--registry-config", paramLabel = "FILE",
            description = "Docker config.json with registry credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json).")
    Path registryConfig;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Talk plain HTTP to this registry (loopback registries always use HTTP). Repeatable.")
    List<String> insecure = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "Registry request timeout. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    LinkedHashSet<String> insecureSet() {
        return new LinkedHashSet<>(insecure);
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    RegistryClient client() {
        return new RegistryClient(DockerConfig.load(registryConfig), insecureSet(), timeout());
    }
}
