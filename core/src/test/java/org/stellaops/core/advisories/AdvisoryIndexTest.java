package org.stellaops.core.advisories;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.SharedData;

/** The compiled advisory index on the published documents of shared/data. */
class AdvisoryIndexTest {
    private static final List<String> PARTS = List.of("osv", "debian/tracker", "alpine", "nvd",
            "kev/known_exploited_vulnerabilities.json", "epss");

    static FeedSet documents(List<String> parts) throws IOException {
        FeedSet f = new FeedSet();
        for (String p : parts) {
            f.load(SharedData.dir().resolve(p));
        }
        return f;
    }

    @Test
    void sameRevisionGivesTheSameBytesWhoeverBuildsIt(@TempDir Path tmp) throws IOException {
        byte[] a = AdvisoryIndex.write(documents(PARTS));
        // another order of loading, and the documents copied to another place
        Path copy = tmp.resolve("elsewhere");
        for (String p : PARTS) {
            Path src = SharedData.dir().resolve(p);
            try (var files = Files.walk(src)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Path t = copy.resolve(p).resolve(src.relativize(f).toString());
                    Files.createDirectories(t.getParent());
                    Files.copy(f, t);
                }
            }
        }
        FeedSet other = new FeedSet();
        List<String> reversed = new ArrayList<>(PARTS);
        java.util.Collections.reverse(reversed);
        for (String p : reversed) {
            other.load(copy.resolve(p));
        }
        byte[] b = AdvisoryIndex.write(other);
        assertArrayEquals(a, b);
        // and through the offline kit
        byte[] c = AdvisoryIndex.write(OfflineKit.read(OfflineKit.export(documents(PARTS)), "kit"));
        assertArrayEquals(a, c);
    }

    @Test
    void readGivesTheSameAdvisoriesAndRevision() throws IOException {
        FeedSet docs = documents(PARTS);
        byte[] index = AdvisoryIndex.write(docs);
        FeedSet read = AdvisoryIndex.read(index, "index", docs.revision());
        assertEquals(FeedSet.canonical(docs.advisories()), read.advisories());
        assertEquals(docs.kev(), read.kev());
        assertEquals(docs.epss(), read.epss());
        assertEquals(docs.revision(), read.revision());
        // the revision read from the index is the one the content has, computed anew
        FeedSet recomputed = new FeedSet();
        recomputed.advisories().addAll(read.advisories());
        recomputed.setKev(read.kev());
        recomputed.setEpss(read.epss());
        assertEquals(docs.revision(), recomputed.revision());
        assertArrayEquals(index, AdvisoryIndex.write(read));
    }

    @Test
    void aFlippedByteIsRebuiltWithAWarningNeverTrusted(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("index.bin");
        FeedSet docs = documents(PARTS);
        AdvisoryIndex.store(file, docs);
        byte[] good = Files.readAllBytes(file);
        for (int at : new int[] {good.length / 2, 12 + 4, good.length - 1}) { // body, revision, digest
            byte[] bad = good.clone();
            bad[at] ^= 0x01;
            Files.write(file, bad);
            assertThrows(AdvisoryIndex.IndexException.class, () -> AdvisoryIndex.read(file, null));
            assertRebuilt(file, docs, good, "does not match its digest");
        }
    }

    @Test
    void aTruncatedOrForeignVersionIndexIsRebuilt(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("index.bin");
        FeedSet docs = documents(PARTS);
        AdvisoryIndex.store(file, docs);
        byte[] good = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 100));
        assertRebuilt(file, docs, good, "does not match its digest");
        Files.write(file, java.util.Arrays.copyOf(good, 10));
        assertRebuilt(file, docs, good, "truncated");
        byte[] foreign = good.clone();
        foreign[11] = 2; // format version 2
        Files.write(file, foreign);
        assertRebuilt(file, docs, good, "advisory index format 2");
        Files.write(file, "PK\3\4 not an index at all, but long enough for the header".getBytes());
        assertRebuilt(file, docs, good, "wrong magic");
    }

    @Test
    void anIndexOfAnotherRevisionIsRebuilt(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("index.bin");
        FeedSet docs = documents(PARTS);
        AdvisoryIndex.store(file, documents(List.of("osv")));
        List<String> warnings = new ArrayList<>();
        FeedSet f = AdvisoryIndex.loadOrBuild(file, docs.revision(), () -> docs, warnings::add);
        assertEquals(docs.revision(), f.revision());
        assertTrue(warnings.get(0).contains("not " + docs.revision()), warnings.toString());
    }

    @Test
    void aMissingIndexIsBuiltOnceWithoutWarning(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("cache/index.bin");
        FeedSet docs = documents(PARTS);
        AtomicInteger loads = new AtomicInteger();
        List<String> warnings = new ArrayList<>();
        AdvisoryIndex.loadOrBuild(file, null, () -> {
            loads.incrementAndGet();
            return docs;
        }, warnings::add);
        FeedSet again = AdvisoryIndex.loadOrBuild(file, docs.revision(), () -> {
            loads.incrementAndGet();
            return docs;
        }, warnings::add);
        assertEquals(1, loads.get());
        assertEquals(List.of(), warnings);
        assertEquals(docs.revision(), again.revision());
    }

    @Test
    void anInstalledKitCarriesItsIndexAndLoadsThroughIt(@TempDir Path tmp) throws IOException {
        FeedSet docs = documents(PARTS);
        Path kit = OfflineKit.install(OfflineKit.export(docs), "kit.zip", tmp);
        Path index = OfflineKit.indexOf(kit);
        byte[] good = Files.readAllBytes(index);
        assertArrayEquals(AdvisoryIndex.write(docs), good);
        FeedSet loaded = new FeedSet().load(kit);
        assertEquals(docs.revision(), loaded.revision());
        assertEquals(FeedSet.canonical(docs.advisories()), loaded.advisories());
        assertEquals(List.of(), loaded.diagnostics());
        // a flipped byte in the installed index: the kit is read instead, the index rewritten, a warning given
        byte[] bad = good.clone();
        bad[bad.length / 3] ^= 0x40;
        Files.write(index, bad);
        FeedSet again = new FeedSet().load(kit);
        assertEquals(docs.revision(), again.revision());
        assertEquals(1, again.diagnostics().size(), again.diagnostics().toString());
        assertTrue(again.diagnostics().get(0).contains("does not match its digest"), again.diagnostics().get(0));
        assertArrayEquals(good, Files.readAllBytes(index));
        // the index of another revision beside the kit is not used
        AdvisoryIndex.store(index, documents(List.of("osv")));
        FeedSet third = new FeedSet().load(kit);
        assertEquals(docs.revision(), third.revision());
        assertTrue(third.diagnostics().get(0).contains("not " + docs.revision()), third.diagnostics().toString());
        assertArrayEquals(good, Files.readAllBytes(index));
    }

    private static void assertRebuilt(Path file, FeedSet docs, byte[] good, String problem) throws IOException {
        List<String> warnings = new ArrayList<>();
        FeedSet f = AdvisoryIndex.loadOrBuild(file, null, () -> docs, warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(problem) && warnings.get(0).contains(file.toString())
                && warnings.get(0).endsWith("rebuilt from the advisory documents"), warnings.get(0));
        assertEquals(docs.revision(), f.revision());
        assertArrayEquals(good, Files.readAllBytes(file));
    }
}
