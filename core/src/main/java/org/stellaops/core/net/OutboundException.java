package org.stellaops.core.net;

import java.io.IOException;

/** An outbound request refused by the {@link OutboundPolicy}, or a response over a configured bound; the message is safe to show. */
public final class OutboundException extends IOException {
    public OutboundException(String message) {
        super(message);
    }
}
