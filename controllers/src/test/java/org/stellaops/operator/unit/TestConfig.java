package org.stellaops.operator.unit;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.stellaops.operator.config.StellaConfig;

/** The operator's configuration mapping with its defaults and test credentials, without starting Quarkus. */
final class TestConfig {
    private TestConfig() {
    }

    static StellaConfig config() {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(StellaConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("stella.s3.access-key", "a", "stella.s3.secret-key", "b")).build();
        return c.getConfigMapping(StellaConfig.class);
    }
}
