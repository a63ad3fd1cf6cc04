package org.stellaops.scanner.analyzer.os;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small text formats of package databases: shell-style KEY="value" files and RFC 822-like stanzas. */
public final class KeyValues {
    private KeyValues() {
    }

    /** KEY=value lines with optional single or double quotes (os-release, JDK release files). */
    public static Map<String, String> shell(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            String l = line.trim();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                continue;
            }
            String v = l.substring(eq + 1).trim();
            if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            out.put(l.substring(0, eq).trim(), v);
        }
        return out;
    }

    /**
     * Stanzas of "Field: value" lines separated by blank lines; continuation lines start with a space or tab
     * (dpkg status, Python METADATA headers). Field names keep their case; the first occurrence wins.
     */
    public static List<Map<String, String>> stanzas(String text) {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        String last = null;
        for (String line : text.split("\r?\n", -1)) {
            if (line.isBlank()) {
                if (!cur.isEmpty()) {
                    out.add(cur);
                    cur = new LinkedHashMap<>();
                }
                last = null;
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) {
                cur.put(last, cur.get(last) + "\n" + line.trim());
                continue;
            }
            int c = line.indexOf(':');
            if (c <= 0) {
                continue;
            }
            last = line.substring(0, c).trim();
            cur.putIfAbsent(last, line.substring(c + 1).trim());
            if (!cur.get(last).equals(line.substring(c + 1).trim())) {
                last = null; // a repeated field: ignore its continuation lines too
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }
}
