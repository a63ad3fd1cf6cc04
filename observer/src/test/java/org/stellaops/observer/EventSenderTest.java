package org.stellaops.observer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against a real local HTTP server that answers 429/503 with Retry-After for a while. */
class EventSenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    /** Scripted answers: status and Retry-After (null: none); 202 once the script is used up. */
    private final Deque<Object[]> script = new ArrayDeque<>();
    private final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> requestTimes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> auth = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/runtime/events", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            requestTimes.add(System.nanoTime());
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            Object[] answer;
            synchronized (script) {
                answer = script.isEmpty() ? new Object[] {202, null} : script.pollFirst();
            }
            int status = (Integer) answer[0];
            if (status == 202) {
                sizes.add(body.length);
                received.add(JSON.readTree(body));
            }
            if (answer[1] != null) {
                ex.getResponseHeaders().add("Retry-After", (String) answer[1]);
            }
            byte[] out = "{}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private EventSender sender(int capacity) throws Exception {
        Path token = tmp.resolve("token");
        Files.writeString(token, "sa-token-1\n");
        return new EventSender(HttpClient.newHttpClient(),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/runtime/events"),
                token, "node-a", capacity, Duration.ofMillis(50), Duration.ofSeconds(5));
    }

    private static RuntimeEvent event(int i, int padding) {
        CriContainer c = new CriContainer("c" + i, "web", "shop", "team-a", "uid-1", "stella.test/app:1", "sha256:aa",
                "stella.test/app@sha256:bb", "CONTAINER_RUNNING", 42, 1, Map.of());
        return RuntimeEvent.of(RuntimeEvent.Kind.ContainerStart, "2026-01-01T00:00:00Z", "node-a", c,
                new RuntimeEvent.Process(42, "/usr/bin/python3.11", "00", List.of("x".repeat(padding)), List.of()),
                null, null);
    }

    private List<String> receivedIds() {
        List<String> ids = new ArrayList<>();
        for (JsonNode b : received) {
            b.path("events").forEach(e -> ids.add(e.path("eventId").asText()));
        }
        return ids;
    }

    @Test
    void retriesAfter429And503HonouringRetryAfterAndLosesNothing() throws Exception {
        EventSender s = sender(1000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            RuntimeEvent e = event(i, 10);
            ids.add(e.eventId());
            s.offer(e);
        }
        script.add(new Object[] {429, "1"});
        script.add(new Object[] {503, "1"});
        script.add(new Object[] {503, null});
        long t0 = System.nanoTime();
        s.drain();
        // 429 (Retry-After 1 s) + 503 (1 s) + 503 without header (backoff 200 ms) before the first acceptance
        assertThat(Duration.ofNanos(requestTimes.get(3) - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(2200));
        assertThat(Duration.ofNanos(requestTimes.get(1) - requestTimes.get(0))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(receivedIds()).containsExactlyElementsOf(ids); // all, in order, once
        assertThat(received).allSatisfy(b -> assertThat(b.path("events").size()).isLessThanOrEqualTo(256));
        assertThat(received).hasSize(3);
        assertThat(received.get(0).path("node").asText()).isEqualTo("node-a");
        assertThat(received.get(0).path("events").get(0).path("schema").asText()).isEqualTo("stella.runtime.event@v1");
        assertThat(auth).containsOnly("Bearer sa-token-1");
        assertThat(s.sent()).isEqualTo(600);
        assertThat(s.dropped()).isZero();
        assertThat(s.buffered()).isZero();
    }

    @Test
    void batchesStayBelowOneMebibyte() throws Exception {
        EventSender s = sender(1000);
        for (int i = 0; i < 100; i++) {
            s.offer(event(i, 30_000)); // ~30 kB each: 3 MB in all
        }
        s.drain();
        assertThat(sizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(EventSender.MAX_BYTES));
        assertThat(sizes.size()).isGreaterThanOrEqualTo(3);
        assertThat(receivedIds()).hasSize(100).doesNotHaveDuplicates();
    }

    @Test
    void aFullBufferDropsTheOldestAndReportsTheCount() throws Exception {
        EventSender s = sender(10);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            RuntimeEvent e = event(i, 1);
            ids.add(e.eventId());
            s.offer(e);
        }
        assertThat(s.dropped()).isEqualTo(15);
        s.drain();
        assertThat(receivedIds()).containsExactlyElementsOf(ids.subList(15, 25));
        assertThat(received.get(0).path("dropped").asLong()).isEqualTo(15);
        s.offer(event(99, 1));
        s.drain();
        assertThat(received.get(1).path("dropped").asLong()).isZero(); // reported once
    }

    @Test
    void aRejectedBatchIsCountedNotRetried() throws Exception {
        EventSender s = sender(10);
        s.offer(event(1, 1));
        script.add(new Object[] {400, null});
        s.drain();
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(requestTimes).hasSize(1);
        assertThat(s.buffered()).isZero();
    }

    @Test
    void eventIdsAreUnique() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(event(i, 1).eventId());
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void retryAfterAsSecondsOrHttpDate() {
        assertThat(EventSender.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(EventSender.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero(); // in the past
        assertThat(EventSender.retryAfter(java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30))))
                .isBetween(Duration.ofSeconds(28), Duration.ofSeconds(30));
        assertThat(EventSender.retryAfter("soon")).isZero();
        assertThat(EventSender.retryAfter(null)).isZero();
    }
}
