package org.stellaops.operator.scan;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stellaops.core.json.Digests;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.operator.config.StellaConfig;
import org.stellaops.scanner.image.LayerRef;

/** Worker Job objects: one per layer and attempt, with a stable name, labels, owner reference and bounded lifetime. */
public final class WorkerJobs {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String SELECTOR = MANAGED_BY + "=stella-ops," + COMPONENT + "=worker";
    public static final String LAYER_LABEL = "stella-ops.org/layer";
    public static final String LAYER_DIGEST = "stella-ops.org/layer-digest";
    public static final String SPEC_HASH = "stella-ops.org/spec-hash";

    private WorkerJobs() {
    }

    /** {@code stella-layer-<first 16 hex of the digest>-<attempt>}: the same layer and attempt always give the same name. */
    public static String name(String layerDigest, int attempt) {
        return "stella-layer-" + layerDigest.substring(7, 23) + "-" + attempt;
    }

    public static Job job(ImageScan scan, String imageName, LayerRef layer, int attempt, String pullSecret, StellaConfig config) {
        StellaConfig.Worker w = config.worker();
        String secret = w.storageSecret();
        List<EnvVar> env = new ArrayList<>(List.of(
                env("STELLA_S3_ENDPOINT", config.s3().workerEndpoint().orElse(config.s3().endpoint())),
                env("STELLA_S3_BUCKET", config.s3().bucket()),
                env("STELLA_MONGO_DATABASE", config.mongo().database()),
                secretEnv("STELLA_S3_ACCESS_KEY", secret), secretEnv("STELLA_S3_SECRET_KEY", secret),
                secretEnv("STELLA_MONGO_URI", secret),
                env("STELLA_REGISTRY_TIMEOUT_SECONDS", Long.toString(config.registry().timeout().toSeconds()))));
        config.registry().insecure().ifPresent(l -> env.add(env("STELLA_INSECURE_REGISTRIES", String.join(",", l))));
        if (pullSecret != null) {
            env.add(env("DOCKER_CONFIG", "/stella/docker"));
        }
        List<String> args = List.of("--image", imageName, "--layer", layer.digest(), "--diff-id", layer.diffId(), "--media-type",
                layer.mediaType(), "--size", Long.toString(layer.size()));
        String name = name(layer.digest(), attempt);
        String hash = Digests.sha256(String.join(" ", args).concat(w.image()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var b = new JobBuilder().withNewMetadata().withName(name).withNamespace(scan.getMetadata().getNamespace())
                .withLabels(Map.of(MANAGED_BY, "stella-ops", COMPONENT, "worker", LAYER_LABEL, layer.digest().substring(7, 39)))
                .withAnnotations(Map.of(LAYER_DIGEST, layer.digest(), SPEC_HASH, hash, "stella-ops.org/attempt", Integer.toString(attempt)))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(scan.getApiVersion()).withKind(scan.getKind())
                        .withName(scan.getMetadata().getName()).withUid(scan.getMetadata().getUid()).withController(false)
                        .withBlockOwnerDeletion(false).build())
                .endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(w.activeDeadlineSeconds())
                .withTtlSecondsAfterFinished(w.ttlSecondsAfterFinished())
                .withNewTemplate().withNewMetadata().withLabels(Map.of(MANAGED_BY, "stella-ops", COMPONENT, "worker")).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withServiceAccountName(w.serviceAccount().orElse(null))
                .addNewContainer().withName("worker").withImage(w.image()).withArgs(args).withEnv(env)
                .withNewResources().withRequests(Map.of("cpu", new Quantity(w.cpuRequest()), "memory", new Quantity(w.memoryRequest())))
                .withLimits(Map.of("memory", new Quantity(w.memoryLimit()))).endResources()
                .withNewSecurityContext().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount();
        if (pullSecret != null) {
            b = b.addNewVolumeMount().withName("docker").withMountPath("/stella/docker").withReadOnly(true).endVolumeMount();
        }
        var spec = b.endContainer().addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume();
        if (pullSecret != null) {
            spec = spec.addNewVolume().withName("docker").withNewSecret().withSecretName(pullSecret)
                    .addNewItem().withKey(".dockerconfigjson").withPath("config.json").endItem().endSecret().endVolume();
        }
        return spec.endSpec().endTemplate().endSpec().build();
    }

    public static boolean succeeded(Job job) {
        return job.getStatus() != null && (job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0
                || condition(job, "Complete"));
    }

    public static boolean failed(Job job) {
        return job.getStatus() != null && (job.getStatus().getFailed() != null && job.getStatus().getFailed() > 0
                || condition(job, "Failed"));
    }

    public static String failureReason(Job job) {
        if (job.getStatus() != null && job.getStatus().getConditions() != null) {
            for (JobCondition c : job.getStatus().getConditions()) {
                if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
                    return (c.getReason() == null ? "Failed" : c.getReason()) + (c.getMessage() == null ? "" : ": " + c.getMessage());
                }
            }
        }
        return "the worker Job failed";
    }

    private static boolean condition(Job job, String type) {
        return job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar secretEnv(String name, String secret) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef(name, secret, false).endValueFrom().build();
    }
}
