package org.stellaops.operator.scan;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
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
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.VexSource;
import org.stellaops.operator.config.Status;

/**
 * ImageScan: resolve → worker Jobs for missing layers → compose → evaluate → Completed; re-evaluates from the stored SBOM
 * when its Policy, an AdvisoryFeed or a VexSource of its namespace changes revision, or when a waiver expires. The steps
 * live in {@link ScanSteps}; the slow ones run in {@link ScanWork}, whose end triggers the scan again.
 */
// what the scan needs beyond its own resource, cluster-wide: pull secrets, the default ServiceAccount, Events, the
// sources it evaluates with, and (for the REST API) TokenReview and SubjectAccessReview. Worker Jobs, their pods and
// their Secrets live in the operator's namespace only: a Role there (operator's application.properties), not here.
@RBACRule(apiGroups = "", resources = {"secrets", "serviceaccounts"}, verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@RBACRule(apiGroups = "stella-ops.org", resources = {"policies", "advisoryfeeds", "vexsources", "attestations"},
        verbs = {"get", "list", "watch"})
@RBACRule(apiGroups = "authentication.k8s.io", resources = "tokenreviews", verbs = "create")
@RBACRule(apiGroups = "authorization.k8s.io", resources = "subjectaccessreviews", verbs = "create")
@ControllerConfiguration(name = "imagescan")
public class ImageScanReconciler implements Reconciler<ImageScan> {
    private static final Logger LOG = Logger.getLogger(ImageScanReconciler.class);
    static final String JOBS = "worker-jobs";
    static final String POLICIES = "policies";
    static final String FEEDS = "advisory-feeds";
    static final String VEX = "vex-sources";
    static final String ATTESTATIONS = "attestations";
    static final String WORK = "scan-work";

    @Inject
    KubernetesClient client;
    @Inject
    ScanSteps steps;
    @Inject
    LayerJobs layerJobs;
    @Inject
    ScanWork work;

    @Override
    public List<EventSource<?, ImageScan>> prepareEventSources(EventSourceContext<ImageScan> ctx) {
        // worker Jobs live in the worker namespace only; one wakes every scan (any namespace) waiting for its layer
        var jobs = new InformerEventSource<>(InformerEventSourceConfiguration.from(Job.class, ImageScan.class).withName(JOBS)
                .withNamespaces(Set.of(layerJobs.namespace())).withLabelSelector(WorkerJobs.SELECTOR)
                .withSecondaryToPrimaryMapper(job -> ctx.getPrimaryCache().list().filter(s -> WorkerJobs.concerns(job, s))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), ctx);
        var policies = new InformerEventSource<>(InformerEventSourceConfiguration.from(Policy.class, ImageScan.class).withName(POLICIES)
                .withSecondaryToPrimaryMapper(p -> ids(ctx, p.getMetadata().getNamespace(),
                        s -> p.getMetadata().getName().equals(s.getSpec().policyRef)))
                .build(), ctx);
        var feeds = new InformerEventSource<>(InformerEventSourceConfiguration.from(AdvisoryFeed.class, ImageScan.class).withName(FEEDS)
                .withSecondaryToPrimaryMapper(f -> ids(ctx, f.getMetadata().getNamespace(), s -> true)).build(), ctx);
        var vex = new InformerEventSource<>(InformerEventSourceConfiguration.from(VexSource.class, ImageScan.class).withName(VEX)
                .withSecondaryToPrimaryMapper(v -> ids(ctx, v.getMetadata().getNamespace(), s -> true)).build(), ctx);
        var attestations = new InformerEventSource<>(InformerEventSourceConfiguration.from(Attestation.class, ImageScan.class)
                .withName(ATTESTATIONS).withSecondaryToPrimaryMapper(a -> ids(ctx, a.getMetadata().getNamespace(),
                        s -> s.getMetadata().getName().equals(a.getSpec().subject.imageScanRef))).build(), ctx);
        // a scan step finished in ScanWork: its scan is reconciled again to take the result
        var finished = new SimpleInboundEventSource<ImageScan>(WORK);
        work.onFinished(finished::propagateEvent);
        return List.of(jobs, policies, feeds, vex, attestations, finished);
    }

    private static Set<ResourceID> ids(EventSourceContext<ImageScan> ctx, String ns, java.util.function.Predicate<ImageScan> p) {
        return ctx.getPrimaryCache().list(ns).filter(p).map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<ImageScan> reconcile(ImageScan scan, Context<ImageScan> context) {
        ImageScanStatus before = scan.getStatus();
        ScanSteps.Outcome o = steps.advance(scan, ScanSteps.View.of(context), Instant.now());
        if (Status.patch(client, scan, o.status())) {
            ImageScanStatus.Phase was = before == null ? null : before.phase;
            if (was != o.status().phase || o.event() != null) {
                LOG.infof("ImageScan %s/%s: %s%s", scan.getMetadata().getNamespace(), scan.getMetadata().getName(), o.status().phase,
                        o.status().message == null ? "" : " (" + o.status().message + ")");
                boolean failed = o.status().phase == ImageScanStatus.Phase.Failed;
                Status.event(client, scan, failed ? "Warning" : "Normal", o.event() != null ? o.event()
                        : String.valueOf(o.status().phase), Objects.requireNonNullElse(o.status().message, String.valueOf(o.status().phase)));
            }
        }
        return o.requeue() == null ? UpdateControl.noUpdate() : UpdateControl.<ImageScan>noUpdate().rescheduleAfter(o.requeue());
    }

}
