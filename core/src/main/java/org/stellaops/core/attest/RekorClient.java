package org.stellaops.core.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;

/**
 * A Rekor v2 (rekor-tiles) client: {@code POST /api/v2/log/entries}. ECDSA signatures are logged as a hashedrekord
 * v0.0.2 over sha256(PAE). Rekor v2 accepts hashedrekord entries only (its dsse type is withdrawn) and pure Ed25519
 * signs the message, not a digest, so Ed25519 envelopes cannot be logged there: that is refused here with the reason.
 * The answer (a TransparencyLogEntry with inclusion proof and checkpoint) goes into the bundle verbatim.
 * Hand-written: sigstore-java's Rekor v2 client is reachable only through its keyless signer.
 */
public final class RekorClient {
    /** Largest answer read from a log: an entry with its proof and checkpoint is a few KiB. */
    static final int MAX_ANSWER_BYTES = 1024 * 1024;

    /**
     * The log refused the entry. The message says so without the log's answer, which a caller shows only to whoever
     * chose the log's address (the CLI's user), never in a resource's status: a tenant-chosen URL must not turn the
     * operator into a reader of other services' responses.
     */
    public static final class Refused extends AttestationException {
        private static final long serialVersionUID = 1L;
        private final String answer;

        Refused(String message, String answer) {
            super(message);
            this.answer = answer;
        }

        /** The start of the log's answer (at most 300 characters). */
        public String answer() {
            return answer;
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Duration timeout;

    public RekorClient(URI base, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
    }

    public JsonNode log(Dsse.Envelope env, PublicKey key) throws AttestationException {
        String details = Keys.keyDetails(key, "signing key");
        ObjectNode verifier = Json.mapper().createObjectNode();
        verifier.putObject("publicKey").put("rawBytes", b64(key.getEncoded()));
        verifier.put("keyDetails", details);
        if (!details.equals(Keys.ECDSA_P256)) {
            throw new AttestationException("Rekor v2 logs hashedrekord entries (a signature over a digest); an Ed25519 DSSE "
                    + "signature is over the whole message and cannot be logged there — sign with an ECDSA P-256 key to log it");
        }
        ObjectNode req = Json.mapper().createObjectNode();
        ObjectNode hr = req.putObject("hashedRekordRequestV002");
        hr.put("digest", b64(Digests.sha256Bytes(env.pae())));
        ObjectNode sig = hr.putObject("signature");
        sig.put("content", b64(env.signatures().get(0).sig()));
        sig.set("verifier", verifier);
        return post(req);
    }

    private JsonNode post(ObjectNode req) throws AttestationException {
        URI uri = URI.create(base + "/api/v2/log/entries");
        HttpResponse<java.io.InputStream> r;
        byte[] answer;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(req))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = r.body()) {
                answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
            }
        } catch (IOException e) {
            throw new AttestationException("Rekor " + base + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttestationException("interrupted while logging to Rekor", e);
        }
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            String body = new String(answer, 0, Math.min(answer.length, 300), StandardCharsets.UTF_8);
            throw new Refused("Rekor " + base + " refused the entry: HTTP " + r.statusCode(),
                    body.strip() + (answer.length > 300 ? "…" : ""));
        }
        if (answer.length > MAX_ANSWER_BYTES) {
            throw new AttestationException("Rekor " + base + " answered with more than " + MAX_ANSWER_BYTES + " bytes; refused");
        }
        try {
            JsonNode n = Json.mapper().readTree(answer);
            if (!n.has("inclusionProof") || !n.has("canonicalizedBody")) {
                throw new AttestationException("Rekor " + base + " answered without an inclusion proof or body");
            }
            return n;
        } catch (IOException e) {
            throw e instanceof AttestationException ae ? ae : new AttestationException("Rekor " + base + " answered with malformed JSON");
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
