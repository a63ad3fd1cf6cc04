package org.stellaops.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;

/** One configured Jackson mapper for deterministic JSON: sorted keys, no pretty-print surprises. */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * A tree as maps and lists, whose keys this mapper writes sorted (an ObjectNode keeps insertion order): the form
     * in which documents built as trees are written canonically.
     */
    public static Object sorted(com.fasterxml.jackson.databind.JsonNode tree) {
        try {
            return MAPPER.treeToValue(tree, Object.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tree written compactly with sorted keys: the same content always gives the same bytes. */
    public static byte[] writeSorted(com.fasterxml.jackson.databind.JsonNode tree) {
        return write(sorted(tree));
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
