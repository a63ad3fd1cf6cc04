package org.stellaops.core.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.stellaops.core.attest.Keys;
import org.stellaops.core.attest.TransparencyLogVerifier;
import org.stellaops.core.attest.TrustedRoot;

/**
 * A real Rekor v2 log (rekor-tiles, POSIX tile storage) on loopback, signing checkpoints with an Ed25519 key made by
 * openssl; {@link #trustedRoot()} is the trusted-root file a verifier of this log needs.
 */
public final class RekorServer implements AutoCloseable {
    /** The checkpoint origin is the host of the log's URL, as verifiers (sigstore-go, cosign) expect. */
    public static final String ORIGIN = "localhost";
    private final Process process;
    private final URI url;
    private final TrustedRoot trustedRoot;

    public RekorServer(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path key = dir.resolve("log-key.pem");
        Tools.run(List.of("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString()));
        Path pub = dir.resolve("log-pub.pem");
        Tools.run(List.of("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString()));
        int http = Tools.freePort();
        int grpc = Tools.freePort();
        int metrics = Tools.freePort();
        Path log = dir.resolve("rekor.log");
        process = new ProcessBuilder(Tools.binary("rekor-server-posix").toString(), "serve", "--hostname=" + ORIGIN,
                "--storage-dir=" + dir.resolve("tiles"), "--signer-filepath=" + key, "--http-port=" + http,
                "--grpc-port=" + grpc, "--http-metrics-port=" + metrics, "--checkpoint-interval=500ms",
                "--batch-max-age=50ms").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Tools.waitForPort(http, process, "rekor-server-posix", log);
        url = URI.create("http://localhost:" + http);
        var pk = Keys.readPublicKey(Files.readAllBytes(pub), "log key");
        trustedRoot = new TrustedRoot(List.of(new TrustedRoot.Log(url.toString(), TransparencyLogVerifier.noteKeyHash(ORIGIN, pk), pk,
                Keys.ED25519, Instant.parse("2020-01-01T00:00:00Z"), null)), List.of());
    }

    public URI url() {
        return url;
    }

    public TrustedRoot trustedRoot() {
        return trustedRoot;
    }

    @Override
    public void close() {
        Tools.stop(process);
    }
}
