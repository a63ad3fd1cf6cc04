package org.stellaops.webhook;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;
import org.stellaops.admission.AdmissionDecider;
import org.stellaops.admission.Decision;
import org.stellaops.admission.ImageResolver;
import org.stellaops.admission.Ports;
import org.stellaops.admission.Request;
import org.stellaops.admission.TtlCache;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanSpec;
import org.stellaops.scanner.image.Platform;
import org.stellaops.storage.Catalog;
import org.stellaops.storage.ObjectStore;

/** The decider wired to the catalog, object store, registry and API server; performs side effects unless dry-run. */
@ApplicationScoped
public class Decisions {
    private static final Logger LOG = Logger.getLogger(Decisions.class);
    /** ImageScans the webhook creates carry this label (and a stable name per digest: created once). */
    public static final String CREATED_BY = "stella-ops.org/created-by";

    @Inject
    WebhookConfig config;
    @Inject
    KubernetesClient client;
    @Inject
    MeterRegistry meters;

    private Catalog catalog;
    private ObjectStore objects;
    private KubeCluster cluster;
    private ImageResolver resolver;
    private TtlCache<String, Catalog.Verdict> verdictCache;
    private ExecutorService executor;
    private AdmissionDecider decider;

    void start(@Observes StartupEvent e) {
        catalog = new Catalog(config.mongo().uri(), config.mongo().database());
        if (config.s3().endpoint().isPresent()) {
            objects = new ObjectStore(config.s3().endpoint().get(), config.s3().accessKey().orElse(""),
                    config.s3().secretKey().orElse(""), config.s3().bucket());
        }
        cluster = new KubeCluster(client);
        WebhookConfig.Admission a = config.admission();
        resolver = new ImageResolver(new LinkedHashSet<>(config.registry().insecure().orElse(List.of())), config.registry().timeout(),
                Platform.parse(a.platform()), a.tagCacheSize(), a.tagCacheTtl(), Clock.systemUTC());
        verdictCache = new TtlCache<>(a.verdictCacheSize(), a.verdictCacheTtl(), Clock.systemUTC());
        executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "admission-judge");
            t.setDaemon(true);
            return t;
        });
        Ports.Verdicts verdicts = (digest, policyDigest) -> {
            String key = digest + "|" + policyDigest;
            Optional<Catalog.Verdict> hit = verdictCache.get(key);
            if (hit.isPresent()) {
                return hit;
            }
            Optional<Catalog.Verdict> v = catalog.verdict(digest, policyDigest);
            v.ifPresent(x -> verdictCache.put(key, x)); // absent verdicts are not cached: a finished scan shows at once
            return v;
        };
        Ports.Reports reports = objects == null ? null : objects::get;
        decider = new AdmissionDecider(new AdmissionDecider.Settings(a.namespace(),
                new LinkedHashSet<>(a.excludedNamespaces().orElse(List.of())), a.deadline()), cluster, verdicts, reports, resolver,
                null, executor);
        meters.gauge("stella_admission_cache_hits", List.of(io.micrometer.core.instrument.Tag.of("cache", "verdict")), verdictCache,
                c -> c.hits());
        meters.gauge("stella_admission_cache_misses", List.of(io.micrometer.core.instrument.Tag.of("cache", "verdict")), verdictCache,
                c -> c.misses());
        meters.gauge("stella_admission_cache_hits", List.of(io.micrometer.core.instrument.Tag.of("cache", "tag")), resolver.cache(),
                c -> c.hits());
        meters.gauge("stella_admission_cache_misses", List.of(io.micrometer.core.instrument.Tag.of("cache", "tag")), resolver.cache(),
                c -> c.misses());
    }

    void stop(@Observes ShutdownEvent e) {
        if (cluster != null) {
            cluster.close();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    public boolean policiesSynced() {
        return cluster != null && cluster.synced();
    }

    public void pingCatalog() throws IOException {
        catalog.ping();
    }

    /** Decides and, unless the request is a dry run, performs the side effects the decision asks for. */
    public Decision decide(Request r) {
        Decision d = decider.decide(r);
        if (!r.dryRun()) {
            for (Decision.ScanRequest s : d.scans()) {
                createScan(s);
            }
            if (d.breakGlassReason() != null) {
                breakGlassEvent(r, d);
            }
        }
        return d;
    }

    private void createScan(Decision.ScanRequest s) {
        String name = "admission-" + s.digest().substring("sha256:".length(), "sha256:".length() + 16);
        try {
            if (client.resources(ImageScan.class).inNamespace(s.namespace()).withName(name).get() != null) {
                return;
            }
            ImageScan scan = new ImageScan();
            scan.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(s.namespace())
                    .addToLabels(CREATED_BY, "stella-webhook").build());
            ImageScanSpec spec = new ImageScanSpec();
            String repo = s.image().contains("@") ? s.image().substring(0, s.image().indexOf('@')) : s.image();
            int colon = repo.lastIndexOf(':');
            if (colon > repo.lastIndexOf('/')) {
                repo = repo.substring(0, colon);
            }
            spec.image = repo + "@" + s.digest();
            if (s.policyNamespace().equals(s.namespace())) {
                spec.policyRef = s.policyName();
            }
            scan.setSpec(spec);
            client.resource(scan).create();
        } catch (RuntimeException e) {
            LOG.warnf("could not create ImageScan %s/%s for an unknown image: %s", s.namespace(), name, e.getClass().getSimpleName());
        }
    }

    private void breakGlassEvent(Request r, Decision d) {
        try {
            String user = r.userInfo() == null ? "unknown" : r.userInfo().getUsername();
            client.v1().events().inNamespace(r.namespace()).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName("stella-break-glass-").withNamespace(r.namespace()).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withKind(r.kind()).withNamespace(r.namespace())
                            .withName(r.name()).build())
                    .withType("Warning").withReason("BreakGlass").withReportingComponent("stella-webhook")
                    .withMessage("admitted by break-glass for " + user + " under Policy " + d.policy() + ": "
                            + truncate(d.breakGlassReason(), 200))
                    .withFirstTimestamp(Instant.now().toString()).withLastTimestamp(Instant.now().toString()).withCount(1)
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.warnf("could not record the break-glass Event in %s: %s", r.namespace(), e.getClass().getSimpleName());
        }
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
