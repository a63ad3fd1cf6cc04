package org.stellaops.observer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reads real processes started by the test: a python3 that imports ssl maps the real libssl. */
class ProcReaderTest {

    private static Process python(String code) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true).start();
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(ready).isEqualTo("ready");
        return p;
    }

    private static String sha256sum(String file) throws Exception {
        Process p = new ProcessBuilder("sha256sum", file).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.split(" ")[0];
    }

    @Test
    void pythonImportingSslMapsLibssl() throws Exception {
        Process p = python("import ssl, sys, time; print('ready', flush=True); time.sleep(60)");
        try {
            ProcReader reader = new ProcReader(Path.of("/proc"), 1000);
            ProcessInfo info = reader.read(p.pid()).orElseThrow();
            assertThat(info.exe()).matches(".*/python3(\\.\\d+)?");
            assertThat(info.cmdline()).containsExactly("/usr/bin/python3", "-c",
                    "import ssl, sys, time; print('ready', flush=True); time.sleep(60)");
            ProcessInfo.MappedFile ssl = info.libraries().stream().filter(l -> l.path().matches(".*/libssl\\.so[.0-9]*"))
                    .findFirst().orElseThrow(() -> new AssertionError("libssl not mapped: " + info.libraries()));
            assertThat(ssl.file().sha256()).isEqualTo(sha256sum(ssl.path()));
            assertThat(ssl.file().inode()).isEqualTo(java.nio.file.Files.getAttribute(Path.of(ssl.path()), "unix:ino"));
            assertThat(info.exeFile().sha256()).isEqualTo(sha256sum(info.exe()));
            assertThat(info.libraries()).extracting(ProcessInfo.MappedFile::path).doesNotContain(info.exe())
                    .isSorted();

            // hashed once per file: a second read of the same process hashes nothing new
            long hashed = reader.filesHashed();
            assertThat(hashed).isGreaterThan(2);
            assertThat(reader.read(p.pid()).orElseThrow().libraries()).isEqualTo(info.libraries());
            assertThat(reader.filesHashed()).isEqualTo(hashed);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aProcessThatExitedIsSkipped() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThat(new ProcReader(Path.of("/proc"), 10).read(p.pid())).isEmpty();
    }

    @Test
    void childrenShareTheCgroupOfTheirParent() throws Exception {
        Process p = python("import subprocess, time; c = subprocess.Popen(['sleep', '60']); print('ready', flush=True); time.sleep(60)");
        try {
            ProcReader reader = new ProcReader(Path.of("/proc"), 10);
            List<Long> same = reader.sameCgroup(p.pid());
            long child = p.children().findFirst().orElseThrow().pid();
            assertThat(same).contains(p.pid(), child);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void mapsLinesWithoutAFileAreIgnored() {
        assertThat(ProcReader.mapsPath("7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0 ")).isNull();
        assertThat(ProcReader.mapsPath("7ffd1b7e4000-7ffd1b805000 rw-p 00000000 00:00 0                          [stack]")).isNull();
        assertThat(ProcReader.mapsPath("7f1c2a021000-7f1c2a03f000 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libssl.so.3"))
                .isEqualTo("/usr/lib/x86_64-linux-gnu/libssl.so.3");
        assertThat(ProcReader.mapsPath("7f1c2a021000-7f1c2a03f000 r--p 00000000 08:01 1234 /tmp/x (deleted)")).isNull();
        assertThat(ProcReader.mapsPath("7f1c2a021000-7f1c2a03f000 r--p 00000000 08:01 1234 /opt/a b.so")).isEqualTo("/opt/a b.so");
    }
}
