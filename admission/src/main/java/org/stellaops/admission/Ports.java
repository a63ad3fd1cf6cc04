package org.stellaops.admission;

import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.storage.Catalog;

/** What a decision reads from the world; the webhook implements these with its informers, the CLI with files. */
public final class Ports {
    private Ports() {
    }

    /** The catalog's verdicts (image digest + policy digest). */
    public interface Verdicts {
        Optional<Catalog.Verdict> verdict(String imageDigest, String policyDigest) throws IOException;
    }

    /** The reports in the object store (for the findings a refusal names); may answer empty. */
    public interface Reports {
        Optional<byte[]> report(String key) throws IOException;
    }

    /** Tag (or index digest) → platform manifest digest. */
    public interface Resolver {
        /** {@code credentials} is asked only when the registry must be asked (not on a cache hit). */
        String digest(ImageRef ref, java.util.function.Supplier<DockerConfig> credentials) throws IOException;
    }

    /** The Kubernetes side: namespaces, Policies, pull credentials, break-glass permission. */
    public interface Cluster {
        Map<String, String> namespaceLabels(String namespace) throws IOException;

        Collection<Policy> policies();

        DockerConfig pullCredentials(String namespace, List<String> pullSecrets, String serviceAccount) throws IOException;

        /** Whether the requesting user may use the break-glass annotation in this namespace (a SubjectAccessReview). */
        boolean mayBreakGlass(UserInfo user, String namespace) throws IOException;
    }

    /** Signed verdicts (OCI referrers + core/attest); answers the verified verdict or why there is none. */
    public interface SignedVerdicts {
        record Result(String verdict, String problem) {
            public boolean verified() {
                return verdict != null;
            }
        }

        Result check(ImageRef ref, String imageDigest, AdmissionPolicy policy, java.util.function.Supplier<DockerConfig> credentials)
                throws IOException;
    }
}
