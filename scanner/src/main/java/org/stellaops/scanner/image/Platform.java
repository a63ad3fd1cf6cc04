package org.stellaops.scanner.image;

import org.stellaops.scanner.ScanException;

/** os/architecture[/variant], as in {@code --platform linux/arm64/v8}. */
public record Platform(String os, String architecture, String variant) {

    public static final Platform DEFAULT = new Platform("linux", "amd64", null);

    public static Platform parse(String s) {
        if (s == null || s.isBlank()) {
            return DEFAULT;
        }
        String[] p = s.trim().split("/");
        if (p.length < 2 || p.length > 3 || p[0].isBlank() || p[1].isBlank()) {
            throw new ScanException(ScanException.Kind.INVALID_ARGUMENT,
                    "invalid platform '" + s + "': expected os/arch[/variant], for example linux/amd64");
        }
        return new Platform(p[0], p[1], p.length == 3 ? p[2] : null);
    }

    /** True when an index entry's platform fits this request (a missing variant in the request matches any). */
    public boolean matches(String os, String arch, String var) {
        if (!this.os.equals(os) || !architecture.equals(arch)) {
            return false;
        }
        if (variant == null) {
            return true;
        }
        String v = var == null && "arm64".equals(arch) ? "v8" : var;
        return variant.equals(v);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
