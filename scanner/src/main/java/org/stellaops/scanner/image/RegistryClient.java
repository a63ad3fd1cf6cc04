package org.stellaops.scanner.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.ScanException.Kind;

/**
 * A client of the OCI distribution API (pull side): manifests and blobs, anonymous, basic and bearer-token auth through
 * the {@code WWW-Authenticate} challenge flow. HTTPS everywhere except loopback hosts and registries named insecure.
 * Redirects (blob storage) are followed by hand so the registry's Authorization header never leaks to another host.
 * The timeout bounds connecting (at most 15 s), the wait for each response's headers, and every pause while a body
 * (manifest, blob, token) is read ({@link IdleTimeoutBody}), so a stalled registry fails a scan instead of hanging it.
 */
public final class RegistryClient {
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final int MAX_ATTEMPTS = 4;

    private final HttpClient http;
    private final DockerConfig config;
    private final Set<String> insecure;
    private final Duration timeout;
    /** Authorization header per registry + repository scope. */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    public record Manifest(byte[] body, String contentType, String digestHeader) {
    }

    public RegistryClient(DockerConfig config, Set<String> insecureRegistries, Duration timeout) {
        this.config = config;
        this.insecure = Set.copyOf(insecureRegistries);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    String baseUrl(String registry) {
        String host = registry.equals(ImageRef.DOCKER_HUB) ? "registry-1.docker.io" : registry;
        boolean plain = insecure.contains(registry) || isLoopback(host);
        return (plain ? "http://" : "https://") + host;
    }

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /**
     * True when the host of {@code host[:port]} is exactly {@code localhost} or a loopback address literal
     * (127.0.0.0/8, ::1). Names that merely start like one ({@code localhost.example.com}, {@code 127.example.com}) are
     * not: plain HTTP is never chosen by a prefix. No name is resolved here.
     */
    static boolean isLoopback(String hostPort) {
        String h = hostPort.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || (end + 1 < h.length() && !h.substring(end + 1).matches(":\\d+"))) {
                return false;
            }
            h = h.substring(1, end);
            if (!h.matches("[0-9a-f:.]+")) {
                return false;
            }
            try {
                // an IPv6 literal: parsed, never looked up
                return java.net.InetAddress.getByName(h).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!h.substring(colon + 1).matches("\\d+")) {
                return false;
            }
            h = h.substring(0, colon);
        }
        if (h.equals("localhost")) {
            return true;
        }
        Matcher m = IPV4.matcher(h);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return Integer.parseInt(m.group(1)) == 127;
    }

    public Manifest manifest(ImageRef ref, String reference) throws IOException {
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + reference);
        HttpResponse<InputStream> r = send(ref, uri, MediaTypes.ACCEPT, "manifest " + ref.name() + ":" + reference);
        try (InputStream in = r.body()) {
            byte[] body = in.readNBytes(8 * 1024 * 1024 + 1);
            if (body.length > 8 * 1024 * 1024) {
                throw new ScanException(Kind.BAD_INPUT, "manifest " + ref.name() + ":" + reference + " is larger than 8 MiB");
            }
            return new Manifest(body, r.headers().firstValue("Content-Type").orElse(null),
                    r.headers().firstValue("Docker-Content-Digest").orElse(null));
        }
    }

    /** Opens a blob; the caller verifies its digest (see {@link org.stellaops.scanner.util.Digests.VerifyingInputStream}). */
    public InputStream blob(ImageRef ref, String digest) throws IOException {
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/blobs/" + digest);
        return send(ref, uri, "*/*", "blob " + ref.name() + "@" + digest).body();
    }

    private HttpResponse<InputStream> send(ImageRef ref, URI uri, String accept, String what) throws IOException {
        return send(ref, uri, accept, what, "GET", null, null, Set.of(200));
    }

    /**
     * One authenticated exchange: answers a 401 challenge once (a push gets a token with the push scope this way),
     * follows GET redirects, retries 429/5xx with backoff, and returns responses whose status is in {@code ok}.
     */
    private HttpResponse<InputStream> send(ImageRef ref, URI uri, String accept, String what, String method, byte[] body,
                                           String contentType, Set<Integer> ok) throws IOException {
        String scopeKey = ref.registry() + "/" + ref.repository();
        boolean triedAuth = false;
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", "stella-ops");
            if (accept != null) {
                b.header("Accept", accept);
            }
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            String authz = authorizations.get(scopeKey);
            if (authz != null) {
                b.header("Authorization", authz);
            }
            HttpResponse<InputStream> r = exchange(b.build(), what);
            int status = r.statusCode();
            if (status == 401 && !triedAuth) {
                drain(r);
                triedAuth = true;
                authorizations.put(scopeKey, authenticate(ref, r.headers().firstValue("WWW-Authenticate").orElse(""), what));
                attempt--;
                continue;
            }
            if (method.equals("GET") && status >= 300 && status < 400 && r.headers().firstValue("Location").isPresent()) {
                drain(r);
                return followRedirect(uri.resolve(r.headers().firstValue("Location").get()), uri, accept, what, 0);
            }
            if (status == 429 || status >= 500) {
                drain(r);
                if (attempt < MAX_ATTEMPTS) {
                    sleep(backoff(attempt, r));
                    continue;
                }
                throw new ScanException(status == 429 ? Kind.RATE_LIMITED : Kind.UNAVAILABLE,
                        what + ": registry answered HTTP " + status + " after " + MAX_ATTEMPTS + " attempts");
            }
            if (!ok.contains(status)) {
                String detail = errorDetail(r);
                drain(r);
                throw new ScanException(statusKind(status), what + ": HTTP " + status + detail);
            }
            return r;
        }
    }

    /** A manifest by tag or digest, or empty when the registry answers 404. */
    public Optional<Manifest> manifestIfPresent(ImageRef ref, String reference) throws IOException {
        try {
            return Optional.of(manifest(ref, reference));
        } catch (ScanException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Uploads a blob (monolithic POST then PUT) unless the repository already has it; returns its digest. */
    public String pushBlob(ImageRef ref, byte[] data) throws IOException {
        String digest = org.stellaops.core.json.Digests.sha256(data);
        String base = baseUrl(ref.registry()) + "/v2/" + ref.repository();
        String what = "blob upload " + ref.name() + "@" + digest;
        HttpResponse<InputStream> head = send(ref, URI.create(base + "/blobs/" + digest), null, what, "HEAD", null, null,
                Set.of(200, 404));
        drain(head);
        if (head.statusCode() == 200) {
            return digest;
        }
        HttpResponse<InputStream> start = send(ref, URI.create(base + "/blobs/uploads/"), null, what, "POST", null, null, Set.of(202));
        drain(start);
        String location = start.headers().firstValue("Location").orElseThrow(() ->
                new ScanException(Kind.UNAVAILABLE, what + ": the registry gave no upload location"));
        URI upload = URI.create(base).resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        drain(send(ref, URI.create(upload + sep + "digest=" + enc(digest)), null, what, "PUT", data, "application/octet-stream",
                Set.of(201, 204)));
        return digest;
    }

    /** PUTs a manifest under a tag or digest; returns the response headers (e.g. {@code OCI-Subject}). */
    public java.net.http.HttpHeaders pushManifest(ImageRef ref, String reference, byte[] body, String mediaType) throws IOException {
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + reference);
        HttpResponse<InputStream> r = send(ref, uri, null, "manifest upload " + ref.name() + ":" + reference, "PUT", body, mediaType,
                Set.of(200, 201, 202));
        drain(r);
        return r.headers();
    }

    /** The OCI 1.1 referrers index of a digest, or empty when the registry has no Referrers API (404). */
    public Optional<byte[]> referrers(ImageRef ref, String digest) throws IOException {
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/referrers/" + digest);
        HttpResponse<InputStream> r = send(ref, uri, MediaTypes.OCI_INDEX, "referrers of " + ref.name() + "@" + digest, "GET", null,
                null, Set.of(200, 404));
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes(8 * 1024 * 1024);
            String ct = r.headers().firstValue("Content-Type").orElse("");
            // a registry without the API may answer 200 with something else than an index (e.g. an HTML page)
            return r.statusCode() == 200 && ct.startsWith(MediaTypes.OCI_INDEX) ? Optional.of(b) : Optional.empty();
        }
    }

    private HttpResponse<InputStream> followRedirect(URI target, URI from, String accept, String what, int depth) throws IOException {
        if (depth > 5) {
            throw new ScanException(Kind.UNAVAILABLE, what + ": too many redirects");
        }
        if ("https".equals(from.getScheme()) && "http".equals(target.getScheme())) {
            throw new ScanException(Kind.UNAVAILABLE, what + ": refusing redirect from https to http (" + target.getHost() + ")");
        }
        HttpResponse<InputStream> r = exchange(HttpRequest.newBuilder(target).timeout(timeout).header("Accept", accept)
                .GET().build(), what);
        int status = r.statusCode();
        if (status >= 300 && status < 400 && r.headers().firstValue("Location").isPresent()) {
            drain(r);
            return followRedirect(target.resolve(r.headers().firstValue("Location").get()), target, accept, what, depth + 1);
        }
        if (status != 200) {
            drain(r);
            throw new ScanException(statusKind(status), what + ": HTTP " + status + " from " + target.getHost());
        }
        return r;
    }

    private static Kind statusKind(int status) {
        return switch (status) {
            case 401, 403 -> Kind.AUTH;
            case 404 -> Kind.NOT_FOUND;
            case 429 -> Kind.RATE_LIMITED;
            default -> status >= 500 ? Kind.UNAVAILABLE : Kind.BAD_INPUT;
        };
    }

    private HttpResponse<InputStream> exchange(HttpRequest request, String what) throws IOException {
        try {
            // every body (manifests, blobs, token answers) with a read timeout: the request timeout covers only the headers
            return http.send(request, IdleTimeoutBody.handler(timeout, what));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new ScanException(Kind.UNAVAILABLE, what + ": cannot connect to " + request.uri().getAuthority()
                    + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        } catch (HttpTimeoutException e) {
            throw new ScanException(Kind.UNAVAILABLE, what + ": timed out talking to " + request.uri().getAuthority(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new ScanException(Kind.UNAVAILABLE, what + ": " + request.uri().getAuthority() + ": " + e, e);
        }
    }

    /** Answers a WWW-Authenticate challenge with an Authorization header value. */
    private String authenticate(ImageRef ref, String challenge, String what) throws IOException {
        Optional<DockerConfig.Credentials> creds = config.lookup(ref.registry());
        String scheme = challenge.trim().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        if (scheme.equals("basic")) {
            return creds.map(DockerConfig.Credentials::basicHeader).orElseThrow(() -> new ScanException(Kind.AUTH,
                    what + ": the registry requires credentials (basic auth) and none are configured for " + ref.registry()));
        }
        if (!scheme.equals("bearer") || !params.containsKey("realm")) {
            throw new ScanException(Kind.AUTH, what + ": unsupported authentication challenge '" + challenge + "'");
        }
        String scope = params.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
        StringBuilder q = new StringBuilder();
        if (params.containsKey("service")) {
            q.append("service=").append(enc(params.get("service"))).append('&');
        }
        q.append("scope=").append(enc(scope));
        HttpRequest.Builder b;
        if (creds.isPresent() && creds.get().identityToken() != null) {
            String form = "grant_type=refresh_token&client_id=stella-ops&refresh_token=" + enc(creds.get().identityToken())
                    + "&" + q;
            b = HttpRequest.newBuilder(URI.create(params.get("realm"))).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        } else {
            String realm = params.get("realm");
            b = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + q)).GET();
            creds.ifPresent(c -> b.header("Authorization", c.basicHeader()));
        }
        HttpResponse<InputStream> r = exchange(b.timeout(timeout).build(), "token for " + what);
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(1024 * 1024);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new ScanException(Kind.AUTH, what + ": the token service " + URI.create(params.get("realm")).getHost()
                    + " refused " + (creds.isPresent() ? "the configured credentials" : "anonymous access") + " (HTTP " + r.statusCode() + ")");
        }
        if (r.statusCode() != 200) {
            throw new ScanException(statusKind(r.statusCode()), what + ": token service answered HTTP " + r.statusCode());
        }
        JsonNode token = Manifests.readTree(body, "token response for " + what);
        String t = token.path("token").asText(token.path("access_token").asText(""));
        if (t.isEmpty()) {
            throw new ScanException(Kind.AUTH, what + ": token response without a token");
        }
        return "Bearer " + t;
    }

    private static String errorDetail(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            JsonNode n = Json.mapper().readTree(in.readNBytes(64 * 1024));
            JsonNode e = n.path("errors").path(0);
            return e.isMissingNode() ? "" : " (" + e.path("code").asText() + ": " + e.path("message").asText() + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static long backoff(int attempt, HttpResponse<?> r) {
        long retryAfter = r.headers().firstValue("Retry-After").map(v -> {
            try {
                return Long.parseLong(v.trim()) * 1000;
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
        long exp = 500L * (1L << (attempt - 1));
        return Math.min(retryAfter > 0 ? retryAfter : exp, 10_000);
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void drain(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            in.skip(Long.MAX_VALUE);
        } catch (IOException | ScanException ignored) {
            // nothing to recover: a stalled body is cancelled by closing it
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
