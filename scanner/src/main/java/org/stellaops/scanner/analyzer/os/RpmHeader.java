package org.stellaops.scanner.analyzer.os;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An rpm header blob as stored in every rpmdb backend: {@code il} and {@code dl} (big-endian int32), {@code il}
 * index entries of 16 bytes (tag, type, offset, count), then {@code dl} bytes of data. Hand-written because no
 * maintained Java library reads rpmdb headers; the format is documented in rpm's {@code doc/manual/format.md}.
 */
public final class RpmHeader {
    static final int NAME = 1000, VERSION = 1001, RELEASE = 1002, EPOCH = 1003, LICENSE = 1014, VENDOR = 1011,
            ARCH = 1022, SOURCERPM = 1044, DIRINDEXES = 1116, BASENAMES = 1117, DIRNAMES = 1118, OLDFILENAMES = 1027,
            MODULARITYLABEL = 5096;
    private static final int TYPE_INT32 = 4, TYPE_STRING = 6, TYPE_STRING_ARRAY = 8, TYPE_I18NSTRING = 9;
    private static final int MAX_ENTRIES = 0xffff;
    private static final int MAX_DATA = 256 * 1024 * 1024;

    private record Entry(int type, int offset, int count) {
    }

    private final ByteBuffer data;
    private final Map<Integer, Entry> entries = new HashMap<>();

    private RpmHeader(ByteBuffer data) {
        this.data = data;
    }

    /** Parses a header blob; throws IllegalArgumentException naming what is wrong. */
    public static RpmHeader parse(byte[] blob) {
        if (blob.length < 8) {
            throw new IllegalArgumentException("header blob of " + blob.length + " bytes is too short");
        }
        ByteBuffer b = ByteBuffer.wrap(blob);
        int il = b.getInt(0);
        int dl = b.getInt(4);
        if (il < 1 || il > MAX_ENTRIES || dl < 0 || dl > MAX_DATA || 8L + 16L * il + dl > blob.length) {
            throw new IllegalArgumentException("header blob with " + il + " entries and " + dl + " data bytes does not fit in "
                    + blob.length + " bytes");
        }
        int dataStart = 8 + 16 * il;
        RpmHeader h = new RpmHeader(ByteBuffer.wrap(blob, dataStart, dl).slice());
        for (int i = 0; i < il; i++) {
            int o = 8 + 16 * i;
            int tag = b.getInt(o);
            int type = b.getInt(o + 4);
            int offset = b.getInt(o + 8);
            int count = b.getInt(o + 12);
            if (offset < 0 || offset > dl) {
                throw new IllegalArgumentException("tag " + tag + " points outside the data (" + offset + ")");
            }
            h.entries.put(tag, new Entry(type, offset, count));
        }
        return h;
    }

    public String string(int tag) {
        Entry e = entries.get(tag);
        if (e == null || !(e.type == TYPE_STRING || e.type == TYPE_I18NSTRING || e.type == TYPE_STRING_ARRAY)) {
            return null;
        }
        return readString(e.offset);
    }

    public List<String> strings(int tag) {
        Entry e = entries.get(tag);
        List<String> out = new ArrayList<>();
        if (e == null || e.type != TYPE_STRING_ARRAY && e.type != TYPE_I18NSTRING && e.type != TYPE_STRING) {
            return out;
        }
        int o = e.offset;
        for (int i = 0; i < e.count && o < data.limit(); i++) {
            String s = readString(o);
            out.add(s);
            o += s.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return out;
    }

    public int[] ints(int tag) {
        Entry e = entries.get(tag);
        if (e == null || e.type != TYPE_INT32) {
            return new int[0];
        }
        if (e.count < 0 || (long) e.offset + 4L * e.count > data.limit()) {
            throw new IllegalArgumentException("int32 array of tag " + tag + " exceeds the data");
        }
        int[] out = new int[e.count];
        for (int i = 0; i < e.count; i++) {
            out[i] = data.getInt(e.offset + 4 * i);
        }
        return out;
    }

    public Integer intValue(int tag) {
        int[] v = ints(tag);
        return v.length > 0 ? v[0] : null;
    }

    /** Installed file paths: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or OLDFILENAMES; without leading slash. */
    public List<String> files() {
        List<String> base = strings(BASENAMES);
        List<String> dirs = strings(DIRNAMES);
        int[] idx = ints(DIRINDEXES);
        List<String> out = new ArrayList<>();
        if (!base.isEmpty() && idx.length == base.size()) {
            for (int i = 0; i < base.size(); i++) {
                if (idx[i] >= 0 && idx[i] < dirs.size()) {
                    out.add(strip(dirs.get(idx[i]) + base.get(i)));
                }
            }
        } else {
            strings(OLDFILENAMES).forEach(f -> out.add(strip(f)));
        }
        return out;
    }

    private static String strip(String p) {
        return p.startsWith("/") ? p.substring(1) : p;
    }

    private String readString(int offset) {
        int end = offset;
        while (end < data.limit() && data.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - offset];
        data.get(offset, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
