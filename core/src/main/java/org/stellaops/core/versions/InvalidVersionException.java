package org.stellaops.core.versions;

/** A version string that its ecosystem's scheme does not accept; the message names the scheme and the version. */
public final class InvalidVersionException extends IllegalArgumentException {
    public InvalidVersionException(String scheme, String version, String why) {
        super(scheme + " version '" + version + "': " + why);
    }
}
