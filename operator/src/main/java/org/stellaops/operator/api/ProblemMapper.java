package org.stellaops.operator.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;
import org.stellaops.storage.StorageException;

/** Every exception becomes problem+json; storage outages are 503, unexpected errors 500 without internals. */
@Provider
public class ProblemMapper implements ExceptionMapper<Exception> {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    @Context
    UriInfo uri;

    @Override
    public Response toResponse(Exception e) {
        String path = uri == null ? null : uri.getPath();
        if (e instanceof WebApplicationException w) {
            if (Problem.MEDIA_TYPE.equals(String.valueOf(w.getResponse().getMediaType()))) {
                return w.getResponse();
            }
            int status = w.getResponse().getStatus();
            return Problem.response(status, w.getResponse().getStatusInfo().getReasonPhrase(), w.getMessage(), path);
        }
        if (e instanceof StorageException s) {
            return Problem.response(503, "Storage Unavailable", s.getMessage(), path);
        }
        LOG.warnf(e, "request %s failed", path);
        return Problem.response(500, "Internal Error", e.getClass().getSimpleName(), path);
    }
}
