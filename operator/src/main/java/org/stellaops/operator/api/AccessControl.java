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
 * which layers are missing needs {@code list imagescans} cluster-wide. Decisions are cached for 30 seconds per token
 * digest, verb and namespace (as kube-rbac-proxy does), so a busy client costs two API calls per half minute.
 */
@Provider
public class AccessControl implements ContainerRequestFilter {
    private static final java.time.Duration TTL = java.time.Duration.ofSeconds(30);
    private final Map<String, Decision> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private record Decision(int status, String detail, java.time.Instant until) {
    }

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
        String header = req.getHeaderString("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            req.abortWith(Problem.response(401, "Unauthorized", "a bearer token is required", path));
            return;
        }
        List<String> parts = List.of(path.split("/"));
        String namespace = parts.size() > 4 && "namespaces".equals(parts.get(3)) ? parts.get(4) : null;
        String key = org.stellaops.core.json.Digests.sha256(header.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "|" + namespace;
        java.time.Instant now = java.time.Instant.now();
        Decision d = cache.get(key);
        if (d == null || d.until().isBefore(now)) {
            if (cache.size() > 10_000) {
                cache.clear();
            }
            d = decide(header.substring(7).trim(), namespace, now);
            cache.put(key, d);
        }
        if (d.status() != 200) {
            req.abortWith(Problem.response(d.status(), d.status() == 401 ? "Unauthorized" : "Forbidden", d.detail(), path));
        }
    }

    private Decision decide(String token, String namespace, java.time.Instant now) {
        KubernetesClient client = clients.get();
        TokenReview review = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder().withNewSpec()
                .withToken(token).endSpec().build());
        if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
            return new Decision(401, "the token was not accepted by the API server", now.plus(TTL));
        }
        var user = review.getStatus().getUser();
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
            return new Decision(403, user.getUsername() + " may not " + (namespace == null ? "list" : "get")
                    + " imagescans" + (namespace == null ? "" : " in " + namespace), now.plus(TTL));
        }
        return new Decision(200, null, now.plus(TTL));
    }
}
