package org.stellaops.core.attest;

/** A bundle that does not verify; the message says which check failed and why. */
public class VerificationException extends Exception {
    public VerificationException(String message) {
        super(message);
    }

    public VerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
