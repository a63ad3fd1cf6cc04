package org.stellaops.scanner.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI registry (Debian's {@code docker-registry}, the CNCF distribution registry) on 127.0.0.1, with optional
 * htpasswd basic auth, and {@code skopeo} to push OCI layouts into it. Started and stopped by the tests.
 */
public final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;
    private final String user;
    private final String password;

    private LocalRegistry(Process process, int port, Path dir, String user, String password) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.user = user;
        this.password = password;
    }

    public static LocalRegistry start() throws IOException, InterruptedException {
        return start(null, null);
    }

    /** Starts a registry; with a user, it requires basic auth (bcrypt htpasswd made by Apache's htpasswd). */
    public static LocalRegistry start(String user, String password) throws IOException, InterruptedException {
        return start(user, password, null);
    }

    /** Starts a registry that requires bearer tokens from the given token service. */
    public static LocalRegistry startWithTokens(TokenServer tokens, String user, String password)
            throws IOException, InterruptedException {
        return start(user, password, tokens);
    }

    private static LocalRegistry start(String user, String password, TokenServer tokens) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("stella-registry");
        int port = freePort();
        StringBuilder cfg = new StringBuilder();
        cfg.append("version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n')
                .append("  delete:\n    enabled: true\n")
                .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        if (tokens != null) {
            cfg.append("auth:\n  token:\n    realm: ").append(tokens.realm()).append('\n')
                    .append("    service: ").append(TokenServer.SERVICE).append('\n')
                    .append("    issuer: ").append(TokenServer.ISSUER).append('\n')
                    .append("    rootcertbundle: ").append(tokens.certificate()).append('\n');
        } else if (user != null) {
            Path htpasswd = dir.resolve("htpasswd");
            run(List.of("htpasswd", "-Bbc", htpasswd.toString(), user, password));
            cfg.append("auth:\n  htpasswd:\n    realm: stella-test\n    path: ").append(htpasswd).append('\n');
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, cfg);
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(p, port, dir, user, password);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return r;
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
                }
                Thread.sleep(100);
            }
        }
        r.close();
        throw new IOException("docker-registry did not listen on " + port);
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** Pushes an OCI layout's tagged image as {@code host/repository:tag}, keeping the blobs' digests. */
    public String push(Path ociLayout, String layoutTag, String repository, String tag) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--quiet", "--all", "--preserve-digests",
                "--dest-tls-verify=false"));
        if (user != null) {
            cmd.add("--dest-creds=" + user + ":" + password);
        }
        cmd.add("oci:" + ociLayout + ":" + layoutTag);
        cmd.add("docker://" + host() + "/" + repository + ":" + tag);
        run(cmd);
        return host() + "/" + repository + ":" + tag;
    }

    /** Pushes an OCI layout's image converted to Docker's v2 schema 2 manifest and media types. */
    public String pushDockerV2(Path ociLayout, String layoutTag, String repository, String tag) throws IOException, InterruptedException {
        run(List.of("skopeo", "copy", "--quiet", "--format", "v2s2", "--dest-tls-verify=false",
                "oci:" + ociLayout + ":" + layoutTag, "docker://" + host() + "/" + repository + ":" + tag));
        return host() + "/" + repository + ":" + tag;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out));
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
