package org.stellaops.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.advisories.OfflineKit;
import org.stellaops.core.json.Json;
import org.stellaops.core.vex.VexConsensus;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.AdvisoryFeedSpec;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.AttestationSpec;
import org.stellaops.crds.v1alpha1.AttestationStatus;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.crds.v1alpha1.SourceRef;
import org.stellaops.crds.v1alpha1.SourceStatus;
import org.stellaops.crds.v1alpha1.VexSource;
import org.stellaops.crds.v1alpha1.VexSourceSpec;
import org.stellaops.operator.attest.Signing;
import org.stellaops.operator.sources.Sources;
import org.stellaops.storage.ObjectStore;
import org.stellaops.storage.testing.S3Server;

/**
 * What AdvisoryFeeds and VexSources may read and what their status may say: opted-in ConfigMaps and Secrets only,
 * never a document's text in status or Events, objectKey under the namespace's import prefix, tenant URLs within the
 * outbound policy, big feeds through gzip'd binaryData and several ConfigMaps, and a VexSource's trust on every
 * statement. Against the fabric8 mock API server with real storage (S3Proxy, FerretDB).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = CrdSetup.class)
@QuarkusTestResource(value = Servers.class, restrictToAnnotatedClass = true)
class SourcesIT {
    static final Duration LONG = Duration.ofMinutes(2);
    static final String MARKER = "hunter2-Sup3rSecret-9c4e";
    static final Map<String, String> OPT_IN = Map.of("stella-ops.org/source", "true");
    static Path data;

    @Inject
    KubernetesClient client;
    @Inject
    Sources sources;
    @Inject
    Signing signing;

    @BeforeAll
    static void locate() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/SOURCES.md"))) {
                data = d.resolve("shared/data");
            }
        }
        assertThat(data).isNotNull();
    }

    void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).createOr(c -> c.update());
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    AdvisoryFeed feed(String ns, String name, AdvisoryFeedSpec.Type type, SourceRef source) {
        AdvisoryFeed f = new AdvisoryFeed();
        f.getMetadata().setName(name);
        f.getMetadata().setNamespace(ns);
        f.setSpec(new AdvisoryFeedSpec());
        f.getSpec().type = type;
        f.getSpec().source = source;
        return client.resource(f).create();
    }

    SourceStatus synced(String ns, String name, boolean ok) {
        await().atMost(LONG).ignoreExceptions().pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            AdvisoryFeed f = client.resources(AdvisoryFeed.class).inNamespace(ns).withName(name).get();
            assertThat(Conditions.reason(f.getStatus().conditions, "Synced")).as(String.valueOf(Json.mapper().valueToTree(f.getStatus())))
                    .isEqualTo(ok ? "Synced" : "SyncFailed");
        });
        return client.resources(AdvisoryFeed.class).inNamespace(ns).withName(name).get().getStatus();
    }

    static SourceRef secretRef(String name) {
        SourceRef r = new SourceRef();
        r.secretRef = new SourceRef.KeyRef();
        r.secretRef.name = name;
        return r;
    }

    static SourceRef configMapRef(String name) {
        SourceRef r = new SourceRef();
        r.configMapRef = new SourceRef.KeyRef();
        r.configMapRef.name = name;
        return r;
    }

    /** Everything a failed sync said where the feed's owner can read it: status and Events. */
    List<String> said(String ns, SourceStatus st) {
        List<String> out = new ArrayList<>(st.errors);
        st.conditions.forEach(c -> out.add(c.getMessage()));
        for (Event e : client.v1().events().inNamespace(ns).list().getItems()) {
            out.add(e.getMessage());
        }
        return out;
    }

    @Test
    void aSecretsValueNeverReachesStatusOrEvents() throws Exception {
        String ns = "src-secret";
        namespace(ns);
        // an opted-in Secret that is no feed document: a password, a properties line, a JSON file with a bare token
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("app-credentials").withLabels(OPT_IN)
                .endMetadata().addToData("password", b64(MARKER.getBytes(StandardCharsets.UTF_8)))
                .addToData("db.properties", b64(("user=app\npassword=" + MARKER + "\n").getBytes(StandardCharsets.UTF_8)))
                .addToData("token.json", b64(("{\"token\": " + MARKER + "}").getBytes(StandardCharsets.UTF_8))).build()).create();
        // and one that holds a real advisory beside a password: the sync succeeds, the password's diagnostic stays
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("mixed").withLabels(OPT_IN)
                .endMetadata().addToData("password", b64(MARKER.getBytes(StandardCharsets.UTF_8)))
                .addToData("GHSA-jfh8-c2jp-5v3q.json", b64(Files.readAllBytes(data.resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json"))))
                .build()).create();
        feed(ns, "steal-all", AdvisoryFeedSpec.Type.osv, secretRef("app-credentials"));
        SourceRef one = secretRef("app-credentials");
        one.secretRef.key = "password";
        feed(ns, "steal-password", AdvisoryFeedSpec.Type.osv, one);
        SourceRef json = secretRef("app-credentials");
        json.secretRef.key = "token.json";
        feed(ns, "steal-token", AdvisoryFeedSpec.Type.osv, json);
        feed(ns, "mixed", AdvisoryFeedSpec.Type.osv, secretRef("mixed"));
        for (String name : List.of("steal-all", "steal-password", "steal-token")) {
            SourceStatus st = synced(ns, name, false);
            assertThat(st.errors).singleElement().asString().contains("no advisories in the source").contains("malformed JSON");
            assertThat(st.revision).isNull();
        }
        SourceStatus mixed = synced(ns, "mixed", true);
        assertThat(mixed.advisories).isEqualTo(1);
        assertThat(mixed.errors).singleElement().asString().startsWith("password: malformed JSON at line 1, column ");
        List<String> said = new ArrayList<>(said(ns, mixed));
        for (String name : List.of("steal-all", "steal-password", "steal-token")) {
            said.addAll(said(ns, client.resources(AdvisoryFeed.class).inNamespace(ns).withName(name).get().getStatus()));
        }
        assertThat(said).isNotEmpty().allSatisfy(m -> assertThat(m).doesNotContain(MARKER).doesNotContain("hunter2"));
    }

    @Test
    void unlabelledSecretsAndConfigMapsAreRefusedLikeMissingOnes() throws Exception {
        String ns = "src-optin";
        namespace(ns);
        String ghsa = Files.readString(data.resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json"));
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("unlabelled").endMetadata()
                .addToData("GHSA-jfh8-c2jp-5v3q.json", b64(ghsa.getBytes(StandardCharsets.UTF_8))).build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("unlabelled-cm")
                .withLabels(Map.of("stella-ops.org/source", "false")).endMetadata().addToData("GHSA-jfh8-c2jp-5v3q.json", ghsa).build())
                .create();
        feed(ns, "from-secret", AdvisoryFeedSpec.Type.osv, secretRef("unlabelled"));
        feed(ns, "from-missing", AdvisoryFeedSpec.Type.osv, secretRef("no-such-secret"));
        feed(ns, "from-configmap", AdvisoryFeedSpec.Type.osv, configMapRef("unlabelled-cm"));
        String refused = synced(ns, "from-secret", false).errors.get(0);
        assertThat(refused).isEqualTo("Secret src-optin/unlabelled is not readable as a source: it must exist and carry the label"
                + " stella-ops.org/source=true");
        assertThat(synced(ns, "from-missing", false).errors).containsExactly(refused.replace("unlabelled", "no-such-secret"));
        assertThat(synced(ns, "from-configmap", false).errors).containsExactly(
                refused.replace("Secret", "ConfigMap").replace("unlabelled", "unlabelled-cm"));
        // labelled, the same Secret is read
        client.secrets().inNamespace(ns).withName("unlabelled").edit(s -> {
            s.getMetadata().setLabels(OPT_IN);
            return s;
        });
        AdvisoryFeed f = client.resources(AdvisoryFeed.class).inNamespace(ns).withName("from-secret").get();
        f.getSpec().schedule = "7h"; // a new generation syncs again at once
        f.getMetadata().setResourceVersion(null);
        client.resource(f).update();
        assertThat(synced(ns, "from-secret", true).advisories).isEqualTo(1);
    }

    @Test
    void objectKeysAreLimitedToTheNamespacesImportPrefix() throws Exception {
        String ns = "src-objects";
        namespace(ns);
        FeedSet set = new FeedSet().load(data.resolve("osv/maven"));
        ObjectStore objects = new ObjectStore(Servers.s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "stellaops");
        objects.put("imports/" + ns + "/kit.zip", OfflineKit.export(set), "application/zip");
        objects.put("imports/other-team/kit.zip", OfflineKit.export(set), "application/zip");
        for (String[] c : List.of(new String[] {"own", "imports/" + ns + "/kit.zip"}, new String[] {"other", "imports/other-team/kit.zip"},
                new String[] {"climb", "imports/" + ns + "/../other-team/kit.zip"}, new String[] {"shared", "feeds/kit.zip"})) {
            SourceRef r = new SourceRef();
            r.objectKey = c[1];
            feed(ns, c[0], AdvisoryFeedSpec.Type.offline_kit, r);
        }
        assertThat(synced(ns, "own", true).advisories).isEqualTo(set.advisories().size());
        for (String refused : List.of("other", "climb", "shared")) {
            assertThat(synced(ns, refused, false).errors).singleElement().asString()
                    .startsWith("spec.source.objectKey must name an object under imports/src-objects/");
        }
    }

    @Test
    void urlsToMetadataAddressesAreRefusedBeforeAnyRequest() {
        String ns = "src-url";
        namespace(ns);
        for (String[] c : List.of(new String[] {"metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
                new String[] {"v6", "http://[fe80::a9fe:a9fe]/computeMetadata/v1/"}, new String[] {"loop", "http://127.0.0.1:10250/pods"})) {
            SourceRef r = new SourceRef();
            r.url = c[1];
            feed(ns, c[0], AdvisoryFeedSpec.Type.osv, r);
        }
        assertThat(synced(ns, "metadata", false).errors).singleElement().asString().contains("169.254.169.254")
                .contains("link-local").contains("stella.outbound.allowed-cidrs");
        assertThat(synced(ns, "v6", false).errors).singleElement().asString().contains("fe80");
        assertThat(synced(ns, "loop", false).errors).singleElement().asString().contains("127.0.0.1").contains("loopback");
    }

    @Test
    void theRekorUrlOfAnAttestationIsCheckedLikeAFeedUrl() throws Exception {
        Attestation att = new Attestation();
        att.getMetadata().setName("signed");
        att.getMetadata().setNamespace("src-rekor");
        att.getMetadata().setGeneration(1L);
        att.setSpec(Json.mapper().readValue("{\"subject\": {\"imageScanRef\": \"app\"}, \"signer\": {\"keySecretRef\": {\"name\": \"k\","
                + " \"key\": \"key.pem\"}}, \"predicates\": [\"report\"], \"rekor\": {\"url\": \"http://169.254.169.254/\"}}",
                AttestationSpec.class));
        ImageScan scan = new ImageScan();
        scan.setStatus(new ImageScanStatus());
        scan.getStatus().imageDigest = "sha256:" + "a".repeat(64);
        AttestationStatus st = signing.sign(att, scan, null, null, Instant.now());
        assertThat(Conditions.reason(st.conditions, "Ready")).isEqualTo("RekorRefused");
        assertThat(st.conditions).anySatisfy(c -> assertThat(c.getMessage()).contains("169.254.169.254"));
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void bigFeedsFromGzippedBinaryDataAndSeveralConfigMapsWithKevCounts() throws Exception {
        String ns = "src-big";
        namespace(ns);
        byte[] kev = Files.readAllBytes(data.resolve("kev/known_exploited_vulnerabilities.json"));
        assertThat(kev.length).as("more than a ConfigMap holds").isGreaterThan(1024 * 1024);
        byte[] gz = gzip(kev);
        assertThat(gz.length).isLessThan(1024 * 1024);
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("kev").withLabels(OPT_IN).endMetadata()
                .addToBinaryData("known_exploited_vulnerabilities.json.gz", b64(gz)).build()).create();
        feed(ns, "kev", AdvisoryFeedSpec.Type.kev, configMapRef("kev"));
        SourceStatus st = synced(ns, "kev", true);
        int entries = Json.mapper().readTree(kev).path("vulnerabilities").size();
        assertThat(entries).isEqualTo(1404);
        assertThat(st.kev).isEqualTo(entries);
        assertThat(st.advisories).isZero();
        assertThat(st.errors).isEmpty();
        assertThat(st.conditions).anySatisfy(c -> assertThat(c.getMessage()).isEqualTo("0 advisories, 1404 KEV entries"));
        // EPSS scores, also gzip'd, counted the same way
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("epss").withLabels(OPT_IN).endMetadata()
                .addToBinaryData("epss_scores.csv.gz", b64(gzip(Files.readAllBytes(data.resolve("epss/epss_scores-subset.csv"))))).build())
                .create();
        feed(ns, "epss", AdvisoryFeedSpec.Type.epss, configMapRef("epss"));
        assertThat(synced(ns, "epss", true).epss).isEqualTo(197);
        // OSV documents split over several ConfigMaps, read as one feed
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.list(data.resolve("osv/maven")), Files.list(data.resolve("osv/npm")))) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        List<SourceRef.KeyRef> refs = new ArrayList<>();
        for (int part = 0; part < 2; part++) {
            Map<String, String> d = new TreeMap<>();
            for (int i = part; i < files.size(); i += 2) {
                d.put(files.get(i).getFileName().toString(), Files.readString(files.get(i)));
            }
            client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("osv-" + part)
                    .withLabels(OPT_IN).endMetadata().withData(d).build()).create();
            SourceRef.KeyRef k = new SourceRef.KeyRef();
            k.name = "osv-" + part;
            refs.add(k);
        }
        SourceRef r = new SourceRef();
        r.configMapRefs = refs;
        feed(ns, "osv-split", AdvisoryFeedSpec.Type.osv, r);
        assertThat(synced(ns, "osv-split", true).advisories).isEqualTo(files.size());
    }

    @Test
    void aZipBombInAConfigMapFailsNamingItsEntryAndTheLimit() throws Exception {
        String ns = "src-bomb";
        namespace(ns);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
            zip.putNextEntry(new java.util.zip.ZipEntry("bomb.json"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) { // 256 MiB inflated, about 256 KiB stored
                zip.write(zeros);
            }
        }
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("osv-all").withLabels(OPT_IN)
                .endMetadata().addToBinaryData("osv-all.zip", b64(bytes.toByteArray())).build()).create();
        feed(ns, "bomb", AdvisoryFeedSpec.Type.osv, configMapRef("osv-all"));
        assertThat(synced(ns, "bomb", false).errors).containsExactly(
                "osv-all.zip!/bomb.json: inflates to more than 67108864 bytes (the limit for one document)");
    }

    VexSource vexSource(String ns, String name, double trust, String doc) {
        VexSource v = new VexSource();
        v.getMetadata().setName(name);
        v.getMetadata().setNamespace(ns);
        v.setSpec(new VexSourceSpec());
        v.getSpec().trust = trust;
        v.getSpec().source = new SourceRef();
        v.getSpec().source.inline = doc;
        return client.resource(v).create();
    }

    VexSource ready(String ns, String name) {
        await().atMost(LONG).ignoreExceptions().pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            VexSource v = client.resources(VexSource.class).inNamespace(ns).withName(name).get();
            assertThat(Conditions.isTrue(v.getStatus().conditions, "Ready")).as(String.valueOf(Json.mapper().valueToTree(v.getStatus())))
                    .isTrue();
        });
        return client.resources(VexSource.class).inNamespace(ns).withName(name).get();
    }

    @Test
    void aLowTrustVexSourceWithoutAuthorDoesNotSuppress() throws Exception {
        String ns = "src-vex";
        namespace(ns);
        ObjectNode doc = (ObjectNode) Json.mapper().readTree(data.resolve("vex/openvex/trivy-project/trivy.openvex.json").toFile());
        doc.remove("author"); // its statements have no issuer
        String text = new String(Json.write(doc), StandardCharsets.UTF_8);
        Set<String> ids = Set.of("CVE-2024-26147");
        String helm = "pkg:golang/helm.sh/helm/v3@v3.14.1";
        Set<String> in = Set.of("pkg:golang/github.com/aquasecurity/trivy@v0.50.0");
        // the decider's consensus as the scan pipeline builds it from Sources.vex
        Sources.Vex low = sources.vex(List.of(ready(ns, vexSource(ns, "low", 0.2, text).getMetadata().getName())));
        assertThat(low.statements()).isNotEmpty().allSatisfy(s -> assertThat(s.weight()).isEqualTo(0.2));
        VexConsensus.Decision d = new VexConsensus(low.statements(), low.trust(), 1.0, 0.5).decide(ids, helm, Set.of(), in);
        assertThat(d.suppressed()).isFalse();
        Sources.Vex high = sources.vex(List.of(ready(ns, vexSource(ns, "high", 0.9, text).getMetadata().getName())));
        assertThat(new VexConsensus(high.statements(), high.trust(), 1.0, 0.5).decide(ids, helm, Set.of(), in).suppressed()).isTrue();
    }
}
