package org.stellaops.core.advisories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.SharedData;
import org.stellaops.core.net.OutboundException;
import org.stellaops.core.net.OutboundPolicy;

/** Zip and gzip bombs, oversized downloads and redirects to refused addresses fail with errors naming the input. */
class InputBoundsTest {
    static final long MIB = 1024 * 1024;
    static final InputLimits SMALL = new InputLimits(4 * MIB, 4 * MIB, 16 * MIB, 100);

    /** A zip whose entries are zeros: a few KiB on disk, {@code entries * size} bytes inflated. */
    static byte[] zeros(int entries, long size) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < entries; i++) {
                zip.putNextEntry(new ZipEntry("bomb-" + i + ".json"));
                for (long left = size; left > 0; left -= chunk.length) {
                    zip.write(chunk, 0, (int) Math.min(left, chunk.length));
                }
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void aZipBombFailsAsAWholeNamingTheZip(@TempDir Path dir) throws Exception {
        // one entry of 1 GiB of zeros, about 1 MiB compressed: refused after 4 MiB are inflated
        byte[] bomb = zeros(1, 1024 * MIB);
        assertThat(bomb.length).isLessThan((int) (2 * MIB));
        Path zip = Files.write(dir.resolve("osv-all.zip"), bomb);
        long before = usedHeap();
        assertThatThrownBy(() -> new FeedSet(SMALL).load(zip)).isInstanceOf(InputTooLargeException.class)
                .hasMessageContaining("osv-all.zip!/bomb-0.json").hasMessageContaining("more than " + 4 * MIB + " bytes");
        assertThat(usedHeap() - before).as("nothing near the inflated size was held").isLessThan(256 * MIB);
        // many entries, each under the document bound, together over the zip's bound
        Path many = Files.write(dir.resolve("many.zip"), zeros(5, 4 * MIB));
        assertThatThrownBy(() -> new FeedSet(SMALL).load(many)).isInstanceOf(InputTooLargeException.class)
                .hasMessageContaining("many.zip").hasMessageContaining("more than " + 16 * MIB + " bytes (the limit for one zip)");
        // more entries than allowed
        Path count = Files.write(dir.resolve("count.zip"), zeros(101, 1));
        assertThatThrownBy(() -> new FeedSet(SMALL).load(count)).isInstanceOf(InputTooLargeException.class)
                .hasMessageContaining("count.zip: more than 100 zip entries");
        // an offline kit is bounded the same way
        assertThatThrownBy(() -> OfflineKit.read(zeros(2, 12 * MIB), "kit.zip", SMALL)).isInstanceOf(InputTooLargeException.class)
                .hasMessageContaining("kit.zip");
        // within the bounds a zip still loads
        Path osv = dir.resolve("osv.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(osv))) {
            z.putNextEntry(new ZipEntry("GHSA-jfh8-c2jp-5v3q.json"));
            z.write(Files.readAllBytes(SharedData.dir().resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json")));
        }
        assertThat(new FeedSet(SMALL).load(osv).advisories()).hasSize(1);
    }

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void gzipDocumentsAreInflatedWithinTheDocumentBound() throws Exception {
        byte[] kev = Files.readAllBytes(SharedData.dir().resolve("kev/known_exploited_vulnerabilities.json"));
        FeedSet set = new FeedSet(SMALL);
        set.add(gzip(kev), "kev.json.gz");
        assertThat(set.diagnostics()).isEmpty();
        assertThat(set.kev().entries()).hasSize(1404);
        // detected by its magic bytes whatever the name; EPSS (.csv.gz) keeps its format once the .gz is gone
        FeedSet epss = new FeedSet(SMALL);
        epss.add(gzip(Files.readAllBytes(SharedData.dir().resolve("epss/epss_scores-subset.csv"))), "epss_scores.csv.gz");
        assertThat(epss.epss().scores()).hasSize(197);
        FeedSet bomb = new FeedSet(SMALL);
        bomb.add(gzip(new byte[(int) (64 * MIB)]), "big.json.gz");
        assertThat(bomb.diagnostics()).singleElement().asString().startsWith("big.json.gz: inflates to more than " + 4 * MIB);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void aDownloadOverTheLimitFailsAndKeepsNothing(@TempDir Path dir) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/endless.json", ex -> { // chunked: no Content-Length announces the size
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 1024; i++) { // 64 MiB
                    out.write(chunk);
                }
            } catch (IOException closedByTheClient) {
                // the fetcher stopped reading at its limit
            }
        });
        server.createContext("/announced.json", ex -> {
            ex.sendResponseHeaders(200, 64 * MIB);
            ex.close();
        });
        server.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            OutboundPolicy local = OutboundPolicy.of(List.of(), List.of("127.0.0.1/32"), true);
            FeedFetcher fetcher = new FeedFetcher(dir, local, 1 * MIB);
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/endless.json"))).isInstanceOf(InputTooLargeException.class)
                    .hasMessage(base + "/endless.json: the response is larger than " + MIB + " bytes (the download limit)");
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/announced.json"))).isInstanceOf(InputTooLargeException.class);
            try (var files = Files.list(dir)) {
                assertThat(files.toList()).as("no partial download is kept").isEmpty();
            }
            // a redirect is checked like the first URL: never followed to the metadata address
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/redirect"))).isInstanceOf(OutboundException.class)
                    .hasMessageContaining("169.254.169.254");
            // and the default policy refuses the loopback server itself
            assertThatThrownBy(() -> new FeedFetcher(dir, OutboundPolicy.of(List.of(), List.of(), true), MIB)
                    .fetch(URI.create(base + "/endless.json"))).isInstanceOf(OutboundException.class).hasMessageContaining("loopback");
            assertThat(requests.get()).isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }
}
