package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AttestationSpec {
    public enum Predicate {
        @JsonProperty("sbom-cyclonedx") sbom_cyclonedx,
        @JsonProperty("sbom-spdx") sbom_spdx,
        report
    }

    @Required
    public Subject subject;

    @Required
    @Size(min = 1)
    public List<Predicate> predicates = new ArrayList<>();

    @Required
    @ValidationRule(value = "has(self.keySecretRef) != has(self.keyless)", message = "exactly one of keySecretRef, keyless")
    public Signer signer;

    @JsonPropertyDescription("Rekor v2 to log the signatures in (optional).")
    public Rekor rekor;

    @JsonPropertyDescription("Push each bundle to the image's repository as an OCI 1.1 referrer.")
    public Boolean attachToRegistry;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.imageScanRef)", message = "imageScanRef is required (the SBOM and report come from that scan)")
    public static class Subject {
        @JsonPropertyDescription("An ImageScan in this namespace; its image digest is the subject.")
        public String imageScanRef;
        @JsonPropertyDescription("The expected image digest (sha256:…); the attestation fails if the scan's digest differs.")
        public String imageDigest;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Signer {
        @JsonPropertyDescription("A Secret holding a PEM private key (ECDSA P-256 or Ed25519).")
        public SourceRef.KeyRef keySecretRef;
        public Keyless keyless;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Keyless {
        public String fulcioUrl;
        public String oidcIssuer;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rekor {
        @Required
        public String url;
    }
}
