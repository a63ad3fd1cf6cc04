package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageScanSpec {
    public enum View { inventory, usage }

    public enum Format {
        @com.fasterxml.jackson.annotation.JsonProperty("cyclonedx-json") CYCLONEDX_JSON,
        @com.fasterxml.jackson.annotation.JsonProperty("cyclonedx-protobuf") CYCLONEDX_PROTOBUF,
        @com.fasterxml.jackson.annotation.JsonProperty("spdx-json") SPDX_JSON
    }

    @Required
    @PrinterColumn(name = "Image", priority = 0)
    @JsonPropertyDescription("Image reference: registry/repository:tag or …@sha256:digest.")
    @ValidationRule(value = "self.size() > 0 && !self.contains(' ')", message = "image must be a reference without spaces")
    public String image;

    @Default("linux/amd64")
    @Pattern("^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")
    @JsonPropertyDescription("Platform picked from a multi-platform image (os/arch[/variant]).")
    public String platform;

    @JsonPropertyDescription("Pull secrets (kubernetes.io/dockerconfigjson) for the registry; default: the namespace's default ServiceAccount's.")
    public List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

    @JsonPropertyDescription("Name of a Policy in this namespace; without one, every finding warns.")
    public String policyRef;

    @JsonPropertyDescription("Environment name the policy's environments matcher sees (e.g. prod).")
    public String environment;

    @JsonPropertyDescription("SBOM views to keep: inventory (all files), usage (the components the image's entrypoint reaches, each with its chain).")
    public List<View> views = new ArrayList<>(List.of(View.inventory));

    @JsonPropertyDescription("SBOM formats to store besides cyclonedx-json: spdx-json, cyclonedx-protobuf (CycloneDX 1.6 protobuf).")
    public List<Format> formats = new ArrayList<>(List.of(Format.CYCLONEDX_JSON));

    @JsonPropertyDescription("Require attestation: the scan is Ready only when an Attestation naming it has signed and verified its current SBOM and report (condition Attested).")
    public Boolean attest;

    @Default("true")
    @JsonPropertyDescription("Re-evaluate from the stored SBOM when the Policy, a VexSource or an AdvisoryFeed changes revision.")
    public Boolean reevaluate;
}
