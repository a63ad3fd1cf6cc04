package org.stellaops.core.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a log's answer may reach: a refusal's message never carries the answer; oversized answers are not read whole. */
class RekorAnswerTest {
    @TempDir
    Path dir;

    @Test
    void aRefusalNamesTheStatusButKeepsTheAnswerOutOfTheMessage() throws Exception {
        byte[] answer = ("internal-service-secret-" + "x".repeat(1000)).getBytes(StandardCharsets.UTF_8);
        HttpServer server = serve(400, answer);
        try {
            KeySigner ks = KeySigner.fromPem(TestKeys.read(TestKeys.ecdsa(dir, "k").privatePem()), "test key");
            Dsse.Envelope env = ks.sign(Dsse.INTOTO_PAYLOAD_TYPE, "{}".getBytes(StandardCharsets.UTF_8));
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            assertThatThrownBy(() -> new RekorClient(url, Duration.ofSeconds(10)).log(env, ks.publicKey()))
                    .isInstanceOf(RekorClient.Refused.class)
                    .hasMessageContaining("HTTP 400")
                    .hasMessageNotContaining("internal-service-secret")
                    .satisfies(e -> assertThat(((RekorClient.Refused) e).answer()).startsWith("internal-service-secret").hasSizeLessThan(302));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anAnswerLargerThanAnyEntryIsRefused() throws Exception {
        HttpServer server = serve(201, new byte[RekorClient.MAX_ANSWER_BYTES + 10]);
        try {
            KeySigner ks = KeySigner.fromPem(TestKeys.read(TestKeys.ecdsa(dir, "k").privatePem()), "test key");
            Dsse.Envelope env = ks.sign(Dsse.INTOTO_PAYLOAD_TYPE, "{}".getBytes(StandardCharsets.UTF_8));
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            assertThatThrownBy(() -> new RekorClient(url, Duration.ofSeconds(10)).log(env, ks.publicKey()))
                    .isInstanceOf(AttestationException.class).hasMessageContaining("more than");
        } finally {
            server.stop(0);
        }
    }

    private static HttpServer serve(int status, byte[] body) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", x -> {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(status, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        return s;
    }
}
