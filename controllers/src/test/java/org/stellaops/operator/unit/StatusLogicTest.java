package org.stellaops.operator.unit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
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
    void workerJobsRunInTheWorkerNamespaceWithOnlyTheirOwnSecretAndNoStorageCredentials() {
        String digest = "sha256:" + "ab".repeat(32);
        assertThat(WorkerJobs.name(digest, "analyzers-1", 1)).matches("stella-layer-abababababababab-[0-9a-f]{6}-1").hasSizeLessThan(64)
                .isEqualTo(WorkerJobs.name(digest, "analyzers-1", 1)).isNotEqualTo(WorkerJobs.name(digest, "analyzers-2", 1));
        org.stellaops.crds.v1alpha1.ImageScan scan = new org.stellaops.crds.v1alpha1.ImageScan();
        scan.getMetadata().setName("s");
        scan.getMetadata().setNamespace("ns");
        scan.getMetadata().setUid("uid-1");
        Job job = WorkerJobs.job(scan, "registry.example/shop/app", new org.stellaops.scanner.image.LayerRef(digest,
                "application/vnd.oci.image.layer.v1.tar+gzip", 1234, "sha256:" + "cd".repeat(32)), 2, "stella-system", "analyzers-1",
                TestConfig.config());
        assertThat(job.getMetadata().getName()).isEqualTo(WorkerJobs.name(digest, "analyzers-1", 2));
        assertThat(job.getMetadata().getNamespace()).as("never the scan's namespace").isEqualTo("stella-system");
        assertThat(job.getMetadata().getLabels()).containsEntry(WorkerJobs.MANAGED_BY, "stella-ops").containsEntry(WorkerJobs.COMPONENT, "worker");
        assertThat(job.getMetadata().getAnnotations()).containsEntry(WorkerJobs.LAYER_DIGEST, digest).containsKey(WorkerJobs.SPEC_HASH)
                .containsEntry(WorkerJobs.SCAN_NAMESPACE, "ns").containsEntry(WorkerJobs.SCAN_NAME, "s").containsEntry(WorkerJobs.SCAN_UID, "uid-1")
                .containsEntry(WorkerJobs.ANALYZER_VERSION, "analyzers-1");
        assertThat(job.getMetadata().getOwnerReferences()).as("no cross-namespace owner").isNullOrEmpty();
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getServiceAccountName()).isEqualTo("stella-worker");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(WorkerJobs.JOB_LABEL, job.getMetadata().getName());
        var c = pod.getContainers().get(0);
        assertThat(c.getArgs()).containsSubsequence("--layer", digest).containsSubsequence("--size", "1234");
        assertThat(c.getEnv()).as("no credentials or Secret references in the spec").allSatisfy(e -> {
            assertThat(e.getValueFrom()).isNull();
            assertThat(e.getName()).doesNotContain("S3").doesNotContain("MONGO");
        });
        assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=70"));
        assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
        assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(job.getMetadata().getName()));

        // storage defaults resolve from any namespace (fully qualified Service names)
        assertThat(TestConfig.config().s3().endpoint()).isEqualTo("http://stella-minio.stella-system.svc.cluster.local:9000");
        assertThat(TestConfig.config().mongo().uri()).isEqualTo("mongodb://stella-mongodb.stella-system.svc.cluster.local:27017/");
        job.getMetadata().setUid("job-uid");
        var secret = WorkerJobs.secret(job, "http://s3.example/stellaops/layers/x?X-Amz-Signature=1", "{\"auths\":{}}".getBytes());
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("stella-system");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Job");
            assertThat(o.getUid()).isEqualTo("job-uid");
        });
        assertThat(secret.getData()).containsOnlyKeys("upload-url", "config.json");
    }

    @Test
    void thePodsReasonIsTheWorkersTerminationMessageOrWhyItCannotStart() {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        var terminated = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("p")
                .withCreationTimestamp(t0.toString()).endMetadata().withNewStatus().withPhase("Failed").addNewContainerStatus()
                .withName("worker").withNewState().withNewTerminated().withExitCode(7).withReason("Error")
                .withMessage("catalog mongodb://***@x unreachable\n").endTerminated().endState().endContainerStatus().endStatus().build();
        assertThat(WorkerJobs.terminationReason(terminated)).contains("worker Error (exit code 7): catalog mongodb://***@x unreachable");
        var waiting = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("p")
                .withCreationTimestamp(t0.toString()).endMetadata().withNewStatus().withPhase("Pending").addNewContainerStatus()
                .withName("worker").withNewState().withNewWaiting().withReason("CreateContainerConfigError")
                .withMessage("container has runAsNonRoot and image will run as root").endWaiting().endState().endContainerStatus()
                .endStatus().build();
        assertThat(WorkerJobs.startFailure(waiting, t0.plusSeconds(60), Duration.ofMinutes(3))).as("not yet").isEmpty();
        assertThat(WorkerJobs.startFailure(waiting, t0.plusSeconds(181), Duration.ofMinutes(3)))
                .contains("worker pod did not start within 180 s: CreateContainerConfigError: container has runAsNonRoot and image will run as root");
        var unschedulable = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("p")
                .withCreationTimestamp(t0.toString()).endMetadata().withNewStatus().withPhase("Pending").endStatus().build();
        assertThat(WorkerJobs.startFailure(unschedulable, t0.plusSeconds(3600), Duration.ofMinutes(3))).as("waits for capacity").isEmpty();
    }
}
