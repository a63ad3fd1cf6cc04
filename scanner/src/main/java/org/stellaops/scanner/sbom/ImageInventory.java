package org.stellaops.scanner.sbom;

import java.util.List;
import org.stellaops.core.model.OsRelease;
import org.stellaops.scanner.image.ResolvedImage;

/** The composed view of an image: the final filesystem's packages, attributed to layers. */
public record ImageInventory(ResolvedImage image, OsRelease os, List<Component> components, List<String> warnings) {
}
