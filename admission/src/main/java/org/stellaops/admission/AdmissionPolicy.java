package org.stellaops.admission;

import io.fabric8.kubernetes.api.model.LabelSelector;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.PolicyAdmission;

/**
 * A Policy's admission settings with the defaults applied, and the digest of its rules (the key of its verdicts in the
 * catalog: computed exactly as the operator computes it, from the resource's spec).
 */
public record AdmissionPolicy(String namespace, String name, PolicyAdmission.Mode mode, int priority,
                              PolicyAdmission.Unknown unknown, List<String> exemptImages, boolean requireSignedVerdict,
                              PolicyAdmission.Verification verification, LabelSelector namespaceSelector, String policyDigest,
                              boolean valid) {

    /**
     * Deterministic precedence: highest priority first; on equal priority a Policy in the judged namespace before one
     * in the suite's namespace; then namespace/name in lexical order.
     */
    public static Comparator<AdmissionPolicy> precedence(String judgedNamespace) {
        return Comparator.comparingInt(AdmissionPolicy::priority).reversed()
                .thenComparing(p -> p.namespace().equals(judgedNamespace) ? 0 : 1)
                .thenComparing(AdmissionPolicy::namespace).thenComparing(AdmissionPolicy::name);
    }

    /** The admission view of a Policy resource, or null when it has no admission section. */
    public static AdmissionPolicy of(Policy resource) {
        PolicyAdmission a = resource.getSpec() == null ? null : resource.getSpec().admission;
        if (a == null) {
            return null;
        }
        String origin = "Policy " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        org.stellaops.core.policy.Policy parsed = org.stellaops.core.policy.Policy.parse(
                new String(Json.write(resource.getSpec()), StandardCharsets.UTF_8), origin);
        return new AdmissionPolicy(resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
                a.mode == null ? PolicyAdmission.Mode.warn : a.mode, a.priority == null ? 0 : a.priority,
                a.unknown == null ? PolicyAdmission.Unknown.allow : a.unknown,
                a.exemptImages == null ? List.of() : List.copyOf(a.exemptImages), Boolean.TRUE.equals(a.requireSignedVerdict),
                a.verification, a.namespaceSelector, parsed.digest(), parsed.valid());
    }

    public String ref() {
        return namespace + "/" + name;
    }
}
