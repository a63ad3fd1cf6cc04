package org.stellaops.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.stellaops.admission.AdmissionReviews;
import org.stellaops.admission.Decision;
import org.stellaops.admission.Request;
import org.stellaops.core.json.Json;

/** {@code POST /validate}: an AdmissionReview v1 in, its answer out; a review that cannot be judged gets a 400. */
@Path("/validate")
public class ValidateResource {
    private static final Logger LOG = Logger.getLogger(ValidateResource.class);

    @Inject
    Decisions decisions;
    @Inject
    MeterRegistry meters;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Produces(MediaType.APPLICATION_JSON)
    public Response validate(byte[] body) {
        Timer.Sample sample = Timer.start(meters);
        Request r;
        try {
            r = AdmissionReviews.parse(body);
        } catch (AdmissionReviews.BadReview e) {
            count("error", "none", "bad-request");
            sample.stop(timer());
            ObjectNode err = Json.mapper().createObjectNode().put("kind", "Status").put("apiVersion", "v1")
                    .put("status", "Failure").put("code", 400).put("reason", "BadRequest").put("message", e.getMessage());
            return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Json.write(err)).build();
        }
        Decision d = decisions.decide(r);
        count(d.allowed() ? "allowed" : "refused", d.mode() == null ? "none" : d.mode(), d.reason());
        sample.stop(timer());
        if (!d.allowed()) {
            logDeny(r, d);
        }
        return Response.ok(AdmissionReviews.write(AdmissionReviews.response(r.uid(), d)), MediaType.APPLICATION_JSON).build();
    }

    private void count(String result, String mode, String reason) {
        meters.counter("stella_admission_decisions_total", "result", result, "mode", mode, "reason", reason).increment();
    }

    private Timer timer() {
        return Timer.builder("stella_admission_latency").description("Time to answer an AdmissionReview")
                .publishPercentileHistogram().register(meters);
    }

    /** One structured line per refusal (JSON): who asked, which Policy, which images and why — never document content. */
    private static void logDeny(Request r, Decision d) {
        ObjectNode o = Json.mapper().createObjectNode().put("event", "admission-denied").put("uid", r.uid()).put("kind", r.kind())
                .put("namespace", r.namespace()).put("name", r.name()).put("operation", r.operation())
                .put("user", r.userInfo() == null ? null : r.userInfo().getUsername()).put("policy", d.policy())
                .put("mode", d.mode()).put("reason", d.reason()).put("dryRun", r.dryRun());
        ArrayNode images = o.putArray("images");
        for (Decision.ImageResult i : d.images()) {
            if (!i.outcome().equals("pass") && !i.outcome().equals("exempt")) {
                images.addObject().put("container", i.container()).put("image", i.image()).put("digest", i.digest())
                        .put("outcome", i.outcome()).put("detail", i.detail());
            }
        }
        LOG.info(new String(Json.write(o), java.nio.charset.StandardCharsets.UTF_8));
    }
}
