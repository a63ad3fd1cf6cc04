package org.stellaops.operator.it;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.stellaops.operator.scan.WorkerJobs;
import org.stellaops.workers.LayerWorker;

/**
 * The test plays the kubelet and the Job controller: the mock API server runs no pods, so when a worker Job appears in
 * the worker namespace this creates its pod, mounts the Job's Secret as a directory (waiting, as a kubelet does, until
 * the Secret exists), runs the real worker main (in this JVM) with the container's arguments and environment, reports
 * the container's termination message (the worker's termination log, else the tail of its output, as
 * FallbackToLogsOnError does) in the pod status, and marks the Job succeeded or failed by the exit code. With
 * {@link #cannotStart} set, new pods stay Pending with that waiting reason and message instead.
 */
final class Kubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Thread thread;
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    final List<String> ran = new CopyOnWriteArrayList<>();
    /** Every worker Job seen: name → the namespace of the scan that asked for it. */
    final Map<String, String> seen = new ConcurrentHashMap<>();
    volatile boolean paused;
    /** {reason, message} of a container that cannot start (e.g. CreateContainerConfigError), or null. */
    volatile String[] cannotStart;
    private volatile boolean stop;

    Kubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.thread = new Thread(this::loop, "test-kubelet");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (!stop) {
            try {
                if (!paused) {
                    for (Job job : client.batch().v1().jobs().inNamespace(namespace).withLabelSelector(WorkerJobs.SELECTOR).list().getItems()) {
                        seen.putIfAbsent(job.getMetadata().getName(), job.getMetadata().getLabels().get(WorkerJobs.SCAN_NAMESPACE));
                        String key = job.getMetadata().getName() + "/" + job.getMetadata().getUid();
                        if ((job.getStatus() == null || job.getStatus().getConditions() == null || job.getStatus().getConditions().isEmpty())
                                && !handled.contains(key) && job.getMetadata().getDeletionTimestamp() == null) {
                            if (start(job)) {
                                handled.add(key);
                            }
                        }
                    }
                }
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the API server may be restarting in a test; try again
            }
        }
    }

    /** False while the Job's Secret is missing (a kubelet keeps retrying the volume mount). */
    private boolean start(Job job) {
        var spec = job.getSpec().getTemplate().getSpec();
        var container = spec.getContainers().get(0);
        String[] stuck = cannotStart;
        if (stuck != null) {
            pod(job, new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending").addNewContainerStatus().withName("worker").withReady(false)
                    .withRestartCount(0).withImage(container.getImage()).withNewState().withNewWaiting().withReason(stuck[0])
                    .withMessage(stuck[1]).endWaiting().endState().endContainerStatus().build());
            return true;
        }
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getValueFrom() != null) {
                throw new IllegalStateException("worker Job " + job.getMetadata().getName() + " takes " + e.getName() + " from elsewhere");
            }
            env.put(e.getName(), e.getValue());
        }
        Path termination;
        try {
            for (Volume v : spec.getVolumes()) {
                if (v.getSecret() != null) {
                    Secret s = client.secrets().inNamespace(namespace).withName(v.getSecret().getSecretName()).get();
                    if (s == null) {
                        return false;
                    }
                    Path d = Files.createTempDirectory("job");
                    for (var e : s.getData().entrySet()) {
                        Files.write(d.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
                    }
                    String mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(v.getName())).findFirst()
                            .orElseThrow().getMountPath();
                    env.replaceAll((k, val) -> val.equals(mount) ? d.toString() : val);
                }
            }
            termination = Files.createTempFile("termination-log", "");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        env.put("STELLA_TERMINATION_LOG", termination.toString());
        pod(job, new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").addNewContainerStatus().withName("worker").withReady(true)
                .withRestartCount(0).withImage(container.getImage()).withNewState().withNewRunning().withStartedAt(Instant.now().toString())
                .endRunning().endState().endContainerStatus().build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LayerWorker.run(container.getArgs().toArray(String[]::new), env, new PrintStream(out, true, StandardCharsets.UTF_8));
        ran.add(job.getMetadata().getName());
        String message;
        try {
            message = Files.readString(termination);
        } catch (IOException e) {
            message = "";
        }
        if (message.isEmpty() && code != 0) {
            message = out.toString(StandardCharsets.UTF_8).strip(); // FallbackToLogsOnError
        }
        String now = Instant.now().toString();
        pod(job, new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(code == 0 ? "Succeeded" : "Failed").addNewContainerStatus().withName("worker")
                .withReady(false).withRestartCount(0).withImage(container.getImage()).withNewState().withNewTerminated().withExitCode(code)
                .withReason(code == 0 ? "Completed" : "Error").withMessage(message.isEmpty() ? null : message).withFinishedAt(now)
                .endTerminated().endState().endContainerStatus().build());
        Job done = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(job).withStatus(code == 0
                ? new JobStatusBuilder().withSucceeded(1).withCompletionTime(now).withConditions(new JobConditionBuilder()
                .withType("Complete").withStatus("True").withLastTransitionTime(now).build()).build()
                : new JobStatusBuilder().withFailed(1).withConditions(new JobConditionBuilder().withType("Failed").withStatus("True")
                .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                .withLastTransitionTime(now).build()).build()).build();
        client.batch().v1().jobs().inNamespace(namespace).resource(done).updateStatus();
        return true;
    }

    /** Creates or updates the Job's pod (labels of its template) with this status. */
    private void pod(Job job, io.fabric8.kubernetes.api.model.PodStatus status) {
        String name = job.getMetadata().getName() + "-pod";
        Pod existing = client.pods().inNamespace(namespace).withName(name).get();
        Pod pod = existing != null ? existing : client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata()
                .withName(name).withNamespace(namespace).withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
                .withCreationTimestamp(Instant.now().toString()).endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec()).build()).create();
        pod.setStatus(status);
        client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }

    List<String> jobsFor(String layerDigest) {
        List<String> out = new ArrayList<>();
        for (String r : ran) {
            if (r.startsWith("stella-layer-" + layerDigest.substring(7, 23))) {
                out.add(r);
            }
        }
        return out;
    }

    /** Worker Jobs asked for by scans of this namespace (all run in the worker namespace). */
    List<String> jobsOfScansIn(String scanNamespace) {
        return seen.entrySet().stream().filter(e -> scanNamespace.equals(e.getValue())).map(Map.Entry::getKey).sorted().toList();
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
