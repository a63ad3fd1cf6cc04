package org.stellaops.operator.it;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
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
 * The test plays the kubelet: the mock API server runs no pods, so when a worker Job appears this runs the real worker
 * main (in this JVM) with that Job's container arguments and environment — Secret references resolved, the pull-secret
 * volume written as a Docker config — then marks the Job succeeded or failed by the worker's exit code.
 */
final class Kubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final Thread thread;
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    final List<String> ran = new CopyOnWriteArrayList<>();
    volatile boolean paused;
    private volatile boolean stop;

    Kubelet(KubernetesClient client) {
        this.client = client;
        this.thread = new Thread(this::loop, "test-kubelet");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (!stop) {
            try {
                if (!paused) {
                    for (Job job : client.batch().v1().jobs().inAnyNamespace().withLabelSelector(WorkerJobs.SELECTOR).list().getItems()) {
                        String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
                        if (job.getStatus() == null || job.getStatus().getConditions() == null || job.getStatus().getConditions().isEmpty()) {
                            if (handled.add(key)) {
                                run(job);
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

    private void run(Job job) {
        String ns = job.getMetadata().getNamespace();
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                Secret s = client.secrets().inNamespace(ns).withName(e.getValueFrom().getSecretKeyRef().getName()).get();
                env.put(e.getName(), new String(Base64.getDecoder().decode(s.getData().get(e.getValueFrom().getSecretKeyRef().getKey())),
                        StandardCharsets.UTF_8));
            }
        }
        try {
            for (Volume v : job.getSpec().getTemplate().getSpec().getVolumes()) {
                if (v.getSecret() != null) {
                    Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
                    Path d = Files.createTempDirectory("docker");
                    Files.write(d.resolve("config.json"), Base64.getDecoder().decode(s.getData().get(".dockerconfigjson")));
                    env.put("DOCKER_CONFIG", d.toString());
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LayerWorker.run(container.getArgs().toArray(String[]::new), env, new PrintStream(out, true, StandardCharsets.UTF_8));
        ran.add(job.getMetadata().getName());
        String now = Instant.now().toString();
        Job done = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(job).withStatus(code == 0
                ? new JobStatusBuilder().withSucceeded(1).withCompletionTime(now).withConditions(new JobConditionBuilder()
                .withType("Complete").withStatus("True").withLastTransitionTime(now).build()).build()
                : new JobStatusBuilder().withFailed(1).withConditions(new JobConditionBuilder().withType("Failed").withStatus("True")
                .withReason("BackoffLimitExceeded").withMessage("worker exited " + code + ": " + out.toString(StandardCharsets.UTF_8).strip())
                .withLastTransitionTime(now).build()).build()).build();
        client.batch().v1().jobs().inNamespace(ns).resource(done).updateStatus();
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

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
