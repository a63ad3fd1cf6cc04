package org.stellaops.scanner.layer;

import org.stellaops.core.store.Limits;

/**
 * Size limits of layer analysis. Each layer thread holds at most one wanted file in memory, so the heap a scan needs
 * grows with parallelism times {@code maxInMemoryFileBytes}; larger wanted files (fat jars, big binaries) are spilled
 * to a temp file and read from there (memory-mapped or streamed), up to {@code maxFileBytes}; still larger files are
 * listed but not analyzed. Nested archives follow the same in-memory limit, and their inflation is bounded in total,
 * per entry count and by compression ratio.
 *
 * @param maxInMemoryFileBytes  largest file content read into the heap ({@code STELLA_SCAN_MAX_IN_MEMORY_BYTES}, default 32 MiB)
 * @param maxFileBytes          largest file analyzed at all ({@code STELLA_SCAN_MAX_FILE_BYTES}, default 512 MiB)
 * @param maxArchiveInflated    bytes all entries of one archive (with its nested ones) may inflate to
 *                              ({@code STELLA_SCAN_MAX_ARCHIVE_INFLATED_BYTES}, default 2 GiB)
 * @param maxArchiveEntries     entries of one archive read at most ({@code STELLA_SCAN_MAX_ARCHIVE_ENTRIES}, default 200,000)
 * @param maxCompressionRatio   largest inflated/compressed ratio of an archive entry past 1 MiB (default 200)
 */
public record ScanLimits(long maxInMemoryFileBytes, long maxFileBytes, long maxArchiveInflated, long maxArchiveEntries,
                         long maxCompressionRatio) {

    public ScanLimits {
        if (maxInMemoryFileBytes <= 0 || maxInMemoryFileBytes > Integer.MAX_VALUE - 8 || maxFileBytes <= 0
                || maxFileBytes > Integer.MAX_VALUE || maxArchiveInflated <= 0 || maxArchiveEntries <= 0 || maxCompressionRatio <= 1) {
            throw new IllegalArgumentException("scan limits out of range: in-memory " + maxInMemoryFileBytes + ", file " + maxFileBytes
                    + ", archive " + maxArchiveInflated + " bytes / " + maxArchiveEntries + " entries, ratio " + maxCompressionRatio);
        }
    }

    public static final ScanLimits DEFAULT = new ScanLimits(32L << 20, 512L << 20, 2L << 30, 200_000, 200);

    /** The defaults overridden by {@code stella.scan.*} system properties or {@code STELLA_SCAN_*} environment variables. */
    public static ScanLimits fromEnvironment() {
        return new ScanLimits(
                Limits.bytes("stella.scan.maxInMemoryBytes", "STELLA_SCAN_MAX_IN_MEMORY_BYTES", DEFAULT.maxInMemoryFileBytes),
                Limits.bytes("stella.scan.maxFileBytes", "STELLA_SCAN_MAX_FILE_BYTES", DEFAULT.maxFileBytes),
                Limits.bytes("stella.scan.maxArchiveInflatedBytes", "STELLA_SCAN_MAX_ARCHIVE_INFLATED_BYTES", DEFAULT.maxArchiveInflated),
                Limits.bytes("stella.scan.maxArchiveEntries", "STELLA_SCAN_MAX_ARCHIVE_ENTRIES", DEFAULT.maxArchiveEntries),
                Limits.bytes("stella.scan.maxCompressionRatio", "STELLA_SCAN_MAX_COMPRESSION_RATIO", DEFAULT.maxCompressionRatio));
    }
}
