package org.stellaops.operator.scan;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.operator.config.StellaConfig;
import org.stellaops.operator.config.Storage;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.storage.Catalog;

/**
 * Worker Jobs for the layers of a scan that the catalog does not have: at most one Job per layer at a time (a lease per
 * layer digest in the catalog, so scans sharing a layer share its Job), bounded global concurrency, retries as new
 * Jobs up to {@code stella.worker.max-attempts}. Never waits: it creates or observes Jobs and returns.
 */
@ApplicationScoped
public class LayerJobs {
    private static final Logger LOG = Logger.getLogger(LayerJobs.class);
    @Inject
    KubernetesClient client;
    @Inject
    Storage storage;
    @Inject
    StellaConfig config;
    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    /** A layer failed more often than allowed: the scan fails with this reason. */
    public static final class LayerFailed extends Exception {
        public LayerFailed(String message) {
            super(message);
        }
    }

    /** The pull secret to mount in worker Jobs (null: none), looked up when a Job is created. */
    @FunctionalInterface
    public interface PullSecret {
        String name() throws IOException;
    }

    public record Progress(List<ImageScanStatus.Layer> layers, int pending, List<String> created) {
    }

    /**
     * @param jobs     a worker Job by namespace and name, from the informer cache
     * @param running  worker Jobs running now across all namespaces (from the informer cache)
     */
    public Progress advance(ImageScan scan, ResolvedImage image, List<ImageScanStatus.Layer> previous, PullSecret pullSecret,
                            Function<String, Job> jobs, long running) throws IOException, LayerFailed {
        Catalog catalog = storage.catalog();
        String ns = scan.getMetadata().getNamespace();
        Set<String> missing = new HashSet<>(catalog.missing(image.layers().stream().map(LayerRef::digest).toList(),
                ScanPipeline.ANALYZERS.version()));
        List<ImageScanStatus.Layer> out = new ArrayList<>();
        List<String> created = new ArrayList<>();
        long budget = config.worker().maxConcurrentJobs() - running;
        String secret = null;
        boolean secretKnown = false;
        Instant now = Instant.now();
        for (LayerRef l : image.layers()) {
            ImageScanStatus.Layer before = previous == null ? null : previous.stream().filter(p -> l.digest().equals(p.digest))
                    .findFirst().orElse(null);
            if (!missing.contains(l.digest())) {
                // analyzed: by a Job of this scan (jobName kept) or before it (cached)
                boolean ours = before != null && before.jobName != null;
                out.add(new ImageScanStatus.Layer(l.digest(), l.size(), !ours, ours ? before.jobName : null,
                        before == null ? null : before.attempts));
                continue;
            }
            Catalog.Layer state = catalog.layer(l.digest()).orElse(null);
            int attempt = (state == null ? 0 : state.attempts()) + 1;
            String name = WorkerJobs.name(l.digest(), attempt);
            Job job = jobs.apply(name);
            String holder = ns + "/" + name;
            if (job != null && WorkerJobs.failed(job)) {
                String reason = WorkerJobs.failureReason(job);
                if (catalog.markFailed(l.digest(), holder, reason, now)) {
                    metrics.counter("stella.worker.jobs.failed").increment();
                    LOG.infof("layer %s: Job %s failed (%s), attempt %d of %d", l.digest(), name, reason, attempt,
                            config.worker().maxAttempts());
                }
                attempt++;
                name = WorkerJobs.name(l.digest(), attempt);
                holder = ns + "/" + name;
                job = jobs.apply(name);
            }
            if (attempt > config.worker().maxAttempts()) {
                Catalog.Layer s = catalog.layer(l.digest()).orElse(null);
                throw new LayerFailed("layer " + l.digest() + " failed " + config.worker().maxAttempts() + " times"
                        + (s != null && s.error() != null ? ": " + s.error() : ""));
            }
            if (job == null && budget > 0) {
                Duration ttl = Duration.ofSeconds(config.worker().activeDeadlineSeconds() + 120);
                if (catalog.tryLease(l.digest(), holder, ttl, now)) {
                    if (!secretKnown) {
                        secret = pullSecret.name();
                        secretKnown = true;
                    }
                    try {
                        client.resource(WorkerJobs.job(scan, image.name(), l, attempt, secret, config)).create();
                        metrics.counter("stella.worker.jobs.created").increment();
                        created.add(name);
                        budget--;
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != 409) {
                            throw e;
                        }
                        // the Job exists already (a restart, or a scan sharing the layer): follow it
                    }
                } else {
                    name = null; // another namespace's Job holds the layer: wait for it
                }
            } else if (job == null) {
                name = null; // over the concurrency budget: a later reconcile creates it
            }
            out.add(new ImageScanStatus.Layer(l.digest(), l.size(), false, name, attempt));
        }
        return new Progress(out, missing.size(), created);
    }
}
