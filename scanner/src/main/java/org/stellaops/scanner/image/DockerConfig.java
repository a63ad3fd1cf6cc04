package org.stellaops.scanner.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.ScanException;

/**
 * Registry credentials from a docker {@code config.json}: {@code auths} (auth = base64 user:password, or
 * username/password, or identitytoken), and {@code credHelpers}/{@code credsStore} through the
 * {@code docker-credential-<helper> get} protocol.
 */
public final class DockerConfig {

    /** Credentials for one registry; identityToken is an OAuth2 refresh token when set. */
    public record Credentials(String username, String password, String identityToken) {
        public String basicHeader() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** How long a credential helper may take to answer. */
    static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_HELPER_OUTPUT = 1024 * 1024;

    private final JsonNode root;
    private final Path file;
    private final Path helperDir;
    private final Duration helperTimeout;

    private DockerConfig(JsonNode root, Path file) {
        this(root, file, null, HELPER_TIMEOUT);
    }

    private DockerConfig(JsonNode root, Path file, Path helperDir, Duration helperTimeout) {
        this.root = root;
        this.file = file;
        this.helperDir = helperDir;
        this.helperTimeout = helperTimeout;
    }

    /** Tests: credential helpers from a directory instead of PATH, with another timeout. */
    static DockerConfig of(JsonNode root, Path helperDir, Duration helperTimeout) {
        return new DockerConfig(root, null, helperDir, helperTimeout);
    }

    public static DockerConfig empty() {
        return new DockerConfig(Json.mapper().createObjectNode(), null);
    }

    /** A config given as JSON (for example the {@code auths} of Kubernetes pull secrets), not read from a file. */
    public static DockerConfig of(JsonNode root) {
        return new DockerConfig(root, null);
    }

    /** Loads the given file, or {@code $DOCKER_CONFIG/config.json}, or {@code ~/.docker/config.json}; missing default = empty. */
    public static DockerConfig load(Path explicit) {
        Path f = explicit;
        if (f == null) {
            String dir = System.getenv("DOCKER_CONFIG");
            f = dir != null && !dir.isBlank() ? Path.of(dir, "config.json")
                    : Path.of(System.getProperty("user.home"), ".docker", "config.json");
            if (!Files.isRegularFile(f)) {
                return empty();
            }
        }
        try {
            return new DockerConfig(Manifests.readTree(Files.readAllBytes(f), "registry config " + f), f);
        } catch (IOException e) {
            throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "registry config " + f + ": cannot read: " + e.getMessage(), e);
        }
    }

    public Optional<Credentials> lookup(String registry) {
        String helper = root.path("credHelpers").path(registry).asText(null);
        if (helper == null && ImageRef.DOCKER_HUB.equals(registry)) {
            helper = root.path("credHelpers").path("index.docker.io").asText(null);
        }
        JsonNode auths = root.path("auths");
        for (Map.Entry<String, JsonNode> e : auths.properties()) {
            if (hostOf(e.getKey()).equals(registry)
                    || (ImageRef.DOCKER_HUB.equals(registry) && hostOf(e.getKey()).equals("index.docker.io"))) {
                Optional<Credentials> c = fromAuthEntry(e.getValue(), registry);
                if (c.isPresent()) {
                    return c;
                }
            }
        }
        if (helper == null) {
            helper = root.path("credsStore").asText(null);
        }
        return helper == null ? Optional.empty() : fromHelper(helper, registry);
    }

    private Optional<Credentials> fromAuthEntry(JsonNode n, String registry) {
        String token = n.path("identitytoken").asText(null);
        String auth = n.path("auth").asText(null);
        if (auth != null && !auth.isBlank()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT,
                        "registry config " + file + ": auths." + registry + ".auth is not valid base64");
            }
            int c = decoded.indexOf(':');
            if (c < 0) {
                throw new ScanException(ScanException.Kind.INVALID_ARGUMENT,
                        "registry config " + file + ": auths." + registry + ".auth is not user:password");
            }
            return Optional.of(new Credentials(decoded.substring(0, c), decoded.substring(c + 1), token));
        }
        String user = n.path("username").asText(null);
        if (user != null) {
            return Optional.of(new Credentials(user, n.path("password").asText(""), token));
        }
        return token != null ? Optional.of(new Credentials("<token>", "", token)) : Optional.empty();
    }

    /**
     * Runs {@code docker-credential-<helper> get}. Its output is read while the timeout runs (on another thread), not
     * before: a helper that never exits (waiting for a keychain prompt, a hung agent) is killed with its children after
     * the timeout and the lookup fails with that reason. A helper that exits non-zero ("credentials not found") or is
     * not installed means anonymous access, as with docker.
     */
    private Optional<Credentials> fromHelper(String helper, String registry) {
        String server = ImageRef.DOCKER_HUB.equals(registry) ? "https://index.docker.io/v1/" : registry;
        String command = "docker-credential-" + helper;
        Process p;
        try {
            p = new ProcessBuilder(helperDir == null ? command : helperDir.resolve(command).toString(), "get")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return Optional.empty(); // helper not installed: anonymous access
        }
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try (InputStream out = p.getInputStream()) {
                return out.readNBytes(MAX_HELPER_OUTPUT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "credential-helper-output");
            t.setDaemon(true);
            t.start();
        });
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(server.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the helper may exit without reading its input; its exit status tells
            }
            long deadline = System.nanoTime() + helperTimeout.toNanos();
            if (!p.waitFor(helperTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw helperTimedOut(command, registry);
            }
            byte[] out = output.get(Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            if (p.exitValue() != 0) {
                return Optional.empty();
            }
            JsonNode n = Json.mapper().readTree(out);
            String user = n.path("Username").asText("");
            String secret = n.path("Secret").asText("");
            return user.equals("<token>") ? Optional.of(new Credentials(user, "", secret))
                    : Optional.of(new Credentials(user, secret, null));
        } catch (TimeoutException e) {
            // exited, but a child it left behind still holds its output open
            throw helperTimedOut(command, registry);
        } catch (IOException | ExecutionException e) {
            // never the output itself: it may hold the secret
            throw new ScanException(ScanException.Kind.AUTH, "credential helper " + command + " for " + registry
                    + ": unreadable answer (" + (e instanceof ExecutionException ? "output not readable" : "not JSON") + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScanException(ScanException.Kind.UNAVAILABLE, "credential helper " + command + ": interrupted", e);
        } finally {
            if (p.isAlive() || p.descendants().findAny().isPresent()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    private ScanException helperTimedOut(String command, String registry) {
        return new ScanException(ScanException.Kind.UNAVAILABLE, "credential helper " + command + " for " + registry
                + " did not answer within " + helperTimeout.toSeconds() + " s; killed");
    }

    static String hostOf(String key) {
        String k = key.replaceFirst("^https?://", "");
        int slash = k.indexOf('/');
        return slash >= 0 ? k.substring(0, slash) : k;
    }
}
