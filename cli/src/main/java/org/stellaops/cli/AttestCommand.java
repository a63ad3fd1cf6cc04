package org.stellaops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import org.stellaops.core.attest.AttestationException;
import org.stellaops.core.attest.Dsse;
import org.stellaops.core.attest.InToto;
import org.stellaops.core.attest.KeySigner;
import org.stellaops.core.attest.KeylessSigning;
import org.stellaops.core.attest.RekorClient;
import org.stellaops.core.attest.SigstoreBundle;
import org.stellaops.core.json.Digests;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.Referrers;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stella attest}: sign an SBOM or report as an in-toto statement about an image; log it; attach it. */
@Command(name = "attest", mixinStandardHelpOptions = true,
        description = "Sign an SBOM (CycloneDX, SPDX) or a Stella Ops report as a DSSE in-toto attestation about an image "
                + "digest, write the Sigstore bundle, optionally log it in Rekor v2 and attach it to the image as an OCI referrer.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:signed (and logged/attached when asked)", "1:signing, logging or attaching failed",
                "4:registry authentication failed", "5:image or file not found", "7:registry or log unreachable",
                "9:invalid arguments"})
public final class AttestCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--predicate", required = true, paramLabel = "FILE", description = "The SBOM or report to sign (JSON).")
    Path predicate;

    @Option(names = "--type", paramLabel = "cyclonedx|spdx|report|URI",
            description = "Predicate type. Default: detected from the document.")
    String type;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Subject subject;

    static final class Subject {
        @Option(names = "--image", paramLabel = "REF", description = "The image (a tag is resolved to its digest in the registry).")
        String image;

        @Option(names = "--subject-digest", paramLabel = "sha256:HEX", description = "The image digest, without registry access.")
        String digest;
    }

    @Option(names = "--subject-name", paramLabel = "NAME", description = "Subject name with --subject-digest (default: the digest).")
    String subjectName;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Signer signer;

    static final class Signer {
        @Option(names = "--key", paramLabel = "FILE", description = "PEM private key: ECDSA P-256 (SEC1 or PKCS#8) or Ed25519 (PKCS#8).")
        Path key;

        @Option(names = "--keyless", description = "Keyless signing: a Fulcio certificate for an OIDC identity (sigstore-java).")
        boolean keyless;
    }

    @Option(names = "--oidc-token-file", paramLabel = "FILE", description = "With --keyless: a file holding the OIDC identity token.")
    Path oidcTokenFile;

    @Option(names = "--signing-config", paramLabel = "FILE",
            description = "With --keyless: Sigstore signing config (Fulcio, Rekor, OIDC URLs). Default: the public-good instance.")
    Path signingConfig;

    @Option(names = "--trusted-root", paramLabel = "FILE", description = "With --keyless: Sigstore trusted root of that instance.")
    Path trustedRoot;

    @Option(names = "--rekor-url", paramLabel = "URL", description = "Log the signature in this Rekor v2 and put the proof into the bundle.")
    URI rekorUrl;

    @Option(names = "--attach", description = "Push the bundle to the image's repository as an OCI 1.1 referrer (needs --image).")
    boolean attach;

    @Option(names = {"-o", "--bundle"}, paramLabel = "FILE", description = "Write the Sigstore bundle here.")
    Path bundleOut;

    @CommandLine.Mixin
    RegistryOptions registry = new RegistryOptions();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (bundleOut == null && !attach) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "nothing to do: give --bundle FILE and/or --attach");
            }
            if (attach && subject.image == null) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "--attach needs --image");
            }
            if (!Files.isRegularFile(predicate)) {
                throw new ScanException(ScanException.Kind.NOT_FOUND, "predicate " + predicate + ": no such file");
            }
            JsonNode doc = DecisionOptions.readJson(predicate);
            String predicateType = type != null ? InToto.Predicate.typeFor(type)
                    : InToto.Predicate.detect(doc).map(p -> p.type).orElseThrow(() -> new ScanException(
                    ScanException.Kind.INVALID_ARGUMENT, "predicate " + predicate
                    + ": neither CycloneDX, SPDX nor a Stella Ops report; give --type"));

            var client = subject.image != null ? registry.client() : null;
            ImageRef ref = subject.image != null ? ImageRef.parse(subject.image) : null;
            Referrers.Descriptor target = null;
            InToto.Subject sub;
            if (ref != null) {
                target = Referrers.subject(client, ref);
                sub = InToto.Subject.of(ref.name(), target.digest());
            } else {
                if (!subject.digest.matches("sha256:[0-9a-f]{64}")) {
                    throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "--subject-digest must be sha256:<64 hex>");
                }
                sub = InToto.Subject.of(subjectName != null ? subjectName : subject.digest, subject.digest);
            }
            byte[] statement = new InToto.Statement(List.of(sub), predicateType, doc).toBytes();

            SigstoreBundle bundle;
            if (signer.keyless) {
                String token = oidcTokenFile != null ? Files.readString(oidcTokenFile, StandardCharsets.UTF_8).strip() : null;
                bundle = KeylessSigning.attest(statement, token, signingConfig, trustedRoot);
            } else {
                if (!Files.isRegularFile(signer.key)) {
                    throw new ScanException(ScanException.Kind.NOT_FOUND, "key " + signer.key + ": no such file");
                }
                KeySigner ks = KeySigner.fromPem(Files.readAllBytes(signer.key), "key " + signer.key);
                Dsse.Envelope env = ks.sign(Dsse.INTOTO_PAYLOAD_TYPE, statement);
                bundle = ks.bundle(env);
                if (rekorUrl != null) {
                    JsonNode entry = new RekorClient(rekorUrl, registry.timeout()).log(env, ks.publicKey());
                    bundle = bundle.withTlogEntry(entry);
                    err.println("logged: " + rekorUrl + " entry " + entry.path("logIndex").asText());
                }
            }
            byte[] json = bundle.toJson();
            if (bundleOut != null) {
                ScanCommand.writeAtomically(bundleOut, json);
            }
            err.println("signed: " + predicateType + " for " + sub.name() + "@sha256:" + sub.sha256()
                    + (bundleOut != null ? " → " + bundleOut : "") + " (bundle " + Digests.sha256(json) + ")");
            if (attach) {
                Referrers.Attached a = Referrers.attachBundle(client, ref, target, json, predicateType,
                        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
                err.println("attached: " + ref.name() + "@" + a.manifestDigest() + (a.viaReferrersApi() ? " (Referrers API)"
                        : " (referrers tag " + Referrers.fallbackTag(target.digest()) + ")"));
            }
            return ExitCodes.OK;
        } catch (ScanException e) {
            err.println("stella: " + e.getMessage());
            return e.kind().exitCode();
        } catch (AttestationException e) {
            // the user chose the log's address: its answer helps them and tells nobody else anything
            err.println("stella: " + e.getMessage() + (e instanceof RekorClient.Refused r && !r.answer().isEmpty() ? ": " + r.answer() : ""));
            return ExitCodes.FAILED;
        } catch (IOException | RuntimeException e) {
            err.println("stella: " + e);
            return ExitCodes.FAILED;
        }
    }
}
