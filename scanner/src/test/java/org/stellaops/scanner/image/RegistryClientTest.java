package org.stellaops.scanner.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryClientTest {
    private final RegistryClient client = new RegistryClient(DockerConfig.empty(), Set.of("registry.internal:5000"),
            Duration.ofSeconds(5));

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:5000", "LOCALHOST:5000", "127.0.0.1", "127.0.0.1:5000", "127.1.2.3:80",
            "[::1]", "[::1]:5000", "[0:0:0:0:0:0:0:1]:5000", "registry.internal:5000"})
    void plainHttpOnlyForLoopbackHostsAndRegistriesNamedInsecure(String registry) {
        assertThat(client.baseUrl(registry)).isEqualTo("http://" + registry);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost.evil.com", "localhost.evil.com:5000", "localhostevil.com", "127.example.com",
            "127.0.0.1.nip.io", "127.0.0.1.evil.com:5000", "127.0.0.256", "128.0.0.1:5000", "[::1].evil.com",
            "[::2]:5000", "[::1]:5000@evil.com", "registry.internal", "ghcr.io", "evil.com:5000"})
    void httpsForEveryOtherHostEvenWhenItsNameStartsLikeALoopbackOne(String registry) {
        assertThat(client.baseUrl(registry)).isEqualTo("https://" + registry);
    }
}
