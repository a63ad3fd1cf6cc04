package org.stellaops.observer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Debian's containerd (its CRI plugin, with runc) started for a test with its own root, state and socket under a
 * temporary directory. The CRI settings this machine needs: {@code restrict_oom_score_adj} (no CAP_SYS_RESOURCE), no
 * CNI (pods use the node's network namespace), a local pause image built from the minbase fixture image.
 */
final class TestContainerd implements AutoCloseable {

    static final String PAUSE = "stella.test/pause:1";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path socket;
    private final Process process;

    private TestContainerd(Path dir, Process process) {
        this.dir = dir;
        this.socket = dir.resolve("containerd.sock");
        this.process = process;
    }

    static Path fixtures() {
        String p = System.getProperty("stella.fixtures");
        return p == null || p.isBlank() || p.equals("null")
                ? Path.of(System.getProperty("user.home"), ".cache/stella-fixtures") : Path.of(p);
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/containerd")) && Files.isExecutable(Path.of("/usr/bin/ctr"))
                && Files.isDirectory(fixtures().resolve("images/debian-app"));
    }

    static TestContainerd start() throws Exception {
        // short path: the socket path must fit sun_path (108 bytes)
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ctd");
        Files.writeString(dir.resolve("config.toml"), """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd.sock.ttrpc"
                [debug]
                  address = "%1$s/debug.sock"
                [plugins."io.containerd.grpc.v1.cri"]
                  restrict_oom_score_adj = true
                  sandbox_image = "%2$s"
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%1$s/cni/bin"
                    conf_dir = "%1$s/cni/conf"
                """.formatted(dir, PAUSE));
        Process p = new ProcessBuilder("/usr/bin/containerd", "--config", dir.resolve("config.toml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        TestContainerd c = new TestContainerd(dir, p);
        Instant until = Instant.now().plusSeconds(30);
        while (!Files.exists(c.socket)) {
            if (!p.isAlive() || Instant.now().isAfter(until)) {
                throw new IllegalStateException("containerd did not start: " + Files.readString(dir.resolve("containerd.log")));
            }
            Thread.sleep(100);
        }
        return c;
    }

    /** Imports an OCI image layout directory (a fixture image) as name:tag and name@digest. */
    void importLayout(Path layout, String baseName) throws Exception {
        Path tar = dir.resolve(layout.getFileName() + ".tar");
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            try (var files = Files.walk(layout)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    out.putArchiveEntry(new TarArchiveEntry(f.toFile(), layout.relativize(f).toString()));
                    Files.copy(f, out);
                    out.closeArchiveEntry();
                }
            }
        }
        ctr("images", "import", "--base-name", baseName, "--digests", tar.toString());
        Files.delete(tar);
    }

    /** The pause image: the minbase fixture's layer with {@code sleep infinity} as entrypoint. */
    void importPause() throws Exception {
        Path src = fixtures().resolve("images/minbase");
        var index = JSON.readTree(src.resolve("index.json").toFile());
        String md = index.path("manifests").get(0).path("digest").asText().substring(7);
        ObjectNode manifest = (ObjectNode) JSON.readTree(src.resolve("blobs/sha256/" + md).toFile());
        ObjectNode config = (ObjectNode) JSON.readTree(
                src.resolve("blobs/sha256/" + manifest.path("config").path("digest").asText().substring(7)).toFile());
        config.withObjectProperty("config").putArray("Entrypoint").add("/usr/bin/sleep").add("infinity");
        byte[] cb = JSON.writeValueAsBytes(config);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", "sha256:" + sha256(cb)).put("size", cb.length);
        byte[] mb = JSON.writeValueAsBytes(manifest);
        byte[] ib = JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(Map.of(
                "mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", "sha256:" + sha256(mb),
                "size", mb.length, "annotations", Map.of("io.containerd.image.name", PAUSE)))));
        Path tar = dir.resolve("pause.tar");
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(out, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            put(out, "index.json", ib);
            put(out, "blobs/sha256/" + sha256(cb), cb);
            put(out, "blobs/sha256/" + sha256(mb), mb);
            String layer = manifest.path("layers").get(0).path("digest").asText().substring(7);
            out.putArchiveEntry(new TarArchiveEntry(src.resolve("blobs/sha256/" + layer).toFile(), "blobs/sha256/" + layer));
            Files.copy(src.resolve("blobs/sha256/" + layer), out);
            out.closeArchiveEntry();
        }
        ctr("images", "import", tar.toString());
        Files.delete(tar);
    }

    private static void put(TarArchiveOutputStream out, String name, byte[] b) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(b.length);
        out.putArchiveEntry(e);
        new ByteArrayInputStream(b).transferTo(out);
        out.closeArchiveEntry();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    String ctr(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/ctr", "-a", socket.toString(), "-n", "k8s.io"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ctr " + String.join(" ", args) + ": " + out);
        }
        return out;
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("containerd.log"));
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        // the log stays for the failure report (target/ of the module: the test's working directory)
        Files.copy(dir.resolve("containerd.log"), Path.of("target", "containerd-" + dir.getFileName() + ".log"));
        // leftover container mounts would make the directory undeletable; none are left after the containers are removed
        try {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
