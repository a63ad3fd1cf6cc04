package org.stellaops.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.stellaops.crds.v1alpha1.ImageScan;
import org.stellaops.crds.v1alpha1.ImageScanStatus;
import org.stellaops.operator.config.Storage;
import org.stellaops.operator.scan.ScanPipeline;

/** The read API over scans and the layer catalog. Findings are served from the stored report, never from etcd. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ScansResource {
    @Inject
    KubernetesClient client;
    @Inject
    Storage storage;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scan(String namespace, String name, String image, String platform, String policyRef, ImageScanStatus status) {
    }

    public record Digests(List<String> digests) {
    }

    public record Missing(List<String> missing, String analyzerVersion) {
    }

    @GET
    @Path("/namespaces/{namespace}/scans/{name}")
    @Operation(summary = "An ImageScan's spec summary and status")
    public Scan scan(@PathParam("namespace") String namespace, @PathParam("name") String name) {
        ImageScan s = find(namespace, name);
        return new Scan(namespace, name, s.getSpec().image, s.getSpec().platform, s.getSpec().policyRef, s.getStatus());
    }

    @GET
    @Path("/namespaces/{namespace}/scans/{name}/sbom")
    @Produces({"application/vnd.cyclonedx+json", "application/spdx+json", "application/x.vnd.cyclonedx+protobuf",
            MediaType.APPLICATION_JSON})
    @Operation(summary = "The scan's SBOM (format cyclonedx-json, spdx-json or cyclonedx-protobuf; view inventory or usage)")
    public Response sbom(@PathParam("namespace") String namespace, @PathParam("name") String name,
                         @QueryParam("format") @DefaultValue("cyclonedx-json") String format,
                         @QueryParam("view") @DefaultValue("inventory") String view) throws IOException {
        if (!view.equals("inventory") && !view.equals("usage")) {
            throw Problem.of(400, "Bad Request", "view must be inventory or usage");
        }
        if (!format.equals("cyclonedx-json") && !format.equals("spdx-json") && !format.equals("cyclonedx-protobuf")) {
            throw Problem.of(400, "Bad Request", "format must be cyclonedx-json, spdx-json or cyclonedx-protobuf");
        }
        ImageScan s = completed(namespace, name);
        String stored = ScanPipeline.sbomName(format, view);
        if (s.getStatus().sbom == null || !s.getStatus().sbom.keys.containsKey(stored)) {
            throw Problem.of(404, "Not Found", "the scan did not store the " + view + " view as " + format
                    + " (see spec.views and spec.formats)");
        }
        byte[] body = storage.objects().get(s.getStatus().sbom.keys.get(stored))
                .orElseThrow(() -> Problem.of(404, "Not Found", "the SBOM object is missing from the store"));
        String type = switch (format) {
            case "spdx-json" -> "application/spdx+json";
            case "cyclonedx-protobuf" -> "application/x.vnd.cyclonedx+protobuf";
            default -> "application/vnd.cyclonedx+json";
        };
        return Response.ok(body, type).build();
    }

    @GET
    @Path("/namespaces/{namespace}/scans/{name}/report")
    @Operation(summary = "The scan's report: every finding with its verdict and explanation")
    public Response report(@PathParam("namespace") String namespace, @PathParam("name") String name) throws IOException {
        ImageScan s = completed(namespace, name);
        byte[] body = storage.objects().get(s.getStatus().report.key)
                .orElseThrow(() -> Problem.of(404, "Not Found", "the report object is missing from the store"));
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }

    @POST
    @Path("/layers/missing")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Which of the given layer digests the catalog has not analyzed (for the current analyzer set)")
    public Missing missing(Digests body) throws IOException {
        if (body == null || body.digests() == null) {
            throw Problem.of(400, "Bad Request", "body must be {\"digests\": [\"sha256:…\", …]}");
        }
        if (body.digests().size() > 10_000) {
            throw Problem.of(413, "Payload Too Large", "at most 10000 digests per request");
        }
        for (String d : body.digests()) {
            if (d == null || !d.matches("sha256:[0-9a-f]{64}")) {
                throw Problem.of(400, "Bad Request", "not a sha256 digest: " + d);
            }
        }
        String version = ScanPipeline.ANALYZERS.version();
        return new Missing(storage.catalog().missing(body.digests(), version), version);
    }

    private ImageScan find(String namespace, String name) {
        ImageScan s = client.resources(ImageScan.class).inNamespace(namespace).withName(name).get();
        if (s == null) {
            throw Problem.of(404, "Not Found", "ImageScan " + namespace + "/" + name + " not found");
        }
        return s;
    }

    private ImageScan completed(String namespace, String name) {
        ImageScan s = find(namespace, name);
        if (s.getStatus() == null || s.getStatus().phase != ImageScanStatus.Phase.Completed) {
            throw Problem.of(409, "Conflict", "ImageScan " + namespace + "/" + name + " is not completed ("
                    + (s.getStatus() == null ? "Pending" : s.getStatus().phase) + ")");
        }
        return s;
    }
}
