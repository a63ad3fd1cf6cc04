package org.stellaops.core.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** The third-party servers and tools test-support/tools.sh builds into ~/.cache/stella-tools/bin. */
public final class Tools {
    private Tools() {
    }

    public static Path binary(String name) {
        String dir = System.getenv("STELLA_TOOLS_BIN");
        Path p = (dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache/stella-tools/bin")).resolve(name);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(name + " not found at " + p + ": run test-support/tools.sh (the test command does)");
        }
        return p;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static void waitForPort(int port, Process p, String what, Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (!p.isAlive()) {
                throw new IOException(what + " exited with " + p.exitValue() + ": " + tail(log));
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException(what + " did not listen on " + port + " within 30 s: " + tail(log));
    }

    /** Runs a command to completion; fails with its output when it exits non-zero. */
    public static void run(java.util.List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** Stops a server process and waits for it to exit. */
    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
