package org.stellaops.core.model;

/**
 * One tar entry of a layer, as the composed filesystem and the usage view need it. Stored in fragments through
 * {@link FileRecordsCodec}.
 *
 * @param path   normalized path, no leading slash
 * @param kind   f (regular), d (directory), l (symlink), h (hard link), o (other: device, fifo)
 * @param size   bytes of a regular file, 0 otherwise
 * @param mode   permission bits
 * @param target link target for symlinks and hard links, null otherwise
 */
public record FileRecord(String path, String kind, long size, int mode, String target) {
    public boolean isDirectory() {
        return "d".equals(kind);
    }
}
