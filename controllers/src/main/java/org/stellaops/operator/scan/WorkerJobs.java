package org.stellaops.operator.scan;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.stellaops.core.json.Digests;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.operator.config.StellaConfig;
import org.stellaops.scanner.image.LayerRef;

/**
 * Worker Job objects: one per layer and attempt, in the worker namespace (never a scan's namespace), with a stable
 * name, labels, the scan that asked for it in annotations (a cross-namespace owner reference is not possible), bounded
 * lifetime, and their own short-lived Secret (the pre-signed upload URL and the pull credentials of one registry),
 * owned by the Job so that it goes with it.
 */
public final class WorkerJobs {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String SELECTOR = MANAGED_BY + "=stella-ops," + COMPONENT + "=worker";
    public static final String LAYER_LABEL = "stella-ops.org/layer";
    /** On worker pods: the name of their Job (the Job controller's own label is not set by every API server). */
    public static final String JOB_LABEL = "stella-ops.org/job";
    public static final String SCAN_NAMESPACE = "stella-ops.org/scan-namespace";
    public static final String SCAN_NAME = "stella-ops.org/scan-name";
    public static final String SCAN_UID = "stella-ops.org/scan-uid";
    public static final String LAYER_DIGEST = "stella-ops.org/layer-digest";
    public static final String ANALYZER_VERSION = "stella-ops.org/analyzer-version";
    public static final String SPEC_HASH = "stella-ops.org/spec-hash";
    /** Where the Job's Secret is mounted in the worker container. */
    public static final String JOB_DIR = "/stella/job";
    static final String UPLOAD_URL = "upload-url";
    static final String DOCKER_CONFIG = "config.json";
    /** Container waiting reasons that mean a pod is still being set up normally (pulling, mounting). */
    private static final List<String> STARTING = List.of("ContainerCreating", "PodInitializing");

    private WorkerJobs() {
    }

    /**
     * {@code stella-layer-<first 16 hex of the digest>-<6 hex of the analyzer version's hash>-<attempt>}: the same layer,
     * analyzer version and attempt always give the same name, and a finished Job of an older analyzer version is never
     * mistaken for the new version's.
     */
    public static String name(String layerDigest, String analyzerVersion, int attempt) {
        return "stella-layer-" + layerDigest.substring(7, 23) + "-"
                + Digests.sha256(analyzerVersion.getBytes(StandardCharsets.UTF_8)).substring(7, 13) + "-" + attempt;
    }

    public static Job job(ImageScan scan, String imageName, LayerRef layer, int attempt, String namespace, String analyzerVersion,
                          StellaConfig config) {
        StellaConfig.Worker w = config.worker();
        List<EnvVar> env = new ArrayList<>(List.of(
                env("STELLA_JOB_DIR", JOB_DIR),
                env("STELLA_REGISTRY_TIMEOUT_SECONDS", Long.toString(config.registry().timeout().toSeconds())),
                env("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=" + w.maxRamPercentage())));
        config.registry().insecure().ifPresent(l -> env.add(env("STELLA_INSECURE_REGISTRIES", String.join(",", l))));
        // the scan limits the operator runs with (STELLA_SCAN_*, STELLA_MAX_FRAGMENT_BYTES) hold for its workers too
        new java.util.TreeMap<>(System.getenv()).forEach((k, v) -> {
            if (k.startsWith("STELLA_SCAN_") || k.equals("STELLA_MAX_FRAGMENT_BYTES")) {
                env.add(env(k, v));
            }
        });
        List<String> args = List.of("--image", imageName, "--layer", layer.digest(), "--diff-id", layer.diffId(), "--media-type",
                layer.mediaType(), "--size", Long.toString(layer.size()));
        String name = name(layer.digest(), analyzerVersion, attempt);
        String hash = Digests.sha256(String.join(" ", args).concat(w.image()).getBytes(StandardCharsets.UTF_8));
        Map<String, String> labels = Map.of(MANAGED_BY, "stella-ops", COMPONENT, "worker", LAYER_LABEL, layer.digest().substring(7, 39),
                SCAN_NAMESPACE, scan.getMetadata().getNamespace());
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(LAYER_DIGEST, layer.digest());
        annotations.put(ANALYZER_VERSION, analyzerVersion);
        annotations.put(SCAN_NAMESPACE, scan.getMetadata().getNamespace());
        annotations.put(SCAN_NAME, scan.getMetadata().getName());
        annotations.put(SCAN_UID, String.valueOf(scan.getMetadata().getUid()));
        annotations.put(SPEC_HASH, hash);
        annotations.put("stella-ops.org/attempt", Integer.toString(attempt));
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(w.activeDeadlineSeconds())
                .withTtlSecondsAfterFinished(w.ttlSecondsAfterFinished())
                .withNewTemplate().withNewMetadata().withLabels(Map.of(MANAGED_BY, "stella-ops", COMPONENT, "worker", JOB_LABEL, name))
                .endMetadata()
                .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false).withEnableServiceLinks(false)
                .withServiceAccountName(w.serviceAccount())
                .addNewContainer().withName("worker").withImage(w.image()).withArgs(args).withEnv(env)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewResources().withRequests(Map.of("cpu", new Quantity(w.cpuRequest()), "memory", new Quantity(w.memoryRequest())))
                .withLimits(Map.of("memory", new Quantity(w.memoryLimit()))).endResources()
                .withNewSecurityContext().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addNewVolumeMount().withName("job").withMountPath(JOB_DIR).withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("job").withNewSecret().withSecretName(name).endSecret().endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    /**
     * The Job's own Secret, named like it and owned by it (garbage-collected with it): the pre-signed PUT URL of exactly
     * its fragment key and, when the scan has pull credentials for the image's registry, a Docker config with only
     * those {@code auths}. Nothing of it appears in the Job's spec.
     */
    public static Secret secret(Job job, String uploadUrl, byte[] dockerConfig) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(UPLOAD_URL, b64(uploadUrl.getBytes(StandardCharsets.UTF_8)));
        if (dockerConfig != null) {
            data.put(DOCKER_CONFIG, b64(dockerConfig));
        }
        return new SecretBuilder().withNewMetadata().withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace())
                .withLabels(Map.of(MANAGED_BY, "stella-ops", COMPONENT, "worker"))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                        .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(false).build())
                .endMetadata().withType("Opaque").withData(data).build();
    }

    /** Whether the Job concerns a layer of this scan (its events wake every scan waiting for that layer, any namespace). */
    public static boolean concerns(Job job, ImageScan scan) {
        String digest = job.getMetadata().getAnnotations() == null ? null : job.getMetadata().getAnnotations().get(LAYER_DIGEST);
        return digest != null && scan.getStatus() != null && scan.getStatus().layers != null
                && scan.getStatus().layers.stream().anyMatch(l -> digest.equals(l.digest));
    }

    public static boolean succeeded(Job job) {
        return job.getStatus() != null && (job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0
                || condition(job, "Complete"));
    }

    public static boolean failed(Job job) {
        return job.getStatus() != null && (job.getStatus().getFailed() != null && job.getStatus().getFailed() > 0
                || condition(job, "Failed"));
    }

    /** The Job controller's reason, when no pod says more. */
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

    /**
     * The worker's own reason from a terminated pod: its termination message (the worker writes /dev/termination-log;
     * with FallbackToLogsOnError the log tail when it could not), else the container's reason and exit code
     * (OOMKilled, Error).
     */
    public static Optional<String> terminationReason(Pod pod) {
        for (ContainerStatus c : containers(pod)) {
            var t = c.getState() == null ? null : c.getState().getTerminated();
            if (t != null && (t.getExitCode() == null || t.getExitCode() != 0)) {
                String msg = t.getMessage() == null ? "" : t.getMessage().strip();
                String head = (t.getReason() == null ? "Error" : t.getReason()) + " (exit code " + t.getExitCode() + ")";
                return Optional.of(msg.isEmpty() ? "worker " + head : "worker " + head + ": " + bounded(msg));
            }
        }
        return Optional.empty();
    }

    /**
     * Why a pod cannot start, once it has tried for {@code timeout}: a container still waiting (ErrImagePull,
     * ImagePullBackOff, CreateContainerConfigError — a missing Secret or runAsNonRoot with a root image —, or still
     * ContainerCreating, e.g. a volume that cannot be mounted). A pod the scheduler cannot place yet is not counted:
     * it waits for capacity until the Job's deadline.
     */
    public static Optional<String> startFailure(Pod pod, Instant now, Duration timeout) {
        if (pod.getStatus() == null || !"Pending".equals(pod.getStatus().getPhase())) {
            return Optional.empty();
        }
        Instant created = pod.getMetadata().getCreationTimestamp() == null ? now : Instant.parse(pod.getMetadata().getCreationTimestamp());
        if (created.plus(timeout).isAfter(now)) {
            return Optional.empty();
        }
        for (ContainerStatus c : containers(pod)) {
            var w = c.getState() == null ? null : c.getState().getWaiting();
            if (w != null) {
                String reason = w.getReason() == null ? "Waiting" : w.getReason();
                return Optional.of("worker pod did not start within " + timeout.toSeconds() + " s: " + reason
                        + (w.getMessage() == null || w.getMessage().isBlank() ? STARTING.contains(reason)
                        ? " (see the pod's events, e.g. FailedMount)" : "" : ": " + bounded(w.getMessage().strip())));
            }
        }
        return Optional.empty();
    }

    private static List<ContainerStatus> containers(Pod pod) {
        if (pod.getStatus() == null) {
            return List.of();
        }
        List<ContainerStatus> out = new ArrayList<>();
        if (pod.getStatus().getInitContainerStatuses() != null) {
            out.addAll(pod.getStatus().getInitContainerStatuses());
        }
        if (pod.getStatus().getContainerStatuses() != null) {
            out.addAll(pod.getStatus().getContainerStatuses());
        }
        return out;
    }

    /** Kubernetes caps termination messages at 4 KiB; status conditions stay small. */
    private static String bounded(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) + "…" : s;
    }

    private static boolean condition(Job job, String type) {
        return job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
