package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Where a feed or VEX document comes from: exactly one of url, configMapRef, configMapRefs, secretRef, objectKey,
 * inline.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.url), has(self.configMapRef), has(self.configMapRefs), has(self.secretRef), has(self.objectKey),"
        + " has(self.inline)].filter(x, x).size() == 1",
        message = "exactly one of url, configMapRef, configMapRefs, secretRef, objectKey, inline")
public class SourceRef {
    @JsonPropertyDescription("HTTP(S) URL fetched with ETag/If-Modified-Since; the operator's outbound settings decide which"
            + " hosts and addresses may be reached.")
    public String url;
    @JsonPropertyDescription("A ConfigMap in this namespace labelled stella-ops.org/source=true: every data/binaryData entry"
            + " is one document (gzip-compressed binaryData is inflated).")
    public KeyRef configMapRef;
    @JsonPropertyDescription("Several ConfigMaps in this namespace, each labelled stella-ops.org/source=true, read as one source:"
            + " for feeds larger than one ConfigMap.")
    @Size(min = 1, max = 64)
    public List<KeyRef> configMapRefs;
    @JsonPropertyDescription("A Secret in this namespace labelled stella-ops.org/source=true: every data entry is one document.")
    public KeyRef secretRef;
    @JsonPropertyDescription("An object key in the operator's object store under imports/<this namespace>/ (for example an"
            + " offline kit uploaded there).")
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
