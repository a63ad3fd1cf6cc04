package org.stellaops.webhook;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.stellaops.admission.testing.AdmissionWorld;
import org.stellaops.storage.testing.S3Server;

/**
 * The real servers behind the webhook under test (FerretDB, S3Proxy, the local registry, verdicts from the real decider:
 * {@link AdmissionWorld}, shared with the admission module's tests) and its serving certificate, signed by a test CA
 * with openssl; {@link #rotate} issues a new one in place.
 */
public class WebhookServers implements QuarkusTestResourceLifecycleManager {
    static AdmissionWorld world;
    static Path tls;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("stella-webhook-it");
            tls = Files.createDirectories(dir.resolve("tls"));
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=stella-test-ca", "-keyout", tls.resolve("ca.key").toString(), "-out", tls.resolve("ca.crt").toString());
            issue("1");
            world = new AdmissionWorld(dir.resolve("world"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.ofEntries(Map.entry("stella.mongo.uri", world.mongo.uri()), Map.entry("stella.mongo.database", "stella"),
                Map.entry("stella.s3.endpoint", world.s3.endpoint()), Map.entry("stella.s3.access-key", S3Server.ACCESS_KEY),
                Map.entry("stella.s3.secret-key", S3Server.SECRET_KEY), Map.entry("stella.registry.insecure", world.registry.host()),
                Map.entry("stella.admission.namespace", "stella-ops"),
                Map.entry("stella.admission.certificate-file", tls.resolve("tls.crt").toString()),
                Map.entry("stella.admission.key-file", tls.resolve("tls.key").toString()),
                Map.entry("quarkus.tls.reload-period", "1s"));
    }

    /** Issues a serving certificate for localhost/127.0.0.1 (serial = the given number) and replaces the files. */
    static void issue(String serial) throws IOException, InterruptedException {
        Path key = tls.resolve("new.key");
        Path csr = tls.resolve("new.csr");
        Path crt = tls.resolve("new.crt");
        Path ext = tls.resolve("ext.cnf");
        Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=stella-webhook",
                "-keyout", key.toString(), "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", tls.resolve("ca.crt").toString(), "-CAkey",
                tls.resolve("ca.key").toString(), "-set_serial", serial, "-days", "1", "-extfile", ext.toString(), "-out", crt.toString());
        Files.move(key, tls.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(crt, tls.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException("openssl failed: " + new String(out));
        }
    }

    @Override
    public void stop() {
        try {
            world.close();
        } catch (IOException ignored) {
            // temp servers
        }
    }
}
