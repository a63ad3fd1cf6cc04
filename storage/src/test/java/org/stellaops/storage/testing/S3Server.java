package org.stellaops.storage.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real S3-compatible server: S3Proxy (Apache-2.0, from Maven Central, fetched by test-support/tools.sh) on a
 * filesystem directory, in its own JVM, on a loopback port, with access-key authentication (AWS v2/v4 signatures).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "stella";
    public static final String SECRET_KEY = "stella-secret-key";
    private final Process process;
    private final int port;
    private final Path dir;

    public S3Server(Path dir) throws IOException, InterruptedException {
        this(dir, freePort());
    }

    /** On a given port (a restarted server keeps its address and its data). */
    public S3Server(Path dir, int port) throws IOException, InterruptedException {
        this.dir = dir;
        this.port = port;
        Files.createDirectories(dir.resolve("data"));
        Path props = dir.resolve("s3proxy.conf");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("data"),
                "") );
        Path log = dir.resolve("s3proxy.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar().toString(), "--properties",
                props.toString())).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        for (int i = 0; i < 600; i++) {
            if (!process.isAlive()) {
                throw new IOException("s3proxy exited: " + Files.readString(log));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("s3proxy did not listen on " + port);
    }

    public static Path jar() {
        Path lib = Path.of(System.getProperty("user.home"), ".cache/stella-tools/lib");
        try (var s = Files.list(lib)) {
            return s.filter(p -> p.getFileName().toString().startsWith("s3proxy-")).findFirst().orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("s3proxy jar not found in " + lib + ": run test-support/tools.sh (the test command does)");
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
