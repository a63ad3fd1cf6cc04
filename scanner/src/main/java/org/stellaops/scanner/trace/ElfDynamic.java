package org.stellaops.scanner.trace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The program interpreter (PT_INTERP) and the dynamic section's DT_NEEDED, DT_RPATH and DT_RUNPATH of an ELF file,
 * read through the program headers (which a stripped binary keeps). Hand-written for the same reason as the section
 * reader of the binary analyzers: no maintained Java ELF library is on Maven Central. Every offset is bounds-checked;
 * a corrupt file gives an {@link IllegalArgumentException} naming the problem.
 */
final class ElfDynamic {
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_STRSZ = 10;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;
    /** Entries read at most from one dynamic section (real ones have well under 100). */
    private static final int MAX_DYN = 4096;

    String interpreter;
    final List<String> needed = new ArrayList<>();
    final List<String> rpath = new ArrayList<>();
    final List<String> runpath = new ArrayList<>();

    static ElfDynamic parse(ByteBuffer data) {
        ElfDynamic d = new ElfDynamic();
        d.read(data);
        return d;
    }

    private void read(ByteBuffer data) {
        if (data.limit() < 52 || data.get(0) != 0x7f || data.get(1) != 'E' || data.get(2) != 'L' || data.get(3) != 'F') {
            throw new IllegalArgumentException("not an ELF file");
        }
        boolean is64 = data.get(4) == 2;
        ByteBuffer b = data.duplicate().order(data.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long phoff = is64 ? b.getLong(0x20) : Integer.toUnsignedLong(b.getInt(0x1C));
        int phentsize = Short.toUnsignedInt(b.getShort(is64 ? 0x36 : 0x2A));
        int phnum = Short.toUnsignedInt(b.getShort(is64 ? 0x38 : 0x2C));
        if (phnum == 0) {
            return; // a relocatable object or a file without program headers: nothing is loaded with it
        }
        if (phoff <= 0 || phentsize < (is64 ? 56 : 32) || phoff + (long) phnum * phentsize > b.limit()) {
            throw new IllegalArgumentException("program headers outside the file");
        }
        List<long[]> loads = new ArrayList<>();
        long dynOff = -1;
        long dynSize = 0;
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            int type = b.getInt(o);
            long offset = is64 ? b.getLong(o + 8) : Integer.toUnsignedLong(b.getInt(o + 4));
            long vaddr = is64 ? b.getLong(o + 16) : Integer.toUnsignedLong(b.getInt(o + 8));
            long filesz = is64 ? b.getLong(o + 32) : Integer.toUnsignedLong(b.getInt(o + 16));
            if (type == PT_LOAD) {
                loads.add(new long[] {offset, vaddr, filesz});
            } else if (type == PT_DYNAMIC) {
                dynOff = offset;
                dynSize = filesz;
            } else if (type == PT_INTERP) {
                interpreter = string(b, offset, offset + filesz);
            }
        }
        if (dynOff < 0) {
            return; // statically linked
        }
        if (dynOff + dynSize > b.limit() || dynSize < 0) {
            throw new IllegalArgumentException("dynamic section outside the file");
        }
        int entry = is64 ? 16 : 8;
        List<long[]> entries = new ArrayList<>();
        long strtab = -1;
        long strsz = -1;
        for (long p = dynOff; p + entry <= dynOff + dynSize; p += entry) {
            long tag = is64 ? b.getLong((int) p) : b.getInt((int) p);
            long val = is64 ? b.getLong((int) p + 8) : Integer.toUnsignedLong(b.getInt((int) p + 4));
            if (tag == 0) {
                break;
            }
            if (entries.size() >= MAX_DYN) {
                throw new IllegalArgumentException("dynamic section has more than " + MAX_DYN + " entries");
            }
            if (tag == DT_STRTAB) {
                strtab = val;
            } else if (tag == DT_STRSZ) {
                strsz = val;
            } else if (tag == DT_NEEDED || tag == DT_RPATH || tag == DT_RUNPATH) {
                entries.add(new long[] {tag, val});
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        if (strtab < 0) {
            throw new IllegalArgumentException("dynamic section without a string table");
        }
        long strOff = -1;
        for (long[] l : loads) {
            if (strtab >= l[1] && strtab < l[1] + l[2]) {
                strOff = l[0] + (strtab - l[1]);
            }
        }
        if (strOff < 0 || strOff >= b.limit()) {
            throw new IllegalArgumentException("dynamic string table outside the loaded segments");
        }
        long strEnd = strsz > 0 ? Math.min(b.limit(), strOff + strsz) : b.limit();
        for (long[] e : entries) {
            if (e[1] < 0 || strOff + e[1] >= strEnd) {
                throw new IllegalArgumentException("dynamic entry names a string outside the string table");
            }
            String s = string(b, strOff + e[1], strEnd);
            if (e[0] == DT_NEEDED) {
                needed.add(s);
            } else {
                for (String part : s.split(":")) {
                    if (!part.isEmpty()) {
                        (e[0] == DT_RPATH ? rpath : runpath).add(part);
                    }
                }
            }
        }
    }

    private static String string(ByteBuffer b, long start, long end) {
        if (start < 0 || start >= b.limit()) {
            throw new IllegalArgumentException("string outside the file");
        }
        int e = (int) start;
        long stop = Math.min(end, Math.min(b.limit(), start + 4096));
        while (e < stop && b.get(e) != 0) {
            e++;
        }
        byte[] bytes = new byte[e - (int) start];
        b.get((int) start, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
