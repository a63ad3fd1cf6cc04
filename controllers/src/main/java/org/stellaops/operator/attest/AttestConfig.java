package org.stellaops.operator.attest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the Attestation controller trusts when it reports {@code verified} ({@code stella.attest.*}). Nothing is trusted
 * by default: without a verification key every Attestation reports {@code verified: false} with the reason.
 */
@ConfigMapping(prefix = "stella.attest")
public interface AttestConfig {
    /** PEM public keys (files, e.g. from a mounted ConfigMap) that attestations must verify with. */
    Optional<List<Path>> verificationKeys();

    /**
     * Also trust the public key of each Attestation's own signer Secret. Only for clusters where whoever may write those
     * Secrets is trusted to sign: {@code verified} then says the bundle is intact (and logged), not who signed it.
     */
    @WithDefault("false")
    boolean trustSignerKeys();

    /**
     * A Sigstore trusted root (trusted_root.json) whose transparency logs must include the log of {@code rekor.url}:
     * the Rekor answer (inclusion proof and signed checkpoint) is verified against it.
     */
    Optional<Path> trustedRoot();
}
