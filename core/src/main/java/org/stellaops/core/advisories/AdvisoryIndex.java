package org.stellaops.core.advisories;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The compiled advisory index of one feed revision: every advisory of a {@link FeedSet} (canonical order, without
 * origins), the KEV catalog and the EPSS scores in a compact, versioned binary form, loaded by one sequential read
 * instead of parsing every JSON document again.
 *
 * <p>Layout (all integers big-endian): magic {@code STLAIDX\0}, format version (int), the revision (string), then the
 * string table (every distinct string once, in order of first use: ids, names, versions and summaries are interned on
 * load), the advisories as references into that table, KEV, EPSS, the per-ecosystem package table (every
 * {@code type/namespace/name} with affected data, sorted, with the advisories and affected entries that name it; the
 * version range events of each entry follow the advisory, already split into kind and version), and last the sha256 of
 * everything before it. The same revision gives the same bytes whoever builds it and wherever the documents were read
 * from: the content is the canonical list of the revision, nothing of the building machine (paths, clock) enters it.
 *
 * <p>An index is never trusted blindly: a wrong magic, a foreign format version, a digest that does not match, a
 * truncated file or a revision other than the expected one make {@link #read} fail with {@link IndexException}, and
 * {@link #loadOrBuild} rebuilds from the documents with a warning. Hand-written rather than a serialization library:
 * the format must be byte-stable across library versions and decode without reflection; no library we use gives both.
 *
 * <p>A new advisory kind enters the index by producing {@link Advisory} records in {@link FeedSet#add}: the index stores
 * the canonical record, so any field of {@link Advisory} and its nested records is kept. A new field in those records
 * needs a line in {@link #writeAdvisory}/{@link Reader#advisory} and a new {@link #FORMAT_VERSION}, so that indexes of
 * the old format are rebuilt.
 */
public final class AdvisoryIndex {
    /** The format's version: an index of any other version is rebuilt, never read. */
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "STLAIDX\0".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;

    /** An index that cannot be used: it names the file and the problem, never content. */
    public static final class IndexException extends IOException {
        public IndexException(String message) {
            super(message);
        }
    }

    private AdvisoryIndex() {
    }

    /** The index of the feed set's revision. */
    public static byte[] write(FeedSet feeds) {
        List<Advisory> advisories = FeedSet.canonical(feeds.advisories());
        Strings strings = new Strings();
        ByteArrayOutputStream bodyBytes = new ByteArrayOutputStream(1 << 20);
        try {
            DataOutputStream body = new DataOutputStream(bodyBytes);
            body.writeInt(advisories.size());
            for (Advisory a : advisories) {
                writeAdvisory(body, a, strings);
            }
            KevCatalog kev = feeds.kev();
            body.writeBoolean(kev != null);
            if (kev != null) {
                body.writeInt(strings.ref(kev.catalogVersion()));
                Map<String, KevCatalog.Entry> sorted = new TreeMap<>(kev.entries());
                body.writeInt(sorted.size());
                for (KevCatalog.Entry e : sorted.values()) {
                    for (String s : new String[] {e.cve(), e.vendorProject(), e.product(), e.dateAdded(), e.dueDate(),
                            e.knownRansomwareCampaignUse()}) {
                        body.writeInt(strings.ref(s));
                    }
                }
            }
            EpssScores epss = feeds.epss();
            body.writeBoolean(epss != null);
            if (epss != null) {
                body.writeInt(strings.ref(epss.modelVersion()));
                body.writeInt(strings.ref(epss.scoreDate()));
                Map<String, EpssScores.Score> sorted = new TreeMap<>(epss.scores());
                body.writeInt(sorted.size());
                for (Map.Entry<String, EpssScores.Score> e : sorted.entrySet()) {
                    body.writeInt(strings.ref(e.getKey()));
                    body.writeDouble(e.getValue().epss());
                    body.writeDouble(e.getValue().percentile());
                }
            }
            // the per-ecosystem package table: type/namespace/name → (advisory, affected entry), sorted by key
            Map<String, List<int[]>> packages = new TreeMap<>();
            for (int i = 0; i < advisories.size(); i++) {
                List<Advisory.Affected> affected = advisories.get(i).affected();
                for (int j = 0; j < affected.size(); j++) {
                    Advisory.Affected af = affected.get(j);
                    String key = af.purlType() + "/" + (af.namespace() == null ? "" : af.namespace()) + "/" + af.name();
                    packages.computeIfAbsent(key, k -> new ArrayList<>()).add(new int[] {i, j});
                }
            }
            body.writeInt(packages.size());
            for (Map.Entry<String, List<int[]>> e : packages.entrySet()) {
                body.writeInt(strings.ref(e.getKey()));
                body.writeInt(e.getValue().size());
                for (int[] p : e.getValue()) {
                    body.writeInt(p[0]);
                    body.writeInt(p[1]);
                }
            }
            body.flush();

            ByteArrayOutputStream all = new ByteArrayOutputStream(bodyBytes.size() + strings.bytes() + 1024);
            DataOutputStream out = new DataOutputStream(all);
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            writeString(out, feeds.revision());
            out.writeInt(strings.list.size());
            for (String s : strings.list) {
                writeString(out, s);
            }
            bodyBytes.writeTo(out);
            out.flush();
            byte[] content = all.toByteArray();
            byte[] digest = sha256(content, content.length);
            byte[] result = Arrays.copyOf(content, content.length + DIGEST_BYTES);
            System.arraycopy(digest, 0, result, content.length, DIGEST_BYTES);
            return result;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // writing to memory
        }
    }

    private static void writeAdvisory(DataOutputStream o, Advisory a, Strings s) throws IOException {
        o.writeInt(s.ref(a.id()));
        writeStrings(o, a.aliases(), s);
        o.writeInt(s.ref(a.summary()));
        o.writeInt(s.ref(a.published()));
        o.writeInt(s.ref(a.modified()));
        o.writeInt(s.ref(a.withdrawn()));
        o.writeInt(a.severities().size());
        for (Advisory.Severity v : a.severities()) {
            o.writeInt(s.ref(v.source()));
            o.writeInt(s.ref(v.type()));
            o.writeInt(s.ref(v.score()));
        }
        o.writeInt(a.affected().size());
        for (Advisory.Affected af : a.affected()) {
            for (String x : new String[] {af.ecosystem(), af.purlType(), af.namespace(), af.name(), af.distro(),
                    af.distroStatus(), af.distroSeverity(), af.note()}) {
                o.writeInt(s.ref(x));
            }
            o.writeInt(af.ranges().size());
            for (Advisory.Range r : af.ranges()) {
                o.writeInt(s.ref(r.type()));
                o.writeInt(r.events().size());
                for (Advisory.Event e : r.events()) {
                    o.writeInt(s.ref(e.kind()));
                    o.writeInt(s.ref(e.version()));
                }
            }
            writeStrings(o, af.versions(), s);
        }
        writeStrings(o, a.references(), s);
        o.writeInt(s.ref(a.source()));
    }

    private static void writeStrings(DataOutputStream o, List<String> list, Strings s) throws IOException {
        o.writeInt(list.size());
        for (String x : list) {
            o.writeInt(s.ref(x));
        }
    }

    private static void writeString(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeInt(b.length);
        o.write(b);
    }

    /** Reads an index, checking magic, format version, digest and (when not null) the expected revision. */
    public static FeedSet read(byte[] data, String origin, String expectedRevision) throws IndexException {
        if (data.length < MAGIC.length + 4 + DIGEST_BYTES) {
            throw new IndexException(origin + ": too short for an advisory index (truncated)");
        }
        if (!Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IndexException(origin + ": not an advisory index (wrong magic)");
        }
        int version = ByteBuffer.wrap(data, MAGIC.length, 4).getInt();
        if (version != FORMAT_VERSION) {
            throw new IndexException(origin + ": advisory index format " + version + ", this version reads only "
                    + FORMAT_VERSION);
        }
        int contentLength = data.length - DIGEST_BYTES;
        byte[] digest = sha256(data, contentLength);
        if (!Arrays.equals(digest, 0, DIGEST_BYTES, data, contentLength, data.length)) {
            throw new IndexException(origin + ": the advisory index does not match its digest (corrupt or truncated)");
        }
        try {
            Reader r = new Reader(ByteBuffer.wrap(data, 0, contentLength));
            r.buf.position(MAGIC.length + 4);
            String revision = r.rawString();
            if (expectedRevision != null && !expectedRevision.equals(revision)) {
                throw new IndexException(origin + ": the advisory index is of revision " + revision + ", not " + expectedRevision);
            }
            int n = r.count();
            r.table = new String[n];
            for (int i = 0; i < n; i++) {
                r.table[i] = r.rawString();
            }
            FeedSet feeds = new FeedSet();
            int advisories = r.count();
            List<Advisory> list = feeds.advisories();
            if (list instanceof ArrayList<Advisory> al) {
                al.ensureCapacity(advisories);
            }
            for (int i = 0; i < advisories; i++) {
                list.add(r.advisory());
            }
            if (r.buf.get() != 0) {
                String catalogVersion = r.str();
                int k = r.count();
                Map<String, KevCatalog.Entry> entries = new HashMap<>(k * 2);
                for (int i = 0; i < k; i++) {
                    KevCatalog.Entry e = new KevCatalog.Entry(r.str(), r.str(), r.str(), r.str(), r.str(), r.str());
                    entries.put(e.cve(), e);
                }
                feeds.setKev(new KevCatalog(catalogVersion, Map.copyOf(entries)));
            }
            if (r.buf.get() != 0) {
                String model = r.str();
                String date = r.str();
                int k = r.count();
                Map<String, EpssScores.Score> scores = new HashMap<>(k * 2);
                for (int i = 0; i < k; i++) {
                    scores.put(r.str(), new EpssScores.Score(r.buf.getDouble(), r.buf.getDouble()));
                }
                feeds.setEpss(new EpssScores(model, date, Map.copyOf(scores)));
            }
            int packages = r.count();
            for (int i = 0; i < packages; i++) { // checked for consistency; the matchers build their maps from the records
                r.str();
                int refs = r.count();
                for (int j = 0; j < refs; j++) {
                    int a = r.buf.getInt();
                    int af = r.buf.getInt();
                    if (a < 0 || a >= advisories || af < 0 || af >= list.get(a).affected().size()) {
                        throw new IndexException(origin + ": package table entry " + i + " points outside the advisories");
                    }
                }
            }
            if (r.buf.hasRemaining()) {
                throw new IndexException(origin + ": " + r.buf.remaining() + " unexpected bytes after the package table");
            }
            feeds.setRevision(revision);
            return feeds;
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IndexException(origin + ": the advisory index is malformed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Reads the index file (one sequential read). */
    public static FeedSet read(Path file, String expectedRevision) throws IOException {
        return read(Files.readAllBytes(file), file.toString(), expectedRevision);
    }

    /** Where the documents come from when an index must be (re)built. */
    @FunctionalInterface
    public interface Documents {
        FeedSet load() throws IOException;
    }

    /**
     * The feed set of the index at {@code file}; when it is missing, corrupt, truncated, of another format version or
     * (with {@code expectedRevision}) of another revision, the set is loaded from the documents, the index is written
     * anew (atomically) and, unless it was merely missing, a warning naming the file and the problem goes to
     * {@code warnings}.
     */
    public static FeedSet loadOrBuild(Path file, String expectedRevision, Documents documents, Consumer<String> warnings)
            throws IOException {
        try {
            return read(file, expectedRevision);
        } catch (NoSuchFileException e) {
            // first use of this revision: build it
        } catch (IndexException e) {
            warnings.accept(e.getMessage() + "; rebuilt from the advisory documents");
        }
        FeedSet feeds = documents.load();
        store(file, feeds);
        return feeds;
    }

    /** Writes the index of the set to {@code file} atomically (a temporary file beside it, then a move). */
    public static void store(Path file, FeedSet feeds) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".advisory-index", ".tmp");
        try {
            Files.write(tmp, write(feeds));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The string table being built: reference 0 is null, i + 1 the i-th string. */
    private static final class Strings {
        final List<String> list = new ArrayList<>();
        final Map<String, Integer> refs = new LinkedHashMap<>();
        int bytes;

        int ref(String s) {
            if (s == null) {
                return 0;
            }
            Integer r = refs.get(s);
            if (r == null) {
                list.add(s);
                r = list.size();
                refs.put(s, r);
                bytes += s.length() + 4;
            }
            return r;
        }

        int bytes() {
            return bytes;
        }
    }

    private static final class Reader {
        final ByteBuffer buf;
        String[] table;
        /** Nested records shared between advisories: the same event or severity is one object. */
        final Map<Long, Advisory.Event> events = new HashMap<>();
        final Map<List<Object>, Advisory.Severity> severities = new HashMap<>();

        Reader(ByteBuffer buf) {
            this.buf = buf;
        }

        int count() {
            int n = buf.getInt();
            if (n < 0 || n > buf.remaining()) {
                throw new IllegalArgumentException("count");
            }
            return n;
        }

        String rawString() {
            int n = count();
            String s = new String(buf.array(), buf.arrayOffset() + buf.position(), n, StandardCharsets.UTF_8);
            buf.position(buf.position() + n);
            return s;
        }

        String str() {
            int r = buf.getInt();
            return r == 0 ? null : table[r - 1];
        }

        List<String> strs() {
            int n = count();
            if (n == 0) {
                return List.of();
            }
            String[] a = new String[n];
            for (int i = 0; i < n; i++) {
                a[i] = str();
            }
            return List.of(a);
        }

        Advisory advisory() {
            String id = str();
            List<String> aliases = strs();
            String summary = str();
            String published = str();
            String modified = str();
            String withdrawn = str();
            int ns = count();
            Advisory.Severity[] sev = new Advisory.Severity[ns];
            for (int i = 0; i < ns; i++) {
                String source = str();
                String type = str();
                String score = str();
                sev[i] = severities.computeIfAbsent(Arrays.asList(source, type, score),
                        k -> new Advisory.Severity(source, type, score));
            }
            int na = count();
            Advisory.Affected[] affected = new Advisory.Affected[na];
            for (int i = 0; i < na; i++) {
                String ecosystem = str();
                String purlType = str();
                String namespace = str();
                String name = str();
                String distro = str();
                String distroStatus = str();
                String distroSeverity = str();
                String note = str();
                int nr = count();
                Advisory.Range[] ranges = new Advisory.Range[nr];
                for (int j = 0; j < nr; j++) {
                    String type = str();
                    int ne = count();
                    Advisory.Event[] ev = new Advisory.Event[ne];
                    for (int k = 0; k < ne; k++) {
                        int kind = buf.getInt();
                        int version = buf.getInt();
                        ev[k] = events.computeIfAbsent(((long) kind << 32) | (version & 0xffffffffL),
                                x -> new Advisory.Event(kind == 0 ? null : table[kind - 1], version == 0 ? null : table[version - 1]));
                    }
                    ranges[j] = new Advisory.Range(type, List.of(ev));
                }
                affected[i] = new Advisory.Affected(ecosystem, purlType, namespace, name, distro, List.of(ranges), strs(),
                        distroStatus, distroSeverity, note);
            }
            List<String> references = strs();
            String source = str();
            return new Advisory(id, aliases, summary, published, modified, withdrawn, List.of(sev), List.of(affected),
                    references, source, null);
        }
    }
}
