package org.stellaops.core.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;

/**
 * Downloads feed documents over HTTP(S) into a cache directory with conditional requests: the stored ETag and
 * Last-Modified go out as If-None-Match / If-Modified-Since, and a 304 keeps the cached copy. A failed download never
 * replaces what is cached.
 */
public final class FeedFetcher {
    private static final long MAX_BYTES = 2L * 1024 * 1024 * 1024;

    /** The result of one fetch: where the document is, and whether it changed. */
    public record Fetched(Path file, boolean changed, String etag, String lastModified, String sha256) {
    }

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20)).build();
    private final Path dir;

    public FeedFetcher(Path cacheDir) {
        this.dir = cacheDir;
    }

    public Fetched fetch(URI uri) throws IOException {
        Files.createDirectories(dir);
        String key = Digests.sha256(uri.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(7, 23);
        String name = Path.of(uri.getPath().isEmpty() ? "feed" : uri.getPath()).getFileName().toString();
        Path file = dir.resolve(key + "-" + name);
        Path meta = dir.resolve(key + "-" + name + ".meta.json");
        JsonNode previous = Files.isRegularFile(meta) && Files.isRegularFile(file) ? Json.mapper().readTree(meta.toFile()) : null;
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).header("User-Agent", "stella-ops").GET();
        if (previous != null && previous.hasNonNull("etag")) {
            b.header("If-None-Match", previous.get("etag").asText());
        }
        if (previous != null && previous.hasNonNull("lastModified")) {
            b.header("If-Modified-Since", previous.get("lastModified").asText());
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() == 304 && previous != null) {
            r.body().close();
            return new Fetched(file, false, previous.path("etag").asText(null), previous.path("lastModified").asText(null),
                    previous.path("sha256").asText(null));
        }
        if (r.statusCode() != 200) {
            r.body().close();
            throw new IOException(uri + ": HTTP " + r.statusCode() + (previous != null ? " (the cached copy stays in use)" : ""));
        }
        Path tmp = Files.createTempFile(dir, ".feed", ".tmp");
        try (InputStream in = r.body()) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES + 1));
            if (data.length > MAX_BYTES) {
                throw new IOException(uri + ": larger than " + MAX_BYTES + " bytes");
            }
            Files.write(tmp, data);
            String etag = r.headers().firstValue("ETag").orElse(null);
            String lastModified = r.headers().firstValue("Last-Modified").orElse(null);
            String sha = Digests.sha256(data);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            ObjectNode m = Json.mapper().createObjectNode().put("url", uri.toString()).put("sha256", sha);
            if (etag != null) {
                m.put("etag", etag);
            }
            if (lastModified != null) {
                m.put("lastModified", lastModified);
            }
            Files.write(meta, Json.write(m));
            boolean changed = previous == null || !sha.equals(previous.path("sha256").asText());
            return new Fetched(file, changed, etag, lastModified, sha);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
