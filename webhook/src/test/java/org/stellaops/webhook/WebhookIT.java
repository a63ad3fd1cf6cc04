package org.stellaops.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.stellaops.admission.testing.Reviews;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.PolicyAdmission;

/** The webhook application over real HTTPS (its own certificate) with real servers behind it. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(WebhookServers.class)
class WebhookIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/validate", tls = true)
    URL validate;
    @TestHTTPResource(value = "/readyz", tls = true)
    URL ready;
    @TestHTTPResource(value = "/metrics", tls = true)
    URL metrics;
    @Inject
    KubernetesClient client;

    @BeforeEach
    void cluster() {
        for (String ns : new String[] {"shop", "relaxed"}) {
            if (client.namespaces().withName(ns).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                        .addToLabels("kubernetes.io/metadata.name", ns).endMetadata().build()).create();
            }
        }
        for (Policy p : WebhookServers.world.policies.values()) {
            Policy copy = io.fabric8.kubernetes.client.utils.Serialization.clone(p);
            client.resource(copy).createOr(x -> x.update());
        }
    }

    static HttpClient https() throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(WebhookServers.tls.resolve("ca.crt"))) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpResponse<String> post(byte[] body) throws Exception {
        URI uri = URI.create(validate.toString().replace("127.0.0.1", "localhost"));
        return https().send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode review(String manifest, String image, String ns, boolean dryRun) throws Exception {
        ObjectNode review = Reviews.review(Reviews.manifest(manifest, image, null), null, ns, "CREATE", dryRun, "dev");
        HttpResponse<String> r = post(Reviews.bytes(review));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.path("response").path("uid").asText()).isEqualTo(review.path("request").path("uid").asText());
        return answer.path("response");
    }

    @Test
    void failWarnAndPassOverHttps() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(https().send(HttpRequest.newBuilder(
                URI.create(ready.toString().replace("127.0.0.1", "localhost"))).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200));
        var world = WebhookServers.world;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(review("deployment", world.refs.get("debian-app"), "shop", false).path("allowed").asBoolean()).isFalse());
        JsonNode fail = review("deployment", world.refs.get("debian-app"), "shop", false);
        assertThat(fail.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(fail.path("status").path("message").asText()).contains("verdict fail", "log4j-core", "report: reports/");
        JsonNode warn = review("pod", world.refs.get("minbase"), "shop", false);
        assertThat(warn.path("allowed").asBoolean()).isTrue();
        assertThat(warn.path("warnings").toString()).contains("verdict warn");
        JsonNode pass = review("deployment", world.refs.get("minbase"), "relaxed", false);
        assertThat(pass.path("allowed").asBoolean()).isTrue();
        assertThat(pass.has("warnings")).isFalse();
        String m = https().send(HttpRequest.newBuilder(URI.create(metrics.toString().replace("127.0.0.1", "localhost"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(m).contains("stella_admission_decisions_total{mode=\"enforce\",reason=\"fail\",result=\"refused\"}")
                .contains("stella_admission_latency_seconds_bucket").doesNotContain("namespace=\"shop\"");
    }

    @Test
    void unknownScanCreatesAnImageScanExceptOnDryRun() throws Exception {
        var world = WebhookServers.world;
        String unscanned = world.registry.push(org.stellaops.scanner.testing.Fixtures.image("debian-app-zstd"), "zstd",
                "fixtures/webhook-unscanned", "v1");
        Policy p = client.resources(Policy.class).inNamespace("relaxed").withName("relaxed-policy").get();
        p.getSpec().admission.unknown = PolicyAdmission.Unknown.scan;
        client.resource(p).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode dry = review("pod", unscanned, "relaxed", true);
            assertThat(dry.path("allowed").asBoolean()).isFalse();
            assertThat(dry.path("status").path("message").asText()).contains("scan pending");
        });
        assertThat(client.resources(ImageScan.class).inNamespace("relaxed").list().getItems()).as("dry run: no side effect").isEmpty();
        JsonNode real = review("pod", unscanned, "relaxed", false);
        assertThat(real.path("allowed").asBoolean()).isFalse();
        assertThat(client.resources(ImageScan.class).inNamespace("relaxed").list().getItems()).singleElement()
                .satisfies(s -> assertThat(s.getSpec().image).contains("@sha256:").startsWith(world.registry.host() + "/fixtures/webhook-unscanned"));
        client.resources(Policy.class).inNamespace("relaxed").withName("relaxed-policy").edit(x -> {
            x.getSpec().admission.unknown = null;
            return x;
        });
    }

    @Test
    void badInputIsA400NeverAStackTrace() throws Exception {
        HttpResponse<String> beta = post("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{}}".getBytes());
        assertThat(beta.statusCode()).isEqualTo(400);
        assertThat(beta.body()).contains("only admission.k8s.io/v1").doesNotContain("Exception");
        HttpResponse<String> junk = post("not json at all".getBytes());
        assertThat(junk.statusCode()).isEqualTo(400);
        assertThat(junk.body()).contains("not JSON");
        byte[] big = new byte[3 * 1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        HttpResponse<String> huge = post(big);
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("larger than");
    }

    @Test
    void aRotatedCertificateIsServedWithoutARestart() throws Exception {
        X509Certificate before = served();
        WebhookServers.issue("4242");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(served().getSerialNumber()).isNotEqualTo(before.getSerialNumber()).isEqualTo(java.math.BigInteger.valueOf(4242)));
    }

    X509Certificate served() throws Exception {
        HttpResponse<String> r = https().send(HttpRequest.newBuilder(URI.create(ready.toString().replace("127.0.0.1", "localhost")))
                .build(), HttpResponse.BodyHandlers.ofString());
        return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
    }
}
