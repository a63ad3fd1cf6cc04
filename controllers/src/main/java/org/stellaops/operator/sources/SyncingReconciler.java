package org.stellaops.operator.sources;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.stellaops.crds.v1alpha1.SourceStatus;
import org.stellaops.operator.config.Status;

/** Syncs a source on its interval; a failed sync keeps the previous revision in use and says why (status, Event). */
abstract class SyncingReconciler<R extends CustomResource<?, SourceStatus>> implements Reconciler<R> {
    private static final Logger LOG = Logger.getLogger(SyncingReconciler.class);
    @Inject
    KubernetesClient client;
    @Inject
    Sources sources;

    abstract Sources.Synced sync(R resource) throws IOException;

    abstract String interval(R resource);

    abstract boolean vex();

    @Override
    public UpdateControl<R> reconcile(R r, Context<R> context) {
        Instant now = Instant.now();
        Duration every = SourceStatuses.parse(interval(r), Duration.ofHours(6));
        Long gen = r.getMetadata().getGeneration();
        Duration wait = SourceStatuses.due(r.getStatus(), gen, every, now);
        if (!wait.isZero()) {
            return UpdateControl.<R>noUpdate().rescheduleAfter(wait);
        }
        try {
            Sources.Synced s = sync(r);
            SourceStatus status = SourceStatuses.synced(r.getStatus(), gen, s, vex(), now);
            LOG.infof("%s %s/%s synced: %s, revision %s", r.getKind(), r.getMetadata().getNamespace(), r.getMetadata().getName(),
                    SourceStatuses.counts(s, vex()), s.revision());
            if (r.getStatus() == null || !s.revision().equals(r.getStatus().revision)) {
                Status.event(client, r, "Normal", "Synced", SourceStatuses.counts(s, vex()) + ", revision " + s.revision());
            }
            Status.patch(client, r, status);
            return UpdateControl.<R>noUpdate().rescheduleAfter(every);
        } catch (Exception e) {
            // only what SafeErrors lets out reaches status, Events and the log at warn: never a document's or response's text
            LOG.debugf(e, "%s %s/%s sync failed", r.getKind(), r.getMetadata().getNamespace(), r.getMetadata().getName());
            SourceStatus status = SourceStatuses.failed(r.getStatus(), gen, SafeErrors.message(e), now);
            LOG.warnf("%s %s/%s sync failed: %s", r.getKind(), r.getMetadata().getNamespace(), r.getMetadata().getName(), status.errors.get(0));
            Status.event(client, r, "Warning", "SyncFailed", status.errors.get(0));
            Status.patch(client, r, status);
            return UpdateControl.<R>noUpdate().rescheduleAfter(Duration.ofSeconds(Math.min(every.toSeconds(), 60)));
        }
    }
}
