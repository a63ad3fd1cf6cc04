package org.stellaops.scanner;

import java.util.List;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.scanner.sbom.ImageInventory;

/** Everything a scan produced: the fragments (bottom to top), the composed inventory, and what was read. */
public record ScanResult(List<LayerFragment> fragments, ImageInventory inventory, int cachedLayers, int analyzedLayers) {
}
