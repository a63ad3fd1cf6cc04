package org.stellaops.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.advisories.OfflineKit;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.VexSource;
import org.stellaops.operator.attest.AttestationReconciler;
import org.stellaops.operator.scan.ImageScanReconciler;
import org.stellaops.operator.scan.WorkerJobs;
import org.stellaops.operator.sources.AdvisoryFeedReconciler;
import org.stellaops.operator.sources.PolicyReconciler;
import org.stellaops.operator.sources.VexSourceReconciler;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.storage.ObjectStore;
import org.stellaops.storage.testing.S3Server;

/**
 * The operator end to end against the fabric8 mock API server in CRUD mode, with real storage (S3Proxy, FerretDB) and a
 * real registry. No kubelet runs: {@link Kubelet} runs the real worker main for each Job the operator creates.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = CrdSetup.class)
@QuarkusTestResource(value = Servers.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorIT {
    static final Duration LONG = Duration.ofMinutes(2);
    static Kubelet kubelet;
    static Path data;
    static String app;
    static String base;

    @Inject
    KubernetesClient client;
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
        Servers.authRegistry.push(Fixtures.image("minbase"), "1", "private/base", "1");
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
        // no storage credentials in a scanned namespace: workers run in the worker namespace with their own Secret only
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).createOr(c -> c.update());
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata()
                .build()).createOr(c -> c.update());
    }

    /** The worker Jobs asked for by scans of a namespace (they all run in the worker namespace). */
    List<io.fabric8.kubernetes.api.model.batch.v1.Job> workerJobs(String scanNamespace) {
        return client.batch().v1().jobs().inNamespace(Servers.WORKER_NAMESPACE).withLabel(WorkerJobs.SCAN_NAMESPACE, scanNamespace)
                .list().getItems();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** An example from examples/, with the registry host of the local registry. */
    <T extends io.fabric8.kubernetes.api.model.HasMetadata> T example(String file, Class<T> type, String ns) throws IOException {
        String yaml = Files.readString(Path.of("../examples", file)).replace("registry.example.com", Servers.registry.host());
        T r = Serialization.unmarshal(yaml, type);
        r.getMetadata().setNamespace(ns);
        return client.resource(r).create();
    }

    ImageScan scan(String ns, String name, String image) {
        ImageScan s = new ImageScan();
        s.getMetadata().setName(name);
        s.getMetadata().setNamespace(ns);
        s.getSpec().image = image;
        return client.resource(s).create();
    }

    ImageScan completed(String ns, String name) {
        await().atMost(LONG).ignoreExceptions().pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            ImageScan s = client.resources(ImageScan.class).inNamespace(ns).withName(name).get();
            assertThat(s.getStatus()).as(ns + "/" + name).isNotNull();
            assertThat(s.getStatus().phase).as(String.valueOf(Json.mapper().valueToTree(s.getStatus())))
                    .isEqualTo(ImageScanStatus.Phase.Completed);
        });
        return client.resources(ImageScan.class).inNamespace(ns).withName(name).get();
    }

    ImageScan phase(String ns, String name, ImageScanStatus.Phase phase) {
        await().atMost(LONG).ignoreExceptions().pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            ImageScan s = client.resources(ImageScan.class).inNamespace(ns).withName(name).get();
            assertThat(s.getStatus()).isNotNull();
            assertThat(s.getStatus().phase).as(String.valueOf(Json.mapper().valueToTree(s.getStatus()))).isEqualTo(phase);
        });
        return client.resources(ImageScan.class).inNamespace(ns).withName(name).get();
    }

    static List<String> layerDigests(ImageScan s) {
        return s.getStatus().layers.stream().map(l -> l.digest).toList();
    }

    @Test
    @Order(1)
    void examplesReachReadyAndCompletedAndSharedLayersAreAnalyzedOnce() throws Exception {
        String ns = "shop";
        namespace(ns);
        // the base image first: one layer, one Job
        ImageScan baseScan = completed(ns, scan(ns, "base", base).getMetadata().getName());
        assertThat(baseScan.getStatus().layers).singleElement().satisfies(l -> {
            assertThat(l.cached).isFalse();
            assertThat(l.jobName).isNotNull();
        });
        String baseLayer = baseScan.getStatus().layers.get(0).digest;
        assertThat(kubelet.jobsFor(baseLayer)).hasSize(1);

        // what the examples name: documents in ConfigMaps, a signing key in a Secret
        Map<String, String> osv = new HashMap<>();
        try (Stream<Path> files = Files.list(data.resolve("osv/maven"))) {
            for (Path f : files.toList()) {
                osv.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("osv-maven")
                .addToLabels("stella-ops.org/source", "true").endMetadata()
                .withData(osv).build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("vendor-vex")
                .addToLabels("stella-ops.org/source", "true").endMetadata()
                .addToData("document1.vex.json", Files.readString(data.resolve("vex/openvex/vexctl-examples/document1.vex.json")))
                .build()).create();
        Path key = Servers.dir.resolve("signing.pem");
        Process p = new ProcessBuilder("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString()).start();
        assertThat(p.waitFor()).isZero();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("stella-signing-key").endMetadata()
                .addToData("key.pem", Base64.getEncoder().encodeToString(Files.readAllBytes(key))).build()).create();

        example("policy.yaml", Policy.class, ns);
        example("advisoryfeed.yaml", AdvisoryFeed.class, ns);
        example("vexsource.yaml", VexSource.class, ns);
        ImageScan example = Serialization.unmarshal(Files.readString(Path.of("../examples/imagescan.yaml"))
                .replace("registry.example.com", Servers.registry.host()), ImageScan.class);
        example.getMetadata().setNamespace(ns);
        example.getSpec().attest = true; // as examples/attestation/ says
        client.resource(example).create();
        example("attestation/attestation.yaml", Attestation.class, ns);

        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            Policy pol = client.resources(Policy.class).inNamespace(ns).withName("shop-policy").get();
            assertThat(Conditions.isTrue(pol.getStatus().conditions, "Valid")).isTrue();
            assertThat(pol.getStatus().digest).startsWith("sha256:");
            AdvisoryFeed feed = client.resources(AdvisoryFeed.class).inNamespace(ns).withName("osv-maven").get();
            assertThat(Conditions.isTrue(feed.getStatus().conditions, "Ready")).isTrue();
            assertThat(feed.getStatus().advisories).isEqualTo(osv.size());
            VexSource vex = client.resources(VexSource.class).inNamespace(ns).withName("vendor-vex").get();
            assertThat(Conditions.isTrue(vex.getStatus().conditions, "Ready")).isTrue();
            assertThat(vex.getStatus().statements).isPositive();
        });
        ImageScan shop = completed(ns, "shop-app");
        // log4j-core 2.14.1 in the image: Log4Shell is critical and fixed → the example policy blocks it
        assertThat(shop.getStatus().verdict).isEqualTo("fail");
        assertThat(shop.getStatus().summary.critical).isPositive();
        assertThat(shop.getStatus().policyDigest).isEqualTo(client.resources(Policy.class).inNamespace(ns).withName("shop-policy").get()
                .getStatus().digest);
        assertThat(shop.getStatus().sbom.keys).containsKeys("cyclonedx-json", "spdx-json", "cyclonedx-protobuf",
                "usage:cyclonedx-json", "usage:spdx-json", "usage:cyclonedx-protobuf");
        // the shared base layer was not analyzed again: Jobs only for the three new layers
        assertThat(shop.getStatus().layers).hasSize(4);
        assertThat(shop.getStatus().layers).filteredOn(l -> l.digest.equals(baseLayer)).singleElement()
                .satisfies(l -> assertThat(l.cached).isTrue());
        for (String d : layerDigests(shop)) {
            assertThat(kubelet.jobsFor(d)).as(d).hasSize(1);
        }
        assertThat(workerJobs(ns)).hasSize(4);
        // tenant isolation: no Job, pod or worker Secret in the scan's namespace; each Job has its own Secret (owned by it)
        // with only the pre-signed URL of its fragment key (an anonymous registry: no pull credentials), nothing in its spec
        assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.secrets().inNamespace(ns).list().getItems()).extracting(x -> x.getMetadata().getName())
                .contains("stella-signing-key").noneMatch(n -> n.startsWith("stella-layer-") || n.equals("stella-storage"));
        for (var job : workerJobs(ns)) {
            var secret = client.secrets().inNamespace(Servers.WORKER_NAMESPACE).withName(job.getMetadata().getName()).get();
            assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid()));
            assertThat(secret.getData()).containsOnlyKeys("upload-url");
            String url = new String(Base64.getDecoder().decode(secret.getData().get("upload-url")), StandardCharsets.UTF_8);
            assertThat(url).contains("/layers/sha256%3A" + job.getMetadata().getAnnotations().get(WorkerJobs.LAYER_DIGEST).substring(7) + "/fragment.json.zst?")
                    .contains("X-Amz-Signature=").doesNotContain(S3Server.SECRET_KEY);
            assertThat(Serialization.asJson(job)).doesNotContain("X-Amz").doesNotContain(S3Server.SECRET_KEY)
                    .doesNotContain(Servers.mongo.uri());
        }
        // Events on phase changes
        assertThat(client.v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
            assertThat(e.getInvolvedObject().getName()).isEqualTo("shop-app");
            assertThat(e.getReason()).isEqualTo("Completed");
        });
        // the Attestation: SBOM and report signed, stored, attached, verified
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            Attestation att = client.resources(Attestation.class).inNamespace(ns).withName("shop-app").get();
            assertThat(att.getStatus()).isNotNull();
            assertThat(Conditions.isTrue(att.getStatus().conditions, "Ready")).as(String.valueOf(Json.mapper().valueToTree(att.getStatus())))
                    .isTrue();
            assertThat(att.getStatus().verified).as(String.valueOf(Json.mapper().valueToTree(att.getStatus()))).isTrue();
            assertThat(att.getStatus().envelopes).hasSize(2).allSatisfy(e -> assertThat(e.referrer).startsWith("sha256:"));
            assertThat(att.getStatus().imageDigest).isEqualTo(shop.getStatus().imageDigest);
            // spec.attest: the scan is Ready once its outputs are attested
            ImageScan attested = client.resources(ImageScan.class).inNamespace(ns).withName("shop-app").get();
            String both = Json.mapper().valueToTree(attested.getStatus()) + " / " + Json.mapper().valueToTree(att.getStatus());
            assertThat(Conditions.isTrue(attested.getStatus().conditions, "Attested")).as(both).isTrue();
            assertThat(Conditions.isTrue(attested.getStatus().conditions, "Ready")).as(both).isTrue();
        });
    }

    @Test
    @Order(2)
    void aPolicyChangeReevaluatesFromTheStoredSbomWithoutJobs() {
        String ns = "shop";
        ImageScan before = completed(ns, "shop-app");
        int jobsBefore = kubelet.ran.size();
        System.out.println("jobs before the policy change: " + kubelet.ran);
        Policy pol = client.resources(Policy.class).inNamespace(ns).withName("shop-policy").get();
        pol.getSpec().rules = new ArrayList<>(pol.getSpec().rules);
        pol.getSpec().rules.set(1, Json.mapper().createObjectNode().put("name", "Critical with a fix warns")
                .put("action", "warn").set("severity", Json.mapper().createArrayNode().add("Critical")));
        pol.getMetadata().setResourceVersion(null);
        pol.setStatus(null);
        client.resource(pol).update();
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            ImageScan s = client.resources(ImageScan.class).inNamespace(ns).withName("shop-app").get();
            assertThat(s.getStatus().inputs.policyRevision).isNotEqualTo(before.getStatus().inputs.policyRevision);
            assertThat(s.getStatus().verdict).isEqualTo("warn");
            assertThat(s.getStatus().report.sha256).isNotEqualTo(before.getStatus().report.sha256);
        });
        assertThat(kubelet.ran).hasSize(jobsBefore);
        assertThat(client.v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Reevaluated"));
        // a VexSource change (its trust) re-evaluates too, again without Jobs
        ImageScan afterPolicy = completed(ns, "shop-app");
        VexSource vex = client.resources(VexSource.class).inNamespace(ns).withName("vendor-vex").get();
        vex.getSpec().trust = 0.6;
        vex.getMetadata().setResourceVersion(null);
        client.resource(vex).update();
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            ImageScan s = client.resources(ImageScan.class).inNamespace(ns).withName("shop-app").get();
            assertThat(s.getStatus().inputs.vexRevision).isNotEqualTo(afterPolicy.getStatus().inputs.vexRevision);
        });
        assertThat(kubelet.ran).hasSize(jobsBefore);
    }

    @Test
    @Order(3)
    void aScanOfCachedLayersNeedsNoJobAndItsStatusStaysSmallWithAThousandFindings() throws Exception {
        String ns = "big";
        namespace(ns);
        // 1,000 advisories for log4j-core: the published GHSA record of Log4Shell under 1,000 new ids
        JsonNode ghsa = Json.mapper().readTree(data.resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json").toFile());
        FeedSet feeds = new FeedSet();
        for (int i = 0; i < 1000; i++) {
            com.fasterxml.jackson.databind.node.ObjectNode copy = ghsa.deepCopy();
            copy.put("id", String.format("GHSA-test-%04d", i));
            copy.putArray("aliases");
            feeds.add(Json.write(copy), "replica-" + i + ".json");
        }
        new ObjectStore(Servers.s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "stellaops")
                .put("imports/big/big-kit.zip", OfflineKit.export(feeds), "application/zip");
        AdvisoryFeed feed = new AdvisoryFeed();
        feed.getMetadata().setName("replicas");
        feed.getMetadata().setNamespace(ns);
        feed.setSpec(new org.stellaops.crds.v1alpha1.AdvisoryFeedSpec());
        feed.getSpec().type = org.stellaops.crds.v1alpha1.AdvisoryFeedSpec.Type.offline_kit;
        feed.getSpec().source = new org.stellaops.crds.v1alpha1.SourceRef();
        feed.getSpec().source.objectKey = "imports/big/big-kit.zip"; // under the namespace's import prefix
        client.resource(feed).create();
        int jobsBefore = kubelet.ran.size();
        ImageScan s = completed(ns, scan(ns, "app", app).getMetadata().getName());
        assertThat(kubelet.ran).as("every layer was analyzed before").hasSize(jobsBefore);
        assertThat(s.getStatus().layers).allSatisfy(l -> assertThat(l.cached).isTrue());
        assertThat(s.getStatus().summary.findings).isGreaterThanOrEqualTo(1000);
        byte[] status = Json.write(s.getStatus());
        assertThat(status.length).as("status bytes").isLessThan(8192);
    }

    @Test
    @Order(4)
    void aFailingWorkerIsRetriedThenTheScanFailsWithTheReason() throws Exception {
        String ns = "flaky";
        namespace(ns);
        String broken = Servers.registry.push(OciImages.brokenLayout(Servers.dir.resolve("broken")), "1", "shop/broken", "1");
        ImageScan s = phase(ns, scan(ns, "broken", broken).getMetadata().getName(), ImageScanStatus.Phase.Failed);
        assertThat(Conditions.reason(s.getStatus().conditions, "Ready")).isEqualTo("LayerAnalysisFailed");
        // the worker's own reason (its termination message), not the Job controller's BackoffLimitExceeded
        assertThat(s.getStatus().message).contains("failed 2 times").contains("worker Error (exit code 1)").contains("diff")
                .doesNotContain("BackoffLimitExceeded");
        assertThat(kubelet.jobsFor(s.getStatus().layers.get(0).digest)).hasSize(2);
    }

    @Test
    @Order(9)
    void aWorkerPodThatCannotStartFailsTheLayerWithThePodsReasonWithinTheStartTimeout() throws Exception {
        String ns = "nonroot";
        namespace(ns);
        String image = Servers.registry.push(OciImages.freshLayout(Servers.dir.resolve("nonroot")), "1", "shop/nonroot", "1");
        kubelet.cannotStart = new String[] {"CreateContainerConfigError", "container has runAsNonRoot and image will run as root"};
        try {
            long start = System.nanoTime();
            ImageScan s = phase(ns, scan(ns, "nonroot", image).getMetadata().getName(), ImageScanStatus.Phase.Failed);
            System.out.printf("a worker pod that cannot start failed the scan after %d s (start timeout 5 s, 2 attempts)%n",
                    (System.nanoTime() - start) / 1_000_000_000);
            assertThat(s.getStatus().message).contains("failed 2 times").contains("did not start within 5 s")
                    .contains("CreateContainerConfigError: container has runAsNonRoot and image will run as root");
            // the stuck Jobs were deleted (with them their pods and Secrets), not left until their deadline
            await().atMost(LONG).untilAsserted(() -> assertThat(workerJobs(ns)).isEmpty());
        } finally {
            kubelet.cannotStart = null;
        }
    }

    @Test
    @Order(10)
    void aDeletedScansJobIsDeletedAndItsLeaseReleasedSoAnotherNamespaceGetsItsJobPromptly() throws Exception {
        namespace("tenant-a");
        namespace("tenant-b");
        String image = Servers.registry.push(OciImages.freshLayout(Servers.dir.resolve("shared")), "1", "shop/shared", "1");
        kubelet.paused = true;
        try {
            scan("tenant-a", "a", image);
            await().atMost(LONG).untilAsserted(() -> assertThat(workerJobs("tenant-a")).hasSize(1));
            String jobA = workerJobs("tenant-a").get(0).getMetadata().getUid();
            client.resources(ImageScan.class).inNamespace("tenant-a").withName("a").delete();
            long start = System.nanoTime();
            scan("tenant-b", "b", image);
            // well below the lease's expiry (the Job's deadline + start timeout + 120 s)
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(workerJobs("tenant-a")).isEmpty();
                assertThat(workerJobs("tenant-b")).singleElement().satisfies(j -> assertThat(j.getMetadata().getUid()).isNotEqualTo(jobA));
            });
            System.out.printf("the scan of another namespace got its Job %d s after the first scan was deleted%n",
                    (System.nanoTime() - start) / 1_000_000_000);
        } finally {
            kubelet.paused = false;
        }
        completed("tenant-b", "b");
    }

    @Test
    @Order(5)
    void registryErrorsHaveClearReasonsAndPullSecretsAreUsed() throws Exception {
        String ns = "registry";
        namespace(ns);
        ImageScan missing = phase(ns, scan(ns, "missing", Servers.registry.host() + "/shop/nothing:1").getMetadata().getName(),
                ImageScanStatus.Phase.Failed);
        assertThat(Conditions.reason(missing.getStatus().conditions, "Resolved")).isEqualTo("ImageNotFound");
        String privateRef = Servers.authRegistry.host() + "/private/base:1";
        ImageScan denied = phase(ns, scan(ns, "denied", privateRef).getMetadata().getName(), ImageScanStatus.Phase.Failed);
        assertThat(Conditions.reason(denied.getStatus().conditions, "Resolved")).isEqualTo("RegistryAuthFailed");
        assertThat(denied.getStatus().message).contains("requires credentials");
        // the namespace's default ServiceAccount gets a pull secret: a new scan resolves (its layer is cached: no Job)
        String cfg = "{\"auths\":{\"" + Servers.authRegistry.host() + "\":{\"auth\":\"" + b64("puller:pull-secret-pw") + "\"}}}";
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("regcred").endMetadata()
                .withType("kubernetes.io/dockerconfigjson").addToData(".dockerconfigjson", b64(cfg)).build()).create();
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata()
                .addNewImagePullSecret("regcred").build()).update();
        assertThat(completed(ns, scan(ns, "allowed", privateRef).getMetadata().getName()).getStatus().verdict).isNotNull();
        // a layer to analyze in the private registry: the Job's own Secret carries the auths of that registry only
        String fresh = Servers.authRegistry.push(OciImages.freshLayout(Servers.dir.resolve("private-fresh")), "1", "private/fresh", "1");
        ImageScan s = completed(ns, scan(ns, "private-fresh", fresh).getMetadata().getName());
        String job = s.getStatus().layers.get(0).jobName;
        assertThat(job).isNotNull();
        var secret = client.secrets().inNamespace(Servers.WORKER_NAMESPACE).withName(job).get();
        assertThat(secret.getData()).containsOnlyKeys("upload-url", "config.json");
        JsonNode docker = Json.mapper().readTree(Base64.getDecoder().decode(secret.getData().get("config.json")));
        assertThat(docker.path("auths").size()).isEqualTo(1);
        assertThat(docker.path("auths").has(Servers.authRegistry.host())).isTrue();
    }

    @Test
    @Order(6)
    void storageOutageIsAConditionNotACrashAndTheScanRecovers() throws Exception {
        String ns = "outage";
        namespace(ns);
        int port = Servers.mongo.port();
        Servers.stopMongo();
        try {
            scan(ns, "during-outage", base);
            await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
                ImageScan s = client.resources(ImageScan.class).inNamespace(ns).withName("during-outage").get();
                assertThat(s.getStatus()).isNotNull();
                assertThat(Conditions.reason(s.getStatus().conditions, "Ready")).isEqualTo("StorageUnavailable");
            });
            assertThat(get("/readyz").statusCode()).isEqualTo(503);
            assertThat(get("/healthz").statusCode()).isEqualTo(200);
        } finally {
            Servers.startMongo(port);
        }
        completed(ns, "during-outage");
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> assertThat(get("/readyz").statusCode()).isEqualTo(200));
    }

    String url(String path) {
        String r = root.toString();
        return (r.endsWith("/") ? r.substring(0, r.length() - 1) : r) + path;
    }

    /**
     * A measurement, not an assertion: 300 calls of POST /api/v1/layers/missing with 100 digests (after 50 warm-up calls),
     * percentiles written to target/bench/layers-missing.txt for docs/benchmarks.md.
     */
    void recordLatency(String body) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(url("/api/v1/layers/missing"))).header("Authorization", "Bearer good")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long[] ns = new long[300];
        for (int i = -50; i < ns.length; i++) {
            long t = System.nanoTime();
            http.send(req, HttpResponse.BodyHandlers.ofString());
            if (i >= 0) {
                ns[i] = System.nanoTime() - t;
            }
        }
        java.util.Arrays.sort(ns);
        Path out = Path.of("target/bench/layers-missing.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.format("POST /api/v1/layers/missing, 100 digests, 300 calls: p50 %.1f ms, p95 %.1f ms, max %.1f ms%n",
                ns[150] / 1e6, ns[285] / 1e6, ns[299] / 1e6));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return request(HttpRequest.newBuilder(URI.create(url(path))).GET(), null);
    }

    HttpResponse<String> request(HttpRequest.Builder b, String token) throws IOException, InterruptedException {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(7)
    void restApiServesScansSbomsReportsAndMissingLayersBehindTokenReviewAndAccessReview() throws Exception {
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReturn(201, new TokenReviewBuilder()
                .withNewSpec().withToken("good").endSpec().withNewStatus().withAuthenticated(true).withNewUser()
                .withUsername("system:serviceaccount:shop:reader").withGroups("system:serviceaccounts").endUser().endStatus().build()).always();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReturn(201, new SubjectAccessReviewBuilder()
                .withNewStatus().withAllowed(true).endStatus().build()).always();
        HttpResponse<String> anonymous = get("/api/v1/namespaces/shop/scans/shop-app");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(Json.mapper().readTree(anonymous.body()).path("status").asInt()).isEqualTo(401);

        String base = url("/api/v1/namespaces/shop/scans/shop-app");
        HttpResponse<String> scan = request(HttpRequest.newBuilder(URI.create(base)).GET(), "good");
        assertThat(scan.statusCode()).as(scan.body()).isEqualTo(200);
        JsonNode s = Json.mapper().readTree(scan.body());
        assertThat(s.path("status").path("phase").asText()).isEqualTo("Completed");
        HttpResponse<String> sbom = request(HttpRequest.newBuilder(URI.create(base + "/sbom?format=spdx-json")).GET(), "good");
        assertThat(sbom.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(sbom.body()).path("spdxVersion").asText()).isEqualTo("SPDX-2.3");
        HttpResponse<String> report = request(HttpRequest.newBuilder(URI.create(base + "/report")).GET(), "good");
        assertThat(Json.mapper().readTree(report.body()).path("findings").isArray()).isTrue();
        // the usage view: only what the image's entrypoint reaches (java -jar app.jar reaches log4j-core), each with its chain
        HttpResponse<String> inventory = request(HttpRequest.newBuilder(URI.create(base + "/sbom")).GET(), "good");
        HttpResponse<String> usage = request(HttpRequest.newBuilder(URI.create(base + "/sbom?view=usage")).GET(), "good");
        assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
        JsonNode used = Json.mapper().readTree(usage.body());
        assertThat(used.path("components").size()).isPositive()
                .isLessThan(Json.mapper().readTree(inventory.body()).path("components").size());
        assertThat(used.path("components").findValuesAsText("purl")).anySatisfy(p -> assertThat(p).startsWith("pkg:maven/org.apache.logging.log4j/log4j-core@"));
        HttpResponse<byte[]> pb = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/sbom?format=cyclonedx-protobuf"))
                .header("Authorization", "Bearer good").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pb.statusCode()).isEqualTo(200);
        assertThat(pb.body().length).isPositive();
        assertThat(request(HttpRequest.newBuilder(URI.create(base + "/sbom?view=runtime")).GET(), "good").statusCode()).isEqualTo(400);
        assertThat(request(HttpRequest.newBuilder(URI.create(url("/api/v1/namespaces/shop/scans/nope")))
                .GET(), "good").statusCode()).isEqualTo(404);

        List<String> digests = new ArrayList<>(layerDigests(completed("shop", "shop-app")));
        for (int i = digests.size(); i < 100; i++) {
            digests.add(String.format("sha256:%064x", i));
        }
        String body = "{\"digests\":" + Json.mapper().writeValueAsString(digests) + "}";
        HttpResponse<String> missing = request(HttpRequest.newBuilder(URI.create(url("/api/v1/layers/missing")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), "good");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(missing.body()).path("missing")).hasSize(96);
        recordLatency(body);
        HttpResponse<String> bad = request(HttpRequest.newBuilder(URI.create(url("/api/v1/layers/missing")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"digests\":[\"md5:1\"]}")), "good");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("http_server_requests_seconds").contains("stella_worker_jobs_created_total")
                .contains("stella_scans_evaluated_total{reevaluation=\"true\",verdict=\"warn\"}").contains("stella_layers_total{cached=\"true\"}")
                .doesNotContain("shop-app");
        assertThat(get("/openapi").body()).contains("/api/v1/layers/missing");
    }

    @Test
    @Order(8)
    void aFailedSyncKeepsThePreviousRevisionInUse() throws Exception {
        String ns = "feeds";
        namespace(ns);
        AdvisoryFeed feed = new AdvisoryFeed();
        feed.getMetadata().setName("log4j");
        feed.getMetadata().setNamespace(ns);
        feed.setSpec(new org.stellaops.crds.v1alpha1.AdvisoryFeedSpec());
        feed.getSpec().type = org.stellaops.crds.v1alpha1.AdvisoryFeedSpec.Type.osv;
        feed.getSpec().source = new org.stellaops.crds.v1alpha1.SourceRef();
        feed.getSpec().source.inline = Files.readString(data.resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json"));
        client.resource(feed).create();
        String[] revision = new String[1];
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            AdvisoryFeed f = client.resources(AdvisoryFeed.class).inNamespace(ns).withName("log4j").get();
            assertThat(Conditions.isTrue(f.getStatus().conditions, "Ready")).isTrue();
            assertThat(f.getStatus().advisories).isEqualTo(1);
            revision[0] = f.getStatus().revision;
        });
        AdvisoryFeed f = client.resources(AdvisoryFeed.class).inNamespace(ns).withName("log4j").get();
        f.getSpec().source.inline = "{\"this is\": \"not an advisory\"";
        f.getMetadata().setResourceVersion(null);
        client.resource(f).update();
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            AdvisoryFeed g = client.resources(AdvisoryFeed.class).inNamespace(ns).withName("log4j").get();
            assertThat(Conditions.reason(g.getStatus().conditions, "Synced")).isEqualTo("SyncFailed");
            assertThat(Conditions.isTrue(g.getStatus().conditions, "Ready")).isTrue();
            assertThat(Conditions.reason(g.getStatus().conditions, "Ready")).isEqualTo("PreviousRevisionInUse");
            assertThat(g.getStatus().revision).isEqualTo(revision[0]);
            assertThat(g.getStatus().errors).singleElement().asString().contains("no advisories");
        });
    }

    @Test
    @Order(20)
    void restartingTheReconcilersMidScanCompletesWithoutDuplicateJobs() throws Exception {
        String ns = "restart";
        namespace(ns);
        String zstd = Servers.registry.push(Fixtures.image("debian-app-zstd"), "zstd", "shop/zstd", "1");
        kubelet.paused = true;
        scan(ns, "zstd", zstd);
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> assertThat(workerJobs(ns)).hasSize(4));
        // stop every reconciler, then start them again in a new operator (the informers and caches start empty)
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
            kubelet.paused = false;
            ImageScan s = completed(ns, "zstd");
            assertThat(workerJobs(ns)).hasSize(4);
            for (String d : layerDigests(s)) {
                assertThat(kubelet.jobsFor(d)).as(d).hasSize(1);
            }
        } finally {
            restarted.stop();
        }
    }
}
