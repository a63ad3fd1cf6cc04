package org.stellaops.operator.unit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.PolicySpec;
import org.stellaops.crds.v1alpha1.PolicyStatus;
import org.stellaops.operator.scan.WorkerJobs;
import org.stellaops.operator.sources.PolicyReconciler;

/** The pure parts of the reconcilers: policy linting into status, condition bookkeeping, worker Job objects. */
class StatusLogicTest {
    static Policy policy(String... rulesJson) throws Exception {
        Policy p = new Policy();
        p.getMetadata().setName("p");
        p.getMetadata().setNamespace("ns");
        p.getMetadata().setGeneration(3L);
        PolicySpec spec = new PolicySpec();
        spec.version = "1.0";
        for (String r : rulesJson) {
            spec.rules.add(Json.mapper().readTree(r));
        }
        p.setSpec(spec);
        return p;
    }

    @Test
    void aValidPolicyHasItsDigestAndAnInvalidOneItsIssues() throws Exception {
        Instant now = Instant.parse("2026-11-27T10:00:00Z");
        PolicyStatus ok = PolicyReconciler.lint(policy("{\"name\":\"block critical\",\"severity\":[\"Critical\"],\"action\":\"block\"}"), null, now);
        assertThat(ok.digest).startsWith("sha256:");
        assertThat(ok.ruleCount).isEqualTo(1);
        assertThat(ok.observedGeneration).isEqualTo(3L);
        assertThat(Conditions.isTrue(ok.conditions, "Valid")).isTrue();
        PolicyStatus bad = PolicyReconciler.lint(policy("{\"name\":\"x\",\"severity\":[\"Huge\"],\"action\":\"explode\"}"), ok, now.plusSeconds(60));
        assertThat(bad.digest).isNull();
        assertThat(bad.issues).isNotEmpty().allSatisfy(i -> assertThat(i.path).startsWith("$"));
        assertThat(Conditions.isTrue(bad.conditions, "Valid")).isFalse();
        assertThat(bad.conditions.get(0).getLastTransitionTime()).isEqualTo(now.plusSeconds(60).toString());
        // linting the same spec again gives an equal status: nothing is written
        assertThat(PolicyReconciler.lint(policy("{\"name\":\"block critical\",\"severity\":[\"Critical\"],\"action\":\"block\"}"), ok,
                now.plusSeconds(120))).isEqualTo(ok);
    }

    @Test
    void workerJobsAreBoundedLabelledOwnedAndNamedByLayerAndAttempt() {
        String digest = "sha256:" + "ab".repeat(32);
        assertThat(WorkerJobs.name(digest, 1)).isEqualTo("stella-layer-abababababababab-1").hasSizeLessThan(64);
        org.stellaops.crds.v1alpha1.ImageScan scan = new org.stellaops.crds.v1alpha1.ImageScan();
        scan.getMetadata().setName("s");
        scan.getMetadata().setNamespace("ns");
        scan.getMetadata().setUid("uid-1");
        Job job = WorkerJobs.job(scan, "registry.example/shop/app", new org.stellaops.scanner.image.LayerRef(digest,
                "application/vnd.oci.image.layer.v1.tar+gzip", 1234, "sha256:" + "cd".repeat(32)), 2, "regcred", TestConfig.config());
        assertThat(job.getMetadata().getName()).isEqualTo("stella-layer-abababababababab-2");
        assertThat(job.getMetadata().getLabels()).containsEntry(WorkerJobs.MANAGED_BY, "stella-ops").containsEntry(WorkerJobs.COMPONENT, "worker");
        assertThat(job.getMetadata().getAnnotations()).containsEntry(WorkerJobs.LAYER_DIGEST, digest).containsKey(WorkerJobs.SPEC_HASH);
        assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-1"));
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
        var c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getArgs()).containsSubsequence("--layer", digest).containsSubsequence("--size", "1234");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("STELLA_S3_SECRET_KEY");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("stella-storage");
        });
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getSecret()).isNotNull()
                .satisfies(sv -> assertThat(sv.getSecretName()).isEqualTo("regcred")));
    }
}
