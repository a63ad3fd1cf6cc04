package org.stellaops.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The install manifest the build generates (target/kubernetes/kubernetes.yml: ServiceAccount, ClusterRoles and
 * bindings, the leader-election Role, Service, Deployment) grants what the operator does — a missing rule would only show on a real cluster.
 */
class InstallManifestIT {
    @Test
    void rbacAndDeploymentCoverWhatTheOperatorDoes() throws Exception {
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(Path.of("target/kubernetes/kubernetes.yml"))) {
            Object parsed = Serialization.unmarshal(in); // a multi-document YAML: a list of resources
            items = parsed instanceof KubernetesList l ? l.getItems() : castList(parsed);
        }
        List<PolicyRule> rules = new ArrayList<>();
        items.stream().filter(i -> i instanceof ClusterRole).forEach(r -> rules.addAll(((ClusterRole) r).getRules()));
        // worker Jobs, their pods and Secrets only in the operator's namespace: nothing cluster-wide grants them
        assertNotAllowed(rules, "batch", "jobs", "create");
        assertNotAllowed(rules, "", "secrets", "create");
        assertNotAllowed(rules, "", "pods", "watch");
        Role workers = items.stream().filter(i -> i instanceof Role && i.getMetadata().getName().equals("stella-operator-workers"))
                .map(i -> (Role) i).findFirst().orElseThrow();
        assertThat(workers.getMetadata().getNamespace()).isEqualTo("stella-system");
        assertAllowed(workers.getRules(), "batch", "jobs", "create");
        assertAllowed(workers.getRules(), "batch", "jobs", "watch");
        assertAllowed(workers.getRules(), "batch", "jobs", "delete");
        assertAllowed(workers.getRules(), "", "secrets", "create");
        assertAllowed(workers.getRules(), "", "pods", "watch");
        assertThat(items).anySatisfy(i -> {
            assertThat(i).isInstanceOf(RoleBinding.class);
            assertThat(((RoleBinding) i).getRoleRef().getName()).isEqualTo("stella-operator-workers");
            assertThat(((RoleBinding) i).getSubjects()).anySatisfy(s -> assertThat(s.getName()).isEqualTo("stella-operator"));
        });
        assertAllowed(rules, "", "secrets", "get");
        assertAllowed(rules, "", "configmaps", "get");
        assertAllowed(rules, "", "serviceaccounts", "get");
        assertAllowed(rules, "", "events", "create");
        assertAllowed(rules, "authentication.k8s.io", "tokenreviews", "create");
        assertAllowed(rules, "authorization.k8s.io", "subjectaccessreviews", "create");
        for (String kind : List.of("imagescans", "policies", "advisoryfeeds", "vexsources", "attestations")) {
            assertAllowed(rules, "stella-ops.org", kind, "watch");
            assertAllowed(rules, "stella-ops.org", kind + "/status", "patch");
        }
        // leader election: a namespaced Role for Leases in the operator's namespace, bound to its ServiceAccount
        Role lease = items.stream().filter(i -> i instanceof Role && i.getMetadata().getName().contains("leader"))
                .map(i -> (Role) i).findFirst().orElseThrow();
        assertThat(lease.getMetadata().getNamespace()).isEqualTo("stella-system");
        assertAllowed(lease.getRules(), "coordination.k8s.io", "leases", "get");
        assertAllowed(lease.getRules(), "coordination.k8s.io", "leases", "create");
        assertAllowed(lease.getRules(), "coordination.k8s.io", "leases", "update");
        assertThat(items).anySatisfy(i -> {
            assertThat(i).isInstanceOf(RoleBinding.class);
            assertThat(((RoleBinding) i).getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
            assertThat(((RoleBinding) i).getSubjects()).anySatisfy(s -> assertThat(s.getName()).isEqualTo("stella-operator"));
        });
        assertThat(items).anySatisfy(i -> {
            assertThat(i).isInstanceOf(ServiceAccount.class);
            assertThat(i.getMetadata().getName()).isEqualTo("stella-operator");
        });
        // applies on clusters without the Prometheus operator: no ServiceMonitor unless asked for at build time
        assertThat(items).noneSatisfy(i -> assertThat(i.getKind()).isEqualTo("ServiceMonitor"));
        Deployment d = items.stream().filter(i -> i instanceof Deployment).map(i -> (Deployment) i).findFirst().orElseThrow();
        var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getEnvFrom()).anySatisfy(e -> assertThat(e.getSecretRef().getName()).isEqualTo("stella-storage"));
        // worker Jobs go to the operator's namespace, run as a service account of their own without a token
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        });
        assertThat(items).anySatisfy(i -> {
            assertThat(i).isInstanceOf(io.fabric8.kubernetes.api.model.ServiceAccount.class);
            assertThat(i.getMetadata().getName()).isEqualTo("stella-worker");
            assertThat(((io.fabric8.kubernetes.api.model.ServiceAccount) i).getAutomountServiceAccountToken()).isFalse();
        });
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getImage()).startsWith("ghcr.io/stella-ops/stella-operator:");
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("stella-operator");
    }

    @SuppressWarnings("unchecked")
    static List<HasMetadata> castList(Object o) {
        return (List<HasMetadata>) o;
    }

    static void assertNotAllowed(List<PolicyRule> rules, String group, String resource, String verb) {
        assertThat(rules).as("no %s %s/%s", verb, group, resource).noneSatisfy(r -> {
            assertThat(r.getApiGroups()).contains(group);
            assertThat(r.getResources()).contains(resource);
            assertThat(r.getVerbs()).containsAnyOf(verb, "*");
        });
    }

    static void assertAllowed(List<PolicyRule> rules, String group, String resource, String verb) {
        assertThat(rules).as("%s %s/%s", verb, group, resource).anySatisfy(r -> {
            assertThat(r.getApiGroups()).contains(group);
            assertThat(r.getResources()).contains(resource);
            assertThat(r.getVerbs()).containsAnyOf(verb, "*");
        });
    }
}
