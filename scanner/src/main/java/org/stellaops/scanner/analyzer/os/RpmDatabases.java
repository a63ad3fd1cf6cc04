package org.stellaops.scanner.analyzer.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConnection;

/**
 * Reads the header blobs out of the three rpmdb backends. BerkeleyDB and NDB have no maintained Java reader, so their
 * page formats are read here (BerkeleyDB hash access method: db_page.h; NDB: rpm's lib/backend/ndb/rpmpkg.c).
 */
final class RpmDatabases {
    private static final int BDB_HASH_MAGIC = 0x061561;
    private static final int P_HASH_UNSORTED = 2, P_OVERFLOW = 7, P_HASH = 13;
    private static final int H_OFFPAGE = 3, H_KEYDATA = 1;
    private static final int PAGE_HEADER = 26;

    private RpmDatabases() {
    }

    /** BerkeleyDB hash database {@code Packages}: the data items, each an rpm header blob. */
    static List<byte[]> berkeleyDb(byte[] db) {
        return berkeleyDb(ByteBuffer.wrap(db));
    }

    /** BerkeleyDB from a buffer (a wrapped array or a mapped spill file). */
    static List<byte[]> berkeleyDb(ByteBuffer db) {
        if (db.limit() < 512) {
            throw new IllegalArgumentException("BerkeleyDB file of " + db.limit() + " bytes is too short");
        }
        ByteBuffer b = db.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(12) != BDB_HASH_MAGIC) {
            b.order(ByteOrder.BIG_ENDIAN);
            if (b.getInt(12) != BDB_HASH_MAGIC) {
                throw new IllegalArgumentException("not a BerkeleyDB hash database (magic 0x"
                        + Integer.toHexString(b.order(ByteOrder.LITTLE_ENDIAN).getInt(12)) + ")");
            }
        }
        int pageSize = b.getInt(20);
        if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("BerkeleyDB page size " + pageSize + " is invalid");
        }
        long lastPage = Integer.toUnsignedLong(b.getInt(32));
        if ((lastPage + 1) * pageSize > db.limit()) {
            throw new IllegalArgumentException("BerkeleyDB file is truncated: " + (lastPage + 1) + " pages of " + pageSize
                    + " bytes declared, " + db.limit() + " bytes present");
        }
        long pages = lastPage + 1;
        List<byte[]> out = new ArrayList<>();
        for (long p = 1; p < pages; p++) {
            int base = (int) (p * pageSize);
            int type = b.get(base + 25) & 0xff;
            if (type != P_HASH && type != P_HASH_UNSORTED) {
                continue;
            }
            int entries = b.getShort(base + 20) & 0xffff;
            for (int i = 1; i < entries; i += 2) { // odd indexes are data items; even ones keys
                int off = b.getShort(base + PAGE_HEADER + 2 * i) & 0xffff;
                if (off >= pageSize) {
                    throw new IllegalArgumentException("page " + p + ": item offset " + off + " beyond the page");
                }
                int itemType = b.get(base + off) & 0xff;
                if (itemType == H_OFFPAGE) {
                    long next = Integer.toUnsignedLong(b.getInt(base + off + 4));
                    long total = Integer.toUnsignedLong(b.getInt(base + off + 8));
                    out.add(overflow(b, db.limit(), pageSize, next, total));
                } else if (itemType == H_KEYDATA) {
                    int prev = i == 0 ? pageSize : (b.getShort(base + PAGE_HEADER + 2 * (i - 1)) & 0xffff);
                    int end = Math.min(prev, pageSize);
                    if (end > off + 1) {
                        byte[] v = new byte[end - off - 1];
                        b.get(base + off + 1, v);
                        out.add(v);
                    }
                }
            }
        }
        return out;
    }

    private static byte[] overflow(ByteBuffer b, int fileLength, int pageSize, long page, long total) {
        if (total > 256L * 1024 * 1024) {
            throw new IllegalArgumentException("overflow item of " + total + " bytes is implausible");
        }
        byte[] out = new byte[(int) total];
        int filled = 0;
        int hops = 0;
        while (page != 0 && filled < total) {
            long base = page * pageSize;
            if (base + pageSize > fileLength || hops++ > fileLength / pageSize) {
                throw new IllegalArgumentException("overflow chain leaves the file at page " + page);
            }
            int len = b.getShort((int) base + 22) & 0xffff; // hf_offset holds the bytes used on overflow pages
            if ((b.get((int) base + 25) & 0xff) != P_OVERFLOW || len > pageSize - PAGE_HEADER) {
                throw new IllegalArgumentException("page " + page + " is not a valid overflow page");
            }
            int n = (int) Math.min(len, total - filled);
            b.get((int) base + PAGE_HEADER, out, filled, n);
            filled += n;
            page = Integer.toUnsignedLong(b.getInt((int) base + 16));
        }
        if (filled != total) {
            throw new IllegalArgumentException("overflow chain ended after " + filled + " of " + total + " bytes");
        }
        return out;
    }

    /** NDB {@code Packages.db}: a 32-byte header, slot pages, and blobs in 16-byte blocks. */
    static List<byte[]> ndb(byte[] db) {
        return ndb(ByteBuffer.wrap(db));
    }

    /** NDB from a buffer (a wrapped array or a mapped spill file). */
    static List<byte[]> ndb(ByteBuffer db) {
        ByteBuffer b = db.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (db.limit() < 4096 || b.getInt(0) != ('R' | 'p' << 8 | 'm' << 16 | 'P' << 24)) {
            throw new IllegalArgumentException("not an NDB package database (missing RpmP magic)");
        }
        if (b.getInt(4) != 0) {
            throw new IllegalArgumentException("NDB version " + b.getInt(4) + " is not supported");
        }
        long slotPages = Integer.toUnsignedLong(b.getInt(12));
        if (slotPages * 4096 > db.limit()) {
            throw new IllegalArgumentException("NDB claims " + slotPages + " slot pages but the file is " + db.limit() + " bytes");
        }
        int slotMagic = 'S' | 'l' << 8 | 'o' << 16 | 't' << 24;
        int blobMagic = 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24;
        List<byte[]> out = new ArrayList<>();
        for (long o = 32; o < slotPages * 4096; o += 16) {
            if (b.getInt((int) o) != slotMagic) {
                throw new IllegalArgumentException("NDB slot at offset " + o + " has no Slot magic");
            }
            long blkoff = Integer.toUnsignedLong(b.getInt((int) o + 8));
            if (blkoff == 0) {
                continue;
            }
            long pos = blkoff * 16;
            if (pos + 16 > db.limit() || b.getInt((int) pos) != blobMagic) {
                throw new IllegalArgumentException("NDB blob at block " + blkoff + " is missing or has no BlbS magic");
            }
            long len = Integer.toUnsignedLong(b.getInt((int) pos + 12));
            if (pos + 16 + len > db.limit()) {
                throw new IllegalArgumentException("NDB blob at block " + blkoff + " is truncated");
            }
            byte[] blob = new byte[(int) len];
            b.get((int) pos + 16, blob);
            out.add(blob);
        }
        return out;
    }

    /**
     * SQLite {@code rpmdb.sqlite}: table Packages(hnum, blob), read from memory through SQLite's deserialize interface
     * (sqlite-jdbc), so nothing of the image is written to disk.
     */
    static List<byte[]> sqlite(byte[] db) {
        List<byte[]> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            byte[] image = db.clone();
            if (image.length > 100 && image[18] == 2 && image[19] == 2) {
                image[18] = 1; // rpm keeps its database in WAL mode, which an in-memory copy cannot open:
                image[19] = 1; // mark the copy as a rollback-journal database (header bytes 18 and 19)
            }
            c.unwrap(SQLiteConnection.class).deserialize("main", image);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT blob FROM Packages ORDER BY hnum")) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("not a readable rpm SQLite database: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * SQLite {@code rpmdb.sqlite} too large for memory: opened read-only from the layer reader's private spill file,
     * whose header is switched from WAL to rollback-journal mode first (as for the in-memory copy).
     */
    static List<byte[]> sqlite(java.nio.file.Path spill) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(spill,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(20);
            ch.read(h, 0);
            if (h.position() == 20 && h.get(18) == 2 && h.get(19) == 2) {
                ch.write(ByteBuffer.wrap(new byte[] {1, 1}), 18);
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a readable rpm SQLite database: " + e.getMessage(), e);
        }
        List<byte[]> out = new ArrayList<>();
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + spill, config.toProperties());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT blob FROM Packages ORDER BY hnum")) {
            while (rs.next()) {
                out.add(rs.getBytes(1));
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("not a readable rpm SQLite database: " + e.getMessage(), e);
        }
        return out;
    }
}
