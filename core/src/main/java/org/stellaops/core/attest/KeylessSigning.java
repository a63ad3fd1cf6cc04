package org.stellaops.core.attest;

import dev.sigstore.KeylessSigner;
import dev.sigstore.SigningConfigProvider;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.oidc.client.OidcClients;
import dev.sigstore.oidc.client.TokenStringOidcClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Keyless signing through sigstore-java's {@link KeylessSigner#attest(String)}: an ephemeral key, a Fulcio certificate
 * for the OIDC identity of the given token, a Rekor entry, all by sigstore-java. What it can do: sign an in-toto
 * statement as DSSE against the public-good instance (default) or a private one described by a signing-config and
 * trusted-root file. What it cannot: sign without network access to Fulcio, Rekor and the OIDC token's issuer, or with
 * a key we hold — that is {@link KeySigner}.
 */
public final class KeylessSigning {
    private KeylessSigning() {
    }

    public static SigstoreBundle attest(byte[] statement, String oidcToken, Path signingConfig, Path trustedRoot)
            throws AttestationException {
        if ((signingConfig == null) != (trustedRoot == null)) {
            throw new AttestationException("keyless signing against a private instance needs both --signing-config and --trusted-root");
        }
        try {
            KeylessSigner.Builder b = KeylessSigner.builder();
            if (signingConfig != null) {
                b.signingConfigProvider(SigningConfigProvider.from(signingConfig))
                        .trustedRootProvider(TrustedRootProvider.from(trustedRoot));
            } else {
                b.sigstorePublicDefaults();
            }
            if (oidcToken != null) {
                b.forceCredentialProviders(OidcClients.of(TokenStringOidcClient.from(oidcToken)));
            }
            try (KeylessSigner signer = b.build()) {
                dev.sigstore.bundle.Bundle bundle = signer.attest(new String(statement, StandardCharsets.UTF_8));
                return SigstoreBundle.parse(bundle.toJson().getBytes(StandardCharsets.UTF_8), "keyless bundle");
            }
        } catch (AttestationException e) {
            throw e;
        } catch (Exception e) {
            throw new AttestationException("keyless signing failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
