package org.stellaops.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;

/** One AdmissionReview request, as the decision needs it (the objects as raw JSON: every judged kind is read the same way). */
public record Request(String uid, String group, String kind, String namespace, String name, String operation, boolean dryRun,
                     UserInfo userInfo, JsonNode object, JsonNode oldObject) {
    public String describe() {
        return kind + " " + namespace + "/" + (name == null || name.isEmpty() ? object.path("metadata").path("generateName").asText("") + "*" : name);
    }
}
