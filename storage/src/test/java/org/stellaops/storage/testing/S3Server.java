package org.stellaops.storage.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.stellaops.core.testing.Tools;

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
        this(dir, Tools.freePort());
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
        Tools.waitForPort(port, process, "s3proxy", log);
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

    @Override
    public void close() {
        Tools.stop(process);
    }
}
