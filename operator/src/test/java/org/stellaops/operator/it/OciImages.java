package org.stellaops.operator.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.stellaops.core.json.Digests;

/**
 * One-layer OCI layouts with a layer no other test has: one whose config names a wrong diffID (a real worker fails on it
 * with a digest mismatch) and a valid one.
 */
final class OciImages {
    private OciImages() {
    }

    static Path brokenLayout(Path dir) throws IOException {
        return layout(dir, true);
    }

    static Path freshLayout(Path dir) throws IOException {
        return layout(dir, false);
    }

    private static Path layout(Path dir, boolean broken) throws IOException {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(plain)) {
            byte[] content = ((broken ? "broken" : "fresh") + " layer " + System.nanoTime() + "\n").getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("etc/broken.txt");
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(plain.toByteArray());
        }
        byte[] layer = gz.toByteArray();
        String wrongDiffId = broken ? "sha256:" + "0".repeat(64) : Digests.sha256(plain.toByteArray());
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + wrongDiffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digests.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + Digests.sha256(layer)
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        for (byte[] b : new byte[][] {layer, config, manifest}) {
            Files.write(blobs.resolve(Digests.sha256(b).substring(7)), b);
        }
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + Digests.sha256(manifest) + "\",\"size\":" + manifest.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"1\"}}]}");
        return dir;
    }
}
