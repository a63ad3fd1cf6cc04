package org.stellaops.operator.api;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.stellaops.operator.config.StellaConfig;

/**
 * Authentication by TokenReview (the caller's bearer token, e.g. a ServiceAccount token) and authorization by
 * SubjectAccessReview: reading a scan, its SBOM or report needs {@code get imagescans} in that namespace; asking
 * which layers are missing needs {@code list imagescans} cluster-wide.
 */
@Provider
public class AccessControl implements ContainerRequestFilter {
    // looked up per request: JAX-RS providers are created at static init, before runtime configuration exists
    @Inject
    Instance<KubernetesClient> clients;
    @Inject
    Instance<StellaConfig> configs;

    @Override
    public void filter(ContainerRequestContext req) {
        String path = req.getUriInfo().getPath();
        if (!path.startsWith("/api/") || !configs.get().api().auth()) {
            return;
        }
        KubernetesClient client = clients.get();
        String header = req.getHeaderString("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            req.abortWith(Problem.response(401, "Unauthorized", "a bearer token is required", path));
            return;
        }
        TokenReview review = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder().withNewSpec()
                .withToken(header.substring(7).trim()).endSpec().build());
        if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
            req.abortWith(Problem.response(401, "Unauthorized", "the token was not accepted by the API server", path));
            return;
        }
        var user = review.getStatus().getUser();
        List<String> parts = List.of(path.split("/"));
        String namespace = parts.size() > 4 && "namespaces".equals(parts.get(3)) ? parts.get(4) : null;
        Map<String, List<String>> extra = new HashMap<>();
        if (user.getExtra() != null) {
            extra.putAll(user.getExtra());
        }
        SubjectAccessReview sar = client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                .withNewSpec().withUser(user.getUsername()).withUid(user.getUid()).withGroups(user.getGroups()).withExtra(extra)
                .withNewResourceAttributes().withGroup("stella-ops.org").withResource("imagescans")
                .withVerb(namespace == null ? "list" : "get").withNamespace(namespace).endResourceAttributes()
                .endSpec().build());
        if (sar.getStatus() == null || !Boolean.TRUE.equals(sar.getStatus().getAllowed())) {
            req.abortWith(Problem.response(403, "Forbidden", user.getUsername() + " may not " + (namespace == null ? "list" : "get")
                    + " imagescans" + (namespace == null ? "" : " in " + namespace), path));
        }
    }
}
