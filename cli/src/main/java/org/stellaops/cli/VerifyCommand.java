package org.stellaops.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.stellaops.core.attest.AttestationException;
import org.stellaops.core.attest.BundleVerifier;
import org.stellaops.core.attest.InToto;
import org.stellaops.core.attest.Keys;
import org.stellaops.core.attest.SigstoreBundle;
import org.stellaops.core.attest.TransparencyLogVerifier;
import org.stellaops.core.attest.TrustedRoot;
import org.stellaops.core.attest.VerificationException;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.RegistryClient;
import org.stellaops.scanner.image.Referrers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stella verify}: verify a bundle file or the attestations attached to an image, offline where possible. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify a DSSE attestation bundle (a file, or the bundles attached to an image as OCI referrers): "
                + "signature, signer identity, transparency-log inclusion (offline, from the bundle and a trusted root), subject and predicate type.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:verified", "3:verification failed (the reason is printed)", "4:registry authentication failed",
                "5:image or file not found", "7:registry unreachable", "9:invalid arguments or unreadable key/trusted root"})
public final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bundle", paramLabel = "FILE", description = "A Sigstore bundle file. Without it, the bundles attached to --image.")
    Path bundle;

    @Option(names = "--image", paramLabel = "REF", description = "The image the attestation must be about (and where attached bundles are looked up).")
    String image;

    @Option(names = "--subject-digest", paramLabel = "sha256:HEX", description = "The digest the attestation must be about (no registry access).")
    String subjectDigest;

    @Option(names = "--key", paramLabel = "FILE", description = "PEM public key (or certificate) of the signer.")
    Path key;

    @Option(names = "--certificate-identity", paramLabel = "ID", description = "Expected signer identity (certificate SAN: e-mail or URI).")
    String identity;

    @Option(names = "--certificate-identity-regexp", paramLabel = "REGEXP", description = "Expected signer identity as a regular expression.")
    String identityRegexp;

    @Option(names = "--certificate-oidc-issuer", paramLabel = "URL", description = "Expected OIDC issuer in the certificate.")
    String oidcIssuer;

    @Option(names = "--trusted-root", paramLabel = "FILE",
            description = "Sigstore trusted root: the CAs for certificate-signed bundles and the logs whose proofs are checked.")
    Path trustedRoot;

    @Option(names = "--require-tlog", description = "Fail unless a transparency-log entry verifies against the trusted root.")
    boolean requireTlog;

    @Option(names = "--type", paramLabel = "cyclonedx|spdx|report|URI", description = "Required predicate type.")
    String type;

    @Option(names = "--json", description = "Print the outcome as JSON on standard output.")
    boolean json;

    @CommandLine.Mixin
    RegistryOptions registry = new RegistryOptions();

    private record Outcome(String source, BundleVerifier.Result result, String failure) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (bundle == null && image == null) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "give --bundle FILE or --image REF");
            }
            if (key == null && identity == null && identityRegexp == null) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT,
                        "give --key FILE, or --certificate-identity/--certificate-identity-regexp with --certificate-oidc-issuer");
            }
            if (image != null && subjectDigest != null) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "--image and --subject-digest are exclusive");
            }
            PublicKey pub = key == null ? null : Keys.readPublicKey(read(key, "key"), "key " + key);
            TrustedRoot root = trustedRoot == null ? null : TrustedRoot.parse(read(trustedRoot, "trusted root"), "trusted root " + trustedRoot);
            String predicateType = type == null ? null : InToto.Predicate.typeFor(type);

            RegistryClient client = null;
            ImageRef ref = null;
            String digest = subjectDigest;
            if (image != null) {
                client = registry.client();
                ref = ImageRef.parse(image);
                digest = Referrers.subject(client, ref).digest();
            }
            if (digest != null && !digest.matches("sha256:[0-9a-f]{64}")) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "subject digest must be sha256:<64 hex>: " + digest);
            }
            BundleVerifier.Policy policy = new BundleVerifier.Policy(pub, root, identity, identityRegexp, oidcIssuer, requireTlog,
                    digest == null ? null : digest.substring(7), predicateType, null);

            List<Outcome> outcomes = new ArrayList<>();
            if (bundle != null) {
                outcomes.add(verify(bundle.toString(), read(bundle, "bundle"), policy));
            } else {
                // OCI referrers (cosign --new-bundle-format, stella attest --attach) and cosign's legacy .att tag
                List<Referrers.Bundle> attached = new ArrayList<>(Referrers.bundles(client, ref, digest));
                attached.addAll(Referrers.legacyAttestations(client, ref, digest));
                for (Referrers.Bundle b : attached) {
                    if (predicateType != null && !b.predicateType().isEmpty() && !b.predicateType().equals(predicateType)) {
                        continue;
                    }
                    outcomes.add(verify(ref.name() + "@" + b.manifestDigest(), b.json(), policy));
                }
                if (outcomes.isEmpty()) {
                    err.println("stella: verification failed: no attestation bundle" + (predicateType != null ? " of type " + predicateType : "")
                            + " is attached to " + ref.name() + "@" + digest);
                    return ExitCodes.VERIFICATION_FAILED;
                }
            }
            boolean ok = outcomes.stream().anyMatch(o -> o.result() != null);
            print(outcomes, out, err);
            return ok ? ExitCodes.OK : ExitCodes.VERIFICATION_FAILED;
        } catch (ScanException e) {
            err.println("stella: " + e.getMessage());
            return e.kind().exitCode();
        } catch (AttestationException e) {
            err.println("stella: " + e.getMessage());
            return ExitCodes.INVALID_ARGUMENTS;
        } catch (IOException | RuntimeException e) {
            err.println("stella: " + e);
            return ExitCodes.FAILED;
        }
    }

    private static Outcome verify(String source, byte[] json, BundleVerifier.Policy policy) {
        try {
            return new Outcome(source, BundleVerifier.verify(SigstoreBundle.parse(json, source), policy), null);
        } catch (AttestationException | VerificationException e) {
            return new Outcome(source, null, e.getMessage());
        }
    }

    private void print(List<Outcome> outcomes, PrintWriter out, PrintWriter err) {
        if (json) {
            ArrayNode arr = Json.mapper().createArrayNode();
            for (Outcome o : outcomes) {
                ObjectNode n = arr.addObject();
                n.put("source", o.source());
                n.put("verified", o.result() != null);
                if (o.failure() != null) {
                    n.put("reason", o.failure());
                    continue;
                }
                n.put("predicateType", o.result().statement().predicateType());
                ArrayNode subs = n.putArray("subjects");
                o.result().statement().subjects().forEach(s -> subs.addObject().put("name", s.name()).put("digest", "sha256:" + s.sha256()));
                n.put("signer", o.result().signer());
                ArrayNode tl = n.putArray("tlog");
                for (TransparencyLogVerifier.Verified v : o.result().tlog()) {
                    tl.addObject().put("log", v.logBaseUrl()).put("logIndex", v.logIndex()).put("treeSize", v.treeSize()).put("kind", v.kind());
                }
                ArrayNode times = n.putArray("times");
                for (BundleVerifier.SigningTime t : o.result().times()) {
                    times.addObject().put("time", t.at().toString()).put("source", t.source()).put("signed", t.signed());
                }
                ArrayNode notes = n.putArray("notChecked");
                o.result().notes().forEach(notes::add);
            }
            out.println(new String(Json.write(arr), StandardCharsets.UTF_8));
            return;
        }
        for (Outcome o : outcomes) {
            if (o.failure() != null) {
                err.println("FAILED    " + o.source() + ": " + o.failure());
                continue;
            }
            BundleVerifier.Result r = o.result();
            out.println("VERIFIED  " + o.source());
            out.println("  predicate: " + r.statement().predicateType());
            r.statement().subjects().forEach(s -> out.println("  subject:   " + s.name() + "@sha256:" + s.sha256()));
            out.println("  signer:    " + r.signer());
            for (TransparencyLogVerifier.Verified v : r.tlog()) {
                out.println("  tlog:      " + v.kind() + " entry " + v.logIndex() + " of " + v.treeSize() + " in " + v.logBaseUrl()
                        + " (inclusion proof and checkpoint verified" + (v.signedTime() != null ? ", signed entry timestamp verified" : "") + ")");
            }
            r.times().forEach(t -> out.println("  time:      " + t.at() + " (" + t.source() + ")"));
            r.notes().forEach(n -> out.println("  not checked: " + n));
        }
    }

    private static byte[] read(Path p, String what) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new ScanException(ScanException.Kind.NOT_FOUND, what + " " + p + ": no such file");
        }
        return Files.readAllBytes(p);
    }
}
