package org.stellaops.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Ignore;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.operator.config.LeaderElection;
import org.stellaops.operator.scan.ImageScanReconciler;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.storage.testing.S3Server;

/**
 * Two operator instances against one API server (the fabric8 mock server in CRUD mode stores the Lease): the Quarkus
 * application with leader election as in production, and a second {@link Operator} in the same JVM with its own
 * identity. Only the Lease holder reconciles; the other keeps serving the REST API and takes over when the holder stops.
 */
@QuarkusTest
@TestProfile(LeaderElectionIT.WithLeaderElection.class)
@WithKubernetesTestServer(crud = true, setup = LeaderElectionIT.LeaseHeldByReplicaB.class)
@QuarkusTestResource(value = Servers.class, restrictToAnnotatedClass = true)
class LeaderElectionIT {
    static final Duration LONG = Duration.ofMinutes(2);
    static final String OTHER = "replica-b";
    static Kubelet kubelet;

    /** Leader election on, as in production (it is off in the other tests' profile). */
    public static class WithLeaderElection implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // and a free port: other test runs may hold the default one
            return Map.of("quarkus.operator-sdk.activate-leader-election-for-profiles", "prod,test", "quarkus.http.test-port", "0");
        }
    }

    /**
     * Before the application starts: the CRDs; the Lease already held by the other replica (so the application starts
     * as a follower); the API server's answer to the operator SDK's check that it may use Leases.
     */
    public static class LeaseHeldByReplicaB implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            new CrdSetup().accept(server);
            server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews").andReturn(201,
                    new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule().withApiGroups("coordination.k8s.io")
                            .withResources("leases").withVerbs("get", "create", "update").endResourceRule().withIncomplete(false)
                            .endStatus().build()).always();
            KubernetesClient c = server.getClient();
            // renewed "in ten minutes": a candidate judges a lease by its own lease duration from the last renewal, and
            // the application starts some time after this; the other replica renews it for real once it runs
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            c.resource(new LeaseBuilder().withNewMetadata().withName(LeaderElection.LEASE).withNamespace(c.getNamespace()).endMetadata()
                    .withNewSpec().withHolderIdentity(OTHER).withLeaseDurationSeconds(600).withAcquireTime(now)
                    .withRenewTime(now.plusMinutes(10)).withLeaseTransitions(0).endSpec().build()).create();
        }
    }

    /** The second replica's ImageScan reconciler: the application's, counted (not one of the application's own). */
    @Ignore
    @ControllerConfiguration(name = "imagescan")
    static class Counting implements Reconciler<ImageScan> {
        final ImageScanReconciler delegate;
        final AtomicInteger reconciles = new AtomicInteger();

        Counting(ImageScanReconciler delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<EventSource<?, ImageScan>> prepareEventSources(EventSourceContext<ImageScan> ctx) {
            return delegate.prepareEventSources(ctx);
        }

        @Override
        public UpdateControl<ImageScan> reconcile(ImageScan scan, Context<ImageScan> ctx) throws Exception {
            reconciles.incrementAndGet();
            return delegate.reconcile(scan, ctx);
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    MeterRegistry registry;
    @io.quarkus.test.kubernetes.client.KubernetesTestServer
    KubernetesServer server;
    @TestHTTPResource("/")
    java.net.URL root;

    @AfterAll
    static void stopKubelet() {
        if (kubelet != null) {
            kubelet.close();
        }
    }

    /** Reconciliations this application's operator started (the operator SDK's own counter). */
    double applicationReconciles() {
        return registry.find("operator.sdk.reconciliations.started").counters().stream().mapToDouble(Counter::count).sum();
    }

    String holder() {
        Lease l = client.resources(Lease.class).inNamespace(client.getNamespace()).withName(LeaderElection.LEASE).get();
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    ImageScan completed(String ns, String name, String image) {
        ImageScan s = new ImageScan();
        s.getMetadata().setName(name);
        s.getMetadata().setNamespace(ns);
        s.getSpec().image = image;
        client.resource(s).create();
        await().atMost(LONG).ignoreExceptions().pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            ImageScan got = client.resources(ImageScan.class).inNamespace(ns).withName(name).get();
            assertThat(got.getStatus().phase).as(String.valueOf(Json.mapper().valueToTree(got.getStatus())))
                    .isEqualTo(ImageScanStatus.Phase.Completed);
        });
        return client.resources(ImageScan.class).inNamespace(ns).withName(name).get();
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        String r = root.toString();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create((r.endsWith("/") ? r.substring(0, r.length() - 1) : r) + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheLeaseHolderReconcilesTheFollowerServesTheApiAndTakesOverWhenTheHolderStops() throws Exception {
        String ns = "ha";
        kubelet = new Kubelet(client, Servers.WORKER_NAMESPACE);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata()
                .build()).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("stella-storage").endMetadata()
                .addToData("STELLA_S3_ACCESS_KEY", b64(S3Server.ACCESS_KEY)).addToData("STELLA_S3_SECRET_KEY", b64(S3Server.SECRET_KEY))
                .addToData("STELLA_MONGO_URI", b64(Servers.mongo.uri())).build()).create();
        String base = Servers.registry.push(Fixtures.image("minbase"), "1", "shop/base", "1");

        // the other replica holds the Lease: it reconciles, the application does not
        Counting counting = new Counting(Arc.container().instance(ImageScanReconciler.class).get());
        Operator other = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withLeaderElectionConfiguration(new LeaderElectionConfiguration(LeaderElection.LEASE, client.getNamespace(),
                        Duration.ofSeconds(5), Duration.ofSeconds(4), Duration.ofSeconds(1), OTHER, null, false)));
        other.register(counting);
        other.start();
        try {
            completed(ns, "first", base);
            assertThat(counting.reconciles.get()).isPositive();
            assertThat(applicationReconciles()).as("the follower reconciled").isZero();
            assertThat(holder()).isEqualTo(OTHER);

            // the follower serves the API and is ready
            assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
            server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReturn(201, new TokenReviewBuilder()
                    .withNewStatus().withAuthenticated(true).withNewUser().withUsername("reader").endUser().endStatus().build()).always();
            server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReturn(201,
                    new SubjectAccessReviewBuilder().withNewStatus().withAllowed(true).endStatus().build()).always();
            HttpResponse<String> scan = get("/api/v1/namespaces/ha/scans/first", "token");
            assertThat(scan.statusCode()).as(scan.body()).isEqualTo(200);
            assertThat(Json.mapper().readTree(scan.body()).path("status").path("phase").asText()).isEqualTo("Completed");
        } finally {
            other.stop();
        }

        // the holder stops renewing: the application takes the Lease over and reconciles; the stopped one does not
        int stoppedAt = counting.reconciles.get();
        await().atMost(LONG).untilAsserted(() -> assertThat(holder()).isNotEqualTo(OTHER).isNotBlank());
        completed(ns, "second", base);
        assertThat(applicationReconciles()).isPositive();
        assertThat(counting.reconciles.get()).isEqualTo(stoppedAt);
    }
}
