package org.stellaops.admission;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.stellaops.crds.v1alpha1.Policy;

/** Which Policy judges a namespace (see {@link AdmissionPolicy#precedence}). */
public final class PolicySelection {
    private PolicySelection() {
    }

    /**
     * A Policy in the namespace itself always applies to it; a Policy in the suite's namespace applies where its
     * namespaceSelector matches the namespace's labels (no selector: every judged namespace).
     */
    public static Optional<AdmissionPolicy> select(String namespace, Map<String, String> namespaceLabels, String suiteNamespace,
                                                   Collection<Policy> policies) {
        return policies.stream().map(AdmissionPolicy::of).filter(p -> p != null)
                .filter(p -> p.namespace().equals(namespace)
                        || (p.namespace().equals(suiteNamespace) && matches(p.namespaceSelector(), namespaceLabels)))
                .min(AdmissionPolicy.precedence(namespace));
    }

    /**
     * Label selector semantics of Kubernetes (matchLabels AND every matchExpression). Hand-written: fabric8's model has
     * the type but no matcher for a plain label map, and the client's matching needs a live API server.
     */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                String v = l.get(r.getKey());
                boolean ok = switch (r.getOperator() == null ? "" : r.getOperator()) {
                    case "In" -> v != null && values.contains(v);
                    case "NotIn" -> v == null || !values.contains(v);
                    case "Exists" -> l.containsKey(r.getKey());
                    case "DoesNotExist" -> !l.containsKey(r.getKey());
                    default -> false; // an operator Kubernetes does not know selects nothing
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
