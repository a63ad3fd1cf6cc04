package org.stellaops.operator.scan;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.crds.v1alpha1.ImageScanStatus.Phase;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.VexSource;
import org.stellaops.operator.attest.Signing;
import org.stellaops.operator.config.Status;
import org.stellaops.operator.config.Storage;
import org.stellaops.operator.sources.Sources;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.storage.StorageException;

/** One step of an ImageScan's life per call: the status it moves to, when to look again, and an Event reason if any. */
@ApplicationScoped
public class ScanSteps {
    private static final Logger LOG = Logger.getLogger(ScanSteps.class);
    @Inject
    ScanPipeline pipeline;
    @Inject
    LayerJobs layerJobs;
    @Inject
    Storage storage;
    @Inject
    io.fabric8.kubernetes.client.KubernetesClient client;
    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;
    @Inject
    ScanWork work;

    public record Outcome(ImageScanStatus status, Duration requeue, String event) {
    }

    /** What a scan step sees of other resources; the reconciler's is {@link #of(Context)}: the informer caches. */
    public interface View {
        Job job(String ns, String name);

        long runningJobs();

        Policy policy(String ns, String name);

        List<AdvisoryFeed> feeds(String ns);

        List<VexSource> vex(String ns);

        List<Attestation> attestations(String ns, String scan);

        static View of(Context<ImageScan> ctx) {
            return new Informers(ctx);
        }
    }

    private record Informers(Context<ImageScan> ctx) implements View {
        @SuppressWarnings("unchecked")
        private <R extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<R, ImageScan> source(Class<R> c, String n) {
            return (InformerEventSource<R, ImageScan>) ctx.eventSourceRetriever().getEventSourceFor(c, n);
        }

        @Override
        public Job job(String ns, String name) {
            return source(Job.class, ImageScanReconciler.JOBS).get(new ResourceID(name, ns)).orElse(null);
        }

        @Override
        public long runningJobs() {
            return source(Job.class, ImageScanReconciler.JOBS).list().filter(j -> !WorkerJobs.succeeded(j) && !WorkerJobs.failed(j)).count();
        }

        @Override
        public Policy policy(String ns, String name) {
            return source(Policy.class, ImageScanReconciler.POLICIES).get(new ResourceID(name, ns)).orElse(null);
        }

        @Override
        public List<AdvisoryFeed> feeds(String ns) {
            return source(AdvisoryFeed.class, ImageScanReconciler.FEEDS).list(ns).toList();
        }

        @Override
        public List<VexSource> vex(String ns) {
            return source(VexSource.class, ImageScanReconciler.VEX).list(ns).toList();
        }

        @Override
        public List<Attestation> attestations(String ns, String scan) {
            return source(Attestation.class, ImageScanReconciler.ATTESTATIONS).list(ns)
                    .filter(a -> scan.equals(a.getSpec().subject.imageScanRef)).toList();
        }
    }

    /** How long a scan waits for a step running in {@link ScanWork} before looking again (its end triggers it earlier). */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String STORAGE_RETRYING = "storage unavailable; retrying";

    public Outcome advance(ImageScan scan, View view, Instant now) {
        Long gen = scan.getMetadata().getGeneration();
        ImageScanStatus st = copy(scan.getStatus());
        if (st.phase == Phase.Failed && Objects.equals(st.observedGeneration, gen)) {
            // a permanent failure is final for this spec: no new resolution, no new Event on a restart or a source
            // change; a new generation (an edited spec) starts over
            return new Outcome(st, null, null);
        }
        if (st.observedGeneration == null || !st.observedGeneration.equals(gen)) {
            st = new ImageScanStatus(); // a new spec: start over (layers already analyzed stay in the catalog)
            st.observedGeneration = gen;
            st.phase = Phase.Pending;
        }
        // a transient problem's message (storage, registry) holds only until a step gets past it: this pass sets it
        // again if it is still there
        st.message = null;
        String ns = scan.getMetadata().getNamespace();
        ResourceID id = ResourceID.fromResource(scan);
        try {
            if (st.imageDigest == null) {
                st.phase = Phase.Resolving;
                var resolved = work.run(key(scan, "resolve"), id, () -> pipeline.resolve(scan, pipeline.credentials(scan)));
                if (resolved.isEmpty()) {
                    st.conditions = Conditions.set(st.conditions, "Ready", false, "Resolving", null, gen, now);
                    return new Outcome(st, WAIT, null);
                }
                ResolvedImage image = resolved.get().get();
                st.imageDigest = image.manifestDigest();
                st.phase = Phase.Analyzing;
                st.conditions = Conditions.set(st.conditions, "Resolved", true, "Resolved",
                        image.layers().size() + " layers, " + image.platform(), gen, now);
            }
            if (st.phase == Phase.Analyzing) {
                ResolvedImage image = pipeline.resolved(st.imageDigest);
                // pull secrets are read only when a Job is to be created, not on every reconcile
                LayerJobs.Progress p = layerJobs.advance(scan, image, st.layers, () -> pipeline.credentials(scan).config(),
                        name -> view.job(layerJobs.namespace(), name), view.runningJobs());
                st.layers = p.layers();
                if (p.pending() > 0) {
                    st.conditions = Conditions.set(st.conditions, "LayersAnalyzed", false, "Analyzing",
                            p.pending() + " of " + image.layers().size() + " layers being analyzed", gen, now);
                    st.conditions = Conditions.set(st.conditions, "Ready", false, "Analyzing", null, gen, now);
                    return new Outcome(st, Duration.ofSeconds(15), null); // Job events wake the scan earlier
                }
                st.conditions = Conditions.set(st.conditions, "LayersAnalyzed", true, "Analyzed",
                        image.layers().size() + " layers", gen, now);
                var composed = work.run(key(scan, "compose"), id, () -> pipeline.compose(scan, image));
                if (composed.isEmpty()) {
                    st.conditions = Conditions.set(st.conditions, "Ready", false, "Composing", null, gen, now);
                    return new Outcome(st, WAIT, null);
                }
                st.sbom = composed.get().get();
                long cached = p.layers().stream().filter(l -> Boolean.TRUE.equals(l.cached)).count();
                metrics.counter("stella.layers", "cached", "true").increment(cached);
                metrics.counter("stella.layers", "cached", "false").increment(p.layers().size() - cached);
                st.phase = Phase.Evaluating;
            }
            if (st.phase == Phase.Evaluating || st.phase == Phase.Completed) {
                Outcome o = evaluate(scan, view, st, now);
                if (o.status().phase == Phase.Completed && Boolean.TRUE.equals(scan.getSpec().attest)) {
                    attested(scan, view, o.status(), now);
                }
                return o;
            }
            return new Outcome(st, null, null);
        } catch (StorageException e) {
            storage.failed();
            metrics.counter("stella.storage.errors").increment();
            // a storage error's message may hold the catalog URI and its credentials: never into status
            st.conditions = Conditions.set(st.conditions, "Ready", false, "StorageUnavailable",
                    org.stellaops.operator.sources.SafeErrors.message(e), gen, now);
            st.message = STORAGE_RETRYING;
            return new Outcome(st, Duration.ofSeconds(15), "StorageUnavailable");
        } catch (ScanException e) {
            String reason = switch (e.kind()) {
                case AUTH -> "RegistryAuthFailed";
                case NOT_FOUND -> "ImageNotFound";
                case RATE_LIMITED -> "RegistryRateLimited";
                case UNAVAILABLE -> "RegistryUnavailable";
                default -> "BadImage";
            };
            st.conditions = Conditions.set(st.conditions, st.imageDigest == null ? "Resolved" : "LayersAnalyzed", false, reason,
                    e.getMessage(), gen, now);
            st.conditions = Conditions.set(st.conditions, "Ready", false, reason, e.getMessage(), gen, now);
            st.message = e.getMessage();
            if (ScanPipeline.permanent(e)) {
                st.phase = Phase.Failed;
                return new Outcome(st, null, reason);
            }
            return new Outcome(st, Duration.ofSeconds(e.kind() == ScanException.Kind.RATE_LIMITED ? 60 : 30), reason);
        } catch (LayerJobs.LayerFailed e) {
            st.phase = Phase.Failed;
            st.message = e.getMessage();
            st.conditions = Conditions.set(st.conditions, "LayersAnalyzed", false, "LayerAnalysisFailed", e.getMessage(), gen, now);
            st.conditions = Conditions.set(st.conditions, "Ready", false, "LayerAnalysisFailed", e.getMessage(), gen, now);
            return new Outcome(st, null, "LayerAnalysisFailed");
        } catch (Exception e) {
            LOG.warnf(e, "ImageScan %s/%s", ns, scan.getMetadata().getName());
            // an unexpected exception's message may quote a document or a response: its kind only (the log has the rest)
            String safe = org.stellaops.operator.sources.SafeErrors.message(e);
            st.conditions = Conditions.set(st.conditions, "Ready", false, "Error", safe, gen, now);
            st.message = safe;
            return new Outcome(st, Duration.ofSeconds(30), "Error");
        }
    }

    private Outcome evaluate(ImageScan scan, View view, ImageScanStatus st, Instant now) throws Exception {
        Long gen = scan.getMetadata().getGeneration();
        String ns = scan.getMetadata().getNamespace();
        Policy policy = null;
        if (scan.getSpec().policyRef != null) {
            policy = view.policy(ns, scan.getSpec().policyRef);
            String problem = policy == null ? "Policy " + scan.getSpec().policyRef + " not found"
                    : policy.getStatus() == null || !Objects.equals(policy.getStatus().observedGeneration, policy.getMetadata().getGeneration())
                    ? "Policy " + scan.getSpec().policyRef + " not linted yet"
                    : !Conditions.isTrue(policy.getStatus().conditions, "Valid") ? "Policy " + scan.getSpec().policyRef + " is invalid" : null;
            if (problem != null) {
                String reason = policy == null ? "PolicyNotFound" : problem.endsWith("invalid") ? "PolicyInvalid" : "PolicyPending";
                st.conditions = Conditions.set(st.conditions, "Evaluated", false, reason, problem, gen, now);
                if (st.phase != Phase.Completed) {
                    st.conditions = Conditions.set(st.conditions, "Ready", false, reason, problem, gen, now);
                }
                return new Outcome(st, null, null); // the Policy informer wakes the scan
            }
        }
        List<AdvisoryFeed> feeds = view.feeds(ns);
        List<VexSource> vex = view.vex(ns);
        List<String> waiting = new ArrayList<>();
        feeds.stream().filter(f -> f.getStatus() == null || f.getStatus().revision == null && f.getStatus().errors.isEmpty())
                .forEach(f -> waiting.add("AdvisoryFeed " + f.getMetadata().getName()));
        vex.stream().filter(v -> v.getStatus() == null || v.getStatus().revision == null && v.getStatus().errors.isEmpty())
                .forEach(v -> waiting.add("VexSource " + v.getMetadata().getName()));
        if (!waiting.isEmpty() && st.phase != Phase.Completed) {
            st.conditions = Conditions.set(st.conditions, "Evaluated", false, "WaitingForSources", "waiting for " + waiting, gen, now);
            return new Outcome(st, Duration.ofSeconds(10), null);
        }
        org.stellaops.core.policy.Policy p = ScanPipeline.policy(policy);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        ImageScanStatus.Inputs current = new ImageScanStatus.Inputs();
        current.advisoryRevision = Sources.advisoryRevision(feeds);
        current.vexRevision = Sources.vexRevision(vex);
        current.policyRevision = p.digest();
        current.asOf = judgedDay(p, st.inputs, today).toString();
        boolean reevaluate = st.phase == Phase.Completed;
        if (reevaluate && (Boolean.FALSE.equals(scan.getSpec().reevaluate) || current.equals(st.inputs))) {
            // nothing changed: Ready again if a transient problem (storage) had taken it, and a look at the day the
            // verdict may change (a waiver expires)
            st.conditions = Conditions.set(st.conditions, "Ready", true, "Completed", evaluatedMessage(st), gen, now);
            return new Outcome(st, Boolean.FALSE.equals(scan.getSpec().reevaluate) ? null
                    : untilNextChange(p, LocalDate.parse(current.asOf), now), null);
        }
        // the day is part of what is decided: evaluated as of today (start of the UTC day), whatever the stored day
        current.asOf = today.toString();
        String key = key(scan, "evaluate") + "/" + st.imageDigest + "/" + current.advisoryRevision + "/" + current.vexRevision
                + "/" + current.policyRevision + "/" + current.asOf;
        var done = work.run(key, ResourceID.fromResource(scan), () -> pipeline.evaluate(scan, st.imageDigest, p, feeds, vex, today));
        if (done.isEmpty()) {
            if (!reevaluate) {
                st.conditions = Conditions.set(st.conditions, "Ready", false, "Evaluating", null, gen, now);
            }
            return new Outcome(st, WAIT, null);
        }
        ScanPipeline.Evaluation e = done.get().get();
        st.summary = e.summary();
        st.verdict = e.verdict();
        st.report = e.report();
        st.policyDigest = e.policyDigest();
        st.inputs = e.inputs();
        st.phase = Phase.Completed;
        st.message = null;
        String msg = "verdict " + e.verdict() + ": " + e.summary().findings + " findings (" + e.summary().critical + " critical, "
                + e.summary().high + " high)";
        st.conditions = Conditions.set(st.conditions, "Evaluated", true, reevaluate ? "Reevaluated" : "Evaluated", msg, gen, now);
        st.conditions = Conditions.set(st.conditions, "Ready", true, "Completed", msg, gen, now);
        // low cardinality: the verdict (three values) and whether it was a re-evaluation, never image names
        metrics.counter("stella.scans.evaluated", "verdict", e.verdict(), "reevaluation", Boolean.toString(reevaluate)).increment();
        return new Outcome(st, untilNextChange(p, today, now), reevaluate ? "Reevaluated" : "Completed");
    }

    private static String evaluatedMessage(ImageScanStatus st) {
        return st.conditions.stream().filter(c -> "Evaluated".equals(c.getType())).map(c -> c.getMessage()).findFirst().orElse(null);
    }

    /**
     * The day a stored verdict is judged on: the stored day while no waiver of the policy has expired since (the
     * verdict is the same), else today — so a changed day re-evaluates only when it can change the verdict.
     */
    static LocalDate judgedDay(org.stellaops.core.policy.Policy p, ImageScanStatus.Inputs stored, LocalDate today) {
        if (stored == null || stored.asOf == null) {
            return today;
        }
        LocalDate day;
        try {
            day = LocalDate.parse(stored.asOf);
        } catch (java.time.format.DateTimeParseException e) {
            return today;
        }
        if (today.isBefore(day)) {
            return today;
        }
        LocalDate change = waiverExpiry(p, day);
        return change != null && !today.isBefore(change) ? today : day;
    }

    /** Until the start of the day a waiver expires (the verdict judged on {@code day} may change then); null: never. */
    static Duration untilNextChange(org.stellaops.core.policy.Policy p, LocalDate day, Instant now) {
        LocalDate change = waiverExpiry(p, day);
        if (change == null) {
            return null;
        }
        Duration d = Duration.between(now, change.atStartOfDay(ZoneOffset.UTC).toInstant());
        return d.isNegative() || d.isZero() ? Duration.ofSeconds(1) : d;
    }

    /**
     * The first day after {@code day} on which a waiver ({@code ignore} with {@code until}) active on {@code day} has
     * expired, or null. The decider judges a waiver expired when the start of the evaluation day is at or after the
     * end of its {@code until} (a date runs to its end, a date-time to that instant); the core decider is to expose
     * this date itself, and this method then gives way to it.
     */
    static LocalDate waiverExpiry(org.stellaops.core.policy.Policy p, LocalDate day) {
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        LocalDate first = null;
        for (var r : p.rules()) {
            if (!"ignore".equals(r.action()) || r.until() == null) {
                continue;
            }
            Instant end = untilEnd(r.until());
            if (end == null || !end.isAfter(start)) {
                continue; // unreadable (lint refuses it) or expired already on that day
            }
            LocalDate d = LocalDate.ofInstant(end, ZoneOffset.UTC);
            if (d.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(end)) {
                d = d.plusDays(1);
            }
            if (first == null || d.isBefore(first)) {
                first = d;
            }
        }
        return first;
    }

    private static Instant untilEnd(String until) {
        try {
            return LocalDate.parse(until).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(until).toInstant();
            } catch (java.time.format.DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** The key of a step in {@link ScanWork}: the scan (uid, so a re-created scan of the same name is another) and its spec. */
    static String key(ImageScan scan, String step) {
        return scan.getMetadata().getUid() + "/" + scan.getMetadata().getGeneration() + "/" + step;
    }

    /**
     * With {@code spec.attest}: {@code Attested} is true when an Attestation naming this scan has signed and verified
     * exactly the current SBOM and report; until then the scan is not Ready.
     */
    private static void attested(ImageScan scan, View view, ImageScanStatus st, Instant now) {
        Long gen = scan.getMetadata().getGeneration();
        List<Attestation> atts = view.attestations(scan.getMetadata().getNamespace(), scan.getMetadata().getName());
        ImageScan current = new ImageScan();
        current.setStatus(st);
        String inputs = Signing.inputsDigest(current);
        boolean ok = atts.stream().anyMatch(a -> a.getStatus() != null && Boolean.TRUE.equals(a.getStatus().verified)
                && inputs.equals(a.getStatus().inputsDigest) && Conditions.isTrue(a.getStatus().conditions, "Ready"));
        String reason = ok ? "Attested" : atts.isEmpty() ? "NoAttestation" : "WaitingForAttestation";
        String msg = ok ? "SBOM and report signed and verified" : atts.isEmpty()
                ? "spec.attest is set but no Attestation names this scan" : "waiting for " + atts.get(0).getMetadata().getName();
        st.conditions = Conditions.set(st.conditions, "Attested", ok, reason, msg, gen, now);
        String evaluated = st.conditions.stream().filter(c -> "Evaluated".equals(c.getType())).map(c -> c.getMessage())
                .findFirst().orElse(null);
        st.conditions = Conditions.set(st.conditions, "Ready", ok, ok ? "Completed" : reason, ok ? evaluated : msg, gen, now);
    }

    /** A copy of the status, so that the informer's object is never changed. */
    static ImageScanStatus copy(ImageScanStatus s) {
        if (s == null) {
            return new ImageScanStatus();
        }
        return org.stellaops.core.json.Json.mapper().convertValue(s, ImageScanStatus.class);
    }
}
