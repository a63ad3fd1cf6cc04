package org.stellaops.scanner.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.model.FileRecord;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.TestLayers;

/**
 * Layers with non-ASCII file names read by a JVM whose platform charset is US-ASCII, as in a container without
 * {@code LANG}. The reading runs in a child JVM started with {@code -Dfile.encoding=US-ASCII -Dsun.jnu.encoding=US-ASCII}
 * so the test does not depend on the locale of the machine running the build.
 */
class NonUtf8LocaleTest {

    @Test
    void gnuTarNamesOfTheDebianRootfsAreDecodedAsUtf8(@TempDir Path dir) throws Exception {
        Path rootfs = Fixtures.rootfs("jre");
        // the real names, from the package's own file list (UTF-8 by dpkg's definition)
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(rootfs.resolve("var/lib/dpkg/info/ca-certificates.list"), StandardCharsets.UTF_8)) {
            if (line.startsWith("/usr/share/ca-certificates/mozilla/") && line.endsWith(".crt")) {
                expected.add(line.substring(1));
            }
        }
        assertThat(expected).anyMatch(n -> !StandardCharsets.US_ASCII.newEncoder().canEncode(n));
        // GNU tar (as image builders use it) stores non-ASCII names as raw UTF-8 bytes in the header, without PAX
        Path tar = dir.resolve("gnu.tar");
        run(List.of("tar", "--format=gnu", "-C", rootfs.toString(), "-cf", tar.toString(), "usr/share/ca-certificates"),
                dir.resolve("tar.log"));
        List<String> read = readInAsciiJvm(tar, dir);
        assertThat(read).containsAll(expected);
    }

    @Test
    void paxPathRecordsAreHonoured(@TempDir Path dir) throws Exception {
        String name = "usr/share/ca-certificates/mozilla/NetLock_Arany_=Class_Gold=_F\u0151tan\u00fas\u00edtv\u00e1ny.crt";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // the ustar name field in ASCII ('?' for the rest), the real name in a PAX path record
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, StandardCharsets.US_ASCII.name())) {
            out.setAddPaxHeadersForNonAsciiNames(true);
            byte[] content = "-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(content.length);
            e.setModTime(0);
            out.putArchiveEntry(e);
            out.write(content);
            out.closeArchiveEntry();
        }
        Path tar = dir.resolve("pax.tar");
        Files.write(tar, bytes.toByteArray());
        assertThat(readInAsciiJvm(tar, dir)).containsExactly(name);
    }

    /** Runs {@link #main} in a JVM with a US-ASCII platform charset; returns the file paths of the layer. */
    private static List<String> readInAsciiJvm(Path tar, Path dir) throws Exception {
        Path out = dir.resolve("paths.txt");
        Path log = dir.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Dfile.encoding=US-ASCII", "-Dsun.jnu.encoding=US-ASCII",
                "-cp", System.getProperty("java.class.path"), NonUtf8LocaleTest.class.getName(), tar.toString(), out.toString());
        pb.environment().remove("LANG");
        pb.environment().remove("LC_ALL");
        pb.environment().remove("LC_CTYPE");
        run(pb, log);
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    private static void run(List<String> cmd, Path log) throws Exception {
        run(new ProcessBuilder(cmd), log);
    }

    private static void run(ProcessBuilder pb, Path log) throws Exception {
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(pb.command().get(0) + " did not finish: " + Files.readString(log));
        }
        assertThat(p.exitValue()).as(() -> {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log)";
            }
        }).isZero();
    }

    /** The child JVM: reads the layer tar at args[0] and writes its file paths, one a line in UTF-8, to args[1]. */
    public static void main(String[] args) throws IOException {
        if (!Charset.defaultCharset().equals(StandardCharsets.US_ASCII)) {
            throw new IllegalStateException("expected a US-ASCII platform charset, got " + Charset.defaultCharset());
        }
        byte[] tar;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            tar = in.readAllBytes();
        }
        LayerFragment f = new LayerReader(AnalyzerSet.standard()).read(new java.io.ByteArrayInputStream(tar),
                TestLayers.ref(tar, tar));
        StringBuilder sb = new StringBuilder();
        for (FileRecord r : f.files()) {
            sb.append(r.path()).append('\n');
        }
        Files.write(Path.of(args[1]), sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
