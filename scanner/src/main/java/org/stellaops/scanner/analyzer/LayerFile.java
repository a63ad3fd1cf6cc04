package org.stellaops.scanner.analyzer;

import java.nio.charset.StandardCharsets;

/**
 * A regular file of a layer handed to an analyzer, with its content read once from the tar stream.
 *
 * @param path    normalized path without leading slash
 * @param mode    permission bits
 * @param content the bytes
 */
public record LayerFile(String path, int mode, byte[] content) {
    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    public String fileName() {
        int s = path.lastIndexOf('/');
        return s >= 0 ? path.substring(s + 1) : path;
    }

    public boolean isElf() {
        return content.length > 52 && content[0] == 0x7f && content[1] == 'E' && content[2] == 'L' && content[3] == 'F';
    }
}
