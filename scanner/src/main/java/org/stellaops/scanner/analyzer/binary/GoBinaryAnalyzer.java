package org.stellaops.scanner.analyzer.binary;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Go binaries: the build information the Go linker embeds ({@code runtime/debug.BuildInfo}): main module,
 * dependencies (with replacements) and the Go version, reported as {@code pkg:golang/stdlib@<version>}. Reads both
 * the inline format (Go 1.18+) and the older pointer format. Hand-written after Go's {@code debug/buildinfo}: no Java
 * library reads it.
 */
public final class GoBinaryAnalyzer implements Analyzer {
    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);

    @Override
    public String name() {
        return "go";
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public boolean wants(String path, long size) {
        return false;
    }

    @Override
    public boolean wantsElf() {
        return true;
    }

    @Override
    public boolean acceptsSpilled() {
        return true;
    }

    /** The build information read from a binary. */
    record BuildInfo(String goVersion, String path, String[] main, List<String[]> deps, List<String> settings) {
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        Optional<BuildInfo> info;
        try {
            info = read(file.buffer());
        } catch (java.io.IOException e) {
            sink.warn(file.path() + ": go analyzer could not read the file: " + e.getMessage());
            return;
        }
        if (info.isEmpty()) {
            return;
        }
        BuildInfo bi = info.get();
        String evidence = file.path();
        String goVersion = bi.goVersion().split("\\s+")[0];
        String stdVersion = goVersion.startsWith("go") ? goVersion.substring(2) : goVersion;
        sink.addPackage(PackageRecord.builder("golang", "stdlib").version(stdVersion)
                .analyzer(name()).evidence(evidence).confidence("high")
                .property("stella:go:toolchain", bi.goVersion())
                .property("stella:go:mainPath", bi.path())
                .build());
        if (bi.main() != null) {
            String version = bi.main()[1];
            sink.addPackage(module(bi.main()[0], "(devel)".equals(version) ? null : version, evidence)
                    .property("stella:go:mainModule", "true")
                    .property("stella:go:sum", bi.main()[2])
                    .property("stella:go:vcsRevision", setting(bi, "vcs.revision"))
                    .property("stella:go:develVersion", "(devel)".equals(version) ? "true" : null)
                    .build());
        }
        if (bi.main() == null && bi.path() != null && !bi.path().startsWith("command-line-arguments")) {
            // built outside module mode (GOPATH, as Debian builds Go): the main package path is the identity, without a version
            sink.addPackage(module(bi.path(), null, evidence).confidence("medium")
                    .property("stella:go:mainModule", "true").build());
        }
        for (String[] dep : bi.deps()) {
            sink.addPackage(module(dep[0], dep[1], evidence).property("stella:go:sum", dep[2])
                    .property("stella:go:replacedFrom", dep.length > 3 ? dep[3] : null)
                    .build());
        }
    }

    private PackageRecord.Builder module(String path, String version, String evidence) {
        int slash = path.lastIndexOf('/');
        return PackageRecord.builder("golang", slash > 0 ? path.substring(slash + 1) : path)
                .namespace(slash > 0 ? path.substring(0, slash) : null).version(version)
                .analyzer(name()).evidence(evidence).confidence("high");
    }

    private static String setting(BuildInfo bi, String key) {
        for (String s : bi.settings()) {
            if (s.startsWith(key + "=")) {
                return s.substring(key.length() + 1);
            }
        }
        return null;
    }

    static Optional<BuildInfo> read(byte[] data) {
        return read(ByteBuffer.wrap(data));
    }

    static Optional<BuildInfo> read(ByteBuffer data) {
        Optional<Elf> elf = Elf.parse(data);
        int start = 0;
        int end = data.limit();
        if (elf.isPresent()) {
            Optional<Elf.Section> s = elf.get().section(".go.buildinfo");
            if (s.isPresent() && s.get().offset() + s.get().size() <= data.limit()) {
                start = (int) s.get().offset();
                end = (int) (s.get().offset() + s.get().size());
            }
        }
        int at = find(data, start, end);
        if (at < 0 || at + 32 > data.limit()) {
            return Optional.empty();
        }
        int ptrSize = data.get(at + 14);
        int flags = data.get(at + 15);
        boolean bigEndian = (flags & 1) != 0;
        String version;
        String mod;
        if ((flags & 2) != 0) {
            int[] pos = {at + 32};
            version = varString(data, pos);
            mod = varString(data, pos);
        } else {
            if (elf.isEmpty() || (ptrSize != 4 && ptrSize != 8)) {
                return Optional.empty();
            }
            ByteBuffer b = data.duplicate().order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            version = goString(elf.get(), b, readPtr(b, at + 16, ptrSize), ptrSize);
            mod = goString(elf.get(), b, readPtr(b, at + 16 + ptrSize, ptrSize), ptrSize);
        }
        if (version == null || version.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parseModInfo(version, mod == null ? "" : mod));
    }

    static BuildInfo parseModInfo(String version, String mod) {
        if (mod.length() >= 33 && mod.charAt(mod.length() - 17) == '\n') {
            mod = mod.substring(16, mod.length() - 16); // sentinel bytes around the text
        }
        String path = null;
        String[] main = null;
        List<String[]> deps = new ArrayList<>();
        List<String> settings = new ArrayList<>();
        for (String line : mod.split("\n")) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "path" -> path = f.length > 1 ? f[1] : null;
                case "mod" -> main = f.length > 2 ? new String[] {f[1], f[2], f.length > 3 ? f[3] : null} : null;
                case "dep" -> {
                    if (f.length > 2) {
                        deps.add(new String[] {f[1], f[2], f.length > 3 ? f[3] : null});
                    }
                }
                case "=>" -> {
                    if (f.length > 2 && !deps.isEmpty()) {
                        String[] replaced = deps.remove(deps.size() - 1);
                        deps.add(new String[] {f[1], f[2], f.length > 3 ? f[3] : null, replaced[0] + "@" + replaced[1]});
                    }
                }
                case "build" -> {
                    if (f.length > 1) {
                        settings.add(f[1]);
                    }
                }
                default -> {
                }
            }
        }
        return new BuildInfo(version, path, main, deps, settings);
    }

    private static int find(ByteBuffer data, int start, int end) {
        outer:
        for (int i = start; i + MAGIC.length <= end; i += 16) {
            for (int k = 0; k < MAGIC.length; k++) {
                if (data.get(i + k) != MAGIC[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String varString(ByteBuffer data, int[] pos) {
        long len = 0;
        int shift = 0;
        while (pos[0] < data.limit()) {
            int b = data.get(pos[0]++) & 0xff;
            len |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 35) {
                return null;
            }
        }
        if (len < 0 || pos[0] + len > data.limit()) {
            return null;
        }
        byte[] bytes = new byte[(int) len];
        data.get(pos[0], bytes);
        String s = new String(bytes, StandardCharsets.UTF_8);
        pos[0] += (int) len;
        return s;
    }

    private static long readPtr(ByteBuffer b, int off, int ptrSize) {
        return ptrSize == 8 ? b.getLong(off) : Integer.toUnsignedLong(b.getInt(off));
    }

    private static String goString(Elf elf, ByteBuffer b, long addr, int ptrSize) {
        long off = elf.offsetOf(addr);
        if (off < 0 || off + 2L * ptrSize > b.limit()) {
            return null;
        }
        long dataAddr = readPtr(b, (int) off, ptrSize);
        long len = readPtr(b, (int) off + ptrSize, ptrSize);
        long dataOff = elf.offsetOf(dataAddr);
        if (dataOff < 0 || len < 0 || len > 1 << 24 || dataOff + len > b.limit()) {
            return null;
        }
        byte[] s = new byte[(int) len];
        b.get((int) dataOff, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
