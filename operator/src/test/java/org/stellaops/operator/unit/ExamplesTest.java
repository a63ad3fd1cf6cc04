package org.stellaops.operator.unit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.Attestation;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.SourceRef;
import org.stellaops.crds.v1alpha1.VexSource;
import org.stellaops.operator.scan.ScanPipeline;

/**
 * {@code kubectl apply -f examples/} (the top-level files, as kubectl reads a folder) creates everything the examples
 * need and nothing of another product; the CLI's policy file is the Policy resource's policy.
 */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("../examples");

    static List<HasMetadata> applied() throws Exception {
        List<HasMetadata> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                for (String doc : Files.readString(f, StandardCharsets.UTF_8).split("(?m)^---\\s*$")) {
                    if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                        continue;
                    }
                    GenericKubernetesResource g = Serialization.unmarshal(doc, GenericKubernetesResource.class);
                    Class<? extends HasMetadata> type = switch (g.getApiVersion() + " " + g.getKind()) {
                        case "v1 ConfigMap" -> ConfigMap.class;
                        case "stella-ops.org/v1alpha1 Policy" -> Policy.class;
                        case "stella-ops.org/v1alpha1 AdvisoryFeed" -> AdvisoryFeed.class;
                        case "stella-ops.org/v1alpha1 VexSource" -> VexSource.class;
                        case "stella-ops.org/v1alpha1 ImageScan" -> ImageScan.class;
                        case "stella-ops.org/v1alpha1 Attestation" -> Attestation.class;
                        default -> throw new AssertionError(f.getFileName() + ": " + g.getApiVersion() + " " + g.getKind()
                                + " is not applied with the examples (move it to a subfolder)");
                    };
                    out.add(Serialization.unmarshal(doc, type));
                }
            }
        }
        return out;
    }

    static <T> List<T> of(List<HasMetadata> all, Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void theExamplesFolderIsSelfContained() throws Exception {
        List<HasMetadata> all = applied();
        List<ConfigMap> configMaps = of(all, ConfigMap.class);
        List<SourceRef> sources = new ArrayList<>();
        of(all, AdvisoryFeed.class).forEach(f -> sources.add(f.getSpec().source));
        of(all, VexSource.class).forEach(v -> sources.add(v.getSpec().source));
        assertThat(sources).hasSize(2);
        for (SourceRef s : sources) {
            assertThat(s.secretRef).as("no Secret the user must create first").isNull();
            if (s.configMapRef != null) {
                ConfigMap cm = configMaps.stream().filter(c -> c.getMetadata().getName().equals(s.configMapRef.name)).findFirst()
                        .orElseThrow(() -> new AssertionError("ConfigMap " + s.configMapRef.name + " is not in examples/"));
                assertThat(cm.getMetadata().getLabels()).as(cm.getMetadata().getName()).containsEntry("stella-ops.org/source", "true");
                assertThat(cm.getData()).isNotEmpty();
                for (String doc : cm.getData().values()) {
                    assertThat(Json.mapper().readTree(doc).isObject()).isTrue();
                }
            }
        }
        List<Policy> policies = of(all, Policy.class);
        for (ImageScan scan : of(all, ImageScan.class)) {
            if (scan.getSpec().policyRef != null) {
                assertThat(policies).anySatisfy(p -> assertThat(p.getMetadata().getName()).isEqualTo(scan.getSpec().policyRef));
            }
            if (Boolean.TRUE.equals(scan.getSpec().attest)) {
                assertThat(of(all, Attestation.class)).as("spec.attest without an Attestation is never Ready")
                        .anySatisfy(a -> assertThat(a.getSpec().subject.imageScanRef).isEqualTo(scan.getMetadata().getName()));
            }
        }
    }

    @Test
    void theCliPolicyIsThePolicyResourcesPolicy() throws Exception {
        Policy resource = of(applied(), Policy.class).get(0);
        org.stellaops.core.policy.Policy fromResource = ScanPipeline.policy(resource);
        org.stellaops.core.policy.Policy cli = org.stellaops.core.policy.Policy.parse(
                Files.readString(EXAMPLES.resolve("cli/policy.yaml")), "examples/cli/policy.yaml");
        assertThat(cli.valid()).as(String.valueOf(cli.diagnostics())).isTrue();
        assertThat(cli.digest()).isEqualTo(fromResource.digest());
    }
}
