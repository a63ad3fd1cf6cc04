package org.stellaops.operator.it;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.VexSource;

/**
 * Keeps one copy of every distinct status the operator writes during the integration tests, as the whole resource in
 * YAML, in {@code target/status-documents/}: one file per kind, phase and condition reasons (the first resource seen
 * in that state). The Argo CD health checks of the chart (docs/argocd.md) are tested on these documents, so they are
 * judged on what the operator really writes, for every state the tests drive it through
 * (test-support/argocd-health.sh).
 */
@ApplicationScoped
public class StatusRecorder {
    static final Path DIR = Path.of("target/status-documents");
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9.-]+");

    @Inject
    KubernetesClient client;

    private final List<Watch> watches = new ArrayList<>();
    private final java.util.Set<String> seen = ConcurrentHashMap.newKeySet();

    void start(@Observes StartupEvent e) throws IOException {
        Files.createDirectories(DIR);
        watch(ImageScan.class);
        watch(Policy.class);
        watch(AdvisoryFeed.class);
        watch(VexSource.class);
        watch(Attestation.class);
    }

    void stop(@Observes ShutdownEvent e) {
        watches.forEach(Watch::close);
    }

    private <T extends HasMetadata> void watch(Class<T> type) {
        watches.add(client.resources(type).inAnyNamespace().watch(new Watcher<T>() {
            @Override
            public void eventReceived(Action action, T resource) {
                if (action != Action.DELETED) {
                    record(resource);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test application stops
            }
        }));
    }

    /** kind, phase and verdict (ImageScan) and the reason of every condition, e.g. ImageScan-Analyzing-LayersAnalyzed.False.Analyzing-Ready.False.Analyzing */
    static String state(HasMetadata r) {
        com.fasterxml.jackson.databind.JsonNode status = Serialization.jsonMapper().valueToTree(r).path("status");
        StringBuilder key = new StringBuilder(r.getKind());
        key.append('-').append(status.isMissingNode() || status.isNull() ? "NoStatus" : status.path("phase").asText("NoPhase"));
        if (status.hasNonNull("verdict")) {
            key.append('-').append(status.path("verdict").asText());
        }
        TreeMap<String, String> reasons = new TreeMap<>();
        for (com.fasterxml.jackson.databind.JsonNode c : status.path("conditions")) {
            Condition cond = Serialization.jsonMapper().convertValue(c, Condition.class);
            reasons.put(cond.getType(), cond.getStatus() + "." + cond.getReason());
        }
        reasons.forEach((type, reason) -> key.append('-').append(type).append('.').append(reason));
        return UNSAFE.matcher(key.toString()).replaceAll("_");
    }

    private void record(HasMetadata r) {
        String state = state(r);
        if (!seen.add(state)) {
            return;
        }
        r.getMetadata().setManagedFields(null);
        try {
            Files.writeString(DIR.resolve(state + ".yaml"), Serialization.asYaml(r), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
