package org.stellaops.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.admission.testing.AdmissionWorld;
import org.stellaops.admission.testing.Reviews;
import org.stellaops.crds.v1alpha1.PolicyAdmission;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.testing.Fixtures;

/** The decision on real manifests against FerretDB verdicts written by the real decider and the local registry. */
class AdmissionDeciderIT {
    @TempDir
    static Path dir;
    static AdmissionWorld world;
    static ExecutorService executor;
    static AdmissionDecider decider;
    static ImageResolver resolver;

    @BeforeAll
    static void start() throws Exception {
        world = new AdmissionWorld(dir);
        executor = Executors.newCachedThreadPool();
        resolver = new ImageResolver(Set.of(world.registry.host()), Duration.ofSeconds(5), Platform.DEFAULT, 100,
                Duration.ofMinutes(5), Clock.systemUTC());
        decider = new AdmissionDecider(new AdmissionDecider.Settings("stella-ops", Set.of(), Duration.ofSeconds(4)),
                world.cluster(), world.catalog::verdict, world.objects::get, resolver, null, executor);
    }

    @AfterAll
    static void stop() throws Exception {
        executor.shutdownNow();
        world.close();
    }

    static Decision decide(ObjectNode object, String ns) throws Exception {
        return decide(object, null, ns, "CREATE", "dev");
    }

    static Decision decide(ObjectNode object, ObjectNode old, String ns, String op, String user) throws Exception {
        return decider.decide(AdmissionReviews.parse(Reviews.bytes(Reviews.review(object, old, ns, op, false, user))));
    }

    @Test
    void theRealDeciderGaveTheFixturesTheVerdictsTheCasesNeed() {
        // the example policy blocks Log4Shell (log4j-core 2.14.1 in debian-app); minbase has gaps the shop policy warns on
        assertThat(world.verdicts.get("shop-policy")).containsEntry("debian-app", "fail").containsEntry("minbase", "warn");
        assertThat(world.verdicts.get("relaxed-policy")).containsEntry("debian-app", "fail").containsEntry("minbase", "pass");
    }

    @Test
    void aFailingImageIsRefusedWithItsFindingsAndReport() throws Exception {
        Decision d = decide(Reviews.manifest("deployment", world.refs.get("debian-app"), null), "shop");
        assertThat(d.allowed()).isFalse();
        assertThat(d.code()).isEqualTo(403);
        assertThat(d.reason()).isEqualTo("fail");
        assertThat(d.message()).contains("Deployment shop/shop", "Policy shop/shop-policy", world.refs.get("debian-app"),
                world.digests.get("debian-app"), "verdict fail", "log4j-core", "2.14.1 →", "(CRITICAL)", "report: reports/");
        assertThat(d.auditAnnotations()).containsEntry("verdict", "fail");
    }

    @Test
    void digestReferencesAndCronJobTemplatesAndInitContainersAreJudged() throws Exception {
        Decision byDigest = decide(Reviews.manifest("cronjob", world.digestRef("debian-app"), null), "shop");
        assertThat(byDigest.allowed()).isFalse();
        Decision init = decide(Reviews.manifest("pod", world.refs.get("minbase"), world.refs.get("debian-app")), "shop");
        assertThat(init.allowed()).isFalse();
        assertThat(init.message()).contains("init migrate image " + world.refs.get("debian-app"));
    }

    @Test
    void aWarnImageIsAdmittedWithAWarningAndAPassingOneCleanly() throws Exception {
        Decision warn = decide(Reviews.manifest("pod", world.refs.get("minbase"), null), "shop");
        assertThat(warn.allowed()).isTrue();
        assertThat(warn.reason()).isEqualTo("warn");
        assertThat(warn.warnings()).anyMatch(w -> w.contains("verdict warn") && w.contains(world.refs.get("minbase")));
        Decision pass = decide(Reviews.manifest("deployment", world.refs.get("minbase"), null), "relaxed");
        assertThat(pass.allowed()).isTrue();
        assertThat(pass.reason()).isEqualTo("pass");
        assertThat(pass.warnings()).isEmpty();
    }

    @Test
    void excludedNamespacesAreNeverJudged() throws Exception {
        for (String ns : List.of("kube-system", "kube-public", "kube-node-lease", "stella-ops")) {
            Decision d = decide(Reviews.manifest("pod", world.refs.get("debian-app"), null), ns);
            assertThat(d.allowed()).as(ns).isTrue();
            assertThat(d.reason()).isEqualTo("excluded");
        }
    }

    @Test
    void breakGlassAdmitsOnlyAllowedUsers() throws Exception {
        world.breakGlassUsers.add("oncall");
        ObjectNode pod = Reviews.manifest("pod", world.refs.get("debian-app"), null);
        ((ObjectNode) pod.path("metadata")).putObject("annotations").put(AdmissionDecider.BREAK_GLASS, "INC-1234 outage");
        Decision allowed = decide(pod, null, "shop", "CREATE", "oncall");
        assertThat(allowed.allowed()).isTrue();
        assertThat(allowed.reason()).isEqualTo("break-glass");
        assertThat(allowed.breakGlassReason()).isEqualTo("INC-1234 outage");
        assertThat(allowed.auditAnnotations()).containsEntry("break-glass", "INC-1234 outage");
        Decision refused = decide(pod, null, "shop", "CREATE", "dev");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.warnings()).anyMatch(w -> w.contains("ignored") && w.contains("dev"));
    }

    @Test
    void anUpdateJudgesOnlyNewImagesSuchAsAnAddedEphemeralContainer() throws Exception {
        ObjectNode old = Reviews.manifest("pod", world.refs.get("minbase"), null);
        ((ObjectNode) old.path("metadata")).put("namespace", "shop");
        ObjectNode same = old.deepCopy();
        assertThat(decide(same, old, "shop", "UPDATE", "dev").reason()).isEqualTo("pass");
        ObjectNode debug = old.deepCopy();
        ArrayNode eph = ((ObjectNode) debug.path("spec")).putArray("ephemeralContainers");
        eph.addObject().put("name", "debugger").put("image", world.refs.get("debian-app"));
        Decision d = decide(debug, old, "shop", "UPDATE", "dev");
        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).contains("ephemeral debugger");
    }

    @Test
    void unknownImagesFollowThePolicy() throws Exception {
        String unscanned = world.registry.push(Fixtures.image("debian-app-zstd"), "zstd", "fixtures/unscanned", "v1");
        String missingTag = world.registry.host() + "/fixtures/minbase"; // no tag: latest, which does not exist
        PolicyAdmission a = world.policies.get("relaxed/relaxed-policy").getSpec().admission;
        try {
            a.unknown = PolicyAdmission.Unknown.allow;
            Decision allow = decide(Reviews.manifest("pod", unscanned, missingTag), "relaxed");
            assertThat(allow.allowed()).isTrue();
            assertThat(allow.warnings()).hasSize(2).allMatch(w -> w.contains("no verdict"));

            a.unknown = PolicyAdmission.Unknown.deny;
            Decision deny = decide(Reviews.manifest("pod", unscanned, missingTag), "relaxed");
            assertThat(deny.allowed()).isFalse();
            assertThat(deny.message()).contains("not scanned under Policy relaxed/relaxed-policy", "resolving the tag failed");

            a.unknown = PolicyAdmission.Unknown.scan;
            Decision scan = decide(Reviews.manifest("pod", unscanned, null), "relaxed");
            assertThat(scan.allowed()).isFalse();
            assertThat(scan.reason()).isEqualTo("scan-pending");
            assertThat(scan.message()).contains("scan pending, retry");
            assertThat(scan.scans()).singleElement().satisfies(s -> {
                assertThat(s.namespace()).isEqualTo("relaxed");
                assertThat(s.digest()).startsWith("sha256:");
                assertThat(s.image()).isEqualTo(unscanned);
            });

            a.mode = PolicyAdmission.Mode.warn;
            Decision warnMode = decide(Reviews.manifest("pod", unscanned, null), "relaxed");
            assertThat(warnMode.allowed()).isTrue();
            assertThat(warnMode.scans()).hasSize(1);
            assertThat(warnMode.warnings()).anyMatch(w -> w.contains("scan pending"));
        } finally {
            a.unknown = null;
            a.mode = PolicyAdmission.Mode.enforce;
        }
    }

    @Test
    void warnAndAuditModesAdmitAFailingImage() throws Exception {
        PolicyAdmission a = world.policies.get("shop/shop-policy").getSpec().admission;
        try {
            a.mode = PolicyAdmission.Mode.warn;
            Decision warn = decide(Reviews.manifest("pod", world.refs.get("debian-app"), null), "shop");
            assertThat(warn.allowed()).isTrue();
            assertThat(warn.warnings()).anyMatch(w -> w.contains("verdict fail") && w.contains("log4j-core"));
            a.mode = PolicyAdmission.Mode.audit;
            Decision audit = decide(Reviews.manifest("pod", world.refs.get("debian-app"), null), "shop");
            assertThat(audit.allowed()).isTrue();
            assertThat(audit.warnings()).isEmpty();
            assertThat(audit.auditAnnotations()).containsEntry("verdict", "fail").containsEntry("mode", "audit");
        } finally {
            a.mode = PolicyAdmission.Mode.enforce;
        }
    }

    @Test
    void exemptImagesAreNotJudged() throws Exception {
        PolicyAdmission a = world.policies.get("shop/shop-policy").getSpec().admission;
        try {
            a.exemptImages = List.of(world.registry.host() + "/fixtures/debian-*:**");
            Decision d = decide(Reviews.manifest("pod", world.refs.get("debian-app"), null), "shop");
            assertThat(d.allowed()).isTrue();
            assertThat(d.reason()).isEqualTo("exempt");
        } finally {
            a.exemptImages = List.of();
        }
    }

    @Test
    void badReviewsAreRefusedClearly() throws Exception {
        ObjectNode review = Reviews.review(Reviews.manifest("pod", world.refs.get("debian-app"), null), null, "shop", "CREATE", false, "dev");
        ObjectNode beta = review.deepCopy().put("apiVersion", "admission.k8s.io/v1beta1");
        assertThatThrownBy(() -> AdmissionReviews.parse(Reviews.bytes(beta))).hasMessageContaining("only admission.k8s.io/v1");
        assertThatThrownBy(() -> AdmissionReviews.parse("{\"apiVersion\":".getBytes())).hasMessage("the body is not JSON");
        assertThatThrownBy(() -> AdmissionReviews.parse(new byte[AdmissionReviews.MAX_BYTES + 1])).hasMessageContaining("larger than");
        ObjectNode noUid = review.deepCopy();
        ((ObjectNode) noUid.path("request")).remove("uid");
        assertThatThrownBy(() -> AdmissionReviews.parse(Reviews.bytes(noUid))).hasMessageContaining("no uid");
        // an odd image reference never admits a failing image: it is unknown, and the policy's unknown rule applies
        Decision odd = decide(Reviews.manifest("pod", "UPPER/Case::bad", null), "shop");
        assertThat(odd.reason()).isEqualTo("unknown");
        // an unknown kind is answered, not judged
        ObjectNode cm = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", "x");
        Decision other = decider.decide(AdmissionReviews.parse(Reviews.bytes(Reviews.review(cm, null, "shop", "CREATE", false, "dev"))));
        assertThat(other.allowed()).isTrue();
        assertThat(other.reason()).isEqualTo("not-judged");
    }

    @Test
    void aStoppedCatalogMakesImagesUnknownWithinTheDeadline() throws Exception {
        // a real FerretDB, stopped: the driver waits for it up to its server selection timeout (5 s), the decision not
        org.stellaops.storage.testing.MongoServer stopped = new org.stellaops.storage.testing.MongoServer(dir.resolve("stopped"));
        stopped.close();
        try (org.stellaops.storage.Catalog down = new org.stellaops.storage.Catalog(stopped.uri(), "stella")) {
            AdmissionDecider d = new AdmissionDecider(new AdmissionDecider.Settings("stella-ops", Set.of(), Duration.ofMillis(1500)),
                    world.cluster(), down::verdict, world.objects::get, resolver, null, executor);
            PolicyAdmission a = world.policies.get("shop/shop-policy").getSpec().admission;
            ObjectNode failing = Reviews.manifest("pod", world.digestRef("debian-app"), null);
            long t0 = System.nanoTime();
            Decision allow = d.decide(AdmissionReviews.parse(Reviews.bytes(Reviews.review(failing, null, "shop", "CREATE", false, "dev"))));
            assertThat((System.nanoTime() - t0) / 1_000_000).as("answered by the deadline").isLessThan(2500);
            assertThat(allow.reason()).isEqualTo("unknown");
            assertThat(allow.allowed()).as("unknown: allow").isTrue();
            assertThat(allow.warnings()).anyMatch(w -> w.contains("no verdict") && w.contains("deadline"));
            try {
                a.unknown = PolicyAdmission.Unknown.deny;
                Decision deny = d.decide(AdmissionReviews.parse(Reviews.bytes(Reviews.review(failing, null, "shop", "CREATE", false, "dev"))));
                assertThat(deny.allowed()).isFalse();
            } finally {
                a.unknown = null;
            }
        }
    }

    @Test
    void theResolverCachesTags() throws Exception {
        long misses = resolver.cache().misses();
        decide(Reviews.manifest("pod", world.refs.get("minbase"), null), "relaxed");
        decide(Reviews.manifest("pod", world.refs.get("minbase"), null), "relaxed");
        assertThat(resolver.cache().hits()).isPositive();
        assertThat(resolver.cache().misses() - misses).isLessThanOrEqualTo(1);
    }
}
