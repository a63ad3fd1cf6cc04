package org.stellaops.scanner.sbom;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Evidence;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.component.evidence.Occurrence;
import org.cyclonedx.model.license.Expression;
import org.cyclonedx.model.metadata.ToolInformation;
import org.stellaops.scanner.image.ResolvedImage;

/**
 * CycloneDX 1.6 JSON through cyclonedx-core-java. Deterministic: components in purl order, properties sorted, no
 * timestamp unless asked, and a serial number derived from the document's content (a name-based UUID of its bytes).
 */
public final class CycloneDxWriter {
    private static final String PLACEHOLDER = "urn:uuid:00000000-0000-0000-0000-000000000000";

    public byte[] write(ImageInventory inv, SbomMetadata meta) {
        // The serial number is a name-based UUID of the document written with a placeholder serial: serialize once,
        // hash, then put the real serial in place of the placeholder.
        Bom bom = build(inv, meta);
        bom.setSerialNumber(PLACEHOLDER);
        String doc = json(bom);
        return (doc.replace(PLACEHOLDER, "urn:uuid:" + contentUuid(doc)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String json(Bom bom) {
        try {
            return BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString();
        } catch (Exception e) {
            throw new IllegalStateException("CycloneDX serialization failed: " + e.getMessage(), e);
        }
    }

    Bom build(ImageInventory inv, SbomMetadata meta) {
        ResolvedImage img = inv.image();
        Bom bom = new Bom();
        bom.setVersion(1);
        Metadata md = new Metadata();
        // cyclonedx-core-java stamps the current time by default; without an explicit timestamp the SBOM has none
        md.setTimestamp(meta.timestamp() == null ? null : java.util.Date.from(java.time.Instant.parse(meta.timestamp())));
        org.cyclonedx.model.Component tool = new org.cyclonedx.model.Component();
        tool.setType(org.cyclonedx.model.Component.Type.APPLICATION);
        tool.setGroup("org.stellaops");
        tool.setName("stella");
        tool.setVersion(meta.toolVersion());
        ToolInformation ti = new ToolInformation();
        ti.setComponents(List.of(tool));
        md.setToolChoice(ti);
        org.cyclonedx.model.Component subject = new org.cyclonedx.model.Component();
        subject.setType(org.cyclonedx.model.Component.Type.CONTAINER);
        subject.setName(img.name());
        subject.setVersion(img.manifestDigest());
        String imagePurl = Purls.ofImage(img.name(), img.manifestDigest());
        subject.setPurl(imagePurl);
        subject.setBomRef(imagePurl);
        List<Property> sp = new ArrayList<>();
        addProp(sp, "stella:image:reference", img.reference());
        addProp(sp, "stella:image:tag", img.tag());
        addProp(sp, "stella:image:manifestDigest", img.manifestDigest());
        addProp(sp, "stella:image:indexDigest", img.indexDigest());
        addProp(sp, "stella:image:configDigest", img.configDigest());
        addProp(sp, "stella:image:platform", img.platform().toString());
        addProp(sp, "stella:image:created", img.config().created());
        if (inv.os() != null) {
            addProp(sp, "stella:os:id", inv.os().id());
            addProp(sp, "stella:os:versionId", inv.os().versionId());
            addProp(sp, "stella:os:prettyName", inv.os().prettyName());
        }
        for (int i = 0; i < img.layers().size(); i++) {
            addProp(sp, "stella:layer:" + i + ":digest", img.layers().get(i).digest());
            addProp(sp, "stella:layer:" + i + ":diffId", img.layers().get(i).diffId());
        }
        usage(sp, inv);
        subject.setProperties(sp);
        md.setComponent(subject);
        bom.setMetadata(md);
        List<org.cyclonedx.model.Component> comps = new ArrayList<>();
        for (Component c : inv.components()) {
            comps.add(component(c));
        }
        bom.setComponents(comps);
        return bom;
    }

    /** The trace's outcome on the image: status and counts in both views; every unresolved edge in the usage view. */
    private static void usage(List<Property> sp, ImageInventory inv) {
        addProp(sp, "stella:view", inv.view());
        org.stellaops.scanner.trace.UsageTrace u = inv.usage();
        if (u == null) {
            return;
        }
        addProp(sp, "stella:usage:status", u.status());
        addProp(sp, "stella:usage:command", String.join(" ", u.command()));
        addProp(sp, "stella:usage:reachedFiles", Integer.toString(u.reached().size()));
        addProp(sp, "stella:usage:unresolvedEdges", Integer.toString(u.unresolved().size()));
        for (String stop : u.stops()) {
            addProp(sp, "stella:usage:stop", stop);
        }
        if (ImageInventory.USAGE.equals(inv.view())) {
            for (org.stellaops.scanner.trace.UsageTrace.Unresolved e : u.unresolved()) {
                addProp(sp, "stella:usage:unresolved", (e.from() == null ? "" : "/" + e.from() + ": ") + e.what() + ": "
                        + e.reason() + (e.conditional() ? " (conditional)" : ""));
            }
        }
    }

    private static org.cyclonedx.model.Component component(Component c) {
        org.cyclonedx.model.Component x = new org.cyclonedx.model.Component();
        x.setBomRef(c.bomRef());
        x.setType(type(c));
        if (c.namespace() != null && !c.type().equals("deb") && !c.type().equals("apk") && !c.type().equals("rpm")) {
            x.setGroup(c.namespace());
        }
        x.setName(c.name());
        if (c.version() != null) {
            x.setVersion(c.version());
        }
        x.setPurl(c.purl());
        LicenseChoice lc = licenses(c.licenses());
        if (lc != null) {
            x.setLicenses(lc);
        }
        List<Property> props = new ArrayList<>();
        addProp(props, "stella:analyzer", c.analyzer());
        addProp(props, "stella:confidence", c.confidence());
        addProp(props, "stella:evidence:path", c.evidencePath());
        addProp(props, "stella:layer:diffId", c.diffId());
        addProp(props, "stella:layer:digest", c.layerDigest());
        addProp(props, "stella:layer:index", Integer.toString(c.layerIndex()));
        for (Map.Entry<String, String> e : c.properties().entrySet()) {
            addProp(props, e.getKey(), e.getValue());
        }
        props.sort((a, b) -> a.getName().compareTo(b.getName()));
        x.setProperties(props);
        Evidence ev = new Evidence();
        Occurrence o = new Occurrence();
        o.setLocation("/" + c.evidencePath());
        ev.setOccurrences(List.of(o));
        x.setEvidence(ev);
        return x;
    }

    private static org.cyclonedx.model.Component.Type type(Component c) {
        if (c.type().equals("deb") || c.type().equals("apk") || c.type().equals("rpm")) {
            return org.cyclonedx.model.Component.Type.LIBRARY;
        }
        if ("binary".equals(c.analyzer()) || ("generic".equals(c.type()) && "java".equals(c.analyzer()))) {
            return org.cyclonedx.model.Component.Type.APPLICATION;
        }
        return "true".equals(c.properties().get("stella:go:mainModule")) ? org.cyclonedx.model.Component.Type.APPLICATION
                : org.cyclonedx.model.Component.Type.LIBRARY;
    }

    static LicenseChoice licenses(List<String> licenses) {
        if (licenses.isEmpty()) {
            return null;
        }
        if (licenses.size() == 1 && looksLikeExpression(licenses.get(0))) {
            LicenseChoice lc = new LicenseChoice();
            lc.setExpression(new Expression(licenses.get(0).trim()));
            return lc;
        }
        LicenseChoice out = new LicenseChoice();
        for (String l : licenses) {
            License lic = new License();
            java.util.Optional<String> spdx = SpdxLicenses.resolve(l);
            if (spdx.isPresent() && !looksLikeExpression(spdx.get())) {
                lic.setId(spdx.get());
            } else {
                lic.setName(l);
            }
            out.addLicense(lic);
        }
        return out;
    }

    static boolean looksLikeExpression(String s) {
        return s.matches("\\(?[A-Za-z0-9.+-]+( (AND|OR|WITH) \\(?[A-Za-z0-9.+-]+\\)?)+\\)?");
    }

    private static void addProp(List<Property> props, String name, String value) {
        if (value != null && !value.isBlank()) {
            Property p = new Property();
            p.setName(name);
            p.setValue(value);
            props.add(p);
        }
    }

    static UUID contentUuid(String content) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            h[6] = (byte) ((h[6] & 0x0f) | 0x50); // version 5 layout (name-based, SHA family)
            h[8] = (byte) ((h[8] & 0x3f) | 0x80);
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = (msb << 8) | (h[i] & 0xff);
                lsb = (lsb << 8) | (h[i + 8] & 0xff);
            }
            return new UUID(msb, lsb);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
