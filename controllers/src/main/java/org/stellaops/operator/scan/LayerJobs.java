package org.stellaops.operator.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.stellaops.core.json.Json;
import org.stellaops.core.store.FragmentStore;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.operator.config.StellaConfig;
import org.stellaops.operator.config.Storage;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.storage.Catalog;
import org.stellaops.storage.S3FragmentStore;

/**
 * Worker Jobs for the layers of a scan that the catalog does not have for the current analyzer version: at most one Job
 * per layer at a time (a lease per layer digest and analyzer version in the catalog, held by the Job's name, so scans
 * of every namespace share it), bounded global concurrency, retries as new Jobs up to {@code stella.worker.max-attempts}
 * (attempts older than {@code attempts-cool-down} are forgotten). Jobs run in the worker namespace with their own
 * Secret; the layer is recorded as done only after the fragment the worker uploaded has been checked. Never waits: it
 * creates or observes Jobs and returns. A background sweep deletes the Jobs of deleted scans and releases their leases.
 */
@ApplicationScoped
public class LayerJobs {
    private static final Logger LOG = Logger.getLogger(LayerJobs.class);
    /** A lease whose Job does not exist is released only when it is older than this (the Job may just be being created). */
    static final Duration LEASE_GRACE = Duration.ofSeconds(30);
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);
    @Inject
    KubernetesClient client;
    @Inject
    Storage storage;
    @Inject
    StellaConfig config;
    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    private volatile String namespace;
    private volatile SharedIndexInformer<Pod> pods;
    private ScheduledExecutorService sweeper;

    /** A layer failed more often than allowed: the scan fails with this reason. */
    public static final class LayerFailed extends Exception {
        public LayerFailed(String message) {
            super(message);
        }
    }

    /** The scan's pull credentials (merged Docker config of its pull secrets), looked up only when a Job is created. */
    @FunctionalInterface
    public interface PullCredentials {
        DockerConfig config() throws IOException;
    }

    public record Progress(List<ImageScanStatus.Layer> layers, int pending, List<String> created) {
    }

    /** The namespace worker Jobs run in: configured, else the operator's own, else {@code stella-system}. */
    public String namespace() {
        String ns = namespace;
        if (ns == null) {
            ns = config.worker().namespace().filter(s -> !s.isBlank())
                    .or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE")).filter(s -> !s.isBlank()))
                    .or(() -> Optional.ofNullable(client.getNamespace()).filter(s -> !s.isBlank()))
                    .orElse("stella-system");
            namespace = ns;
        }
        return ns;
    }

    /**
     * @param jobs     a worker Job (of the worker namespace) by name, from the informer cache
     * @param running  worker Jobs running now (from the informer cache)
     */
    public Progress advance(ImageScan scan, ResolvedImage image, List<ImageScanStatus.Layer> previous, PullCredentials pull,
                            Function<String, Job> jobs, long running) throws IOException, LayerFailed {
        Catalog catalog = storage.catalog();
        String version = ScanPipeline.ANALYZERS.version();
        StellaConfig.Worker w = config.worker();
        Set<String> missing = new HashSet<>(catalog.missing(image.layers().stream().map(LayerRef::digest).toList(), version));
        List<ImageScanStatus.Layer> out = new ArrayList<>();
        List<String> created = new ArrayList<>();
        long budget = w.maxConcurrentJobs() - running;
        byte[] dockerConfig = null;
        boolean credentialsKnown = false;
        int pending = 0;
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
            Catalog.Layer state = catalog.layer(l.digest(), version, w.attemptsCoolDown(), now).orElse(null);
            String holder = state != null && state.state() == Catalog.LayerState.running && state.leaseHolder() != null
                    && state.leaseExpiry() != null && state.leaseExpiry().isAfter(now) ? state.leaseHolder() : null;
            if (holder != null) {
                Job job = jobs.apply(holder);
                if (job != null && WorkerJobs.succeeded(job)) {
                    Optional<String> problem = new S3FragmentStore(storage.objects()).problem(l.digest(), l.diffId(), version);
                    if (problem.isEmpty()) {
                        catalog.markDone(l.digest(), version, FragmentStore.key(l.digest()), now);
                        LOG.infof("layer %s analyzed by Job %s", l.digest(), holder);
                        out.add(new ImageScanStatus.Layer(l.digest(), l.size(), false, holder, state.attempts() + 1));
                        continue;
                    }
                    failed(catalog, l, version, holder, problem.get(), now);
                    holder = null;
                } else if (job != null && WorkerJobs.failed(job)) {
                    failed(catalog, l, version, holder, podReason(holder, job), now);
                    holder = null;
                } else if (job != null) {
                    Optional<String> stuck = startFailure(holder, now);
                    if (stuck.isPresent()) {
                        deleteJob(holder);
                        failed(catalog, l, version, holder, stuck.get(), now);
                        holder = null;
                    }
                } else if (gone(holder, state, now)) {
                    // deleted with its scan, by hand or by its TTL, or never created: give the layer to the next Job
                    if (catalog.releaseLease(l.digest(), version, holder, now)) {
                        LOG.infof("layer %s: lease of Job %s released (the Job does not exist)", l.digest(), holder);
                    }
                    holder = null;
                }
                if (holder == null) {
                    state = catalog.layer(l.digest(), version).orElse(null);
                }
            }
            int attempts = state == null ? 0 : state.attempts();
            String name = holder;
            if (holder == null) {
                if (attempts >= w.maxAttempts()) {
                    throw new LayerFailed("layer " + l.digest() + " failed " + attempts + " times"
                            + (state != null && state.error() != null ? ": " + state.error() : ""));
                }
                name = null;
                if (budget > 0) {
                    String candidate = WorkerJobs.name(l.digest(), version, attempts + 1);
                    Duration ttl = Duration.ofSeconds(w.activeDeadlineSeconds()).plus(w.startTimeout()).plusSeconds(120);
                    if (catalog.tryLease(l.digest(), version, candidate, ttl, now)) {
                        if (!credentialsKnown) {
                            dockerConfig = registryAuths(pull.config(), image.name());
                            credentialsKnown = true;
                        }
                        if (create(scan, image, l, attempts + 1, version, dockerConfig, ttl)) {
                            created.add(candidate);
                            budget--;
                        }
                        name = candidate;
                    }
                    // else: another scan took the lease just now; a later reconcile follows its Job
                }
            }
            pending++;
            out.add(new ImageScanStatus.Layer(l.digest(), l.size(), false, name, attempts + 1));
        }
        return new Progress(out, pending, created);
    }

    private void failed(Catalog catalog, LayerRef l, String version, String holder, String reason, Instant now) throws IOException {
        if (catalog.markFailed(l.digest(), version, holder, reason, now)) {
            metrics.counter("stella.worker.jobs.failed").increment();
            LOG.infof("layer %s: Job %s failed (%s), attempt limit %d", l.digest(), holder, reason, config.worker().maxAttempts());
        }
    }

    /** Creates the Job and then its Secret (owned by the Job: it needs the Job's uid); false when the Job existed. */
    private boolean create(ImageScan scan, ResolvedImage image, LayerRef l, int attempt, String version, byte[] dockerConfig,
                           Duration ttl) throws IOException {
        String ns = namespace();
        Job job = WorkerJobs.job(scan, image.name(), l, attempt, ns, version, config);
        Job made;
        boolean fresh = false;
        try {
            made = client.resource(job).create();
            fresh = true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            made = client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).get();
            if (made == null) {
                return false;
            }
            // the Job exists already (a restart, or a scan sharing the layer): make sure its Secret does too
        }
        // the URL outlives the Job's deadline only by the time its pod may take to start
        String url = storage.objects().presignedPut(FragmentStore.key(l.digest()), ttl);
        try {
            client.resource(WorkerJobs.secret(made, url, dockerConfig)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        if (fresh) {
            metrics.counter("stella.worker.jobs.created").increment();
        }
        return fresh;
    }

    /**
     * The {@code auths} entry of the image's registry only (a Job's Secret carries no credentials for anything else),
     * as a Docker config; null when the scan has none for that registry.
     */
    static byte[] registryAuths(DockerConfig merged, String imageName) {
        String registry = ImageRef.parse(imageName).registry();
        Optional<DockerConfig.Credentials> c = merged.lookup(registry);
        if (c.isEmpty()) {
            return null;
        }
        ObjectNode entry = Json.mapper().createObjectNode();
        if (c.get().identityToken() != null) {
            entry.put("identitytoken", c.get().identityToken());
        }
        if (c.get().username() != null) {
            entry.put("auth", Base64.getEncoder().encodeToString((c.get().username() + ":"
                    + (c.get().password() == null ? "" : c.get().password())).getBytes(StandardCharsets.UTF_8)));
        }
        ObjectNode root = Json.mapper().createObjectNode();
        root.putObject("auths").set(registry, entry);
        return Json.write(root);
    }

    /** No Job of that name, confirmed by the API server (the cache may lag a creation), and the lease is not new. */
    private boolean gone(String holder, Catalog.Layer state, Instant now) {
        if (state.leasedAt() != null && state.leasedAt().plus(LEASE_GRACE).isAfter(now)) {
            return false;
        }
        return client.batch().v1().jobs().inNamespace(namespace()).withName(holder).get() == null;
    }

    private List<Pod> podsOf(String job) {
        SharedIndexInformer<Pod> informer = pods();
        if (informer == null) {
            return client.pods().inNamespace(namespace()).withLabel(WorkerJobs.JOB_LABEL, job).list().getItems();
        }
        return informer.getIndexer().byIndex("job", job);
    }

    private String podReason(String job, Job j) {
        for (Pod p : podsOf(job)) {
            Optional<String> r = WorkerJobs.terminationReason(p);
            if (r.isPresent()) {
                return r.get();
            }
        }
        return WorkerJobs.failureReason(j);
    }

    private Optional<String> startFailure(String job, Instant now) {
        for (Pod p : podsOf(job)) {
            Optional<String> r = WorkerJobs.startFailure(p, now, config.worker().startTimeout());
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    private void deleteJob(String name) {
        // background propagation: its pods and its Secret (owned by it) go with it
        client.batch().v1().jobs().inNamespace(namespace()).withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    }

    /** Worker pods of the worker namespace only, indexed by their Job; started on first use. */
    private SharedIndexInformer<Pod> pods() {
        SharedIndexInformer<Pod> p = pods;
        if (p == null) {
            synchronized (this) {
                if (pods == null) {
                    try {
                        SharedIndexInformer<Pod> i = client.pods().inNamespace(namespace()).withLabelSelector(WorkerJobs.SELECTOR)
                                .runnableInformer(0);
                        i.addIndexers(Map.of("job", pod -> pod.getMetadata().getLabels() == null
                                || pod.getMetadata().getLabels().get(WorkerJobs.JOB_LABEL) == null ? List.of()
                                : List.of(pod.getMetadata().getLabels().get(WorkerJobs.JOB_LABEL))));
                        i.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
                        pods = i;
                    } catch (Exception e) {
                        LOG.warnf("worker pod informer not started (%s); pods are listed on demand", e.getMessage());
                        return null;
                    }
                }
                p = pods;
            }
        }
        return p;
    }

    /**
     * The Jobs of deleted scans: a Job whose scan (namespace, name and uid in its annotations) no longer exists is
     * deleted and its lease released, so that a scan of another namespace waiting for the layer starts its own Job at
     * once instead of waiting for the lease to expire.
     */
    void sweep() {
        String ns = namespace();
        for (Job job : client.batch().v1().jobs().inNamespace(ns).withLabelSelector(WorkerJobs.SELECTOR).list().getItems()) {
            if (WorkerJobs.succeeded(job) || WorkerJobs.failed(job) || job.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            Map<String, String> a = job.getMetadata().getAnnotations();
            if (a == null || a.get(WorkerJobs.SCAN_NAME) == null || a.get(WorkerJobs.SCAN_NAMESPACE) == null) {
                continue;
            }
            ImageScan scan = client.resources(ImageScan.class).inNamespace(a.get(WorkerJobs.SCAN_NAMESPACE))
                    .withName(a.get(WorkerJobs.SCAN_NAME)).get();
            if (scan != null && scan.getMetadata().getDeletionTimestamp() == null
                    && String.valueOf(scan.getMetadata().getUid()).equals(a.get(WorkerJobs.SCAN_UID))) {
                continue;
            }
            String name = job.getMetadata().getName();
            deleteJob(name);
            try {
                if (a.get(WorkerJobs.LAYER_DIGEST) != null && a.get(WorkerJobs.ANALYZER_VERSION) != null) {
                    storage.catalog().releaseLease(a.get(WorkerJobs.LAYER_DIGEST), a.get(WorkerJobs.ANALYZER_VERSION), name, Instant.now());
                }
            } catch (IOException e) {
                LOG.warnf("lease of Job %s not released yet: %s", name, e.getMessage());
            }
            LOG.infof("worker Job %s deleted: its ImageScan %s/%s is gone", name, a.get(WorkerJobs.SCAN_NAMESPACE), a.get(WorkerJobs.SCAN_NAME));
        }
    }

    void start(@Observes StartupEvent e) {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stella-worker-sweep");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (RuntimeException ex) {
                LOG.debugf("worker Job sweep: %s", ex.getMessage());
            }
        }, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent e) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (pods != null) {
            pods.stop();
        }
    }
}
