package org.stellaops.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.AdvisoryFeedSpec;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.SourceRef;
import org.stellaops.crds.v1alpha1.VexSource;
import org.stellaops.operator.attest.AttestationReconciler;
import org.stellaops.operator.scan.ImageScanReconciler;
import org.stellaops.operator.scan.ScanSteps;
import org.stellaops.operator.scan.WorkerJobs;
import org.stellaops.operator.sources.AdvisoryFeedReconciler;
import org.stellaops.operator.sources.PolicyReconciler;
import org.stellaops.operator.sources.VexSourceReconciler;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.storage.testing.S3Server;

/**
 * The life of a scan beyond the happy path, against the same servers as {@link OperatorIT}, with one reconcile thread
 * (so a reconcile that blocks would hold every other scan): a stalled registry, scans started together that share
 * layers, a waiver that expires, a permanent failure that stays final, a storage outage that is over, the API's
 * authentication and authorization answers.
 */
@QuarkusTest
@TestProfile(ScanLifecycleIT.OneReconcileThread.class)
@WithKubernetesTestServer(crud = true, setup = CrdSetup.class)
@QuarkusTestResource(value = Servers.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScanLifecycleIT {
    static final Duration LONG = Duration.ofMinutes(2);
    static Kubelet kubelet;
    static Path data;
    static String app;
    static String base;

    /** One reconcile thread: a reconcile that waits on a registry would hold up every other scan. */
    public static class OneReconcileThread implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // a free port: other test runs may hold the default one
            return Map.of("quarkus.operator-sdk.concurrent-reconciliation-threads", "1", "quarkus.http.test-port", "0");
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    ScanSteps steps;
    @KubernetesTestServer
    KubernetesServer server;
    @TestHTTPResource("/")
    java.net.URL root;

    @BeforeAll
    static void images() throws Exception {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/SOURCES.md"))) {
                data = d.resolve("shared/data");
            }
        }
        app = Servers.registry.push(Fixtures.image("debian-app"), "1", "shop/app", "1");
        base = Servers.registry.push(Fixtures.image("minbase"), "1", "shop/base", "1");
    }

    @AfterAll
    static void stopKubelet() {
        if (kubelet != null) {
            kubelet.close();
        }
    }

    void namespace(String ns) {
        if (kubelet == null) {
            kubelet = new Kubelet(client, Servers.WORKER_NAMESPACE);
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).createOr(c -> c.update());
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata()
                .build()).createOr(c -> c.update());
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("stella-storage").endMetadata()
                .addToData("STELLA_S3_ACCESS_KEY", b64(S3Server.ACCESS_KEY)).addToData("STELLA_S3_SECRET_KEY", b64(S3Server.SECRET_KEY))
                .addToData("STELLA_MONGO_URI", b64(Servers.mongo.uri())).build()).createOr(c -> c.update());
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    ImageScan scan(String ns, String name, String image) {
        ImageScan s = new ImageScan();
        s.getMetadata().setName(name);
        s.getMetadata().setNamespace(ns);
        s.getSpec().image = image;
        return client.resource(s).create();
    }

    ImageScan get(String ns, String name) {
        return client.resources(ImageScan.class).inNamespace(ns).withName(name).get();
    }

    ImageScan phase(String ns, String name, ImageScanStatus.Phase phase) {
        await().atMost(LONG).ignoreExceptions().pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            ImageScan s = get(ns, name);
            assertThat(s.getStatus()).as(ns + "/" + name).isNotNull();
            assertThat(s.getStatus().phase).as(String.valueOf(Json.mapper().valueToTree(s.getStatus()))).isEqualTo(phase);
        });
        return get(ns, name);
    }

    /** Worker Jobs in every namespace by the layer digest they analyze (their annotation), not by name or namespace. */
    Map<String, List<String>> workerJobsByLayer() {
        return client.batch().v1().jobs().inAnyNamespace().withLabelSelector(WorkerJobs.COMPONENT + "=worker").list().getItems().stream()
                .collect(Collectors.groupingBy(j -> j.getMetadata().getAnnotations().get(WorkerJobs.LAYER_DIGEST),
                        Collectors.mapping(j -> j.getMetadata().getNamespace() + "/" + j.getMetadata().getName(), Collectors.toList())));
    }

    long warnings(String ns, String name, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).count();
    }

    @Test
    @Order(1)
    void twoScansStartedTogetherThatShareLayersGetOneJobPerLayer() {
        namespace("team-a");
        namespace("team-b");
        kubelet.paused = true; // both scans reach their Jobs before any layer is done
        try {
            scan("team-a", "app", app);
            scan("team-b", "app", app);
            await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
                for (String ns : List.of("team-a", "team-b")) {
                    assertThat(get(ns, "app").getStatus().phase).isEqualTo(ImageScanStatus.Phase.Analyzing);
                }
                assertThat(workerJobsByLayer()).hasSize(4);
            });
        } finally {
            kubelet.paused = false;
        }
        ImageScan a = phase("team-a", "app", ImageScanStatus.Phase.Completed);
        ImageScan b = phase("team-b", "app", ImageScanStatus.Phase.Completed);
        assertThat(b.getStatus().imageDigest).isEqualTo(a.getStatus().imageDigest);
        Map<String, List<String>> jobs = workerJobsByLayer();
        assertThat(jobs.keySet()).containsExactlyInAnyOrderElementsOf(a.getStatus().layers.stream().map(l -> l.digest).toList());
        assertThat(jobs).allSatisfy((layer, names) -> assertThat(names).as(layer).hasSize(1));
    }

    @Test
    @Order(2)
    void aStalledRegistryHoldsNoReconcileAndAnotherScanCompletesMeanwhile() throws Exception {
        String ns = "stalled";
        namespace(ns);
        // a "registry" that accepts connections and never answers
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket stall = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!stall.isClosed()) {
                    try {
                        held.add(stall.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "stalled-registry");
            acceptor.setDaemon(true);
            acceptor.start();
            Instant created = Instant.now();
            scan(ns, "stalled", "127.0.0.1:" + stall.getLocalPort() + "/shop/app:1");
            // the reconcile returned (its status is written) while the registry has not answered
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions().pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(held).isNotEmpty();
                assertThat(get(ns, "stalled").getStatus().phase).isEqualTo(ImageScanStatus.Phase.Resolving);
            });
            assertThat(Duration.between(created, Instant.now())).isLessThan(Duration.ofSeconds(10));
            // with one reconcile thread, another scan runs to the end while the first one still waits for the registry
            ImageScan other = scan(ns, "other", base);
            ImageScan done = phase(ns, other.getMetadata().getName(), ImageScanStatus.Phase.Completed);
            assertThat(done.getStatus().verdict).isNotNull();
            ImageScan stalled = get(ns, "stalled");
            assertThat(stalled.getStatus().phase).isEqualTo(ImageScanStatus.Phase.Resolving);
            assertThat(Conditions.reason(stalled.getStatus().conditions, "Ready")).isEqualTo("Resolving");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    @Order(3)
    void aWaiverPassesUntilItsDayAndTheDayAfterTheScanReevaluatesToFailWithoutJobs() throws Exception {
        String ns = "waivers";
        namespace(ns);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate until = today.plusDays(1);
        Policy policy = Serialization.unmarshal("""
                apiVersion: stella-ops.org/v1alpha1
                kind: Policy
                metadata: {name: waiver, namespace: waivers}
                spec:
                  version: "1.0"
                  # only the Maven advisory is loaded: the image's other ecosystems are accepted gaps here
                  coverage: {uncovered: warn, allow: ["*"]}
                  rules:
                    - name: Critical waived while the fix rolls out
                      severity: [Critical]
                      action: {type: ignore, justification: "rollout", until: "%s"}
                    - name: Block critical
                      severity: [Critical]
                      action: block
                """.formatted(until), Policy.class);
        client.resource(policy).create();
        AdvisoryFeed feed = new AdvisoryFeed();
        feed.getMetadata().setName("log4j");
        feed.getMetadata().setNamespace(ns);
        feed.setSpec(new AdvisoryFeedSpec());
        feed.getSpec().type = AdvisoryFeedSpec.Type.osv;
        feed.getSpec().source = new SourceRef();
        feed.getSpec().source.inline = Files.readString(data.resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json"));
        client.resource(feed).create();
        ImageScan s = new ImageScan();
        s.getMetadata().setName("app");
        s.getMetadata().setNamespace(ns);
        s.getSpec().image = app;
        s.getSpec().policyRef = "waiver";
        client.resource(s).create();
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            ImageScan c = get(ns, "app");
            assertThat(c.getStatus().phase).isEqualTo(ImageScanStatus.Phase.Completed);
            assertThat(c.getStatus().inputs.advisoryRevision).isNotNull();
            assertThat(c.getStatus().summary.waived).as("Log4Shell is waived").isPositive();
        });
        ImageScan passing = get(ns, "app");
        assertThat(passing.getStatus().verdict).isEqualTo("pass");
        assertThat(passing.getStatus().inputs.asOf).isEqualTo(today.toString());
        int jobs = workerJobsByLayer().values().stream().mapToInt(List::size).sum();

        // the same day, an hour later: nothing to do, and the scan looks again when the waiver's day is over
        Instant later = Instant.now().plus(Duration.ofHours(1)).isBefore(until.atStartOfDay(ZoneOffset.UTC).toInstant())
                ? Instant.now().plus(Duration.ofHours(1)) : Instant.now();
        ScanSteps.Outcome same = steps.advance(passing, new ApiView(client), later);
        assertThat(same.status().verdict).isEqualTo("pass");
        assertThat(same.status().inputs).isEqualTo(passing.getStatus().inputs);
        assertThat(same.requeue()).isEqualTo(Duration.between(later, until.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));

        // the clock moves past the waiver's day: re-evaluated from the stored SBOM, fail, no Job
        Instant after = until.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofMinutes(30));
        ScanSteps.Outcome[] o = new ScanSteps.Outcome[1];
        await().atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() -> {
            o[0] = steps.advance(get(ns, "app"), new ApiView(client), after);
            return until.plusDays(1).toString().equals(o[0].status().inputs.asOf);
        });
        assertThat(o[0].status().phase).isEqualTo(ImageScanStatus.Phase.Completed);
        assertThat(o[0].status().verdict).isEqualTo("fail");
        assertThat(o[0].event()).isEqualTo("Reevaluated");
        assertThat(o[0].requeue()).as("no waiver left to expire").isNull();
        assertThat(workerJobsByLayer().values().stream().mapToInt(List::size).sum()).isEqualTo(jobs);
    }

    @Test
    @Order(4)
    void storageBackClearsTheStorageMessageWhileTheScanGoesOn() throws Exception {
        String ns = "outage";
        namespace(ns);
        String zstd = Servers.registry.push(Fixtures.image("debian-app-zstd"), "zstd", "shop/zstd", "1");
        int port = Servers.mongo.port();
        kubelet.paused = true;
        try {
            Servers.stopMongo();
            try {
                scan(ns, "zstd", zstd);
                await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
                    ImageScan s = get(ns, "zstd");
                    assertThat(Conditions.reason(s.getStatus().conditions, "Ready")).isEqualTo("StorageUnavailable");
                    assertThat(s.getStatus().message).isEqualTo("storage unavailable; retrying");
                });
            } finally {
                Servers.startMongo(port);
            }
            // storage is back; the layers are still being analyzed (the kubelet is paused): no stale storage message
            await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
                ImageScan s = get(ns, "zstd");
                assertThat(s.getStatus().phase).isEqualTo(ImageScanStatus.Phase.Analyzing);
                assertThat(Conditions.reason(s.getStatus().conditions, "Ready")).isEqualTo("Analyzing");
                assertThat(s.getStatus().message).isNull();
            });
        } finally {
            kubelet.paused = false;
        }
        phase(ns, "zstd", ImageScanStatus.Phase.Completed);
    }

    String url(String path) {
        String r = root.toString();
        return (r.endsWith("/") ? r.substring(0, r.length() - 1) : r) + path;
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + token);
        b = body == null ? b.GET() : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(5)
    void theApiRefusesARejectedTokenAndADeniedReviewAndAsksForTheRightAccess() throws Exception {
        // the API server: the token "alice-token" is alice's, every other token is rejected; alice may get imagescans
        // in team-a only, and may not list them cluster-wide
        List<JsonNode> tokenReviews = new CopyOnWriteArrayList<>();
        List<JsonNode> accessReviews = new CopyOnWriteArrayList<>();
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, req -> {
            JsonNode review = read(req.getUtf8Body());
            tokenReviews.add(review);
            boolean alice = "alice-token".equals(review.path("spec").path("token").asText());
            var b = new TokenReviewBuilder().withNewSpec().withToken(review.path("spec").path("token").asText()).endSpec();
            return alice ? b.withNewStatus().withAuthenticated(true).withNewUser().withUsername("alice").withUid("alice-uid")
                    .withGroups("team-a-readers").endUser().endStatus().build()
                    : b.withNewStatus().withAuthenticated(false).withError("token expired").endStatus().build();
        }).always();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, req -> {
            JsonNode review = read(req.getUtf8Body());
            accessReviews.add(review);
            JsonNode ra = review.path("spec").path("resourceAttributes");
            boolean allowed = "alice".equals(review.path("spec").path("user").asText()) && "get".equals(ra.path("verb").asText())
                    && "team-a".equals(ra.path("namespace").asText());
            return new SubjectAccessReviewBuilder().withNewStatus().withAllowed(allowed).endStatus().build();
        }).always();

        HttpResponse<String> rejected = call("GET", "/api/v1/namespaces/team-a/scans/app", "stolen-token", null);
        assertThat(rejected.statusCode()).isEqualTo(401);
        assertThat(rejected.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(rejected.body()).doesNotContain("stolen-token");
        assertThat(tokenReviews).anySatisfy(r -> assertThat(r.path("spec").path("token").asText()).isEqualTo("stolen-token"));
        assertThat(accessReviews).as("no access review for a rejected token").isEmpty();

        HttpResponse<String> allowed = call("GET", "/api/v1/namespaces/team-a/scans/app", "alice-token", null);
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(accessReviews).singleElement().satisfies(r -> {
            assertThat(r.path("spec").path("user").asText()).isEqualTo("alice");
            assertThat(r.path("spec").path("uid").asText()).isEqualTo("alice-uid");
            assertThat(r.path("spec").path("groups").toString()).contains("team-a-readers");
            JsonNode ra = r.path("spec").path("resourceAttributes");
            assertThat(ra.path("group").asText()).isEqualTo("stella-ops.org");
            assertThat(ra.path("resource").asText()).isEqualTo("imagescans");
            assertThat(ra.path("verb").asText()).isEqualTo("get");
            assertThat(ra.path("namespace").asText()).isEqualTo("team-a");
        });

        for (String path : List.of("/api/v1/namespaces/team-b/scans/app", "/api/v1/namespaces/team-b/scans/app/report")) {
            HttpResponse<String> denied = call("GET", path, "alice-token", null);
            assertThat(denied.statusCode()).as(path).isEqualTo(403);
            assertThat(denied.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        assertThat(accessReviews.get(accessReviews.size() - 1).path("spec").path("resourceAttributes").path("namespace").asText())
                .isEqualTo("team-b");

        HttpResponse<String> clusterWide = call("POST", "/api/v1/layers/missing", "alice-token",
                "{\"digests\":[\"sha256:" + "0".repeat(64) + "\"]}");
        assertThat(clusterWide.statusCode()).isEqualTo(403);
        JsonNode list = accessReviews.get(accessReviews.size() - 1).path("spec").path("resourceAttributes");
        assertThat(list.path("verb").asText()).isEqualTo("list");
        assertThat(list.path("resource").asText()).isEqualTo("imagescans");
        assertThat(list.path("namespace").asText("")).isEmpty();
    }

    static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(20)
    void aPermanentFailureIsFinalForItsSpecAcrossSourceChangesAndRestarts() throws Exception {
        String ns = "gone";
        namespace(ns);
        // a registry that has no such image, counting how often it is asked
        AtomicInteger asked = new AtomicInteger();
        HttpServer registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        registry.createContext("/v2/", ex -> {
            boolean manifest = ex.getRequestURI().getPath().contains("/manifests/");
            if (manifest) {
                asked.incrementAndGet();
            }
            byte[] body = (manifest ? "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}" : "{}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
            ex.sendResponseHeaders(manifest ? 404 : 200, "HEAD".equals(ex.getRequestMethod()) ? -1 : body.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        registry.start();
        try {
            finalFailure(ns, "127.0.0.1:" + registry.getAddress().getPort() + "/shop/nothing:1", asked);
        } finally {
            registry.stop(0);
        }
    }

    void finalFailure(String ns, String image, AtomicInteger asked) throws Exception {
        phase(ns, scan(ns, "missing", image).getMetadata().getName(), ImageScanStatus.Phase.Failed);
        int resolutions = asked.get();
        assertThat(resolutions).isPositive();
        ImageScan failed = get(ns, "missing");
        assertThat(Conditions.reason(failed.getStatus().conditions, "Resolved")).isEqualTo("ImageNotFound");
        await().atMost(LONG).untilAsserted(() -> assertThat(warnings(ns, "missing", "ImageNotFound")).isEqualTo(1));

        // a feed of the namespace changes: every scan of the namespace is woken, the failed one stays as it is
        AdvisoryFeed feed = new AdvisoryFeed();
        feed.getMetadata().setName("log4j");
        feed.getMetadata().setNamespace(ns);
        feed.setSpec(new AdvisoryFeedSpec());
        feed.getSpec().type = AdvisoryFeedSpec.Type.osv;
        feed.getSpec().source = new SourceRef();
        feed.getSpec().source.inline = Files.readString(data.resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json"));
        client.resource(feed).create();
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> assertThat(Conditions.isTrue(
                client.resources(AdvisoryFeed.class).inNamespace(ns).withName("log4j").get().getStatus().conditions, "Ready")).isTrue());
        // a scan woken by the feed in the meantime completes: the failed one had its turn too
        phase(ns, scan(ns, "witness", base).getMetadata().getName(), ImageScanStatus.Phase.Completed);
        assertThat(asked).as("resolved again").hasValue(resolutions);
        assertThat(warnings(ns, "missing", "ImageNotFound")).isEqualTo(1);
        assertThat(get(ns, "missing").getStatus()).isEqualTo(failed.getStatus());

        // a restart: new informers, every scan reconciled once more
        Operator running = Arc.container().instance(Operator.class).get();
        running.stop();
        Operator restarted = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        restarted.register(Arc.container().instance(ImageScanReconciler.class).get());
        restarted.register(Arc.container().instance(PolicyReconciler.class).get());
        restarted.register(Arc.container().instance(AdvisoryFeedReconciler.class).get());
        restarted.register(Arc.container().instance(VexSourceReconciler.class).get());
        restarted.register(Arc.container().instance(AttestationReconciler.class).get());
        restarted.start();
        try {
            phase(ns, scan(ns, "witness-after-restart", base).getMetadata().getName(), ImageScanStatus.Phase.Completed);
            assertThat(asked).as("resolved again after a restart").hasValue(resolutions);
            assertThat(warnings(ns, "missing", "ImageNotFound")).isEqualTo(1);
            assertThat(get(ns, "missing").getStatus()).isEqualTo(failed.getStatus());

            // a new spec (generation) is tried again
            ImageScan edited = get(ns, "missing");
            edited.getSpec().image = base;
            edited.getMetadata().setResourceVersion(null);
            client.resource(edited).update();
            ImageScan retried = phase(ns, "missing", ImageScanStatus.Phase.Completed);
            assertThat(retried.getStatus().observedGeneration).isEqualTo(retried.getMetadata().getGeneration())
                    .isGreaterThan(failed.getStatus().observedGeneration);
        } finally {
            restarted.stop();
        }
    }

    /** What a scan step sees, read from the API server (the test's clock is not the reconciler's). */
    record ApiView(KubernetesClient client) implements ScanSteps.View {
        @Override
        public Job job(String ns, String name) {
            return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
        }

        @Override
        public long runningJobs() {
            return client.batch().v1().jobs().inAnyNamespace().withLabelSelector(WorkerJobs.SELECTOR).list().getItems().stream()
                    .filter(j -> !WorkerJobs.succeeded(j) && !WorkerJobs.failed(j)).count();
        }

        @Override
        public Policy policy(String ns, String name) {
            return client.resources(Policy.class).inNamespace(ns).withName(name).get();
        }

        @Override
        public List<AdvisoryFeed> feeds(String ns) {
            return new ArrayList<>(client.resources(AdvisoryFeed.class).inNamespace(ns).list().getItems());
        }

        @Override
        public List<VexSource> vex(String ns) {
            return new ArrayList<>(client.resources(VexSource.class).inNamespace(ns).list().getItems());
        }

        @Override
        public List<Attestation> attestations(String ns, String scan) {
            return client.resources(Attestation.class).inNamespace(ns).list().getItems().stream()
                    .filter(a -> scan.equals(a.getSpec().subject.imageScanRef)).toList();
        }
    }
}
