package org.stellaops.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;

/** AdmissionReview v1 (fabric8's model) in and out; anything else is a {@link BadReview} with a clear message. */
public final class AdmissionReviews {
    /** The largest review accepted (the API server's own request limit is 3 MiB). */
    public static final int MAX_BYTES = 3 * 1024 * 1024;
    public static final String API_VERSION = "admission.k8s.io/v1";
    private static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A review that cannot be judged: answered with HTTP 400 and this message (never echoing the body). */
    public static final class BadReview extends Exception {
        public BadReview(String message) {
            super(message);
        }
    }

    private AdmissionReviews() {
    }

    public static Request parse(byte[] body) throws BadReview {
        if (body == null || body.length == 0) {
            throw new BadReview("empty body: expected an AdmissionReview (" + API_VERSION + ")");
        }
        if (body.length > MAX_BYTES) {
            throw new BadReview("the AdmissionReview is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new BadReview("the body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadReview("the body is not a JSON object");
        }
        String apiVersion = root.path("apiVersion").asText("");
        if (!API_VERSION.equals(apiVersion)) {
            throw new BadReview("unsupported AdmissionReview version: only " + API_VERSION
                    + " is served (set admissionReviewVersions: [v1])");
        }
        if (!"AdmissionReview".equals(root.path("kind").asText())) {
            throw new BadReview("the body is not an AdmissionReview");
        }
        JsonNode req = root.path("request");
        if (!req.isObject()) {
            throw new BadReview("the AdmissionReview has no request");
        }
        JsonNode object = req.path("object");
        JsonNode oldObject = req.path("oldObject");
        ObjectNode bare = ((ObjectNode) req).deepCopy();
        bare.remove("object");
        bare.remove("oldObject");
        AdmissionRequest r;
        try {
            r = MAPPER.treeToValue(bare, AdmissionRequest.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new BadReview("the AdmissionReview request is malformed");
        }
        if (r.getUid() == null || r.getUid().isBlank()) {
            throw new BadReview("the AdmissionReview request has no uid");
        }
        if (r.getKind() == null || r.getKind().getKind() == null) {
            throw new BadReview("the AdmissionReview request has no kind");
        }
        if (!object.isObject() && !"DELETE".equals(r.getOperation())) {
            throw new BadReview("the AdmissionReview request has no object");
        }
        return new Request(r.getUid(), r.getKind().getGroup(), r.getKind().getKind(), r.getNamespace(), r.getName(),
                r.getOperation(), Boolean.TRUE.equals(r.getDryRun()), r.getUserInfo(), object, oldObject);
    }

    public static AdmissionReview response(String uid, Decision d) {
        AdmissionResponseBuilder b = new AdmissionResponseBuilder().withUid(uid).withAllowed(d.allowed());
        if (!d.allowed()) {
            b.withStatus(new StatusBuilder().withCode(d.code()).withMessage(d.message())
                    .withReason(d.code() == 403 ? "Forbidden" : "ServiceUnavailable").build());
        }
        if (!d.warnings().isEmpty()) {
            b.withWarnings(d.warnings());
        }
        if (!d.auditAnnotations().isEmpty()) {
            b.withAuditAnnotations(d.auditAnnotations());
        }
        AdmissionResponse resp = b.build();
        return new AdmissionReviewBuilder().withApiVersion(API_VERSION).withKind("AdmissionReview").withResponse(resp).build();
    }

    public static byte[] write(AdmissionReview review) {
        try {
            return MAPPER.writeValueAsBytes(review);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("AdmissionReview not serializable", e);
        }
    }
}
