package org.stellaops.core.advisories;

import java.io.IOException;

/** An input past one of the {@link InputLimits}; the message names the input and the bound, never its content. */
public final class InputTooLargeException extends IOException {
    public InputTooLargeException(String message) {
        super(message);
    }
}
