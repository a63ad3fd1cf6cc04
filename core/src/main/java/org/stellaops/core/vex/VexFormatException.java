package org.stellaops.core.vex;

/** A VEX document that cannot be read; the message names the document and the JSON path. */
public final class VexFormatException extends RuntimeException {
    public VexFormatException(String document, String path, String message) {
        super(document + (path == null ? "" : " at " + path) + ": " + message);
    }
}
