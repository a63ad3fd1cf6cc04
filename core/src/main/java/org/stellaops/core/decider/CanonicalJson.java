package org.stellaops.core.decider;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.stellaops.core.json.Json;

/**
 * Writes a JSON tree straight to bytes with its object keys sorted and Jackson's default pretty printer, the bytes
 * that converting the tree to sorted maps and printing those gives (what the report was written with before), in one
 * pass: no intermediate maps, no String of the whole report. Hand-written because Jackson sorts keys only when it
 * serializes maps or beans, not when it writes a tree.
 */
final class CanonicalJson {
    private CanonicalJson() {
    }

    /** The tree pretty-printed with sorted keys, and a final newline. */
    static byte[] prettyBytes(JsonNode tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            write(g, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                List<String> names = new ArrayList<>(n.size());
                for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(null);
                for (String name : names) {
                    g.writeFieldName(name);
                    write(g, n.get(name));
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : n) {
                    write(g, e);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL, MISSING -> g.writeNull();
            case NUMBER -> {
                if (n.isInt()) {
                    g.writeNumber(n.intValue());
                } else if (n.isLong()) {
                    g.writeNumber(n.longValue());
                } else if (n.isDouble() || n.isFloat()) {
                    g.writeNumber(n.doubleValue());
                } else if (n.isBigInteger()) {
                    g.writeNumber(n.bigIntegerValue());
                } else {
                    g.writeNumber(n.decimalValue());
                }
            }
            default -> throw new IllegalArgumentException("no JSON form for a " + n.getNodeType() + " node");
        }
    }
}
