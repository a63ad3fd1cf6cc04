package org.stellaops.operator.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.stellaops.operator.config.Storage;

/** Ready when the object store and the catalog answer (the operator stays alive, and says so, while they do not). */
@Readiness
@ApplicationScoped
public class Health implements HealthCheck {
    @Inject
    Storage storage;

    @Override
    public HealthCheckResponse call() {
        try {
            storage.catalog().ping();
            storage.objects();
            return HealthCheckResponse.up("storage");
        } catch (Exception e) {
            storage.failed();
            return HealthCheckResponse.builder().name("storage").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
