package org.stellaops.core.advisories;

/** A document that is not a valid advisory; the message names the document and the JSON path of the problem. */
public final class AdvisoryFormatException extends RuntimeException {
    private final String document;
    private final String path;

    public AdvisoryFormatException(String document, String path, String message) {
        super(document + (path == null ? "" : " at " + path) + ": " + message);
        this.document = document;
        this.path = path;
    }

    public String document() {
        return document;
    }

    public String path() {
        return path;
    }
}
