package org.stellaops.scanner.sbom;

import java.util.List;
import java.util.SortedMap;

/**
 * One component of the composed image inventory: a package with its purl, the layer that introduced it and its evidence.
 *
 * @param bomRef       stable reference, unique in the document (purl, or purl + evidence hash when the purl repeats)
 * @param purl         canonical package URL
 * @param layerIndex   index of the introducing layer, bottom = 0
 * @param layerDigest  its blob digest
 * @param diffId       its uncompressed digest
 * @param properties   record properties plus composition facts (ownership)
 */
public record Component(String bomRef, String purl, String type, String namespace, String name, String version,
                        List<String> licenses, int layerIndex, String layerDigest, String diffId, String evidencePath,
                        String analyzer, String confidence, SortedMap<String, String> properties, List<String> files) {
}
