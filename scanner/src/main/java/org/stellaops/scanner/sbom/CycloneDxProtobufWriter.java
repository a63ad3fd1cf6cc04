package org.stellaops.scanner.sbom;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Timestamp;
import cyclonedx.v1_6.Bom16;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Property;
import org.stellaops.core.json.Json;

/**
 * CycloneDX 1.6 protobuf ({@code application/x.vnd.cyclonedx+protobuf; version=1.6}): the same document as
 * {@link CycloneDxWriter}'s JSON, field for field — the same serial number, metadata, components, purls, licenses,
 * properties and evidence — in the message types generated from the published {@code bom-1.6.proto}.
 * cyclonedx-core-java has no protobuf serializer (it ships the .proto files only), so the model it builds is mapped
 * here. Deterministic: the JSON is deterministic, protobuf's deterministic serialization is used, and nothing here
 * adds a clock.
 */
public final class CycloneDxProtobufWriter {
    /** The media type of the CycloneDX protobuf encoding. */
    public static final String MEDIA_TYPE = "application/x.vnd.cyclonedx+protobuf; version=1.6";

    public byte[] write(ImageInventory inv, SbomMetadata meta) {
        CycloneDxWriter json = new CycloneDxWriter();
        String serial;
        try {
            // the serial number of the JSON document (a name-based UUID of its content), so both encodings are one BOM
            serial = Json.mapper().readTree(json.write(inv, meta)).path("serialNumber").asText();
        } catch (IOException e) {
            throw new IllegalStateException("CycloneDX serialization failed: " + e.getMessage(), e);
        }
        Bom16.Bom message = toProto(json.build(inv, meta), serial);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getSerializedSize());
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            message.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("CycloneDX protobuf serialization failed: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    static Bom16.Bom toProto(Bom bom, String serial) {
        Bom16.Bom.Builder b = Bom16.Bom.newBuilder().setSpecVersion("1.6").setVersion(bom.getVersion())
                .setSerialNumber(serial);
        org.cyclonedx.model.Metadata md = bom.getMetadata();
        Bom16.Metadata.Builder m = Bom16.Metadata.newBuilder();
        if (md.getTimestamp() != null) {
            m.setTimestamp(Timestamp.newBuilder().setSeconds(md.getTimestamp().toInstant().getEpochSecond()));
        }
        if (md.getToolChoice() != null && md.getToolChoice().getComponents() != null) {
            Bom16.Tool.Builder tools = Bom16.Tool.newBuilder();
            md.getToolChoice().getComponents().forEach(t -> tools.addComponents(component(t)));
            m.setTools(tools);
        }
        if (md.getComponent() != null) {
            m.setComponent(component(md.getComponent()));
        }
        b.setMetadata(m);
        if (bom.getComponents() != null) {
            bom.getComponents().forEach(c -> b.addComponents(component(c)));
        }
        return b.build();
    }

    private static Bom16.Component component(org.cyclonedx.model.Component c) {
        Bom16.Component.Builder x = Bom16.Component.newBuilder()
                .setType(Bom16.Classification.valueOf("CLASSIFICATION_" + c.getType().name()))
                .setName(c.getName());
        if (c.getBomRef() != null) {
            x.setBomRef(c.getBomRef());
        }
        if (c.getGroup() != null) {
            x.setGroup(c.getGroup());
        }
        if (c.getVersion() != null) {
            x.setVersion(c.getVersion());
        }
        if (c.getPurl() != null) {
            x.setPurl(c.getPurl());
        }
        licenses(c.getLicenses()).forEach(x::addLicenses);
        if (c.getProperties() != null) {
            for (Property p : c.getProperties()) {
                x.addProperties(Bom16.Property.newBuilder().setName(p.getName()).setValue(p.getValue()));
            }
        }
        if (c.getEvidence() != null && c.getEvidence().getOccurrences() != null) {
            Bom16.Evidence.Builder ev = Bom16.Evidence.newBuilder();
            c.getEvidence().getOccurrences().forEach(o -> ev.addOccurrences(
                    Bom16.EvidenceOccurrences.newBuilder().setLocation(o.getLocation())));
            x.setEvidence(ev);
        }
        return x.build();
    }

    private static List<Bom16.LicenseChoice> licenses(LicenseChoice lc) {
        if (lc == null) {
            return List.of();
        }
        if (lc.getExpression() != null) {
            return List.of(Bom16.LicenseChoice.newBuilder().setExpression(lc.getExpression().getValue()).build());
        }
        List<Bom16.LicenseChoice> out = new java.util.ArrayList<>();
        if (lc.getLicenses() != null) {
            for (License l : lc.getLicenses()) {
                Bom16.License.Builder lb = Bom16.License.newBuilder();
                if (l.getId() != null) {
                    lb.setId(l.getId());
                } else {
                    lb.setName(l.getName());
                }
                out.add(Bom16.LicenseChoice.newBuilder().setLicense(lb).build());
            }
        }
        return out;
    }
}
