package org.stellaops.storage.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.stellaops.core.testing.Tools;

/**
 * A real MongoDB-wire-compatible server: FerretDB v1 with its SQLite backend (built from the Go module proxy by
 * test-support/tools.sh), on a loopback port, its data in a directory.
 */
public final class MongoServer implements AutoCloseable {
    private final Process process;
    private final int port;

    public MongoServer(Path dir) throws IOException, InterruptedException {
        this(dir, Tools.freePort());
    }

    public MongoServer(Path dir, int port) throws IOException, InterruptedException {
        this.port = port;
        Files.createDirectories(dir.resolve("data"));
        Path log = dir.resolve("ferretdb.log");
        Path bin = Tools.binary("ferretdb");
        process = new ProcessBuilder(List.of(bin.toString(), "--handler=sqlite", "--sqlite-url=file:" + dir.resolve("data") + "/",
                "--listen-addr=127.0.0.1:" + port, "--debug-addr=127.0.0.1:" + Tools.freePort(), "--telemetry=disable",
                "--state-dir=" + dir, "--log-level=warn"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Tools.waitForPort(port, process, "ferretdb", log);
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        Tools.stop(process);
    }
}
