package org.stellaops.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One vulnerability in one component, as the decider reports it.
 *
 * @param vulnerability  the vulnerability's key (its CVE id when it has one)
 * @param aliases        every id of it from every source, sorted
 * @param purl           the component
 * @param fixState       fixed (a fix is available), not-fixed, will-not-fix, postponed, end-of-life
 * @param distroStatus   the distro's own triage word, for OS packages
 * @param severity       the chosen severity: CRITICAL, HIGH, MEDIUM, LOW, NEGLIGIBLE or UNKNOWN
 * @param severitySource which source the severity came from, and severityReason why that one
 * @param severities     every source's severity, "source type score"
 * @param matchReason    why the component matched
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Finding(String vulnerability, List<String> aliases, String purl, String installedVersion,
                      List<String> fixedVersions, String fixState, String distroStatus, String severity,
                      String severitySource, String severityReason, List<String> severities, boolean kev, Double epss,
                      String layerDigest, String evidencePath, String matchReason, List<String> advisorySources) {
    public Finding {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        fixedVersions = fixedVersions == null ? List.of() : List.copyOf(fixedVersions);
        severities = severities == null ? List.of() : List.copyOf(severities);
        advisorySources = advisorySources == null ? List.of() : List.copyOf(advisorySources);
    }

    /** A stable id of the finding within a report: vulnerability and component. */
    public String key() {
        return vulnerability + "|" + purl + "|" + (evidencePath == null ? "" : evidencePath);
    }
}
