package org.stellaops.operator.sources;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;
import org.stellaops.core.advisories.AdvisoryFormatException;
import org.stellaops.core.advisories.DocumentErrors;
import org.stellaops.core.advisories.InputTooLargeException;
import org.stellaops.core.net.OutboundException;
import org.stellaops.core.vex.VexFormatException;
import org.stellaops.storage.StorageException;

/**
 * What a failed sync may say outside the operator (status.errors, Events, logs at info and above). Messages of our own
 * exceptions are written for that; any other exception is named by its kind only, since its message may quote a
 * document (a parser's), a response, or a storage URI with credentials. The full exception goes to the debug log.
 */
public final class SafeErrors {
    private SafeErrors() {
    }

    public static String message(Throwable e) {
        if (e instanceof SourceException || e instanceof AdvisoryFormatException || e instanceof VexFormatException
                || e instanceof OutboundException || e instanceof InputTooLargeException) {
            return e.getMessage();
        }
        if (e instanceof JsonProcessingException j) {
            return DocumentErrors.describe(j, "JSON");
        }
        if (e instanceof StorageException s) {
            return s.unavailable() ? "storage unavailable; retrying" : "storage error (details in the operator log)";
        }
        if (e instanceof KubernetesClientException k) {
            return "Kubernetes API error " + k.getCode();
        }
        if (e instanceof UnknownHostException) {
            return "host does not resolve";
        }
        if (e instanceof ConnectException || e instanceof HttpTimeoutException || e instanceof java.net.SocketTimeoutException) {
            return "connection failed (" + e.getClass().getSimpleName() + ")";
        }
        if (e instanceof SSLException) {
            return "TLS handshake failed (" + e.getClass().getSimpleName() + ")";
        }
        if (e instanceof java.io.IOException && e.getClass() == java.io.IOException.class && e.getCause() == null) {
            return e.getMessage(); // plain IOExceptions are thrown with our own messages (HTTP status, redirects)
        }
        return "sync failed (" + e.getClass().getSimpleName() + "; details in the operator log at debug level)";
    }
}
