package org.stellaops.operator.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Status writes and Events. Status is written as a whole (a patch holding only the status, never the informer's copy
 * of the object), and only when it differs from what the resource has.
 */
public final class Status {
    private static final Logger LOG = Logger.getLogger(Status.class);

    private Status() {
    }

    /** Patches the status subresource when {@code status} differs; returns whether it wrote. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <S> boolean patch(KubernetesClient client, CustomResource<?, S> resource, S status) {
        if (Objects.equals(resource.getStatus(), status)) {
            return false;
        }
        // A JSON Patch (RFC 6902) that sets /status as a whole: lists are replaced, never merged, by every API server
        // (and by the mock server of the tests), and no resourceVersion is needed, so a stale cache cannot cause 409s.
        var op = client.getKubernetesSerialization().convertValue(Map.of("op", "add", "path", "/status", "value", status), Object.class);
        client.resources((Class<CustomResource>) resource.getClass()).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(List.of(op)));
        return true;
    }

    /** A Kubernetes Event on the resource; failing to record one never fails a reconcile. */
    public static void event(KubernetesClient client, HasMetadata r, String type, String reason, String message) {
        try {
            String now = Instant.now().toString();
            client.v1().events().inNamespace(r.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withMetadata(new ObjectMetaBuilder().withNamespace(r.getMetadata().getNamespace())
                            .withName(r.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8)).build())
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(r.getApiVersion()).withKind(r.getKind())
                            .withName(r.getMetadata().getName()).withNamespace(r.getMetadata().getNamespace())
                            .withUid(r.getMetadata().getUid()).build())
                    .withType(type).withReason(reason).withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("stella-operator").endSource().build()).create();
        } catch (KubernetesClientException e) {
            LOG.debugf("event %s on %s/%s not recorded: %s", reason, r.getMetadata().getNamespace(), r.getMetadata().getName(), e.getMessage());
        }
    }
}
