package org.stellaops.core.store;

import java.util.Locale;

/**
 * Size limits set by a system property or an environment variable (the property wins), in bytes with an optional
 * {@code k}, {@code m} or {@code g} suffix (powers of 1024), e.g. {@code STELLA_MAX_FRAGMENT_BYTES=512m}.
 */
public final class Limits {
    private Limits() {
    }

    public static long bytes(String property, String env, long defaultValue) {
        String v = System.getProperty(property);
        String from = "system property " + property;
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
            from = "environment variable " + env;
        }
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        return parse(v, from);
    }

    static long parse(String value, String from) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
            unit = switch (v.charAt(v.length() - 1)) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v);
            if (n <= 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(from + ": '" + value + "' is not a positive size in bytes (k, m, g suffixes allowed)");
        }
    }
}
