package org.stellaops.core.attest;

import java.io.IOException;

/** Bad attestation input (unreadable key, malformed bundle or envelope), or a signing/logging step that failed. */
public class AttestationException extends IOException {
    public AttestationException(String message) {
        super(message);
    }

    public AttestationException(String message, Throwable cause) {
        super(message, cause);
    }
}
