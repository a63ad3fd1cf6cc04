package org.stellaops.core.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The file list of a fragment as one JSON string of lines {@code kind TAB octal-mode TAB size TAB path [TAB target]}
 * (tab, newline and backslash in names escaped as \t, \n, \\). A layer lists thousands of files; as objects they make
 * most of a fragment's JSON and most of the time a short-lived process spends reading cached fragments.
 */
public final class FileRecordsCodec {
    private FileRecordsCodec() {
    }

    public static String encode(List<FileRecord> files) {
        StringBuilder sb = new StringBuilder(files.size() * 64);
        for (FileRecord f : files) {
            sb.append(f.kind()).append('\t').append(Integer.toOctalString(f.mode())).append('\t').append(f.size()).append('\t');
            escape(sb, f.path());
            if (f.target() != null) {
                sb.append('\t');
                escape(sb, f.target());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static List<FileRecord> decode(String s) {
        List<FileRecord> out = new ArrayList<>();
        int pos = 0;
        int n = s.length();
        while (pos < n) {
            int end = s.indexOf('\n', pos);
            if (end < 0) {
                end = n;
            }
            int t1 = s.indexOf('\t', pos);
            int t2 = s.indexOf('\t', t1 + 1);
            int t3 = s.indexOf('\t', t2 + 1);
            if (t1 < 0 || t2 < 0 || t3 < 0 || t3 > end) {
                throw new IllegalArgumentException("malformed file record at offset " + pos);
            }
            int t4 = s.indexOf('\t', t3 + 1);
            boolean hasTarget = t4 >= 0 && t4 < end;
            String path = unescape(s, t3 + 1, hasTarget ? t4 : end);
            String target = hasTarget ? unescape(s, t4 + 1, end) : null;
            out.add(new FileRecord(path, s.substring(pos, t1), Long.parseLong(s, t2 + 1, t3, 10),
                    Integer.parseInt(s, t1 + 1, t2, 8), target));
            pos = end + 1;
        }
        return out;
    }

    private static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(c);
            }
        }
    }

    private static String unescape(String s, int from, int to) {
        if (s.indexOf('\\', from) < 0 || s.indexOf('\\', from) >= to) {
            return s.substring(from, to);
        }
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < to) {
                char e = s.charAt(++i);
                sb.append(e == 't' ? '\t' : e == 'n' ? '\n' : e);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Jackson serializer of the list as one string. */
    public static final class Serializer extends JsonSerializer<List<FileRecord>> {
        @Override
        public void serialize(List<FileRecord> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(encode(value));
        }
    }

    /** Jackson deserializer of the one string back to records. */
    public static final class Deserializer extends JsonDeserializer<List<FileRecord>> {
        @Override
        public List<FileRecord> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return decode(p.getValueAsString());
            } catch (IllegalArgumentException e) {
                throw new com.fasterxml.jackson.databind.JsonMappingException(p, "fragment files: " + e.getMessage(), e);
            }
        }
    }
}
