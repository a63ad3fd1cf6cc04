package org.stellaops.scanner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.ScanException;

/** Credential helpers run as real processes (shell scripts following the docker-credential-helpers protocol). */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DockerConfigTest {

    private static DockerConfig config(Path helpers, String helper, Duration timeout) throws IOException {
        return DockerConfig.of(Json.mapper().readTree("{\"credHelpers\":{\"registry.example:5000\":\"" + helper + "\"}}"),
                helpers, timeout);
    }

    private static void helper(Path dir, String name, String script) throws IOException {
        Path f = dir.resolve("docker-credential-" + name);
        Files.writeString(f, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aHelperThatNeverAnswersIsKilledAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("sleep.pid");
        // reads its input, then never exits; the sleeping child also holds the output pipe open
        helper(dir, "stuck", "cat >/dev/null\nsleep 600 &\necho $! > " + pidFile + "\nwait\n");
        long start = System.nanoTime();
        assertThatThrownBy(() -> config(dir, "stuck", Duration.ofSeconds(2)).lookup("registry.example:5000"))
                .isInstanceOfSatisfying(ScanException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ScanException.Kind.UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("credential helper docker-credential-stuck for registry.example:5000"
                            + " did not answer within 2 s; killed");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).ifPresent(h -> {
            h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        });
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void aHelperThatAnswersWithoutReadingItsInputGivesItsCredentials(@TempDir Path dir) throws Exception {
        helper(dir, "ok", "printf '{\"ServerURL\":\"registry.example:5000\",\"Username\":\"ci\",\"Secret\":\"s3cret\"}'\n");
        assertThat(config(dir, "ok", Duration.ofSeconds(10)).lookup("registry.example:5000"))
                .contains(new DockerConfig.Credentials("ci", "s3cret", null));
    }

    @Test
    void aHelperWithoutCredentialsMeansAnonymousAccess(@TempDir Path dir) throws Exception {
        helper(dir, "none", "cat >/dev/null\necho 'credentials not found in native keychain'\nexit 1\n");
        assertThat(config(dir, "none", Duration.ofSeconds(10)).lookup("registry.example:5000")).isEmpty();
        assertThat(config(dir, "not-installed", Duration.ofSeconds(10)).lookup("registry.example:5000")).isEmpty();
    }
}
