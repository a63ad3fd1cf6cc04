package org.stellaops.scanner;

/**
 * A scan failure with a category that maps to the CLI exit codes of the architecture (4 auth, 5 not found,
 * 6 rate limited, 7 unavailable, 9 invalid arguments; bad input is 1).
 */
public class ScanException extends RuntimeException {

    public enum Kind {
        BAD_INPUT(1), AUTH(4), NOT_FOUND(5), RATE_LIMITED(6), UNAVAILABLE(7), INVALID_ARGUMENT(9);

        private final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private final Kind kind;

    public ScanException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ScanException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ScanException badInput(String message, Throwable cause) {
        return new ScanException(Kind.BAD_INPUT, message, cause);
    }
}
