package org.stellaops.storage;

import java.io.IOException;

/** The object store or the catalog failed; {@link #unavailable()} when the server could not be reached at all. */
public class StorageException extends IOException {
    private final boolean unavailable;

    public StorageException(String message, boolean unavailable, Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
    }

    public boolean unavailable() {
        return unavailable;
    }
}
