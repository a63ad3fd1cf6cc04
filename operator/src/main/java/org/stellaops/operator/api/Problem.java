package org.stellaops.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** RFC 7807 problem details, the body of every error the API returns ({@code application/problem+json}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static WebApplicationException of(int status, String title, String detail) {
        return new WebApplicationException(response(status, title, detail, null));
    }

    public static Response response(int status, String title, String detail, String instance) {
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem("https://stella-ops.org/problems/" + title.toLowerCase().replace(' ', '-'), title, status, detail, instance))
                .build();
    }
}
