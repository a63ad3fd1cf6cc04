package org.stellaops.core.advisories;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.stellaops.core.json.Json;

/** Reading a feed document's JSON with errors that name the document. */
final class Documents {
    private Documents() {
    }

    static JsonNode readJson(byte[] content, String origin) {
        try {
            return Json.mapper().readTree(content);
        } catch (JsonProcessingException e) {
            throw new AdvisoryFormatException(origin, null, DocumentErrors.describe(e, "JSON"));
        } catch (IOException e) {
            throw new AdvisoryFormatException(origin, null, DocumentErrors.describe(e));
        }
    }
}
