package org.stellaops.observer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends runtime events to the operator's {@code POST /api/v1/runtime/events} in batches of at most 256 events and
 * 1 MiB, with the pod's ServiceAccount token (re-read for every request: projected tokens rotate). Failed sends are
 * retried with exponential backoff; a {@code Retry-After} (seconds or HTTP date) of a 429/503 is honoured when it is
 * longer. Events wait in a bounded buffer while the operator is unreachable; when it is full the oldest are dropped
 * and counted, and the count goes with the next batch ({@code dropped}) and to the log — never silently.
 * A batch the operator rejects as invalid (4xx other than 401/403/408/429) is not retried: its events are counted as
 * rejected and the answer's status is logged.
 */
public final class EventSender {

    public static final int MAX_EVENTS = 256;
    public static final int MAX_BYTES = 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(EventSender.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI endpoint;
    private final Path tokenFile;
    private final String node;
    private final int capacity;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final ArrayDeque<byte[]> buffer = new ArrayDeque<>();
    private long dropped;
    private long droppedReported;
    private long rejected;
    private long sent;

    public EventSender(HttpClient http, URI endpoint, Path tokenFile, String node, int capacity, Duration backoffBase,
                       Duration backoffMax) {
        this.http = http;
        this.endpoint = endpoint;
        this.tokenFile = tokenFile;
        this.node = node;
        this.capacity = capacity;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
    }

    /** Queues an event; when the buffer is full the oldest event is dropped (and counted). */
    public synchronized void offer(RuntimeEvent e) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(e);
        } catch (IOException ex) {
            throw new IllegalStateException("event not serialisable", ex);
        }
        if (json.length > MAX_BYTES - 1024) {
            dropped++; // cannot fit any batch
            LOG.warning("runtime event " + e.eventId() + " larger than a batch, dropped");
            return;
        }
        if (buffer.size() >= capacity) {
            buffer.pollFirst();
            dropped++;
        }
        buffer.addLast(json);
        notifyAll();
    }

    public synchronized int buffered() {
        return buffer.size();
    }

    /** Events dropped because the buffer was full or an event was too large. */
    public synchronized long dropped() {
        return dropped;
    }

    /** Events the operator refused as invalid (not retried). */
    public synchronized long rejected() {
        return rejected;
    }

    public synchronized long sent() {
        return sent;
    }

    /**
     * Sends everything buffered, retrying each batch until it is accepted or rejected as invalid. Returns when the
     * buffer is empty; blocks while backing off.
     */
    public void drain() throws InterruptedException {
        int attempt = 0;
        while (true) {
            List<byte[]> batch;
            long droppedNow;
            synchronized (this) {
                if (buffer.isEmpty()) {
                    return;
                }
                batch = new ArrayList<>();
                int size = 64 + node.length();
                for (byte[] e : buffer) {
                    if (batch.size() == MAX_EVENTS || size + e.length + 1 > MAX_BYTES - 64) {
                        break;
                    }
                    batch.add(e);
                    size += e.length + 1;
                }
                droppedNow = dropped - droppedReported;
            }
            Duration wait;
            try {
                HttpResponse<String> r = http.send(request(batch, droppedNow), HttpResponse.BodyHandlers.ofString());
                int s = r.statusCode();
                if (s / 100 == 2 || (s / 100 == 4 && s != 401 && s != 403 && s != 408 && s != 429)) {
                    synchronized (this) {
                        for (int i = 0; i < batch.size(); i++) {
                            buffer.pollFirst();
                        }
                        droppedReported += droppedNow;
                        if (s / 100 == 2) {
                            sent += batch.size();
                        } else {
                            rejected += batch.size();
                            LOG.warning("runtime events: " + endpoint + " rejected a batch of " + batch.size()
                                    + " events with HTTP " + s);
                        }
                    }
                    if (droppedNow > 0) {
                        LOG.warning("runtime events: " + droppedNow + " events dropped (buffer full) were reported");
                    }
                    attempt = 0;
                    continue;
                }
                wait = max(backoff(attempt), retryAfter(r.headers().firstValue("Retry-After").orElse(null)));
                LOG.info("runtime events: " + endpoint + " answered HTTP " + s + ", retrying in " + wait.toMillis() + " ms");
            } catch (IOException e) {
                wait = backoff(attempt);
                LOG.log(Level.INFO, "runtime events: " + endpoint + " unreachable (" + e.getClass().getSimpleName()
                        + "), retrying in " + wait.toMillis() + " ms");
            }
            attempt++;
            Thread.sleep(wait.toMillis());
        }
    }

    private HttpRequest request(List<byte[]> batch, long droppedNow) throws IOException {
        // the envelope is written by hand around the already serialised events: each event is serialised once
        StringBuilder head = new StringBuilder("{\"node\":").append(JSON.writeValueAsString(node))
                .append(",\"dropped\":").append(droppedNow).append(",\"events\":[");
        List<byte[]> parts = new ArrayList<>();
        parts.add(head.toString().getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                parts.add(new byte[] {','});
            }
            parts.add(batch.get(i));
        }
        parts.add(new byte[] {']', '}'});
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArrays(parts));
        if (tokenFile != null && Files.isReadable(tokenFile)) {
            b.header("Authorization", "Bearer " + Files.readString(tokenFile).trim());
        }
        return b.build();
    }

    Duration backoff(int attempt) {
        long ms = backoffBase.toMillis() << Math.min(attempt, 20);
        return Duration.ofMillis(Math.min(ms, backoffMax.toMillis()));
    }

    /** Retry-After as delay-seconds or HTTP-date (RFC 9110 10.2.3); zero when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(java.time.Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (java.time.format.DateTimeParseException e2) {
                return Duration.ZERO;
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Counters for the observer's status log line. */
    public synchronized Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("buffered", (long) buffer.size());
        m.put("sent", sent);
        m.put("dropped", dropped);
        m.put("rejected", rejected);
        return m;
    }
}
