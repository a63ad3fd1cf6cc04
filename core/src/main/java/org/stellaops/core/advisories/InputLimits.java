package org.stellaops.core.advisories;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Bounds on what feed inputs may grow to once read or inflated: a downloaded response, one document (a file, a zip
 * entry, a gunzipped document), everything one zip or offline kit inflates to, and the entries of one zip. Inputs past a
 * bound fail with {@link InputTooLargeException} naming the input and the bound; the bytes counted are the ones actually
 * inflated, never the sizes an archive declares.
 *
 * @param maxDownloadBytes  one HTTP response body
 * @param maxDocumentBytes  one document after decompression
 * @param maxInflatedBytes  all entries of one zip or offline kit together, after decompression
 * @param maxEntries        entries of one zip
 */
public record InputLimits(long maxDownloadBytes, long maxDocumentBytes, long maxInflatedBytes, int maxEntries) {
    private static final long MIB = 1024L * 1024;
    public static final InputLimits DEFAULT = new InputLimits(512 * MIB, 64 * MIB, 1024 * MIB, 500_000);

    public InputLimits {
        if (maxDownloadBytes <= 0 || maxDocumentBytes <= 0 || maxInflatedBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("input limits must be positive");
        }
        if (maxDocumentBytes >= Integer.MAX_VALUE - 8 || maxInflatedBytes >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("document and inflated limits must be below 2 GiB (documents are read into memory)");
        }
    }

    /** Whether the bytes start with the gzip magic number (1f 8b). */
    public static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /** The name a gzip-compressed document has once inflated: without a trailing {@code .gz}. */
    public static String gunzippedName(String origin) {
        return origin.endsWith(".gz") ? origin.substring(0, origin.length() - 3) : origin;
    }

    /** Inflates a gzip document (every member), at most {@link #maxDocumentBytes}. */
    public byte[] gunzip(byte[] data, String origin) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return readDocument(in, origin, "inflates");
        } catch (ZipException | java.io.EOFException e) {
            throw new AdvisoryFormatException(origin, null, "not readable gzip data (corrupt or truncated)");
        }
    }

    /** Reads one document from a stream, failing past {@link #maxDocumentBytes}. */
    public byte[] readDocument(InputStream in, String origin, String verb) throws IOException {
        byte[] data = in.readNBytes((int) maxDocumentBytes + 1);
        if (data.length > maxDocumentBytes) {
            throw new InputTooLargeException(origin + ": " + verb + " to more than " + maxDocumentBytes
                    + " bytes (the limit for one document)");
        }
        return data;
    }

    /** What a zip holds, read entry by entry within the bounds. */
    public interface EntryHandler {
        void entry(String name, byte[] data) throws IOException;
    }

    /**
     * Reads every file entry of a zip, counting entries and inflated bytes. An entry larger than {@code perEntry} bytes
     * fails the whole zip, as do more than {@link #maxEntries} entries or more than {@link #maxInflatedBytes} in all.
     */
    public void readZip(InputStream zip, String origin, long perEntry, EntryHandler handler) throws IOException {
        long total = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(zip)) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (++entries > maxEntries) {
                    throw new InputTooLargeException(origin + ": more than " + maxEntries + " zip entries (the limit for one zip)");
                }
                if (e.isDirectory()) {
                    continue;
                }
                long bound = Math.min(perEntry, maxInflatedBytes - total);
                byte[] data = in.readNBytes((int) bound + 1);
                if (data.length > bound) {
                    throw new InputTooLargeException(origin + "!/" + e.getName() + ": " + (bound == perEntry
                            ? "inflates to more than " + perEntry + " bytes (the limit for one document)"
                            : "the zip inflates to more than " + maxInflatedBytes + " bytes (the limit for one zip)"));
                }
                total += data.length;
                handler.entry(e.getName(), data);
            }
        } catch (ZipException ex) {
            throw new AdvisoryFormatException(origin, null, "not a readable zip (corrupt or not a zip)");
        }
    }
}
