package org.stellaops.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A request to scan one image: its SBOM, the decider's verdict and (optionally) attestations. */
@Group(ImageScan.GROUP)
@Version(ImageScan.VERSION)
@ShortNames({"iscan", "iscans"})
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ImageScan extends CustomResource<ImageScanSpec, ImageScanStatus> implements Namespaced {
    public static final String GROUP = "stella-ops.org";
    public static final String VERSION = "v1alpha1";

    @Override
    protected ImageScanSpec initSpec() {
        return new ImageScanSpec();
    }

    @Override
    protected ImageScanStatus initStatus() {
        return new ImageScanStatus();
    }
}
