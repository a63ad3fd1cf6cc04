package org.stellaops.admission;

import java.util.List;
import java.util.Map;

/**
 * What the webhook answers, and the side effects it asks for ({@code scans}, {@code breakGlassReason} → an Event); the
 * caller performs side effects only when the request is not a dry run.
 *
 * @param reason low-cardinality reason for metrics and logs: excluded, not-judged, no-policy, exempt, pass, warn, fail,
 *               unknown, scan-pending, break-glass
 */
public record Decision(boolean allowed, int code, String message, List<String> warnings, Map<String, String> auditAnnotations,
                       String reason, String mode, String policy, List<ImageResult> images, List<ScanRequest> scans,
                       String breakGlassReason) {

    /** The judgement of one container image. {@code outcome}: pass, warn, fail, unknown, exempt. */
    public record ImageResult(String container, String image, String digest, String outcome, String detail, List<String> findings,
                              String reportKey) {
    }

    /** An ImageScan to create (unknown: scan). */
    public record ScanRequest(String namespace, String image, String digest, String policyNamespace, String policyName) {
    }
}
