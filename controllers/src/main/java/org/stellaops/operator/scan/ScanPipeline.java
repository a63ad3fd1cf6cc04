package org.stellaops.operator.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.decider.SbomComponents;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.policy.Policy;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanSpec;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.operator.config.StellaConfig;
import org.stellaops.operator.config.Storage;
import org.stellaops.operator.sources.Sources;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.RegistryClient;
import org.stellaops.scanner.image.RegistrySource;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.sbom.Composer;
import org.stellaops.scanner.sbom.CycloneDxProtobufWriter;
import org.stellaops.scanner.sbom.CycloneDxWriter;
import org.stellaops.scanner.sbom.ImageInventory;
import org.stellaops.scanner.sbom.SbomMetadata;
import org.stellaops.scanner.sbom.SpdxWriter;
import org.stellaops.storage.S3FragmentStore;

/**
 * The steps of a scan, as plain services the reconciler calls: resolve the image with the namespace's pull secrets,
 * compose the SBOM from stored fragments, evaluate it with the decider and store SBOM and report.
 */
@ApplicationScoped
public class ScanPipeline {
    public static final AnalyzerSet ANALYZERS = AnalyzerSet.standard();

    @Inject
    KubernetesClient client;
    @Inject
    Storage storage;
    @Inject
    StellaConfig config;
    @Inject
    Sources sources;
    @ConfigProperty(name = "quarkus.application.version", defaultValue = "0.1.0")
    String version;

    public record Credentials(DockerConfig config, String firstSecret) {
    }

    /** Pull secrets of the scan, else of the namespace's default ServiceAccount, merged into one Docker config. */
    public Credentials credentials(ImageScan scan) throws IOException {
        String ns = scan.getMetadata().getNamespace();
        List<String> names = new ArrayList<>();
        if (scan.getSpec().imagePullSecrets != null && !scan.getSpec().imagePullSecrets.isEmpty()) {
            scan.getSpec().imagePullSecrets.stream().map(LocalObjectReference::getName).forEach(names::add);
        } else {
            ServiceAccount sa = client.serviceAccounts().inNamespace(ns).withName("default").get();
            if (sa != null && sa.getImagePullSecrets() != null) {
                sa.getImagePullSecrets().stream().map(LocalObjectReference::getName).forEach(names::add);
            }
        }
        ObjectNode auths = Json.mapper().createObjectNode();
        String first = null;
        for (String name : names) {
            Secret s = client.secrets().inNamespace(ns).withName(name).get();
            if (s == null || s.getData() == null || !s.getData().containsKey(".dockerconfigjson")) {
                continue; // like the kubelet: a missing pull secret is skipped
            }
            JsonNode cfg = Json.mapper().readTree(Base64.getDecoder().decode(s.getData().get(".dockerconfigjson")));
            cfg.path("auths").properties().forEach(e -> {
                if (!auths.has(e.getKey())) {
                    auths.set(e.getKey(), e.getValue());
                }
            });
            first = first == null ? name : first;
        }
        // only "auths": a pull secret must never make the operator run a credential helper program
        return new Credentials(DockerConfig.of(Json.mapper().createObjectNode().set("auths", auths)), first);
    }

    public RegistryClient registry(Credentials creds) {
        return new RegistryClient(creds.config(), new LinkedHashSet<>(config.registry().insecure().orElse(List.of())),
                config.registry().timeout());
    }

    /** Resolves tag → index → platform manifest → config and layers; the resolution is kept with the image. */
    public ResolvedImage resolve(ImageScan scan, Credentials creds) throws IOException {
        ImageRef ref = ImageRef.parse(scan.getSpec().image);
        String platform = scan.getSpec().platform == null ? "linux/amd64" : scan.getSpec().platform;
        try (RegistrySource src = new RegistrySource(ref, Platform.parse(platform), registry(creds))) {
            ResolvedImage image = src.resolve();
            storage.objects().put(resolvedKey(image.manifestDigest()), Json.write(image), "application/json");
            return image;
        }
    }

    public ResolvedImage resolved(String imageDigest) throws IOException {
        byte[] b = storage.objects().get(resolvedKey(imageDigest)).orElseThrow(() ->
                new IOException("the resolution of " + imageDigest + " is missing from the object store"));
        return Json.mapper().readValue(b, ResolvedImage.class);
    }

    static String resolvedKey(String digest) {
        return "images/" + digest + "/resolved.json";
    }

    public static String sbomKey(String digest, String format) {
        return sbomKey(digest, format, ImageInventory.INVENTORY);
    }

    /**
     * {@code images/<digest>/inventory.cdx.json | sbom.spdx.json | inventory.cdx.pb}, and for the usage view
     * {@code usage.cdx.json | usage.spdx.json | usage.cdx.pb}.
     */
    public static String sbomKey(String digest, String format, String view) {
        boolean usage = ImageInventory.USAGE.equals(view);
        return "images/" + digest + "/" + switch (format) {
            case "spdx-json" -> usage ? "usage.spdx.json" : "sbom.spdx.json";
            case "cyclonedx-protobuf" -> usage ? "usage.cdx.pb" : "inventory.cdx.pb";
            default -> usage ? "usage.cdx.json" : "inventory.cdx.json";
        };
    }

    /** The name of a stored SBOM in {@code status.sbom.keys}: the format, prefixed with {@code usage:} for the usage view. */
    public static String sbomName(String format, String view) {
        return ImageInventory.USAGE.equals(view) ? "usage:" + format : format;
    }

    /** Composes the image SBOM bottom→top from the stored fragments and stores it in the formats asked for. */
    public ImageScanStatus.Sbom compose(ImageScan scan, ResolvedImage image) throws IOException {
        S3FragmentStore fragments = new S3FragmentStore(storage.objects());
        List<LayerFragment> list = new ArrayList<>();
        for (var l : image.layers()) {
            list.add(fragments.get(l.digest(), ANALYZERS.version()).orElseThrow(() ->
                    new IOException("fragment of layer " + l.digest() + " is missing from the object store")));
        }
        ImageInventory inv = new Composer().compose(image, list);
        SbomMetadata meta = new SbomMetadata(version, null);
        Map<String, String> keys = new TreeMap<>();
        List<ImageScanSpec.Format> formats = scan.getSpec().formats == null ? List.of() : scan.getSpec().formats;
        List<ImageScanSpec.View> views = scan.getSpec().views == null ? List.of() : scan.getSpec().views;
        // the inventory as CycloneDX JSON always (the decider reads it); the other formats and the usage view on request
        for (ImageInventory shown : views.contains(ImageScanSpec.View.usage) ? List.of(inv, inv.usageView()) : List.of(inv)) {
            store(keys, image.manifestDigest(), shown, "cyclonedx-json", new CycloneDxWriter().write(shown, meta),
                    "application/vnd.cyclonedx+json");
            if (formats.contains(ImageScanSpec.Format.SPDX_JSON)) {
                store(keys, image.manifestDigest(), shown, "spdx-json", new SpdxWriter().write(shown, meta), "application/spdx+json");
            }
            if (formats.contains(ImageScanSpec.Format.CYCLONEDX_PROTOBUF)) {
                store(keys, image.manifestDigest(), shown, "cyclonedx-protobuf", new CycloneDxProtobufWriter().write(shown, meta),
                        CycloneDxProtobufWriter.MEDIA_TYPE);
            }
        }
        storage.catalog().putImage(image.manifestDigest(), image.name(), image.layers().stream().map(l -> l.digest()).toList(), keys,
                inv.components().size(), Instant.now());
        ImageScanStatus.Sbom s = new ImageScanStatus.Sbom();
        s.keys = keys;
        s.components = inv.components().size();
        return s;
    }

    private void store(Map<String, String> keys, String digest, ImageInventory shown, String format, byte[] body, String type)
            throws IOException {
        String key = sbomKey(digest, format, shown.view());
        storage.objects().put(key, body, type);
        keys.put(sbomName(format, shown.view()), key);
    }

    public record Evaluation(ImageScanStatus.Summary summary, String verdict, ImageScanStatus.Report report, String policyDigest,
                             ImageScanStatus.Inputs inputs) {
    }

    /**
     * Decides on the stored SBOM (never on a re-pull) as of {@code day}: advisories, VEX and policy → report in the
     * store, verdict in the catalog.
     */
    public Evaluation evaluate(ImageScan scan, String imageDigest, Policy policy, List<org.stellaops.crds.v1alpha1.AdvisoryFeed> feeds,
                               List<org.stellaops.crds.v1alpha1.VexSource> vexSources, LocalDate day) throws IOException {
        byte[] sbom = storage.objects().get(sbomKey(imageDigest, "cyclonedx-json")).orElseThrow(() ->
                new IOException("SBOM of " + imageDigest + " is missing from the object store"));
        JsonNode bom = Json.mapper().readTree(sbom);
        JsonNode subject = bom.path("metadata").path("component");
        Decider.Image image = new Decider.Image(subject.path("name").asText(null), imageDigest,
                SbomComponents.property(subject, "stella:image:indexDigest"), Digests.sha256(sbom));
        Sources.Vex vex = sources.vex(vexSources);
        // waivers are judged on the evaluation day (its start, UTC); the day is one of the inputs in status
        Instant asOf = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Decider.Result r = Decider.decide(image, SbomComponents.fromCycloneDx(bom), sources.advisories(feeds), vex.statements(),
                vex.trust(), policy, scan.getSpec().environment, asOf);
        String sha = Digests.sha256(r.report());
        String key = "reports/" + sha.substring(7) + ".json";
        storage.objects().put(key, r.report(), "application/json");
        ImageScanStatus.Inputs inputs = new ImageScanStatus.Inputs();
        inputs.advisoryRevision = Sources.advisoryRevision(feeds);
        inputs.vexRevision = Sources.vexRevision(vexSources);
        inputs.policyRevision = policy.digest();
        inputs.asOf = day.toString();
        storage.catalog().putVerdict(new org.stellaops.storage.Catalog.Verdict(imageDigest, policy.digest(), r.verdict(), key, sha,
                inputs.advisoryRevision, inputs.vexRevision, Instant.now()));
        JsonNode summary = Json.mapper().readTree(r.report()).path("summary");
        ImageScanStatus.Summary s = new ImageScanStatus.Summary();
        s.critical = summary.path("critical").asInt();
        s.high = summary.path("high").asInt();
        s.medium = summary.path("medium").asInt();
        s.low = summary.path("low").asInt();
        s.unknown = summary.path("unknown").asInt();
        s.suppressedByVex = summary.path("suppressedByVex").asInt();
        s.waived = summary.path("waived").asInt();
        s.findings = summary.path("findings").asInt();
        ImageScanStatus.Report rep = new ImageScanStatus.Report();
        rep.key = key;
        rep.sha256 = sha;
        return new Evaluation(s, r.verdict(), rep, policy.digest(), inputs);
    }

    /** The policy to apply: the referenced one (which must be valid), else the empty policy (every finding warns). */
    public static Policy policy(org.stellaops.crds.v1alpha1.Policy resource) {
        if (resource == null) {
            return Policy.parse("version: \"1.0\"\nrules: []\n", "(no policy)");
        }
        return Policy.parse(new String(Json.write(resource.getSpec()), StandardCharsets.UTF_8),
                "Policy " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName());
    }

    static boolean permanent(ScanException e) {
        return e.kind() == ScanException.Kind.AUTH || e.kind() == ScanException.Kind.NOT_FOUND
                || e.kind() == ScanException.Kind.BAD_INPUT || e.kind() == ScanException.Kind.INVALID_ARGUMENT;
    }
}
