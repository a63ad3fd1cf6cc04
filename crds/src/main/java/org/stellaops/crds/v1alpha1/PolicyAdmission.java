package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * How the admission webhook enforces a Policy. A Policy without this section takes no part in admission.
 *
 * <p>Precedence (deterministic): of the Policies whose {@code admission} applies to a namespace (a Policy in that
 * namespace, or a Policy in the suite's namespace whose {@code namespaceSelector} matches the namespace's labels), the
 * one with the highest {@code priority} decides; on equal priority a Policy in the namespace itself wins over one in the
 * suite's namespace, then the lexically first {@code namespace/name}. Exactly one Policy decides; they are never merged.
 * {@code kubectl get spol} shows mode and priority.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.requireSignedVerdict) || !self.requireSignedVerdict || has(self.verification)",
        message = "requireSignedVerdict needs verification (keySecretRef or keyless)")
public class PolicyAdmission {
    public enum Mode { enforce, warn, audit }

    public enum Unknown { deny, allow, scan }

    @JsonPropertyDescription("enforce: a failing image is refused; warn: admitted with a warning; audit: admitted with an "
            + "audit annotation only. Default warn.")
    public Mode mode;

    @JsonPropertyDescription("Higher wins when several Policies apply to a namespace (default 0). See docs/webhook.md.")
    @Min(-1000)
    @Max(1000)
    public Integer priority;

    @JsonPropertyDescription("Only for a Policy in the suite's namespace: the namespaces (by label) it applies to. A Policy "
            + "elsewhere applies to its own namespace only and this field is ignored.")
    public LabelSelector namespaceSelector;

    @JsonPropertyDescription("An image without a verdict (not scanned, unresolvable tag, catalog unreachable or too slow): "
            + "deny, allow (default), or scan (an ImageScan is created; the pod is refused with 'scan pending' in enforce).")
    public Unknown unknown;

    @JsonPropertyDescription("Images never judged: patterns over the reference as written ('*' any run of characters "
            + "except '/', '**' any run, '?' one character), e.g. registry.example.com/base/**.")
    public List<String> exemptImages = new ArrayList<>();

    @JsonPropertyDescription("Admit only images with a Stella report attestation (OCI referrer) that verifies with "
            + "'verification' and whose verdict is pass or warn.")
    public Boolean requireSignedVerdict;

    @JsonPropertyDescription("How a signed verdict is verified: a public key in a Secret of the suite's namespace, or a "
            + "keyless identity.")
    public Verification verification;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.keySecretRef) != has(self.keyless)", message = "exactly one of keySecretRef, keyless")
    public static class Verification {
        @JsonPropertyDescription("A Secret (suite's namespace) holding a PEM public key.")
        public SourceRef.KeyRef keySecretRef;
        public Keyless keyless;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Keyless {
        @JsonPropertyDescription("OIDC issuer of the signing certificate, e.g. https://token.actions.githubusercontent.com")
        public String issuer;
        @JsonPropertyDescription("Identity (SAN) of the signing certificate.")
        public String identity;
    }
}
