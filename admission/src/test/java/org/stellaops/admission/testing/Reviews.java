package org.stellaops.admission.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** AdmissionReview v1 requests as the API server sends them, made from the manifests in src/test/resources/manifests. */
public final class Reviews {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Reviews() {
    }

    /** A manifest with APP_IMAGE / INIT_IMAGE replaced, as JSON. */
    public static ObjectNode manifest(String name, String appImage, String initImage) throws IOException {
        try (InputStream in = Reviews.class.getResourceAsStream("/manifests/" + name + ".yaml")) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("APP_IMAGE", appImage)
                    .replace("INIT_IMAGE", initImage == null ? appImage : initImage);
            return (ObjectNode) new YAMLMapper().readTree(yaml);
        }
    }

    public static ObjectNode review(JsonNode object, JsonNode oldObject, String namespace, String operation, boolean dryRun,
                                    String user) {
        ObjectNode root = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = root.putObject("request").put("uid", UUID.randomUUID().toString());
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        String kind = object.path("kind").asText();
        String resource = kind.toLowerCase() + "s";
        req.putObject("kind").put("group", group).put("version", version).put("kind", kind);
        req.putObject("resource").put("group", group).put("version", version).put("resource", resource);
        req.putObject("requestKind").put("group", group).put("version", version).put("kind", kind);
        req.put("name", object.path("metadata").path("name").asText());
        req.put("namespace", namespace).put("operation", operation).put("dryRun", dryRun);
        req.putObject("userInfo").put("username", user).putArray("groups").add("system:authenticated");
        ObjectNode obj = object.deepCopy();
        ((ObjectNode) obj.path("metadata")).put("namespace", namespace);
        req.set("object", obj);
        if (oldObject != null) {
            req.set("oldObject", oldObject);
        }
        req.putObject("options").put("apiVersion", "meta.k8s.io/v1").put("kind", operation.equals("CREATE") ? "CreateOptions" : "UpdateOptions");
        return root;
    }

    public static byte[] bytes(JsonNode review) throws IOException {
        return JSON.writeValueAsBytes(review);
    }
}
