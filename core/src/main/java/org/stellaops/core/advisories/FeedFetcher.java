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
import org.stellaops.core.net.OutboundPolicy;

/**
 * Downloads feed documents over HTTP(S) into a cache directory with conditional requests: the stored ETag and
 * Last-Modified go out as If-None-Match / If-Modified-Since, and a 304 keeps the cached copy. A failed download never
 * replaces what is cached. Every URL requested, each redirect included (followed here, at most {@value #MAX_REDIRECTS}),
 * is checked by an {@link OutboundPolicy} first; a body is streamed to disk and fails past
 * {@link InputLimits#maxDownloadBytes()}. Errors name the URL and the HTTP status, never what the server sent.
 */
public final class FeedFetcher {
    private static final int MAX_REDIRECTS = 5;

    /** The result of one fetch: where the document is, and whether it changed. */
    public record Fetched(Path file, boolean changed, String etag, String lastModified, String sha256) {
    }

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20)).build();
    private final Path dir;
    private final OutboundPolicy policy;
    private final long maxBytes;

    /** A fetcher for URLs its user chose (the command line): any host, the default download limit. */
    public FeedFetcher(Path cacheDir) {
        this(cacheDir, OutboundPolicy.unrestricted(), InputLimits.DEFAULT.maxDownloadBytes());
    }

    public FeedFetcher(Path cacheDir, OutboundPolicy policy, long maxBytes) {
        this.dir = cacheDir;
        this.policy = policy;
        this.maxBytes = maxBytes;
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
        HttpResponse<InputStream> r = send(b, uri);
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
            if (r.headers().firstValueAsLong("Content-Length").orElse(0) > maxBytes) {
                throw new InputTooLargeException(uri + ": the response is larger than " + maxBytes + " bytes (the download limit)");
            }
            java.security.MessageDigest sha256 = sha256();
            long total = 0;
            try (var out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new InputTooLargeException(uri + ": the response is larger than " + maxBytes
                                + " bytes (the download limit)");
                    }
                    out.write(buf, 0, n);
                    sha256.update(buf, 0, n);
                }
            }
            String etag = r.headers().firstValue("ETag").orElse(null);
            String lastModified = r.headers().firstValue("Last-Modified").orElse(null);
            String sha = "sha256:" + java.util.HexFormat.of().formatHex(sha256.digest());
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

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the request, following redirects one by one, each target checked by the policy before it is contacted. */
    private HttpResponse<InputStream> send(HttpRequest.Builder b, URI uri) throws IOException {
        URI target = uri;
        for (int hop = 0; ; hop++) {
            policy.check(target);
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.uri(target).build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int code = r.statusCode();
            if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
                return r;
            }
            r.body().close();
            String location = r.headers().firstValue("Location").orElse(null);
            if (location == null) {
                throw new IOException(uri + ": HTTP " + code + " without a Location");
            }
            if (hop >= MAX_REDIRECTS) {
                throw new IOException(uri + ": more than " + MAX_REDIRECTS + " redirects");
            }
            try {
                target = target.resolve(location);
            } catch (IllegalArgumentException e) {
                throw new IOException(uri + ": HTTP " + code + " with an invalid Location");
            }
        }
    }
}
