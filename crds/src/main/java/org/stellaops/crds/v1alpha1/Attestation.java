package org.stellaops.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Signs the SBOM and/or report of a completed ImageScan (DSSE/in-toto), optionally logs and attaches them. */
@Group(ImageScan.GROUP)
@Version(ImageScan.VERSION)
@ShortNames("satt")
@AdditionalPrinterColumn(name = "Subject", jsonPath = ".spec.subject.imageScanRef", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Verified", jsonPath = ".status.verified", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Attestation extends CustomResource<AttestationSpec, AttestationStatus> implements Namespaced {
}
