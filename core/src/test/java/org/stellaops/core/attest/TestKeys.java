package org.stellaops.core.attest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Keys made by the openssl command line, the way users make them: SEC1 EC P-256, PKCS#8 Ed25519, their public halves. */
final class TestKeys {
    private TestKeys() {
    }

    record Pair(Path privatePem, Path publicPem) {
    }

    static Pair ecdsa(Path dir, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key.pem");
        run(List.of("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString()));
        return withPublic(key, dir.resolve(name + ".pub.pem"));
    }

    static Pair ed25519(Path dir, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key.pem");
        run(List.of("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString()));
        return withPublic(key, dir.resolve(name + ".pub.pem"));
    }

    private static Pair withPublic(Path key, Path pub) throws IOException, InterruptedException {
        run(List.of("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString()));
        return new Pair(key, pub);
    }

    static void run(List<String> cmd) throws IOException, InterruptedException {
        org.stellaops.core.testing.Tools.run(cmd);
    }

    static byte[] read(Path p) throws IOException {
        return Files.readAllBytes(p);
    }
}
