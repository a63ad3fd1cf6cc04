package org.stellaops.operator.attest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.stellaops.core.attest.AttestationException;
import org.stellaops.core.attest.BundleVerifier;
import org.stellaops.core.attest.Keys;
import org.stellaops.core.attest.SigstoreBundle;
import org.stellaops.core.attest.TransparencyLogVerifier;
import org.stellaops.core.attest.TrustedRoot;
import org.stellaops.core.attest.VerificationException;

/**
 * Verifies the bundles an Attestation produced against the configured trust — never against the key that just signed
 * unless that is explicitly configured — and, when the entry was logged, the log's answer (inclusion proof and signed
 * checkpoint) against the trusted root's log key. Plain Java: the reconciler passes the settings in.
 */
public final class AttestationTrust {
    private final List<Path> keyFiles;
    private final boolean trustSignerKeys;
    private final Optional<Path> trustedRootFile;

    public AttestationTrust(List<Path> keyFiles, boolean trustSignerKeys, Optional<Path> trustedRootFile) {
        this.keyFiles = List.copyOf(keyFiles);
        this.trustSignerKeys = trustSignerKeys;
        this.trustedRootFile = trustedRootFile;
    }

    public static AttestationTrust of(AttestConfig c) {
        return new AttestationTrust(c.verificationKeys().orElse(List.of()), c.trustSignerKeys(), c.trustedRoot());
    }

    public boolean trustsSignerKeys() {
        return trustSignerKeys;
    }

    /** The outcome: {@code reason} is a condition reason (Verified, TrustNotConfigured, VerificationFailed). */
    public record Verdict(boolean verified, String reason, String message) {
        static Verdict ok(String message) {
            return new Verdict(true, "Verified", message);
        }

        static Verdict notConfigured(String message) {
            return new Verdict(false, "TrustNotConfigured", message);
        }

        static Verdict failed(String message) {
            return new Verdict(false, "VerificationFailed", message);
        }
    }

    /** What the trust settings resolve to now (files are read on every use, so an updated ConfigMap counts at once). */
    private record Loaded(List<PublicKey> keys, TrustedRoot root, Verdict problem) {
    }

    private Loaded load(PublicKey signerKey) {
        List<PublicKey> keys = new ArrayList<>();
        for (Path f : keyFiles) {
            try {
                keys.add(Keys.readPublicKey(Files.readAllBytes(f), "stella.attest.verification-keys " + f));
            } catch (AttestationException e) {
                return new Loaded(List.of(), null, Verdict.notConfigured(e.getMessage()));
            } catch (IOException e) {
                return new Loaded(List.of(), null, Verdict.notConfigured("stella.attest.verification-keys " + f + " is unreadable ("
                        + e.getClass().getSimpleName() + ")"));
            }
        }
        if (trustSignerKeys && signerKey != null) {
            keys.add(signerKey);
        }
        TrustedRoot root = null;
        if (trustedRootFile.isPresent()) {
            Path f = trustedRootFile.get();
            try {
                root = TrustedRoot.parse(Files.readAllBytes(f), "stella.attest.trusted-root " + f);
            } catch (AttestationException e) {
                return new Loaded(keys, null, Verdict.notConfigured(e.getMessage()));
            } catch (IOException e) {
                return new Loaded(keys, null, Verdict.notConfigured("stella.attest.trusted-root " + f + " is unreadable ("
                        + e.getClass().getSimpleName() + ")"));
            }
        }
        return new Loaded(keys, root, null);
    }

    /**
     * Verifies one stored bundle: its signature with a trusted key, its statement's subject and predicate type, and —
     * when {@code logged} — its transparency-log entry against the trusted root (required then).
     */
    public Verdict verify(byte[] bundleJson, String what, PublicKey signerKey, boolean logged, String subjectSha256, String predicateType) {
        Loaded t = load(signerKey);
        if (t.problem() != null) {
            return t.problem();
        }
        if (t.keys().isEmpty()) {
            return Verdict.notConfigured("no verification key is trusted: configure stella.attest.verification-keys (PEM public keys), "
                    + "or stella.attest.trust-signer-keys=true to trust each Attestation's signer Secret");
        }
        if (logged && (t.root() == null || t.root().tlogs().isEmpty())) {
            return Verdict.notConfigured("rekor.url is set but no trusted root with transparency logs is configured "
                    + "(stella.attest.trusted-root): the log's answer cannot be checked");
        }
        SigstoreBundle bundle;
        try {
            bundle = SigstoreBundle.parse(bundleJson, what);
        } catch (AttestationException e) {
            return Verdict.failed(e.getMessage());
        }
        // the trusted key that matches the signer is tried first, so its failure (not another key's) is the reason
        List<PublicKey> ordered = new ArrayList<>(t.keys());
        ordered.sort((a, b) -> Boolean.compare(!same(a, signerKey), !same(b, signerKey)));
        if (signerKey != null && !same(ordered.get(0), signerKey)) {
            return Verdict.failed("the signing key (" + Keys.hint(signerKey) + ") is not a trusted verification key");
        }
        VerificationException last = null;
        for (PublicKey key : ordered) {
            try {
                BundleVerifier.Result r = BundleVerifier.verify(bundle, new BundleVerifier.Policy(key, t.root(), null, null, null,
                        logged, subjectSha256, predicateType, null));
                StringBuilder msg = new StringBuilder(what).append(": signature verified with trusted key ").append(Keys.hint(key));
                for (TransparencyLogVerifier.Verified v : r.tlog()) {
                    msg.append("; log entry ").append(v.logIndex()).append(" of ").append(v.treeSize()).append(" in ")
                            .append(v.logBaseUrl()).append(" (inclusion proof and checkpoint verified with the trusted root)");
                }
                return Verdict.ok(msg.toString());
            } catch (VerificationException e) {
                if (last == null) {
                    last = e;
                }
            }
        }
        return Verdict.failed(what + ": " + last.getMessage());
    }

    private static boolean same(PublicKey a, PublicKey b) {
        return b != null && Arrays.equals(a.getEncoded(), b.getEncoded());
    }
}
