package org.stellaops.scanner.analyzer.binary;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Minimal ELF section table reader (32/64-bit, either byte order): enough to find {@code .go.buildinfo} and
 * {@code .dep-v0} and to map virtual addresses to file offsets. Hand-written: no maintained Java ELF library is on
 * Maven Central, and only the section headers are needed.
 */
final class Elf {
    record Section(String name, long addr, long offset, long size) {
    }

    final ByteBuffer buf;
    final boolean is64;
    final List<Section> sections = new ArrayList<>();

    private Elf(ByteBuffer data) {
        if (data.limit() < 52 || data.get(0) != 0x7f || data.get(1) != 'E' || data.get(2) != 'L' || data.get(3) != 'F') {
            throw new IllegalArgumentException("not an ELF file");
        }
        is64 = data.get(4) == 2;
        buf = data.duplicate().order(data.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long shoff = is64 ? buf.getLong(0x28) : Integer.toUnsignedLong(buf.getInt(0x20));
        int shentsize = Short.toUnsignedInt(buf.getShort(is64 ? 0x3A : 0x2E));
        int shnum = Short.toUnsignedInt(buf.getShort(is64 ? 0x3C : 0x30));
        int shstrndx = Short.toUnsignedInt(buf.getShort(is64 ? 0x3E : 0x32));
        if (shoff <= 0 || shnum == 0 || shentsize < (is64 ? 64 : 40) || shoff + (long) shnum * shentsize > buf.limit()
                || shstrndx >= shnum) {
            return; // stripped of section headers: callers fall back to scanning the bytes
        }
        long[][] raw = new long[shnum][4];
        for (int i = 0; i < shnum; i++) {
            int o = (int) (shoff + (long) i * shentsize);
            raw[i][0] = Integer.toUnsignedLong(buf.getInt(o));
            raw[i][1] = is64 ? buf.getLong(o + 0x10) : Integer.toUnsignedLong(buf.getInt(o + 0x0C));
            raw[i][2] = is64 ? buf.getLong(o + 0x18) : Integer.toUnsignedLong(buf.getInt(o + 0x10));
            raw[i][3] = is64 ? buf.getLong(o + 0x20) : Integer.toUnsignedLong(buf.getInt(o + 0x14));
        }
        long strOff = raw[shstrndx][2];
        long strSize = raw[shstrndx][3];
        for (long[] s : raw) {
            sections.add(new Section(name(strOff, strSize, s[0]), s[1], s[2], s[3]));
        }
    }

    static Optional<Elf> parse(byte[] data) {
        return parse(ByteBuffer.wrap(data));
    }

    /** Parses the section table of a buffer (a wrapped array or a mapped file, at most 2 GiB). */
    static Optional<Elf> parse(ByteBuffer data) {
        try {
            return Optional.of(new Elf(data));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String name(long strOff, long strSize, long idx) {
        long start = strOff + idx;
        if (idx >= strSize || start >= buf.limit()) {
            return "";
        }
        int end = (int) start;
        while (end < buf.limit() && end < strOff + strSize && buf.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - (int) start];
        buf.get((int) start, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name.equals(name)).findFirst();
    }

    /** The section bytes, if present and inside the file (SHT_NOBITS sections have none). */
    Optional<byte[]> sectionBytes(String name) {
        return section(name).filter(s -> s.offset >= 0 && s.offset + s.size <= buf.limit() && s.size > 0).map(s -> {
            byte[] b = new byte[(int) s.size];
            buf.get((int) s.offset, b);
            return b;
        });
    }

    /** File offset of a virtual address, via the section that contains it; -1 when none does. */
    long offsetOf(long addr) {
        for (Section s : sections) {
            if (s.addr != 0 && addr >= s.addr && addr < s.addr + s.size) {
                return s.offset + (addr - s.addr);
            }
        }
        return -1;
    }
}
