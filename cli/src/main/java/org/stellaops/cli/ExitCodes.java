package org.stellaops.cli;

/** Exit codes of ARCHITECTURE.md; 1 is a scan that failed on bad input or an unexpected error. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int POLICY_FAIL = 2;
    public static final int VERIFICATION_FAILED = 3;
    public static final int AUTH = 4;
    public static final int NOT_FOUND = 5;
    public static final int RATE_LIMITED = 6;
    public static final int UNAVAILABLE = 7;
    public static final int INVALID_ARGUMENTS = 9;

    private ExitCodes() {
    }
}
