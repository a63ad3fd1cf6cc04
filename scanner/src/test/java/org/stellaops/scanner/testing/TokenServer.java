package org.stellaops.scanner.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.stellaops.core.json.Json;

/**
 * The token service of a registry that uses Docker's token authentication: it checks basic credentials and issues
 * RS256 JWTs that the real registry verifies against a certificate made by {@code openssl}. Only the issuing side is
 * written here; the registry that checks the tokens is the real one.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "stella-test-registry";
    public static final String ISSUER = "stella-test-issuer";

    private final HttpServer http;
    private final Path certPem;
    private final PrivateKey key;
    private final String kid;
    private final String user;
    private final String password;

    private TokenServer(HttpServer http, Path certPem, PrivateKey key, String kid, String user, String password) {
        this.http = http;
        this.certPem = certPem;
        this.key = key;
        this.kid = kid;
        this.user = user;
        this.password = password;
    }

    public static TokenServer start(Path dir, String user, String password) throws Exception {
        Path keyPem = dir.resolve("token-key.pem");
        Path certPem = dir.resolve("token-cert.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=stella-test-token", "-keyout", keyPem.toString(), "-out", certPem.toString())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl failed: " + new String(out));
        }
        String pem = Files.readString(keyPem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        X509Certificate cert;
        try (var in = Files.newInputStream(certPem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TokenServer ts = new TokenServer(http, certPem, key, libtrustKeyId(cert.getPublicKey().getEncoded()), user, password);
        http.createContext("/token", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            byte[] body;
            int status;
            if (!expected.equals(auth)) {
                status = 401;
                body = "{\"details\":\"incorrect username or password\"}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                String token = ts.token(query(ex.getRequestURI().getRawQuery()));
                body = Json.write(Map.of("token", token, "access_token", token, "expires_in", 300));
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        http.start();
        return ts;
    }

    public String realm() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/token";
    }

    public Path certificate() {
        return certPem;
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        return q;
    }

    private String token(Map<String, List<String>> q) {
        List<Map<String, Object>> access = new ArrayList<>();
        for (String scope : q.getOrDefault("scope", List.of())) {
            String[] parts = scope.split(":");
            if (parts.length == 3) {
                access.add(Map.of("type", parts[0], "name", parts[1], "actions", List.of(parts[2].split(","))));
            }
        }
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> header = Map.of("typ", "JWT", "alg", "RS256", "kid", kid);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", user);
        claims.put("aud", SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 30);
        claims.put("iat", now);
        claims.put("jti", Long.toHexString(System.nanoTime()));
        claims.put("access", access);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(Json.write(header)) + "." + b64.encodeToString(Json.write(claims));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key ID the registry (docker/libtrust) derives from a public key: base32 of 240 bits of its SHA-256, in groups of 4. */
    static String libtrustKeyId(byte[] subjectPublicKeyInfo) throws Exception {
        byte[] h = MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo);
        String b32 = new Base32().encodeAsString(java.util.Arrays.copyOf(h, 30));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b32.length(); i += 4) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(b32, i, i + 4);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
