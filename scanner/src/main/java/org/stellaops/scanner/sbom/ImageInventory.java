package org.stellaops.scanner.sbom;

import java.util.List;
import org.stellaops.core.model.OsRelease;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.trace.UsageTrace;

/**
 * The composed view of an image: the final filesystem's packages, attributed to layers.
 *
 * @param view  {@code inventory} (everything on disk) or {@code usage} (only what the entrypoint reaches)
 * @param usage the entrypoint trace, null when none was run
 */
public record ImageInventory(ResolvedImage image, OsRelease os, List<Component> components, List<String> warnings,
                             String view, UsageTrace usage) {

    public static final String INVENTORY = "inventory";
    public static final String USAGE = "usage";

    public ImageInventory(ResolvedImage image, OsRelease os, List<Component> components, List<String> warnings) {
        this(image, os, components, warnings, INVENTORY, null);
    }

    /** The usage view: the components the entrypoint reaches (each with its chain), and the trace's status. */
    public ImageInventory usageView() {
        return new ImageInventory(image, os, components.stream()
                .filter(c -> "true".equals(c.properties().get(UsageView.USED))).toList(), warnings, USAGE, usage);
    }
}
