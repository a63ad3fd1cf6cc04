package org.stellaops.operator.sources;

import java.io.IOException;

/** A source that cannot be read, with a message written to be shown to the source's owner (status, Events). */
public final class SourceException extends IOException {
    public SourceException(String message) {
        super(message);
    }
}
