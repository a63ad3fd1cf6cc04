package org.stellaops.scanner.sbom;

/**
 * What an SBOM says about its own making.
 *
 * @param toolVersion the Stella Ops version
 * @param timestamp   ISO-8601 UTC creation time to write, or null to omit it (CycloneDX) / use the image's creation
 *                    time (SPDX, which requires one) — so that the same image gives byte-identical files
 */
public record SbomMetadata(String toolVersion, String timestamp) {
}
