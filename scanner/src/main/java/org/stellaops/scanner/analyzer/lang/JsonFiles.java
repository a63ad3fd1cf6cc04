package org.stellaops.scanner.analyzer.lang;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/** JSON helpers for manifest-style analyzers: parse with a clear warning, read license fields of several shapes. */
final class JsonFiles {
    private JsonFiles() {
    }

    static JsonNode parse(LayerFile file, FragmentSink sink) {
        try {
            JsonNode n = Json.mapper().readTree(file.content());
            if (n == null || n.isMissingNode()) {
                sink.warn(file.path() + ": empty JSON document");
                return null;
            }
            return n;
        } catch (IOException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage();
            sink.warn(file.path() + ": malformed JSON: " + msg);
            return null;
        }
    }

    /** "MIT", {"type": "MIT"}, ["MIT", "Apache-2.0"], [{"type": "MIT"}]. */
    static List<String> licenses(JsonNode... fields) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : fields) {
            if (f == null || f.isMissingNode() || f.isNull()) {
                continue;
            }
            if (f.isTextual()) {
                out.add(f.asText());
            } else if (f.isObject() && f.hasNonNull("type")) {
                out.add(f.get("type").asText());
            } else if (f.isArray()) {
                for (JsonNode x : f) {
                    out.addAll(licenses(x));
                }
            }
        }
        return out;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }
}
