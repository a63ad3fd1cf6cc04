package org.stellaops.storage.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real MongoDB-wire-compatible server: FerretDB v1 with its SQLite backend (built from the Go module proxy by
 * test-support/tools.sh), on a loopback port, its data in a directory.
 */
public final class MongoServer implements AutoCloseable {
    private final Process process;
    private final int port;

    public MongoServer(Path dir) throws IOException, InterruptedException {
        this(dir, S3Server.freePort());
    }

    public MongoServer(Path dir, int port) throws IOException, InterruptedException {
        this.port = port;
        Files.createDirectories(dir.resolve("data"));
        Path log = dir.resolve("ferretdb.log");
        Path bin = Path.of(System.getProperty("user.home"), ".cache/stella-tools/bin/ferretdb");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("ferretdb not found at " + bin + ": run test-support/tools.sh (the test command does)");
        }
        process = new ProcessBuilder(List.of(bin.toString(), "--handler=sqlite", "--sqlite-url=file:" + dir.resolve("data") + "/",
                "--listen-addr=127.0.0.1:" + port, "--debug-addr=127.0.0.1:" + S3Server.freePort(), "--telemetry=disable",
                "--state-dir=" + dir, "--log-level=warn"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        for (int i = 0; i < 300; i++) {
            if (!process.isAlive()) {
                throw new IOException("ferretdb exited: " + Files.readString(log));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("ferretdb did not listen on " + port);
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
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
