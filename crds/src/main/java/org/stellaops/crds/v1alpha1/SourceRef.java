package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where a feed or VEX document comes from: exactly one of url, configMapRef, secretRef, objectKey, inline. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.url), has(self.configMapRef), has(self.secretRef), has(self.objectKey), has(self.inline)]"
        + ".filter(x, x).size() == 1", message = "exactly one of url, configMapRef, secretRef, objectKey, inline")
public class SourceRef {
    @JsonPropertyDescription("HTTP(S) URL fetched with ETag/If-Modified-Since.")
    public String url;
    @JsonPropertyDescription("A ConfigMap in this namespace: every data/binaryData entry is one document.")
    public KeyRef configMapRef;
    @JsonPropertyDescription("A Secret in this namespace: every data entry is one document.")
    public KeyRef secretRef;
    @JsonPropertyDescription("An object key in the operator's object store (for example an offline kit uploaded there).")
    public String objectKey;
    @JsonPropertyDescription("The document itself.")
    public String inline;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KeyRef {
        public String name;
        @JsonPropertyDescription("Only this key (default: all keys).")
        public String key;
    }
}
