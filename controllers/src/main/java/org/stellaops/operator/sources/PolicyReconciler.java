package org.stellaops.operator.sources;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.stellaops.core.json.Json;
import org.stellaops.core.policy.Diagnostic;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.crds.v1alpha1.PolicyStatus;
import org.stellaops.operator.config.Status;

/** Lints a Policy with the same code as {@code stella policy lint}: issues and digest in status; invalid → Valid=False, never applied. */
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@ControllerConfiguration(name = "policy")
public class PolicyReconciler implements Reconciler<Policy> {
    @Inject
    KubernetesClient client;

    @Override
    public UpdateControl<Policy> reconcile(Policy policy, Context<Policy> context) {
        PolicyStatus status = lint(policy, policy.getStatus(), Instant.now());
        boolean wasValid = policy.getStatus() != null && Conditions.isTrue(policy.getStatus().conditions, "Valid");
        boolean valid = Conditions.isTrue(status.conditions, "Valid");
        if (Status.patch(client, policy, status) && (wasValid != valid || policy.getStatus() == null)) {
            Status.event(client, policy, valid ? "Normal" : "Warning", valid ? "PolicyValid" : "PolicyInvalid",
                    valid ? "policy " + status.digest + " with " + status.ruleCount + " rules" : status.issues.size()
                            + " issue(s); first: " + (status.issues.isEmpty() ? "" : status.issues.get(0).path + ": " + status.issues.get(0).message));
        }
        return UpdateControl.noUpdate();
    }

    /** The status a policy spec lints to (pure: tested without a cluster). */
    public static PolicyStatus lint(Policy policy, PolicyStatus previous, Instant now) {
        String json = new String(Json.write(policy.getSpec()), StandardCharsets.UTF_8);
        org.stellaops.core.policy.Policy p = org.stellaops.core.policy.Policy.parse(json,
                "Policy " + policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName());
        PolicyStatus s = new PolicyStatus();
        s.observedGeneration = policy.getMetadata().getGeneration();
        s.digest = p.valid() ? p.digest() : null;
        s.ruleCount = p.valid() ? p.rules().size() : null;
        List<PolicyStatus.Issue> issues = new ArrayList<>();
        for (Diagnostic d : p.diagnostics()) {
            if (issues.size() < 50) {
                issues.add(new PolicyStatus.Issue(d.code(), d.severity(), d.path(), d.message()));
            }
        }
        s.issues = issues;
        s.conditions = Conditions.set(previous == null ? null : previous.conditions, "Valid", p.valid(),
                p.valid() ? "Linted" : "Invalid", p.valid() ? "policy is valid" : issues.size() + " error(s); the policy is not applied",
                policy.getMetadata().getGeneration(), now);
        return s;
    }
}
