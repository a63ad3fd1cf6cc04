package org.stellaops.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriClientTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingSocketIsUnavailableNotACrashAndTheClientStaysUsable() {
        try (CriClient cri = new CriClient(tmp.resolve("containerd.sock"), 2_000)) {
            for (int i = 0; i < 2; i++) { // the next tick tries again on the same channel
                assertThatThrownBy(cri::listContainers).isInstanceOf(StatusRuntimeException.class)
                        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
                                .isEqualTo(Status.Code.UNAVAILABLE));
            }
        }
    }

    @Test
    void noEventStreamFromAnUnreachableRuntime() throws Exception {
        try (CriClient cri = new CriClient(tmp.resolve("containerd.sock"), 2_000)) {
            assertThat(cri.watch(id -> { }, t -> { })).isFalse();
        }
    }

    @Test
    void thePidComesFromTheVerboseInfo() {
        // the shape containerd 1.6 answers (trimmed); CriContainerdIT reads a real one
        assertThat(CriClient.pid("{\"sandboxID\":\"abc\",\"pid\":4242,\"removing\":false,\"snapshotKey\":\"k\"}")).isEqualTo(4242);
        assertThat(CriClient.pid("{\"pid\":0}")).isZero();
        assertThat(CriClient.pid(null)).isZero();
        assertThat(CriClient.pid("not json")).isZero();
    }
}
