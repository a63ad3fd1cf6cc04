package org.stellaops.scanner.analyzer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A regular file of a layer handed to an analyzer: small files with their content read once from the tar stream into
 * memory; files larger than the in-memory limit ({@link org.stellaops.scanner.layer.ScanLimits}) spilled to a private
 * temp file, which only analyzers that {@linkplain Analyzer#acceptsSpilled() accept spilled files} get, through
 * {@link #buffer()} (memory-mapped, so outside the Java heap), {@link #open()} or {@link #spilled()}.
 *
 * @param path    normalized path without leading slash
 * @param mode    permission bits
 * @param content the bytes, or null when the file is spilled
 * @param spilled the temp file holding the bytes, or null when they are in memory
 * @param size    the size in bytes
 */
public record LayerFile(String path, int mode, byte[] content, Path spilled, long size) {

    public LayerFile(String path, int mode, byte[] content) {
        this(path, mode, content, null, content.length);
    }

    public LayerFile {
        if ((content == null) == (spilled == null)) {
            throw new IllegalArgumentException("a layer file has either its content or a spill file");
        }
    }

    public boolean inMemory() {
        return content != null;
    }

    /** The content as UTF-8 text (in-memory files only). */
    public String text() {
        return new String(content(), StandardCharsets.UTF_8);
    }

    /** The content in memory; fails for a spilled file (analyzers that accept those use {@link #buffer()} or {@link #open()}). */
    @Override
    public byte[] content() {
        if (content == null) {
            throw new IllegalStateException(path + " is spilled to disk (" + size + " bytes)");
        }
        return content;
    }

    /** The content as a read-only buffer: the array wrapped, or the spill file mapped (outside the heap). */
    public ByteBuffer buffer() throws IOException {
        if (content != null) {
            return ByteBuffer.wrap(content).asReadOnlyBuffer();
        }
        try (FileChannel ch = FileChannel.open(spilled, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
    }

    public InputStream open() throws IOException {
        return content != null ? new ByteArrayInputStream(content) : Files.newInputStream(spilled);
    }

    public String fileName() {
        int s = path.lastIndexOf('/');
        return s >= 0 ? path.substring(s + 1) : path;
    }

    /** True for an in-memory file starting with {@code #!}. */
    public boolean isScript() {
        return content != null && content.length >= 3 && content[0] == '#' && content[1] == '!';
    }

    public boolean isElf() {
        if (content != null) {
            return content.length > 52 && content[0] == 0x7f && content[1] == 'E' && content[2] == 'L' && content[3] == 'F';
        }
        if (size <= 52) {
            return false;
        }
        try (InputStream in = Files.newInputStream(spilled)) {
            byte[] h = in.readNBytes(4);
            return h.length == 4 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }
}
