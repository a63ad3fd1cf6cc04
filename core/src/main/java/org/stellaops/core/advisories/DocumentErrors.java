package org.stellaops.core.advisories;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * Parser errors that may leave the process: the kind of problem and where (line, column), never the text that caused
 * it. Jackson's and SnakeYAML's own messages quote the offending token ("Unrecognized token 'hunter2'"), and a document
 * may be a Secret's value, so they are not passed on.
 */
public final class DocumentErrors {
    private DocumentErrors() {
    }

    /** For example "malformed JSON at line 3, column 7". */
    public static String describe(JsonProcessingException e, String format) {
        String what;
        if (e instanceof JsonEOFException) {
            what = "malformed " + format + " (truncated: unexpected end of input)";
        } else if (e instanceof MismatchedInputException) {
            what = "malformed " + format + " (an unexpected shape)";
        } else {
            what = "malformed " + format;
        }
        JsonLocation l = e.getLocation(); // only line and column: its toString() may quote the source
        return l == null || l.getLineNr() < 0 ? what : what + " at line " + l.getLineNr() + ", column " + l.getColumnNr();
    }

    /** An I/O problem while parsing a document already in memory: its kind only. */
    public static String describe(java.io.IOException e) {
        return "unreadable (" + e.getClass().getSimpleName() + ")";
    }
}
