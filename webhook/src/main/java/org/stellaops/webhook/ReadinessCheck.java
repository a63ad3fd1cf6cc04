package org.stellaops.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/** Ready = can decide: the catalog answers, the Policy informer has synced and the serving certificate is there. */
@org.eclipse.microprofile.health.Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    @Inject
    Decisions decisions;
    @Inject
    WebhookConfig config;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("admission");
        boolean cert = Files.isReadable(Path.of(config.admission().certificateFile()));
        boolean policies = decisions.policiesSynced();
        boolean catalog;
        try {
            decisions.pingCatalog();
            catalog = true;
        } catch (Exception e) {
            catalog = false;
        }
        return b.status(cert && policies && catalog).withData("certificate", cert).withData("policies", policies)
                .withData("catalog", catalog).build();
    }
}
