package org.stellaops.core.attest;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;

/**
 * Verifies a DSSE bundle: signature over the PAE (with a public key, or with a certificate chaining to a trusted CA and
 * carrying the expected identity and OIDC issuer), transparency-log inclusion against a trusted root, and the in-toto
 * statement's subject and predicate type. Every failed check throws with its reason; a check that was not made is
 * listed in {@link Result#notes()}, never reported as passed.
 */
public final class BundleVerifier {
    private static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
    private static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

    private BundleVerifier() {
    }

    /**
     * What to trust and expect. Either {@code key} or ({@code trustedRoot} with CAs, {@code identity} or
     * {@code identityRegexp}, and {@code oidcIssuer}).
     */
    public record Policy(PublicKey key, TrustedRoot trustedRoot, String identity, String identityRegexp, String oidcIssuer,
                         boolean requireTlog, String subjectSha256, String predicateType, Instant now) {
    }

    /**
     * {@code times}: the signed times the bundle proved (a Rekor v1 signed entry timestamp, an RFC 3161 timestamp) and,
     * for a certificate-signed bundle without one, the current time; each says where it came from. A certificate is
     * checked at every one of them.
     */
    public record Result(InToto.Statement statement, String signer, List<TransparencyLogVerifier.Verified> tlog, List<String> notes,
                         List<SigningTime> times) {
    }

    /** A time the verification used, with its source ("signed entry timestamp of …", "RFC 3161 timestamp of …", "current time: …"). */
    public record SigningTime(Instant at, String source, boolean signed) {
    }

    public static Result verify(SigstoreBundle bundle, Policy p) throws VerificationException {
        Dsse.Envelope env = bundle.envelope();
        if (!Dsse.INTOTO_PAYLOAD_TYPE.equals(env.payloadType())) {
            throw new VerificationException("payload type is '" + env.payloadType() + "', not " + Dsse.INTOTO_PAYLOAD_TYPE);
        }
        List<String> notes = new ArrayList<>();
        List<TransparencyLogVerifier.Verified> logged = new ArrayList<>();
        boolean haveLogs = p.trustedRoot() != null && !p.trustedRoot().tlogs().isEmpty();
        if (haveLogs) {
            for (JsonNode e : bundle.tlogEntries()) {
                logged.add(TransparencyLogVerifier.verify(e, env, p.trustedRoot()));
            }
        } else if (!bundle.tlogEntries().isEmpty()) {
            notes.add("transparency log entry present but not verified: no trusted root with logs was given");
        }
        if (bundle.tlogEntries().isEmpty() && !p.requireTlog()) {
            notes.add("transparency log: the bundle has no entry");
        }
        if (p.requireTlog() && logged.isEmpty()) {
            throw new VerificationException(bundle.tlogEntries().isEmpty()
                    ? "no transparency log entry in the bundle, and one is required"
                    : "a transparency log entry is required and none could be verified (no trusted root with logs)");
        }
        List<SigningTime> times = signedTimes(bundle, logged, p.trustedRoot(), notes);
        String signer;
        if (p.key() != null) {
            if (!anySignatureVerifies(p.key(), env)) {
                throw new VerificationException("signature does not verify with the given " + algorithmName(p.key()) + " key");
            }
            signer = "key " + Keys.hint(p.key());
        } else {
            if (bundle.certificates().isEmpty()) {
                throw new VerificationException("the bundle is signed by a key (no certificate): verify it with --key");
            }
            X509Certificate leaf = bundle.certificates().get(0);
            if (times.isEmpty()) {
                Instant now = p.now() == null ? Instant.now() : p.now();
                times = List.of(new SigningTime(now, "current time: the bundle has no signed time (a Rekor v1 signed entry "
                        + "timestamp or an RFC 3161 timestamp verified against the trusted root)", false));
                notes.add("certificate validity checked at the current time (no trusted signing time in the bundle)");
            }
            for (SigningTime t : times) {
                checkChain(bundle.certificates(), p.trustedRoot(), t);
            }
            signer = checkIdentity(leaf, p);
            if (!anySignatureVerifies(leaf.getPublicKey(), env)) {
                throw new VerificationException("signature does not verify with the certificate's key");
            }
        }
        InToto.Statement st;
        try {
            st = InToto.Statement.parse(env.payload(), "payload");
        } catch (AttestationException e) {
            throw new VerificationException(e.getMessage());
        }
        if (p.predicateType() != null && !p.predicateType().equals(st.predicateType())) {
            throw new VerificationException("predicate type is '" + st.predicateType() + "', expected '" + p.predicateType() + "'");
        }
        if (p.subjectSha256() != null && !st.hasSubjectDigest(p.subjectSha256())) {
            throw new VerificationException("the statement's subjects " + st.subjects().stream().map(s -> "sha256:" + s.sha256()).toList()
                    + " do not include sha256:" + p.subjectSha256());
        }
        if (p.subjectSha256() == null) {
            notes.add("subject digest not checked: no image or subject was given");
        }
        return new Result(st, signer, logged, notes, times);
    }

    private static boolean anySignatureVerifies(PublicKey key, Dsse.Envelope env) throws VerificationException {
        byte[] pae = env.pae();
        for (Dsse.Signature s : env.signatures()) {
            try {
                Signature v = Signature.getInstance(Keys.signatureAlgorithm(key));
                v.initVerify(key);
                v.update(pae);
                if (v.verify(s.sig())) {
                    return true;
                }
            } catch (java.security.SignatureException e) {
                // a malformed signature (e.g. not DER) is simply not a valid one
            } catch (GeneralSecurityException e) {
                throw new VerificationException("cannot verify with a " + key.getAlgorithm() + " key: " + e.getMessage(), e);
            }
        }
        return false;
    }

    /**
     * Fulcio certificates live minutes: the signature must have been made while the certificate was valid, at a time a
     * signature covers. That is a Rekor v1 entry's integrated time when its signed entry timestamp verified with the log
     * key (see {@link TransparencyLogVerifier}), or the time of an RFC 3161 timestamp over the signature by an authority of
     * the trusted root. A Rekor v2 entry's integrated time is not signed, and an unverified entry's time is just a number
     * in the file: neither is used. A timestamp that does not verify is not used; the note says why.
     */
    private static List<SigningTime> signedTimes(SigstoreBundle b, List<TransparencyLogVerifier.Verified> logged, TrustedRoot root,
                                                 List<String> notes) {
        List<SigningTime> times = new ArrayList<>();
        for (int i = 0; i < logged.size(); i++) { // logged.get(i) is the verified tlogEntries().get(i)
            TransparencyLogVerifier.Verified v = logged.get(i);
            if (v.signedTime() != null) {
                times.add(new SigningTime(v.signedTime(), "signed entry timestamp of " + v.logBaseUrl() + " entry "
                        + b.tlogEntries().get(i).path("logIndex").asText(), true));
            }
        }
        for (JsonNode e : b.tlogEntries()) {
            long t = e.path("integratedTime").asLong(0);
            if (t > 0 && logged.stream().noneMatch(v -> v.signedTime() != null && v.signedTime().getEpochSecond() == t)) {
                notes.add("integrated time " + Instant.ofEpochSecond(t) + " of a log entry not used as the signing time: "
                        + (logged.isEmpty() ? "the entry was not verified" : "no signed entry timestamp covers it"
                        + " (Rekor v2 entries carry none)"));
            }
        }
        byte[] sig = b.envelope().signatures().get(0).sig();
        for (byte[] ts : b.rfc3161Timestamps()) {
            try {
                Rfc3161Timestamps.Verified v = Rfc3161Timestamps.verify(ts, sig, root);
                times.add(new SigningTime(v.time(), "RFC 3161 timestamp of " + v.authority(), true));
            } catch (VerificationException e) {
                notes.add("timestamp not used: " + e.getMessage());
            }
        }
        return times;
    }

    private static void checkChain(List<X509Certificate> certs, TrustedRoot root, SigningTime time) throws VerificationException {
        if (root == null || root.certificateAuthorities().isEmpty()) {
            throw new VerificationException("a certificate-signed bundle needs a trusted root with certificate authorities (--trusted-root)");
        }
        X509Certificate leaf = certs.get(0);
        Instant at = time.at();
        try {
            leaf.checkValidity(Date.from(at));
        } catch (java.security.cert.CertificateExpiredException e) {
            throw new VerificationException("the signing certificate expired at " + leaf.getNotAfter().toInstant()
                    + " (checked at " + at + ", the " + time.source() + ")");
        } catch (java.security.cert.CertificateNotYetValidException e) {
            throw new VerificationException("the signing certificate is not valid before " + leaf.getNotBefore().toInstant()
                    + " (checked at " + at + ", the " + time.source() + ")");
        }
        VerificationException last = null;
        for (TrustedRoot.CertificateAuthority ca : root.certificateAuthorities()) {
            if (ca.chain().isEmpty()) {
                continue;
            }
            if (ca.validFrom() != null && at.isBefore(ca.validFrom()) || ca.validUntil() != null && at.isAfter(ca.validUntil())) {
                last = new VerificationException("the trusted root's CA " + ca.uri() + " was not in use at " + at);
                continue;
            }
            try {
                X509Certificate anchor = ca.chain().get(ca.chain().size() - 1);
                List<X509Certificate> path = new ArrayList<>();
                path.add(leaf);
                for (int i = 1; i < certs.size(); i++) {
                    if (!certs.get(i).equals(anchor)) {
                        path.add(certs.get(i));
                    }
                }
                for (int i = 0; i < ca.chain().size() - 1; i++) {
                    if (!path.contains(ca.chain().get(i))) {
                        path.add(ca.chain().get(i));
                    }
                }
                PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
                params.setRevocationEnabled(false);
                params.setDate(Date.from(at));
                CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
                return;
            } catch (CertPathValidatorException e) {
                last = new VerificationException("the signing certificate does not chain to the trusted CA " + ca.uri() + ": "
                        + e.getMessage());
            } catch (GeneralSecurityException e) {
                last = new VerificationException("certificate chain check failed: " + e.getMessage(), e);
            }
        }
        throw last != null ? last : new VerificationException("the trusted root lists no CA certificates");
    }

    private static String checkIdentity(X509Certificate leaf, Policy p) throws VerificationException {
        if ((p.identity() == null && p.identityRegexp() == null) || p.oidcIssuer() == null) {
            throw new VerificationException("a certificate-signed bundle needs --certificate-identity (or -regexp) and --certificate-oidc-issuer");
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku == null || !eku.contains(CODE_SIGNING)) {
                throw new VerificationException("the signing certificate is not for code signing (extended key usage)");
            }
        } catch (CertificateParsingException e) {
            throw new VerificationException("unreadable extended key usage: " + e.getMessage());
        }
        Set<String> sans = new HashSet<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    if (san.size() >= 2 && san.get(1) instanceof String s) {
                        sans.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new VerificationException("unreadable subject alternative names: " + e.getMessage());
        }
        String matched = sans.stream().filter(s -> p.identity() != null ? s.equals(p.identity())
                : Pattern.compile(p.identityRegexp()).matcher(s).matches()).findFirst().orElseThrow(() ->
                new VerificationException("certificate identity " + sans + " does not match "
                        + (p.identity() != null ? "'" + p.identity() + "'" : "/" + p.identityRegexp() + "/")));
        String issuer = oidcIssuer(leaf);
        if (issuer == null) {
            throw new VerificationException("the signing certificate names no OIDC issuer");
        }
        if (!issuer.equals(p.oidcIssuer())) {
            throw new VerificationException("certificate OIDC issuer '" + issuer + "' is not '" + p.oidcIssuer() + "'");
        }
        return matched + " (issuer " + issuer + ")";
    }

    /** Fulcio's issuer extension: v2 (…57264.1.8) is a DER UTF8String, v1 (…57264.1.1) the raw string. */
    static String oidcIssuer(X509Certificate cert) {
        try {
            byte[] v2 = cert.getExtensionValue(ISSUER_V2);
            if (v2 != null) {
                ASN1Primitive inner = ASN1Primitive.fromByteArray(DEROctetString.getInstance(v2).getOctets());
                return ((ASN1String) inner).getString();
            }
            byte[] v1 = cert.getExtensionValue(ISSUER_V1);
            if (v1 != null) {
                return new String(DEROctetString.getInstance(v1).getOctets(), java.nio.charset.StandardCharsets.UTF_8);
            }
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static String algorithmName(PublicKey key) {
        return key instanceof java.security.interfaces.ECPublicKey ? "ECDSA P-256" : key.getAlgorithm();
    }
}
