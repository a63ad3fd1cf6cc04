package org.stellaops.scanner.testing;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.util.Digests;

/** Builds small layer tars in memory for tests of the layer reader (whiteouts, links, hostile entries). */
public final class TestLayers {
    private final List<Object[]> entries = new ArrayList<>();

    public TestLayers file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public TestLayers file(String name, byte[] content, int mode) {
        entries.add(new Object[] {"f", name, content, mode});
        return this;
    }

    public TestLayers dir(String name) {
        entries.add(new Object[] {"d", name, null, 0755});
        return this;
    }

    public TestLayers symlink(String name, String target) {
        entries.add(new Object[] {"l", name, target, 0777});
        return this;
    }

    public TestLayers hardlink(String name, String target) {
        entries.add(new Object[] {"h", name, target, 0644});
        return this;
    }

    public byte[] tar() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Object[] e : entries) {
                    String kind = (String) e[0];
                    String name = (String) e[1];
                    TarArchiveEntry t;
                    switch (kind) {
                        case "d" -> t = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
                        case "l" -> {
                            t = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
                            t.setLinkName((String) e[2]);
                        }
                        case "h" -> {
                            t = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
                            t.setLinkName((String) e[2]);
                        }
                        default -> {
                            t = new TarArchiveEntry(name, true);
                            t.setSize(((byte[]) e[2]).length);
                        }
                    }
                    t.setMode((Integer) e[3] | (kind.equals("d") ? 040000 : kind.equals("l") ? 0120000 : 0100000));
                    t.setModTime(0);
                    tar.putArchiveEntry(t);
                    if (kind.equals("f")) {
                        tar.write((byte[]) e[2]);
                    }
                    tar.closeArchiveEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    public static byte[] zstd(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new ZstdOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    /** The layer descriptor of a blob whose uncompressed form is {@code tar}. */
    public static LayerRef ref(byte[] blob, byte[] tar) {
        return new LayerRef(Digests.sha256(blob), "application/vnd.oci.image.layer.v1.tar+gzip", blob.length, Digests.sha256(tar));
    }
}
