package org.stellaops.operator.attest;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.AttestationStatus;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.operator.config.Status;
import org.stellaops.storage.StorageException;

/** Signs the outputs of a completed ImageScan when it completes or is re-evaluated; the work is in {@link Signing}. */
@RBACRule(apiGroups = "", resources = {"secrets", "serviceaccounts"}, verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@RBACRule(apiGroups = "stella-ops.org", resources = "imagescans", verbs = {"get", "list", "watch"})
@ControllerConfiguration(name = "attestation")
public class AttestationReconciler implements Reconciler<Attestation> {
    static final String SCANS = "scans";
    @Inject
    KubernetesClient client;
    @Inject
    Signing signing;
    @Inject
    org.stellaops.operator.scan.ScanWork work;
    /** Signing finished off the reconcile thread: the Attestation is reconciled again to take the result. */
    private volatile io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource<Attestation> signed;

    @Override
    public List<EventSource<?, Attestation>> prepareEventSources(EventSourceContext<Attestation> ctx) {
        signed = new io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource<>("signed");
        return List.of(new InformerEventSource<>(InformerEventSourceConfiguration.from(ImageScan.class, Attestation.class)
                .withName(SCANS)
                .withSecondaryToPrimaryMapper(scan -> ctx.getPrimaryCache().list(scan.getMetadata().getNamespace())
                        .filter(a -> scan.getMetadata().getName().equals(a.getSpec().subject.imageScanRef))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), ctx), signed);
    }

    @Override
    @SuppressWarnings("unchecked")
    public UpdateControl<Attestation> reconcile(Attestation att, Context<Attestation> context) {
        Instant now = Instant.now();
        Long gen = att.getMetadata().getGeneration();
        String ns = att.getMetadata().getNamespace();
        AttestationStatus prev = att.getStatus();
        ImageScan scan = ((InformerEventSource<ImageScan, Attestation>) context.eventSourceRetriever()
                .getEventSourceFor(ImageScan.class, SCANS)).get(new ResourceID(att.getSpec().subject.imageScanRef, ns)).orElse(null);
        String waiting = scan == null ? "ImageScan " + att.getSpec().subject.imageScanRef + " not found"
                : scan.getStatus() == null || scan.getStatus().phase != ImageScanStatus.Phase.Completed
                ? "waiting for ImageScan " + att.getSpec().subject.imageScanRef + " to complete" : null;
        if (waiting != null) {
            return done(att, Signing.notReady(prev, gen, scan == null ? "ScanNotFound" : "WaitingForScan", waiting, now), null);
        }
        String inputs = Signing.inputsDigest(scan);
        try {
            Secret keySecret = att.getSpec().signer.keySecretRef == null ? null
                    : client.secrets().inNamespace(ns).withName(att.getSpec().signer.keySecretRef.name).get();
            if (prev != null && inputs.equals(prev.inputsDigest) && gen.equals(prev.observedGeneration)
                    && Signing.SIGNED_REASONS.contains(Conditions.reason(prev.conditions, "Ready"))) {
                // already signed for these inputs: only the verification against the configured trust is redone
                AttestationStatus st = signing.reverify(att, keySecret, prev, now);
                if (!java.util.Objects.equals(st.verified, prev.verified)) {
                    event(att, st);
                }
                return done(att, st, null);
            }
            // signing reads the stored outputs and may call Rekor and a registry: never on the reconcile thread
            String key = "attest/" + att.getMetadata().getUid() + "/" + gen + "/" + inputs;
            var result = work.run(key, ResourceID.fromResource(att), () -> signing.sign(att, scan, keySecret, prev, now),
                    id -> signed.propagateEvent(id));
            if (result.isEmpty()) {
                AttestationStatus pending = Signing.notReady(prev, gen, "Signing", "signing the outputs of ImageScan "
                        + att.getSpec().subject.imageScanRef, now);
                return done(att, pending, Duration.ofSeconds(30));
            }
            AttestationStatus st = result.get().get();
            event(att, st);
            // a verification failure is not retried by signing again: the bundles are verified again on the next reconcile
            boolean retry = !Conditions.isTrue(st.conditions, "Ready") && !Signing.SIGNED_REASONS.contains(Conditions.reason(st.conditions, "Ready"));
            return done(att, st, retry ? Duration.ofMinutes(2) : null);
        } catch (StorageException e) {
            return done(att, Signing.notReady(prev, gen, "StorageUnavailable", e.getMessage(), now), Duration.ofSeconds(15));
        } catch (Exception e) {
            // Signing reports its failures in the status it returns; anything else is unexpected: say what, not the content
            return done(att, Signing.notReady(prev, gen, "SigningFailed", e.getClass().getSimpleName(), now), Duration.ofMinutes(2));
        }
    }

    private void event(Attestation att, AttestationStatus st) {
        boolean ok = Conditions.isTrue(st.conditions, "Ready");
        Status.event(client, att, ok ? "Normal" : "Warning", Conditions.reason(st.conditions, "Ready"),
                st.conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().map(c -> c.getMessage()).orElse(""));
    }

    private UpdateControl<Attestation> done(Attestation att, AttestationStatus st, Duration requeue) {
        Status.patch(client, att, st);
        return requeue == null ? UpdateControl.noUpdate() : UpdateControl.<Attestation>noUpdate().rescheduleAfter(requeue);
    }
}
