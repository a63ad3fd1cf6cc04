package org.stellaops.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** VEX statements from one issuer, with the trust the consensus gives them. */
@Group(ImageScan.GROUP)
@Version(ImageScan.VERSION)
@ShortNames("vexsrc")
@AdditionalPrinterColumn(name = "Statements", jsonPath = ".status.statements", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class VexSource extends CustomResource<VexSourceSpec, SourceStatus> implements Namespaced {
}
