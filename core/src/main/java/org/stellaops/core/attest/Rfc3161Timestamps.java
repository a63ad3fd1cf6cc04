package org.stellaops.core.attest;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

/**
 * RFC 3161 timestamps of a bundle ({@code verificationMaterial.timestampVerificationData.rfc3161Timestamps}), verified
 * with Bouncy Castle's TSP classes against the timestamp authorities of a trusted root: the message imprint is the hash
 * of the envelope's signature bytes (as Sigstore specifies), the token is signed by the first certificate of a listed
 * authority's chain (with the critical timeStamping EKU, valid at the time), that certificate chains to the chain's last
 * certificate, and the time lies in the authority's {@code validFor}.
 */
public final class Rfc3161Timestamps {
    private Rfc3161Timestamps() {
    }

    /** A verified timestamp: its time and the authority that signed it. */
    public record Verified(Instant time, String authority) {
    }

    public static Verified verify(byte[] signedTimestamp, byte[] signature, TrustedRoot root) throws VerificationException {
        TimeStampToken token = parse(signedTimestamp);
        TimeStampTokenInfo info = token.getTimeStampInfo();
        Instant time = info.getGenTime().toInstant();
        byte[] expected;
        try {
            DigestCalculator dc = new JcaDigestCalculatorProviderBuilder().build().get(new AlgorithmIdentifier(info.getMessageImprintAlgOID()));
            dc.getOutputStream().write(signature);
            dc.getOutputStream().close();
            expected = dc.getDigest();
        } catch (OperatorCreationException | IOException e) {
            throw new VerificationException("RFC 3161 timestamp: unsupported message imprint algorithm " + info.getMessageImprintAlgOID());
        }
        if (!MessageDigest.isEqual(expected, info.getMessageImprintDigest())) {
            throw new VerificationException("RFC 3161 timestamp: its message imprint is not the hash of this envelope's signature");
        }
        if (root == null || root.timestampAuthorities().isEmpty()) {
            throw new VerificationException("RFC 3161 timestamp: no trusted root with timestamp authorities was given");
        }
        List<String> failures = new ArrayList<>();
        for (TrustedRoot.CertificateAuthority tsa : root.timestampAuthorities()) {
            if (tsa.chain().isEmpty()) {
                continue;
            }
            X509Certificate signer = tsa.chain().get(0);
            try {
                if (!token.getSID().match(new X509CertificateHolder(signer.getEncoded()))) {
                    continue;
                }
                // checks the CMS signature, the ESS certificate id, the signer's timeStamping EKU and validity at genTime
                token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
            } catch (TSPException | OperatorCreationException | GeneralSecurityException | IOException | RuntimeException e) {
                failures.add("does not verify with the certificate of " + tsa.uri() + " (" + e.getMessage() + ")");
                continue;
            }
            if (tsa.validFrom() != null && time.isBefore(tsa.validFrom()) || tsa.validUntil() != null && time.isAfter(tsa.validUntil())) {
                failures.add("its time " + time + " is outside the validity of " + tsa.uri() + " in the trusted root");
                continue;
            }
            try {
                chain(tsa.chain(), time);
            } catch (GeneralSecurityException e) {
                failures.add("the certificate of " + tsa.uri() + " does not chain to its root (" + e.getMessage() + ")");
                continue;
            }
            return new Verified(time, tsa.uri().isEmpty() ? signer.getSubjectX500Principal().getName() : tsa.uri());
        }
        throw new VerificationException("RFC 3161 timestamp: " + (failures.isEmpty()
                ? "signed by an authority that is not in the trusted root" : String.join("; ", failures)));
    }

    /** A bundle carries a DER TimeStampResp (protobuf-specs); a bare TimeStampToken (CMS ContentInfo) is read as well. */
    private static TimeStampToken parse(byte[] der) throws VerificationException {
        try {
            TimeStampResponse resp = new TimeStampResponse(der);
            if (resp.getTimeStampToken() == null) {
                throw new VerificationException("RFC 3161 timestamp: the response holds no token (status " + resp.getStatus() + ")");
            }
            return resp.getTimeStampToken();
        } catch (VerificationException e) {
            throw e;
        } catch (TSPException | IOException | RuntimeException notAResponse) {
            try {
                return new TimeStampToken(ContentInfo.getInstance(der));
            } catch (TSPException | IOException | RuntimeException e) {
                throw new VerificationException("RFC 3161 timestamp: not a DER timestamp response or token");
            }
        }
    }

    private static void chain(List<X509Certificate> chain, Instant at) throws GeneralSecurityException {
        X509Certificate anchor = chain.get(chain.size() - 1);
        if (chain.size() == 1) {
            return; // the authority's own certificate is the trust anchor
        }
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        try {
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                    .generateCertPath(chain.subList(0, chain.size() - 1)), params);
        } catch (CertPathValidatorException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }
}
