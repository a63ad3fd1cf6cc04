package org.stellaops.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.AttestationSpec;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.SourceRef;
import org.stellaops.scanner.testing.Fixtures;

/**
 * The states in which a resource waits for another one that a user must create or fix, and the invalid ones: a scan
 * whose Policy does not exist or is invalid, a scan with spec.attest and no Attestation, an Attestation of a scan that
 * does not exist or whose key Secret is missing, an invalid Policy. Each ends in its documented condition reason
 * (docs/operator.md; their Argo CD health is in docs/argocd.md, judged on what {@link StatusRecorder} keeps).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = CrdSetup.class)
@QuarkusTestResource(value = Servers.class, restrictToAnnotatedClass = true)
class WaitingStatesIT {
    static final Duration LONG = Duration.ofMinutes(2);
    static final String NS = "waiting";
    static Kubelet kubelet;
    static String image;

    @Inject
    KubernetesClient client;

    @BeforeAll
    static void images() throws Exception {
        image = Servers.registry.push(Fixtures.image("minbase"), "1", "waiting/base", "1");
    }

    @AfterAll
    static void stopKubelet() {
        if (kubelet != null) {
            kubelet.close();
        }
    }

    void namespace() {
        if (kubelet == null) {
            kubelet = new Kubelet(client, Servers.WORKER_NAMESPACE);
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).createOr(c -> c.update());
        client.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata()
                .build()).createOr(c -> c.update());
    }

    ImageScan scan(String name, String policyRef, Boolean attest) {
        ImageScan s = new ImageScan();
        s.getMetadata().setName(name);
        s.getMetadata().setNamespace(NS);
        s.getSpec().image = image;
        s.getSpec().policyRef = policyRef;
        s.getSpec().attest = attest;
        return client.resource(s).create();
    }

    void readyReason(Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> type, String name, String type2, String reason) {
        await().atMost(LONG).ignoreExceptions().pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            var r = client.resources(type).inNamespace(NS).withName(name).get();
            var status = org.stellaops.core.json.Json.mapper().valueToTree(r).path("status");
            List<io.fabric8.kubernetes.api.model.Condition> conditions = org.stellaops.core.json.Json.mapper().convertValue(
                    status.path("conditions"), new com.fasterxml.jackson.core.type.TypeReference<>() { });
            assertThat(Conditions.reason(conditions, type2)).as(name + ": " + status).isEqualTo(reason);
        });
    }

    @Test
    void resourcesWaitingForOthersOrInvalidNameTheReason() {
        namespace();
        Policy invalid = new Policy();
        invalid.getMetadata().setName("broken");
        invalid.getMetadata().setNamespace(NS);
        invalid.setSpec(new org.stellaops.crds.v1alpha1.PolicySpec());
        invalid.getSpec().version = "1.0";
        invalid.getSpec().rules = List.of(JsonNodeFactory.instance.objectNode().put("name", "no action"));
        client.resource(invalid).create();
        scan("no-policy", "missing-policy", null);
        scan("invalid-policy", "broken", null);
        scan("no-attestation", null, true);
        Attestation orphan = new Attestation();
        orphan.getMetadata().setName("orphan");
        orphan.getMetadata().setNamespace(NS);
        orphan.setSpec(new AttestationSpec());
        orphan.getSpec().subject = new AttestationSpec.Subject();
        orphan.getSpec().subject.imageScanRef = "no-such-scan";
        orphan.getSpec().signer = new AttestationSpec.Signer();
        orphan.getSpec().signer.keySecretRef = new SourceRef.KeyRef();
        orphan.getSpec().signer.keySecretRef.name = "no-such-key";
        orphan.getSpec().signer.keySecretRef.key = "cosign.key";
        client.resource(orphan).create();

        readyReason(Policy.class, "broken", "Valid", "Invalid");
        readyReason(Attestation.class, "orphan", "Ready", "ScanNotFound");
        readyReason(ImageScan.class, "no-policy", "Ready", "PolicyNotFound");
        readyReason(ImageScan.class, "invalid-policy", "Ready", "PolicyInvalid");
        readyReason(ImageScan.class, "no-attestation", "Ready", "NoAttestation");

        // the Attestation's scan appears, completes, and the key Secret is still missing
        scan("no-such-scan", null, null);
        readyReason(Attestation.class, "orphan", "Ready", "KeyUnavailable");
    }
}
