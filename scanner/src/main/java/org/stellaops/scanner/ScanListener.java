package org.stellaops.scanner;

import org.stellaops.core.model.LayerFragment;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.ResolvedImage;

/** Progress of a scan, for the CLI's human and machine output and for workers' logs. Called from worker threads. */
public interface ScanListener {
    default void resolved(ResolvedImage image) {
    }

    default void layerStarted(int index, LayerRef layer) {
    }

    default void layerDone(int index, LayerRef layer, LayerFragment fragment, boolean cached, long millis) {
    }

    ScanListener NONE = new ScanListener() {
    };
}
