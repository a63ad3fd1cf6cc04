package org.stellaops.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.stellaops.admission.Ports;
import org.stellaops.admission.TtlCache;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.scanner.image.DockerConfig;

/** The Kubernetes side of a decision: Policies from an informer, namespace labels (cached), pull secrets, break-glass. */
public final class KubeCluster implements Ports.Cluster {
    /** The permission break-glass needs: verb "use" on stella-ops.org/breakglass in the namespace. */
    public static final String BREAK_GLASS_GROUP = "stella-ops.org";
    public static final String BREAK_GLASS_RESOURCE = "breakglass";
    public static final String BREAK_GLASS_VERB = "use";

    private final KubernetesClient client;
    private final SharedIndexInformer<Policy> policies;
    private final TtlCache<String, Map<String, String>> labels = new TtlCache<>(10_000, Duration.ofSeconds(30), Clock.systemUTC());

    public KubeCluster(KubernetesClient client) {
        this.client = client;
        this.policies = client.resources(Policy.class).inAnyNamespace().inform();
    }

    public boolean synced() {
        return policies.hasSynced();
    }

    public void close() {
        policies.close();
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) throws IOException {
        var hit = labels.get(namespace);
        if (hit.isPresent()) {
            return hit.get();
        }
        try {
            Namespace ns = client.namespaces().withName(namespace).get();
            if (ns == null) {
                throw new IOException("namespace not found");
            }
            Map<String, String> l = ns.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(ns.getMetadata().getLabels());
            labels.put(namespace, l);
            return l;
        } catch (KubernetesClientException e) {
            throw new IOException("the API server answered " + e.getCode(), e);
        }
    }

    @Override
    public Collection<Policy> policies() {
        return policies.getStore().list();
    }

    /** The pod's pull secrets plus its ServiceAccount's, merged into one Docker config (as the operator does). */
    @Override
    public DockerConfig pullCredentials(String namespace, List<String> pullSecrets, String serviceAccount) throws IOException {
        try {
            List<String> names = new ArrayList<>(pullSecrets);
            ServiceAccount sa = client.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get();
            if (sa != null && sa.getImagePullSecrets() != null) {
                sa.getImagePullSecrets().stream().map(LocalObjectReference::getName).filter(n -> !names.contains(n)).forEach(names::add);
            }
            ObjectNode auths = Json.mapper().createObjectNode();
            for (String name : names) {
                Secret s = client.secrets().inNamespace(namespace).withName(name).get();
                if (s == null || s.getData() == null || !s.getData().containsKey(".dockerconfigjson")) {
                    continue; // like the kubelet: a missing pull secret is skipped
                }
                JsonNode cfg = Json.mapper().readTree(Base64.getDecoder().decode(s.getData().get(".dockerconfigjson")));
                cfg.path("auths").properties().forEach(e -> {
                    if (!auths.has(e.getKey())) {
                        auths.set(e.getKey(), e.getValue());
                    }
                });
            }
            // only "auths": a pull secret must never make the webhook run a credential helper program
            return DockerConfig.of(Json.mapper().createObjectNode().set("auths", auths));
        } catch (KubernetesClientException e) {
            throw new IOException("the API server answered " + e.getCode(), e);
        }
    }

    @Override
    public boolean mayBreakGlass(UserInfo user, String namespace) throws IOException {
        if (user == null || user.getUsername() == null) {
            return false;
        }
        SubjectAccessReview sar = new SubjectAccessReviewBuilder().withNewSpec().withUser(user.getUsername())
                .withGroups(user.getGroups()).withUid(user.getUid())
                .withNewResourceAttributes().withGroup(BREAK_GLASS_GROUP).withResource(BREAK_GLASS_RESOURCE)
                .withVerb(BREAK_GLASS_VERB).withNamespace(namespace).endResourceAttributes().endSpec().build();
        if (user.getExtra() != null) {
            sar.getSpec().setExtra(user.getExtra());
        }
        try {
            SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(sar);
            return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
        } catch (KubernetesClientException e) {
            throw new IOException("SubjectAccessReview failed (" + e.getCode() + ")", e);
        }
    }
}
