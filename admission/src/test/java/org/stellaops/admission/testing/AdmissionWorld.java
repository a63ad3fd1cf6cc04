package org.stellaops.admission.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.stellaops.admission.AdmissionPolicy;
import org.stellaops.admission.Ports;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.decider.SbomComponents;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.LocalRegistry;
import org.stellaops.scanner.testing.TestScans;
import org.stellaops.scanner.util.Digests;
import org.stellaops.storage.Catalog;
import org.stellaops.storage.ObjectStore;
import org.stellaops.storage.testing.MongoServer;
import org.stellaops.storage.testing.S3Server;

/**
 * Real servers for admission tests: FerretDB (catalog), S3Proxy (reports), the local registry holding the fixture
 * images; verdicts written by the real decider (scanner + core decider on the published OSV Maven advisories of
 * /work/shared/data) under two Policies: {@code shop} (examples/policy.yaml: blocks critical fixed findings) and
 * {@code relaxed} (coverage gaps allowed). {@link #cluster} is the Kubernetes side in memory (namespaces and Policies as
 * an informer would hold them).
 */
public final class AdmissionWorld implements AutoCloseable {
    public final Path dir;
    public final MongoServer mongo;
    public final S3Server s3;
    public final LocalRegistry registry;
    public final Catalog catalog;
    public final ObjectStore objects;
    public final Map<String, String> refs = new HashMap<>();     // fixture name → registry tag reference
    public final Map<String, String> digests = new HashMap<>();  // fixture name → platform manifest digest
    public final Map<String, Map<String, String>> verdicts = new HashMap<>(); // policy name → fixture → verdict
    public final Map<String, Policy> policies = new ConcurrentHashMap<>();
    public final Map<String, Map<String, String>> namespaces = new ConcurrentHashMap<>();
    public final Set<String> breakGlassUsers = ConcurrentHashMap.newKeySet();

    public AdmissionWorld(Path dir) throws Exception {
        this.dir = dir;
        mongo = new MongoServer(dir.resolve("ferretdb"));
        s3 = new S3Server(dir.resolve("s3"));
        registry = LocalRegistry.start();
        catalog = new Catalog(mongo.uri(), "stella");
        objects = new ObjectStore(s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "stella");
        objects.ensureBucket();
        catalog.ensureIndexes();
        for (String fixture : List.of("debian-app", "minbase")) {
            refs.put(fixture, registry.push(Fixtures.image(fixture), "1", "fixtures/" + fixture, "v1"));
        }
        policies.put("shop/shop-policy", policy("shop", "shop-policy", Files.readString(Path.of("../examples/policy.yaml"))));
        policies.put("relaxed/relaxed-policy", policy("relaxed", "relaxed-policy", """
                apiVersion: stella-ops.org/v1alpha1
                kind: Policy
                metadata: {name: relaxed-policy}
                spec:
                  version: "1.0"
                  coverage: {allow: ["**"]}
                  rules:
                    - {name: Block critical with a fix, severity: [Critical], fixState: [fixed], action: block}
                    - {name: Everything else passes, action: {type: ignore, justification: "accepted risk"}}
                """));
        namespaces.put("shop", Map.of("kubernetes.io/metadata.name", "shop"));
        namespaces.put("relaxed", Map.of("kubernetes.io/metadata.name", "relaxed"));
        FeedSet feeds = new FeedSet();
        feeds.load(sharedData().resolve("osv/maven"));
        Path cache = dir.resolve("fragments");
        for (String fixture : List.of("debian-app", "minbase")) {
            ScanResult scan = TestScans.scan(refs.get(fixture), cache, org.stellaops.scanner.image.Platform.DEFAULT,
                    null);
            var img = scan.inventory().image();
            digests.put(fixture, img.manifestDigest());
            List<SbomComponents.Row> rows = new ArrayList<>();
            for (var c : scan.inventory().components()) {
                rows.add(new SbomComponents.Row(c.purl(), c.layerDigest(), c.evidencePath(), c.properties().get("stella:ownedBy"),
                        "true".equals(c.properties().get("stella:go:mainModule"))));
            }
            for (Policy p : policies.values()) {
                AdmissionPolicy ap = AdmissionPolicy.of(p);
                org.stellaops.core.policy.Policy core = org.stellaops.core.policy.Policy.parse(
                        new String(org.stellaops.core.json.Json.write(p.getSpec()), StandardCharsets.UTF_8), ap.ref());
                Decider.Result r = Decider.decide(new Decider.Image(img.name(), img.manifestDigest(), img.indexDigest(), null),
                        SbomComponents.of(rows), feeds, List.of(), Map.of(), core, "prod", Instant.parse("2026-11-27T00:00:00Z"));
                String sha = Digests.sha256(r.report());
                String key = "reports/" + sha.substring(7) + ".json";
                objects.put(key, r.report(), "application/json");
                catalog.putVerdict(new Catalog.Verdict(img.manifestDigest(), core.digest(), r.verdict(), key, sha, "test", "test",
                        Instant.now()));
                verdicts.computeIfAbsent(p.getMetadata().getName(), k -> new HashMap<>()).put(fixture, r.verdict());
            }
        }
    }

    public static Path sharedData() {
        String p = System.getenv("STELLA_SHARED_DATA");
        return Path.of(p == null ? "/work/shared/data" : p);
    }

    /** A Policy resource from YAML with an admission section added (enforce unless changed later). */
    public static Policy policy(String ns, String name, String yaml) {
        Policy p = Serialization.unmarshal(yaml, Policy.class);
        p.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        p.getSpec().admission = new org.stellaops.crds.v1alpha1.PolicyAdmission();
        p.getSpec().admission.mode = org.stellaops.crds.v1alpha1.PolicyAdmission.Mode.enforce;
        return p;
    }

    public Ports.Cluster cluster() {
        return new Ports.Cluster() {
            @Override
            public Map<String, String> namespaceLabels(String namespace) throws IOException {
                Map<String, String> l = namespaces.get(namespace);
                if (l == null) {
                    throw new IOException("namespace " + namespace + " not found");
                }
                return l;
            }

            @Override
            public Collection<Policy> policies() {
                return policies.values();
            }

            @Override
            public DockerConfig pullCredentials(String namespace, List<String> pullSecrets, String serviceAccount) {
                return DockerConfig.empty();
            }

            @Override
            public boolean mayBreakGlass(UserInfo user, String namespace) {
                return user != null && breakGlassUsers.contains(user.getUsername());
            }
        };
    }

    /** The fixture's name in the report refs, e.g. the tag reference or the digest reference. */
    public String digestRef(String fixture) {
        String tagRef = refs.get(fixture);
        return tagRef.substring(0, tagRef.lastIndexOf(':')) + "@" + digests.get(fixture);
    }

    static Stream<String> none() {
        return Stream.empty();
    }

    @Override
    public void close() throws IOException {
        catalog.close();
        registry.close();
        s3.close();
        mongo.close();
    }
}
