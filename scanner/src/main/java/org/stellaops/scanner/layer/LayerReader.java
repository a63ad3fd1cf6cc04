package org.stellaops.scanner.layer;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.stellaops.core.model.ExecRecord;
import org.stellaops.core.model.FileList;
import org.stellaops.core.model.FileRecord;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.model.OsRelease;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.trace.ExecAnalyzer;
import org.stellaops.scanner.util.Digests;

/**
 * Streams one layer blob once: detects gzip / zstd / plain tar by magic bytes, walks the tar entries, records files,
 * whiteouts and opaque directories, and hands wanted file contents to the analyzers. Wanted files up to the in-memory
 * limit are read into memory; larger ones are spilled to a private temp file (deleted after analysis) and given only
 * to analyzers that read spilled files; files above the file limit are listed but not analyzed ({@link ScanLimits}).
 * The compressed digest is verified by the caller's stream; the uncompressed one (diffID) here.
 */
public final class LayerReader {
    /** Bytes of analyzed content kept so that hard links to it can be analyzed under their own path. */
    private static final long HARDLINK_CACHE_BYTES = 16L * 1024 * 1024;
    /** Larger analyzed files are not kept for hard links (hard-linked jars and binaries are rare in images). */
    private static final long HARDLINK_CACHE_ENTRY = 1024 * 1024;

    private final AnalyzerSet analyzers;
    private final ScanLimits limits;

    public LayerReader(AnalyzerSet analyzers) {
        this.analyzers = analyzers;
        this.limits = analyzers.limits();
    }

    public LayerFragment read(InputStream blob, LayerRef layer) throws IOException {
        String what = "layer " + layer.digest();
        Collector sink = new Collector();
        List<FileRecord> files = new ArrayList<>();
        TreeSet<String> whiteouts = new TreeSet<>();
        TreeSet<String> opaque = new TreeSet<>();
        Map<String, byte[]> linkable = new HashMap<>();
        long linkableBytes = 0;
        BufferedInputStream buffered = new BufferedInputStream(blob, 65536);
        InputStream decompressed;
        String compression;
        try {
            buffered.mark(8);
            byte[] magic = buffered.readNBytes(4);
            buffered.reset();
            if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                compression = "gzip";
                decompressed = GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get();
            } else if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                    && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
                compression = "zstd";
                decompressed = new ZstdCompressorInputStream(buffered);
            } else {
                compression = "none";
                decompressed = buffered;
            }
        } catch (IOException e) {
            throw ScanException.badInput(what + ": cannot read the compressed stream: " + e.getMessage(), e);
        }
        // Large reads into the decompressor: the tar reader asks for 512-byte records, and one native inflate call
        // per record costs more than the inflating itself.
        Digests.VerifyingInputStream tarBytes = new Digests.VerifyingInputStream(
                new BufferedInputStream(decompressed, 256 * 1024), layer.diffId(), what + " (uncompressed, diffID)");
        String current = null;
        try {
            // Entry names as UTF-8, never the platform charset: a container without LANG runs Java with US-ASCII, and
            // GNU tar writes non-ASCII names (Debian's ca-certificates has several) as raw UTF-8 bytes. PAX path and
            // linkpath records, when present, are UTF-8 by definition and take precedence (commons-compress applies them).
            TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name());
            TarArchiveEntry e;
            String previous = null;
            while (true) {
                current = previous == null ? "(the first entry)" : "(the entry after '" + previous + "')";
                e = tar.getNextEntry();
                if (e == null) {
                    break;
                }
                current = "'" + e.getName() + "'";
                previous = e.getName();
                String path = normalize(e.getName());
                if (path == null) {
                    sink.warn(what + ": entry '" + e.getName() + "' escapes the layer root; skipped");
                    continue;
                }
                if (path.isEmpty()) {
                    continue;
                }
                String name = Analyzer.fileName(path);
                String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
                if (name.equals(".wh..wh..opq")) {
                    opaque.add(parent);
                    continue;
                }
                if (name.startsWith(".wh.")) {
                    whiteouts.add((parent.isEmpty() ? "" : parent + "/") + name.substring(4));
                    continue;
                }
                int mode = e.getMode() & 07777;
                if (e.isDirectory()) {
                    files.add(new FileRecord(path, "d", 0, mode, null));
                } else if (e.isSymbolicLink()) {
                    files.add(new FileRecord(path, "l", 0, mode, e.getLinkName()));
                } else if (e.isLink()) {
                    String target = normalize(e.getLinkName());
                    files.add(new FileRecord(path, "h", 0, mode, target == null ? e.getLinkName() : target));
                    byte[] content = target == null ? null : linkable.get(target);
                    if (content != null) {
                        dispatch(new LayerFile(path, mode, content), content.length, sink, what);
                    }
                } else if (e.isFile()) {
                    long size = e.isSparse() ? e.getRealSize() : e.getSize();
                    files.add(new FileRecord(path, "f", size, mode, null));
                    byte[] content = readIfWanted(tar, path, size, mode, sink, what);
                    if (content != null && content.length <= HARDLINK_CACHE_ENTRY
                            && linkableBytes + content.length <= HARDLINK_CACHE_BYTES) {
                        linkable.put(path, content);
                        linkableBytes += content.length;
                    }
                } else {
                    files.add(new FileRecord(path, "o", 0, mode, null));
                }
            }
            current = null;
            tarBytes.drainAndVerify();
            blob.transferTo(OutputStreamNull.INSTANCE);
        } catch (Digests.DigestMismatchException ex) {
            throw ScanException.badInput(ex.getMessage(), ex);
        } catch (ZipException | EOFException ex) {
            throw ScanException.badInput(what + ": corrupt or truncated " + compression + " stream"
                    + (current != null ? " at entry " + current : "") + ": " + ex.getMessage(), ex);
        } catch (IOException | IllegalArgumentException ex) {
            if (ex.getCause() instanceof Digests.DigestMismatchException dm) {
                throw ScanException.badInput(dm.getMessage(), dm);
            }
            throw ScanException.badInput(what + ": unreadable " + (compression.equals("none") ? "tar" : compression + "-compressed tar")
                    + (current != null ? " at entry " + current : "") + ": " + ex.getMessage(), ex);
        }
        files.sort(Comparator.comparing(FileRecord::path));
        return new LayerFragment(LayerFragment.SCHEMA, layer.digest(), layer.diffId(), analyzers.version(), files,
                List.copyOf(whiteouts), List.copyOf(opaque), sink.sortedPackages(), sink.sortedFileLists(),
                sink.osReleases, sink.warnings, sink.sortedExecs());
    }

    private byte[] readIfWanted(TarArchiveInputStream tar, String path, long size, int mode, Collector sink, String what)
            throws IOException {
        List<Analyzer> byPath = analyzers.wanting(path, size);
        boolean elfCandidate = analyzers.anyWantsElf() && size > 64 && ((mode & 0111) != 0 || path.contains(".so"));
        boolean scriptCandidate = analyzers.anyWantsScripts() && (mode & 0111) != 0 && size >= 3
                && size <= ExecAnalyzer.SCRIPT_LIMIT;
        if (byPath.isEmpty() && !elfCandidate && !scriptCandidate) {
            return null;
        }
        if (size > limits.maxFileBytes()) {
            sink.warn(what + ": " + path + " (" + size + " bytes) is larger than " + limits.maxFileBytes()
                    + " bytes (STELLA_SCAN_MAX_FILE_BYTES); not analyzed");
            return null;
        }
        byte[] head = tar.readNBytes(4);
        boolean elf = head.length == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        boolean script = scriptCandidate && head.length >= 2 && head[0] == '#' && head[1] == '!';
        if (byPath.isEmpty() && !(elf && elfCandidate) && !script) {
            return null;
        }
        if (size > limits.maxInMemoryFileBytes()) {
            spillAndDispatch(tar, path, size, mode, head, sink, what);
            return null;
        }
        // the tar header gives the exact size: one array, no growing copies
        byte[] content = new byte[(int) size];
        System.arraycopy(head, 0, content, 0, head.length);
        int filled = head.length + tar.readNBytes(content, head.length, content.length - head.length);
        if (filled < content.length) {
            throw new EOFException(path + ": entry ends after " + filled + " of " + size + " bytes");
        }
        dispatch(new LayerFile(path, mode, content), size, sink, what);
        return content;
    }

    /** A wanted file past the in-memory limit: copied to a private temp file (0600), analyzed from there, deleted. */
    private void spillAndDispatch(TarArchiveInputStream tar, String path, long size, int mode, byte[] head, Collector sink,
                                  String what) throws IOException {
        Path spill = Files.createTempFile("stella-layer-", ".spill");
        try {
            long copied = head.length;
            try (OutputStream out = Files.newOutputStream(spill)) {
                out.write(head);
                byte[] buf = new byte[65536];
                for (int n; copied < size && (n = tar.read(buf, 0, (int) Math.min(buf.length, size - copied))) > 0; ) {
                    out.write(buf, 0, n);
                    copied += n;
                }
            }
            if (copied < size) {
                throw new EOFException(path + ": entry ends after " + copied + " of " + size + " bytes");
            }
            dispatch(new LayerFile(path, mode, null, spill, size), size, sink, what);
        } finally {
            Files.deleteIfExists(spill);
        }
    }

    private void dispatch(LayerFile file, long size, Collector sink, String what) {
        List<Analyzer> targets = new ArrayList<>(analyzers.wanting(file.path(), size));
        if (file.isElf()) {
            for (Analyzer a : analyzers.elfAnalyzers()) {
                if (!targets.contains(a)) {
                    targets.add(a);
                }
            }
        } else if ((file.mode() & 0111) != 0 && file.size() <= ExecAnalyzer.SCRIPT_LIMIT && file.isScript()) {
            for (Analyzer a : analyzers.scriptAnalyzers()) {
                if (!targets.contains(a)) {
                    targets.add(a);
                }
            }
        }
        for (Analyzer a : targets) {
            if (!file.inMemory() && !a.acceptsSpilled()) {
                sink.warn(what + ": " + file.path() + " (" + size + " bytes) is larger than " + limits.maxInMemoryFileBytes()
                        + " bytes (STELLA_SCAN_MAX_IN_MEMORY_BYTES); not analyzed by " + a.name());
                continue;
            }
            try {
                a.analyze(file, sink);
            } catch (IOException | RuntimeException ex) {
                sink.warn(what + ": " + a.name() + " analyzer could not read " + file.path() + ": " + ex.getMessage());
            }
        }
    }

    /**
     * Normalizes a tar entry name to a path relative to the root: strips "./" and "/", resolves "." and "..";
     * returns null when ".." would leave the root.
     */
    public static String normalize(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    private static final class Collector implements FragmentSink {
        final List<PackageRecord> packages = new ArrayList<>();
        final List<FileList> fileLists = new ArrayList<>();
        final List<OsRelease> osReleases = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<ExecRecord> execs = new ArrayList<>();

        @Override
        public void addExec(ExecRecord exec) {
            execs.add(exec);
        }

        @Override
        public void addPackage(PackageRecord pkg) {
            packages.add(pkg);
        }

        @Override
        public void addFileList(String key, String evidencePath, List<String> files) {
            fileLists.add(new FileList(key, evidencePath, files));
        }

        @Override
        public void addOsRelease(OsRelease osRelease) {
            osReleases.add(osRelease);
        }

        @Override
        public void warn(String message) {
            if (warnings.size() < 1000) {
                warnings.add(message);
            }
        }

        List<PackageRecord> sortedPackages() {
            packages.sort(PackageOrder.INSTANCE);
            return packages;
        }

        List<ExecRecord> sortedExecs() {
            execs.sort(Comparator.comparing(ExecRecord::path).thenComparing(ExecRecord::kind));
            return execs;
        }

        List<FileList> sortedFileLists() {
            fileLists.sort(Comparator.comparing(FileList::evidencePath).thenComparing(FileList::key));
            return fileLists;
        }
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
