package org.stellaops.core.policy;

/** A policy lint result: a stable code, ERROR or WARNING, the JSON path in the policy, and a message. */
public record Diagnostic(String code, String severity, String path, String message) {
    public static Diagnostic error(String code, String path, String message) {
        return new Diagnostic(code, "ERROR", path, message);
    }

    public static Diagnostic warning(String code, String path, String message) {
        return new Diagnostic(code, "WARNING", path, message);
    }

    public boolean isError() {
        return "ERROR".equals(severity);
    }
}
